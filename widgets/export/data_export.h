#pragma once
// The data behind a view, written next to its figure: CSV (RFC 4180 quoting) and JSON, atomically.
#include <QJsonDocument>
#include <QString>
#include <QStringList>

class QAbstractItemModel;

namespace srdd_gui {

// Throw srdd::Error naming PATH when it cannot be written.
void exportCsv(const QString& path, const QString& csv);
void exportJson(const QString& path, const QJsonDocument& json);

// One CSV record: fields with a comma, quote or line break are quoted, quotes doubled; lines end with "\r\n"
// as RFC 4180 asks (spreadsheets and pandas read both).
QString csvRecord(const QStringList& fields);
// A whole table model (header row + rows) in the given role, e.g. the ranked layer table.
QString tableToCsv(const QAbstractItemModel& model, int role = Qt::DisplayRole);

}  // namespace srdd_gui
