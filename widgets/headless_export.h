#pragma once
// Exporting the results figures of a scan: the metadata every figure carries, "export all figures" (each
// figure + its CSV + JSON into a folder), and the headless `srdd-studio --export results.json --out DIR` that
// uses it without a display.
#include "export/export_options.h"
#include "results/scan_data.h"

#include <srdd/report.h>

#include <QMap>
#include <QString>
#include <QStringList>

namespace srdd_gui {

// OPTIONS with the metadata of figure ID of DATA: "Title" = the figure's title, "Figure" = its id, and one
// entry per line of DATA.metadataText() (model, quantization, scans, prompts, seed, device, srdd, created).
ExportOptions figureExportOptions(const ScanData& data, const QString& id, ExportOptions options);

// Every figure of availableFigures(DATA) into DIR as <fileStem>.<ext>, <fileStem>.csv and <fileStem>.json,
// in the light paper theme. Returns the files written. Throws srdd::Error naming the file at the first failure.
QStringList exportScanFigures(const ScanData& data, const QString& dir, const ExportOptions& options);

struct HeadlessExport {
  QString resultsPath;  // srdd-scan/1 JSON
  QString outDir;
  ExportOptions options;
  srdd::report::Language language = srdd::report::Language::En;  // titles, labels, captions (figure_language.h)
  QString aqnPath;  // optional: an AQN run directory or comparison.json, whose figures are exported too
};

// Reads the scan (and the AQN comparison) and exports every figure (the AQN results view's figures too). Returns 0, or
// 1 after writing a one-line error naming the file (bad JSON, other schema, unwritable folder, missing CJK font) to
// stderr. Needs a QApplication (QT_QPA_PLATFORM=offscreen is enough). Prints one line per figure written to stdout
// unless QUIET.
int runHeadlessExport(const HeadlessExport& job, bool quiet = false);

}  // namespace srdd_gui
