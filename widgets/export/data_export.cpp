#include "export/data_export.h"

#include "export/atomic_write.h"

#include <QAbstractItemModel>

namespace srdd_gui {

void exportCsv(const QString& path, const QString& csv) { writeFileAtomically(path, csv.toUtf8()); }

void exportJson(const QString& path, const QJsonDocument& json) {
  writeFileAtomically(path, json.toJson(QJsonDocument::Indented));
}

QString csvRecord(const QStringList& fields) {
  QStringList out;
  out.reserve(fields.size());
  for (const QString& f : fields) {
    if (f.contains(',') || f.contains('"') || f.contains('\n') || f.contains('\r'))
      out << '"' + QString(f).replace('"', QStringLiteral("\"\"")) + '"';
    else
      out << f;
  }
  return out.join(',') + QStringLiteral("\r\n");
}

QString tableToCsv(const QAbstractItemModel& model, int role) {
  QStringList header;
  for (int c = 0; c < model.columnCount(); ++c)
    header << model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
  QString csv = csvRecord(header);
  for (int r = 0; r < model.rowCount(); ++r) {
    QStringList row;
    for (int c = 0; c < model.columnCount(); ++c) row << model.data(model.index(r, c), role).toString();
    csv += csvRecord(row);
  }
  return csv;
}

}  // namespace srdd_gui
