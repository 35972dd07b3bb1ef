#pragma once
// The results figures by id, for export: list, render into a QCustomPlot, and the data behind each as CSV/JSON.
// Ids: "compare:<metric>:difference|ratio[:log]",
// "heatmap-metrics:bf16|quantized|ratio|difference:linear|log|diverging", "heatmap-modules:<weight
// metric>:linear|log|diverging". The on-screen views use the same builders.
#include "results/compare_figure.h"
#include "results/heatmap_figure.h"

#include <QJsonDocument>

#include <vector>

namespace srdd_gui {

struct FigureSpec {
  QString id;
  QString title;
  QString fileStem;  // safe file name without extension, e.g. "compare-gain-difference"
};

QString compareFigureId(const QString& metric, DeltaMode mode, bool log = false);
QString metricHeatmapId(Side side, HeatScale scale);
QString moduleHeatmapId(const QString& weightMetric, HeatScale scale);
QString figureFileStem(const QString& id);

// Every figure worth exporting for DATA: one compare figure per metric, the metric heatmaps (quantized,
// ratio, difference) and the module heatmaps of SQNR, deadzone, clipping and relative error.
std::vector<FigureSpec> availableFigures(const ScanData& data);
QString figureTitle(const ScanData& data, const QString& id);

// Fills PLOT with figure ID (light theme: the paper theme for exports; else PLOT's palette).
// Throws srdd::Error for an unknown or malformed id.
void renderFigure(QCustomPlot* plot, const ScanData& data, const QString& id, bool lightTheme);
void renderFigure(QCustomPlot* plot, const ScanData& data, const QString& id, const PlotTheme& theme);

// The numbers behind figure ID: CSV with a header row (raw scan values, full precision, empty = none),
// and JSON with the figure id, title, provenance and parameters of the scan.
QString figureCsv(const ScanData& data, const QString& id);
QJsonDocument figureJson(const ScanData& data, const QString& id);

}  // namespace srdd_gui
