#include "export/batch_export.h"

#include "export/data_export.h"

#include <srdd/error.h>

#include <QDir>
#include <QRegularExpression>
#include <QSet>

namespace srdd_gui {

QStringList exportAll(const QString& dir, const std::vector<BatchFigure>& figures, const ExportOptions& options) {
  const std::string dirName = QDir::toNativeSeparators(dir).toStdString();
  static const QRegularExpression validId(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]*$"));
  QSet<QString> seen;
  for (const BatchFigure& f : figures) {
    if (!validId.match(f.id).hasMatch())
      throw srdd::Error(dirName + ": figure id '" + f.id.toStdString() + "' is not a valid file name");
    if (seen.contains(f.id)) throw srdd::Error(dirName + ": figure id '" + f.id.toStdString() + "' appears twice");
    seen.insert(f.id);
  }
  if (!QDir().mkpath(dir)) throw srdd::Error(dirName + ": cannot create the folder");

  const QDir out(dir);
  QStringList written;
  for (const BatchFigure& f : figures) {
    ExportOptions o = options;
    if (!o.metadata.contains(QStringLiteral("Title"))) o.metadata.insert(QStringLiteral("Title"), f.id);
    const QString figurePath = out.filePath(f.id + '.' + o.extension());
    exportFigure(figurePath, f.render, o);
    written << figurePath;
    if (!f.csv.isEmpty()) {
      exportCsv(out.filePath(f.id + QStringLiteral(".csv")), f.csv);
      written << out.filePath(f.id + QStringLiteral(".csv"));
    }
    if (!f.json.isNull()) {
      exportJson(out.filePath(f.id + QStringLiteral(".json")), f.json);
      written << out.filePath(f.id + QStringLiteral(".json"));
    }
  }
  return written;
}

QStringList exportAll(const QString& dir, const std::vector<std::pair<QString, FigureRenderer>>& figures,
                      const ExportOptions& options) {
  std::vector<BatchFigure> specs;
  specs.reserve(figures.size());
  for (const auto& [id, render] : figures) specs.push_back({id, render, {}, {}});
  return exportAll(dir, specs, options);
}

}  // namespace srdd_gui
