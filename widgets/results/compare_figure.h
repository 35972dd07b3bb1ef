#pragma once
// The compare figure: BF16 | quantized bars per layer on one shared value axis, plus a Δ or ratio panel.
// Metrics measured on one variant only (sensitivity, pooled weights, drift) get a single panel.
// Shared by the on-screen MetricCompareView and the figure export.
#include "results/plot_theme.h"
#include "results/scan_data.h"

#include <vector>

namespace srdd_gui {

enum class DeltaMode { Difference, Ratio };

// The numbers the figure shows (also its CSV/JSON export).
struct CompareSeries {
  QString metric;
  bool paired = false;
  DeltaMode mode = DeltaMode::Difference;
  std::vector<int> layers;
  std::vector<Stat> bf16, quantized;  // single metrics: quantized only
  // Difference or ratio per layer (paired only): the scan's value, with a 95 % interval from the per-prompt
  // pairs: the t-interval of the differences q_i − b_i, or for the ratio R = mean q / mean b the delta
  // method, R ± t(0.975, n−1) · sd(q_i − R·b_i) / (√n · mean b). No interval without per-prompt values.
  std::vector<Stat> delta;
};
CompareSeries compareSeries(const ScanData& data, const QString& metric, DeltaMode mode);
Stat pairedDeltaStat(const Stat& bf16, const Stat& quantized, double value, DeltaMode mode);

struct CompareFigure {
  std::vector<QCPAxisRect*> rects;  // BF16, quantized, Δ/ratio (paired) or one rect
  std::vector<QCPBars*> bars;       // one per rect, bar key = layer index
  std::vector<Side> sides;          // what each rect shows
  CompareSeries series;
};

QString compareTitle(const ScanData& data, const QString& metric, DeltaMode mode);
// Fills PLOT (after resetPlot) with the figure; PLOT->xAxis/yAxis are set to the first panel's axes.
// LOG: logarithmic value axes for the BF16, quantized and ratio panels (values ≤ 0 are not drawn there); the
// difference panel stays linear. A caption names the error bars (95 % intervals) when there are any.
CompareFigure buildCompareFigure(QCustomPlot* plot, const ScanData& data, const QString& metric, DeltaMode mode,
                                 const PlotTheme& theme, bool log = false);
// Layer under PIXEL in any panel (nearest bar within half a slot), -1 outside.
int compareLayerAt(const CompareFigure& fig, const QPointF& pixel, int* panel = nullptr);

}  // namespace srdd_gui
