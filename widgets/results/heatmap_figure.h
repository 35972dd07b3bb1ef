#pragma once
// Heatmaps of a scan: layer × metric (each metric normalised per column) and layer × module for one weight
// fidelity metric. Shared by the on-screen HeatmapView and the figure export.
#include "results/plot_theme.h"
#include "results/scan_data.h"

#include <vector>

namespace srdd_gui {

enum class HeatScale { Linear, Log, Diverging };

// The numbers a heatmap shows (also its CSV/JSON export). Rows are layers (top to bottom).
struct HeatmapGrid {
  QString title, colorLabel;
  QString valueMetric;            // module heatmap: the weight metric; metric heatmap: empty (per column)
  QStringList columns;            // metric keys, or module names
  QStringList columnLabels;       // display names; metrics without a better direction end in " *"
  QStringList columnShortLabels;  // the same, at most ~8 characters (narrow figures)
  std::vector<int> rowLayers;     // layer per row, -1 = lm_head
  QStringList rowLabels;
  std::vector<std::vector<double>> raw;    // [row][column] value from the scan, NaN where none
  std::vector<std::vector<double>> shown;  // what is coloured: normalised (metric map) or display units
  QCPRange colorRange{0, 1};
  bool logColor = false;  // the colour axis is logarithmic (module map, log scale)
  // Module map of a higher-is-better metric: low values are the worse ones, so the gradient is flipped (low
  // values get the top colour) and the colour bar's label reads "← worse".
  bool lowIsWorse = false;
  QString caption;  // how the colours read, under the map
  HeatScale scale = HeatScale::Linear;
  int rowCount() const { return static_cast<int>(rowLayers.size()); }
  int columnCount() const { return static_cast<int>(columns.size()); }
};

// Every column is oriented so that the top colour is always the worse end: o = v where lower is better,
// −v where higher is better (SQNR), |v − 1| for closer-to-1 metrics (gain); log10 v in place of v on the log
// scale. Ratio and difference maps orient the change: a drop is worse for higher-is-better and closer-to-1
// metrics and for kurtosis (the rules' gain_drop and kurtosis_drop). Metrics without a direction keep
// o = v and are starred. Per column: linear/log -> (o − min)/(max − min), diverging -> o / max|o| (of
// o − c with c = 1 for ratios, 0 otherwise). "tokens" is left out.
HeatmapGrid metricHeatmap(const ScanData& data, Side side, HeatScale scale);
// Weight METRIC (e.g. "sqnr_db") per layer and module; lm_head is an extra row and column.
// Diverging centres on the mean over all cells.
HeatmapGrid moduleHeatmap(const ScanData& data, const QString& metric, HeatScale scale);

struct HeatmapFigure {
  QCPAxisRect* rect = nullptr;
  QCPColorMap* map = nullptr;
  QCPColorScale* colorScale = nullptr;
  HeatmapGrid grid;
};

// Fills PLOT (after resetPlot) with GRID; cell (column c, row r) is centred on plot coords (c, r),
// rows run top to bottom. PLOT->xAxis/yAxis are set to the map's axes.
HeatmapFigure buildHeatmapFigure(QCustomPlot* plot, const ScanData& data, HeatmapGrid grid, const PlotTheme& theme);
// Cell under PIXEL: true and (*column, *row) when inside the grid.
bool heatmapCellAt(const HeatmapFigure& fig, const QPointF& pixel, int* column, int* row);
QString sideName(const ScanData& data, Side side);
QString scaleName(HeatScale scale);

}  // namespace srdd_gui
