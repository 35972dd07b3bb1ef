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
  QString valueMetric;        // module heatmap: the weight metric; metric heatmap: empty (per column)
  QStringList columns;        // metric keys, or module names
  QStringList columnLabels;   // display names
  std::vector<int> rowLayers;  // layer per row, -1 = lm_head
  QStringList rowLabels;
  std::vector<std::vector<double>> raw;    // [row][column] value from the scan, NaN where none
  std::vector<std::vector<double>> shown;  // what is coloured: normalised (metric map) or display units
  QCPRange colorRange{0, 1};
  bool logColor = false;  // the colour axis is logarithmic (module map, log scale)
  HeatScale scale = HeatScale::Linear;
  int rowCount() const { return static_cast<int>(rowLayers.size()); }
  int columnCount() const { return static_cast<int>(columns.size()); }
};

// Per column: linear -> (v − min)/(max − min); log -> same on log10 v (v ≤ 0 has no cell);
// diverging -> (v − c)/max|v − c| with c = 1 for ratios, 0 otherwise. "tokens" is left out.
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
