#include "headless_export.h"

#include "aqn/aqn_results_view.h"
#include "export/batch_export.h"
#include "export/figure_language.h"
#include "results/figures.h"

#include <srdd/error.h>

#include <QDir>

#include <cstdio>

namespace srdd_gui {

ExportOptions figureExportOptions(const ScanData& data, const QString& id, ExportOptions options) {
  for (const QString& line : data.metadataText().split('\n')) {
    const int colon = line.indexOf(QStringLiteral(": "));
    if (colon > 0) options.metadata.insert(line.left(colon), line.mid(colon + 2));
  }
  options.metadata.insert(QStringLiteral("Figure"), id);
  options.metadata.insert(QStringLiteral("Title"), figureTitle(data, id));
  return options;
}

QStringList exportScanFigures(const ScanData& data, const QString& dir, const ExportOptions& options) {
  QStringList written;
  // One batch per figure, so that each file carries its own title.
  for (const FigureSpec& spec : availableFigures(data)) {
    const QString id = spec.id;
    BatchFigure figure{spec.fileStem, [&data, id](QCustomPlot* plot) { renderFigure(plot, data, id, true); },
                       figureCsv(data, id), figureJson(data, id)};
    written += exportAll(dir, {figure}, figureExportOptions(data, id, options));
  }
  return written;
}

int runHeadlessExport(const HeadlessExport& job, bool quiet) {
  try {
    if (const QString problem = job.options.validate(); !problem.isEmpty())
      throw srdd::Error("--export options: " + problem.toStdString());
    ExportOptions options = job.options;
    useFigureLanguage(job.language, options);
    const ScanData data = ScanData::fromJsonFile(job.resultsPath);
    if (availableFigures(data).empty())
      throw srdd::Error(QDir::toNativeSeparators(job.resultsPath).toStdString() +
                        ": the scan has no figures to export");
    QStringList files = exportScanFigures(data, job.outDir, options);
    if (!job.aqnPath.isEmpty()) {
      AqnResultsView aqn;
      aqn.openRunDirectory(job.aqnPath);
      files += aqn.exportFigures(job.outDir, options);
    }
    if (!quiet)
      for (const QString& f : files) std::printf("%s\n", qPrintable(QDir::toNativeSeparators(f)));
    return 0;
  } catch (const srdd::Error& e) {
    std::fprintf(stderr, "srdd-studio: %s\n", e.what());
    return 1;
  }
}

}  // namespace srdd_gui
