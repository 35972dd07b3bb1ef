#include "results/heatmap_figure.h"

#include "results/metric_catalog.h"

#include <algorithm>
#include <cmath>

namespace srdd_gui {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<std::vector<double>> table(size_t rows, size_t cols) {
  return std::vector<std::vector<double>>(rows, std::vector<double>(cols, kNaN));
}

// Scales column C of IN into OUT as documented for metricHeatmap.
void normaliseColumn(const std::vector<std::vector<double>>& in, std::vector<std::vector<double>>& out, size_t c,
                     HeatScale scale, double centre) {
  auto transformed = [&](double v) {
    if (!std::isfinite(v)) return kNaN;
    if (scale == HeatScale::Log) return v > 0 ? std::log10(v) : kNaN;
    return scale == HeatScale::Diverging ? v - centre : v;
  };
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, amax = 0;
  for (const auto& row : in) {
    const double v = transformed(row[c]);
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    amax = std::max(amax, std::abs(v));
  }
  for (size_t r = 0; r < in.size(); ++r) {
    const double v = transformed(in[r][c]);
    if (!std::isfinite(v)) continue;
    if (scale == HeatScale::Diverging)
      out[r][c] = amax > 0 ? v / amax : 0.0;
    else
      out[r][c] = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  }
}

QCPRange finiteRange(const std::vector<std::vector<double>>& t, bool positiveOnly) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& row : t)
    for (double v : row)
      if (std::isfinite(v) && (!positiveOnly || v > 0)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  if (!(lo <= hi)) return {0, 1};
  if (hi == lo) return positiveOnly ? QCPRange(lo / 2, hi * 2) : QCPRange(lo - 0.5, hi + 0.5);
  return {lo, hi};
}

// Labels every STRIDE-th entry; a final non-layer row (lm_head) keeps its label in place of its neighbour's.
QSharedPointer<QCPAxisTickerText> textTicker(const QStringList& labels, int stride = 1) {
  std::vector<int> shown;
  for (int i = 0; i < labels.size(); i += stride) shown.push_back(i);
  bool numeric = false;
  if (!labels.isEmpty()) labels.last().toInt(&numeric);
  if (!shown.empty() && shown.back() != labels.size() - 1 && !numeric) shown.back() = static_cast<int>(labels.size() - 1);
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (int i : shown) ticker->addTick(i, labels[i]);
  return ticker;
}

// Text ticks of a category axis that keep every n-th label so that neighbours never overlap at the axis's
// current pixel length and tick font (re-evaluated on every replot).
class SpacedTextTicker : public QCPAxisTickerText {
 public:
  SpacedTextTicker(QCPAxis* axis, const QStringList& labels) : m_axis(axis) {
    for (int i = 0; i < labels.size(); ++i) addTick(i, labels[i]);
  }

 protected:
  QVector<double> createTickVector(double tickStep, const QCPRange& range) override {
    const QVector<double> all = QCPAxisTickerText::createTickVector(tickStep, range);
    if (!m_axis || all.size() < 2) return all;
    const QFontMetrics fm(m_axis->tickLabelFont());
    double extent = fm.height();  // vertical labels need one line of height
    if (std::abs(m_axis->tickLabelRotation()) < 60)
      for (double key : all) extent = std::max(extent, double(fm.horizontalAdvance(mTicks.value(key))) + fm.averageCharWidth());
    const double slot = std::abs(m_axis->coordToPixel(1) - m_axis->coordToPixel(0));
    const int stride = slot > 0 ? std::max(1, static_cast<int>(std::ceil(extent / slot))) : 1;
    QVector<double> shown;
    for (int i = 0; i < all.size(); i += stride) shown << all[i];
    return shown;
  }

 private:
  QPointer<QCPAxis> m_axis;
};
}  // namespace

QString sideName(const ScanData& data, Side side) {
  switch (side) {
    case Side::Bf16: return QStringLiteral("BF16");
    case Side::Quantized: return data.formatName();
    case Side::Ratio: return QObject::tr("ratio %1 / BF16").arg(data.formatName());
    case Side::Difference: return QObject::tr("Δ %1 − BF16").arg(data.formatName());
  }
  return {};
}

QString scaleName(HeatScale scale) {
  switch (scale) {
    case HeatScale::Linear: return QObject::tr("linear");
    case HeatScale::Log: return QObject::tr("log");
    case HeatScale::Diverging: return QObject::tr("diverging");
  }
  return {};
}

HeatmapGrid metricHeatmap(const ScanData& data, Side side, HeatScale scale) {
  HeatmapGrid g;
  g.scale = scale;
  QStringList candidates = data.pairedMetrics();
  if (side == Side::Quantized) candidates += data.singleMetrics();
  candidates.removeAll(QStringLiteral("tokens"));  // a property of the prompts, not of the layer
  const size_t rows = static_cast<size_t>(data.layerCount());
  for (const QString& key : candidates) {
    bool any = false;
    for (size_t r = 0; r < rows && !any; ++r) any = std::isfinite(data.value(static_cast<int>(r), key, side));
    if (!any) continue;
    g.columns << key;
    g.columnLabels << metricInfo(key).name;
  }
  for (int layer : data.layerIndices()) {
    g.rowLayers.push_back(layer);
    g.rowLabels << QString::number(layer);
  }
  g.raw = table(rows, static_cast<size_t>(g.columns.size()));
  g.shown = table(rows, static_cast<size_t>(g.columns.size()));
  const double centre = side == Side::Ratio ? 1.0 : 0.0;
  for (size_t c = 0; c < static_cast<size_t>(g.columns.size()); ++c) {
    for (size_t r = 0; r < rows; ++r) g.raw[r][c] = data.value(static_cast<int>(r), g.columns[static_cast<int>(c)], side);
    normaliseColumn(g.raw, g.shown, c, scale, centre);
  }
  g.title = QObject::tr("Layer × metric: %1").arg(sideName(data, side));
  switch (scale) {
    case HeatScale::Linear:
      g.colorLabel = QObject::tr("per metric, min → max");
      break;
    case HeatScale::Log:
      g.colorLabel = QObject::tr("per metric, log min → max");
      break;
    case HeatScale::Diverging:
      g.colorLabel = centre == 1.0 ? QObject::tr("(v − 1) / max|v − 1|") : QObject::tr("v / max|v|");
      g.colorRange = QCPRange(-1, 1);
      break;
  }
  return g;
}

HeatmapGrid moduleHeatmap(const ScanData& data, const QString& metric, HeatScale scale) {
  HeatmapGrid g;
  g.scale = scale;
  g.valueMetric = metric;
  const QString key = QStringLiteral("weights.") + metric;
  const MetricInfo info = metricInfo(key);
  const double factor = info.percent ? 100.0 : 1.0;
  g.columns = data.weightModules();
  for (const QString& m : g.columns)
    g.columnLabels << (m == "lm_head" ? QStringLiteral("head") : QString(m).remove(QStringLiteral("_proj")));
  for (int layer : data.layerIndices()) {
    g.rowLayers.push_back(layer);
    g.rowLabels << QString::number(layer);
  }
  if (data.weight(-1, QStringLiteral("lm_head"))) {
    g.rowLayers.push_back(-1);
    g.rowLabels << QStringLiteral("lm_head");
  }
  g.raw = table(g.rowLayers.size(), static_cast<size_t>(g.columns.size()));
  double sum = 0;
  int count = 0;
  for (size_t r = 0; r < g.rowLayers.size(); ++r)
    for (int c = 0; c < g.columns.size(); ++c)
      if (const srdd::WeightFidelityRow* w = data.weight(g.rowLayers[r], g.columns[c])) {
        auto it = w->metrics.find(metric.toStdString());
        if (it == w->metrics.end() || !std::isfinite(it->second)) continue;
        g.raw[r][static_cast<size_t>(c)] = it->second;
        sum += it->second * factor;
        ++count;
      }
  const double mean = count ? sum / count : 0.0;
  g.shown = g.raw;
  for (auto& row : g.shown)
    for (double& v : row) {
      if (!std::isfinite(v)) continue;
      v *= factor;
      if (scale == HeatScale::Diverging) v -= mean;
      if (scale == HeatScale::Log && v <= 0) v = kNaN;
    }
  const QString label = metricLabel(key);
  g.title = QObject::tr("Layer × module: %1").arg(info.name);
  if (scale == HeatScale::Diverging) {
    const QCPRange r = finiteRange(g.shown, false);
    const double a = std::max({std::abs(r.lower), std::abs(r.upper), 1e-12});
    g.colorRange = QCPRange(-a, a);
    g.colorLabel = QObject::tr("%1 − mean %2").arg(label, QString::number(mean, 'g', 3));
  } else {
    g.logColor = scale == HeatScale::Log;
    g.colorRange = finiteRange(g.shown, g.logColor);
    g.colorLabel = label;
  }
  return g;
}

HeatmapFigure buildHeatmapFigure(QCustomPlot* plot, const ScanData& data, HeatmapGrid grid, const PlotTheme& t) {
  resetPlot(plot);
  plot->setBackground(t.background);
  HeatmapFigure fig;
  fig.grid = std::move(grid);
  const HeatmapGrid& g = fig.grid;
  const int nc = g.columnCount(), nr = g.rowCount();

  auto* layout = plot->plotLayout();
  layout->addElement(0, 0, newText(plot, g.title + " (" + scaleName(g.scale) + ")", t.titleFont(), t.foreground));
  layout->addElement(1, 0, newText(plot, data.shortDescription(), t.smallFont(), t.muted));
  layout->setRowSpacing(0);
  auto* body = new QCPLayoutGrid;
  layout->addElement(2, 0, body);

  // Narrow (single-column) figures: short vertical metric names and the colour scale below the map.
  const bool narrow = isNarrowPlot(plot);
  fig.rect = newAxisRect(plot, t);
  body->addElement(0, 0, fig.rect);
  QCPAxis* x = fig.rect->axis(QCPAxis::atBottom);
  QCPAxis* y = fig.rect->axis(QCPAxis::atLeft);
  QStringList columnLabels = g.columnLabels;
  if (narrow && g.valueMetric.isEmpty())
    for (int c = 0; c < nc; ++c) columnLabels[c] = metricShortName(g.columns[c]);
  x->setTicker(QSharedPointer<SpacedTextTicker>(new SpacedTextTicker(x, columnLabels)));
  int rowStride = nr > 32 ? 4 : nr > 16 ? 2 : 1;  // deep models: fewer labels
  if (narrow) {
    // Vertical metric names and the colour scale leave about a third of a single-column figure to the rows.
    const double rowsHeight = 0.33 * plot->height(), lineHeight = 1.3 * QFontMetrics(y->tickLabelFont()).height();
    while (rowStride < nr && nr / rowStride * lineHeight > rowsHeight) ++rowStride;
  }
  y->setTicker(textTicker(g.rowLabels, rowStride));
  if (g.valueMetric.isEmpty()) x->setTickLabelRotation(narrow ? 90 : 40);
  if (!g.valueMetric.isEmpty()) x->setLabel(QObject::tr("module"));
  y->setLabel(QObject::tr("layer"));
  for (QCPAxis* a : {x, y}) {
    a->grid()->setVisible(false);
    a->setSubTicks(false);
    a->setTickLength(0, 3);
  }
  x->setRange(-0.5, std::max(nc, 1) - 0.5);
  y->setRange(-0.5, std::max(nr, 1) - 0.5);
  y->setRangeReversed(true);  // layer 0 at the top

  fig.map = new QCPColorMap(x, y);
  // A single cell per dimension would be drawn with zero size, so such a dimension gets two half cells.
  const int kx = nc == 1 ? 2 : std::max(nc, 1), ky = nr == 1 ? 2 : std::max(nr, 1);
  fig.map->data()->setSize(kx, ky);
  fig.map->data()->setRange(nc == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, std::max(nc - 1, 1)),
                            nr == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, std::max(nr - 1, 1)));
  for (int i = 0; i < kx; ++i)
    for (int j = 0; j < ky; ++j) {
      const int c = nc == 1 ? 0 : i, r = nr == 1 ? 0 : j;
      const double v = c < nc && r < nr ? g.shown[static_cast<size_t>(r)][static_cast<size_t>(c)] : kNaN;
      fig.map->data()->setCell(i, j, v);
    }
  fig.map->setInterpolate(false);
  fig.map->setTightBoundary(false);
  fig.map->setSelectable(QCP::stNone);

  fig.colorScale = new QCPColorScale(plot);
  body->addElement(narrow ? 1 : 0, narrow ? 0 : 1, fig.colorScale);
  fig.colorScale->setType(narrow ? QCPAxis::atBottom : QCPAxis::atRight);
  fig.colorScale->setBarWidth(narrow ? 8 : 12);
  if (narrow) body->setRowStretchFactor(1, 0.001);  // the scale takes only what its bar and labels need
  fig.map->setColorScale(fig.colorScale);  // the map takes the scale's gradient, so set it on the scale
  fig.colorScale->setGradient(g.scale == HeatScale::Diverging ? divergingGradient(t) : sequentialGradient(t));
  fig.colorScale->setDataScaleType(g.logColor ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  if (g.logColor) fig.colorScale->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
  fig.colorScale->setDataRange(g.colorRange);
  styleAxis(fig.colorScale->axis(), t);
  fig.colorScale->axis()->setLabel(g.colorLabel);
  auto* group = new QCPMarginGroup(plot);
  const QCP::MarginSides shared = narrow ? QCP::msLeft | QCP::msRight : QCP::msTop | QCP::msBottom;
  fig.rect->setMarginGroup(shared, group);
  fig.colorScale->setMarginGroup(shared, group);

  plot->xAxis = x;
  plot->yAxis = y;
  if (!plot->isVisible()) plot->setViewport(plot->rect());  // a hidden plot (export) gets no resize event
  plot->replot();  // lays the map out, so the next replot spaces the column labels for its real width
  return fig;
}

bool heatmapCellAt(const HeatmapFigure& fig, const QPointF& pixel, int* column, int* row) {
  if (!fig.rect || !fig.rect->rect().contains(pixel.toPoint())) return false;
  const int c = static_cast<int>(std::lround(fig.rect->axis(QCPAxis::atBottom)->pixelToCoord(pixel.x())));
  const int r = static_cast<int>(std::lround(fig.rect->axis(QCPAxis::atLeft)->pixelToCoord(pixel.y())));
  if (c < 0 || r < 0 || c >= fig.grid.columnCount() || r >= fig.grid.rowCount()) return false;
  *column = c;
  *row = r;
  return true;
}

}  // namespace srdd_gui
