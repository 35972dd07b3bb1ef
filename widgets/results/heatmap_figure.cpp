#include "results/heatmap_figure.h"
#include "results/spaced_ticker.h"

#include "results/metric_catalog.h"

#include <QtMath>

#include <algorithm>
#include <cmath>

namespace srdd_gui {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<std::vector<double>> table(size_t rows, size_t cols) {
  return std::vector<std::vector<double>>(rows, std::vector<double>(cols, kNaN));
}

// How a column's values turn into "larger is worse" (metricHeatmap).
enum class Orientation { Plain, Flip, DistanceFromOne };

Orientation orientation(const QString& key, bool change) {
  const Better b = metricInfo(key).better;
  if (change)
    return b == Better::Higher || b == Better::NearOne || key == QLatin1String("kurtosis") ? Orientation::Flip
                                                                                           : Orientation::Plain;
  if (b == Better::Higher) return Orientation::Flip;
  return b == Better::NearOne ? Orientation::DistanceFromOne : Orientation::Plain;
}

bool hasDirection(const QString& key, bool change) {
  return metricInfo(key).better != Better::Neutral || (change && key == QLatin1String("kurtosis"));
}

// Scales column C of IN into OUT as documented for metricHeatmap.
void normaliseColumn(const std::vector<std::vector<double>>& in, std::vector<std::vector<double>>& out, size_t c,
                     HeatScale scale, double centre, Orientation o) {
  auto transformed = [&](double v) {
    if (!std::isfinite(v)) return kNaN;
    if (scale == HeatScale::Log) {
      if (!(v > 0)) return kNaN;
      v = std::log10(v);
      if (o == Orientation::DistanceFromOne) return std::abs(v);  // log10 1 = 0
    } else if (scale == HeatScale::Diverging) {
      v -= centre;
    } else if (o == Orientation::DistanceFromOne) {
      return std::abs(v - 1);
    }
    return o == Orientation::Flip ? -v : v;
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

// Text ticks of a category axis: every label when they fit at the axis's current pixel length and tick font
// (re-evaluated on every replot), else every n-th. Horizontal labels need their width, vertical ones (a left
// axis, or labels rotated by 60° or more) a line height. A last row that is no layer (lm_head) keeps its
// label in place of its neighbour's. With ROTATE_TO_FIT, labels too wide to stand side by side turn upright
// (90°) before any is left out: the module axis then names every module even in a single-column figure.
class SpacedTextTicker : public QCPAxisTickerText {
 public:
  SpacedTextTicker(QCPAxis* axis, const QStringList& labels, bool rotateToFit = false)
      : m_axis(axis), m_rotateToFit(rotateToFit) {
    setLabels(labels);
  }

 protected:
  void setLabels(const QStringList& labels) {
    m_labels = labels;
    mTicks.clear();
    for (int i = 0; i < labels.size(); ++i) addTick(i, labels[i]);
  }
  // Pixels between neighbouring categories.
  double slot() const { return m_axis ? std::abs(m_axis->coordToPixel(1) - m_axis->coordToPixel(0)) : 0.0; }
  // Room each label needs along the axis at ROTATION degrees (0: horizontal text).
  double extent(const QStringList& labels, double rotation) const {
    const QFontMetrics fm(m_axis->tickLabelFont());
    const bool vertical = m_axis->orientation() == Qt::Vertical;
    if (vertical) return rotation == 0 ? fm.height() : fm.height() / std::cos(qDegreesToRadians(rotation));
    if (std::abs(rotation) >= 60) return fm.height() / std::sin(qDegreesToRadians(std::abs(rotation)));
    if (rotation != 0) return fm.height() / std::sin(qDegreesToRadians(std::abs(rotation)));
    double widest = 0;
    bool staggered = false;  // every other label a line lower: neighbours on the same line are two slots apart
    for (const QString& l : labels) {
      widest = std::max(widest, double(fm.horizontalAdvance(l.trimmed())));
      staggered = staggered || l.startsWith('\n');
    }
    return (widest + 2) / (staggered ? 2 : 1);  // two units apart at least
  }
  QVector<double> createTickVector(double tickStep, const QCPRange& range) override {
    const QVector<double> all = QCPAxisTickerText::createTickVector(tickStep, range);
    if (!m_axis || all.size() < 2) return all;
    const double s = slot();
    if (m_rotateToFit && s > 0) m_axis->setTickLabelRotation(extent(m_labels, 0) <= s ? 0 : 90);
    const double need = extent(m_labels, m_axis->tickLabelRotation());
    const int stride = s > 0 ? std::max(1, static_cast<int>(std::ceil(need / s - 1e-9))) : 1;
    QVector<double> shown;
    for (int i = 0; i < all.size(); i += stride) shown << all[i];
    bool numeric = false;
    if (!m_labels.isEmpty()) m_labels.last().toInt(&numeric);
    if (!numeric && !shown.isEmpty() && shown.back() != all.back()) shown.back() = all.back();
    return shown;
  }

  QPointer<QCPAxis> m_axis;
  QStringList m_labels;
  bool m_rotateToFit = false;
};

// The metric axis: every column labelled. Full names slanted by 40° when they fit (wide figures), else short
// names upright, else one-letter keys (on two staggered lines when one is too crowded) with the names in a
// key legend under the map (KEY, a wrapped text element). Chosen again on every replot, so a resized view or an
// export's font picks its own.
class MetricColumnTicker : public SpacedTextTicker {
 public:
  MetricColumnTicker(QCPAxis* axis, const QStringList& names, const QStringList& shortNames, bool tryFullNames,
                     QCPTextElement* key)
      : SpacedTextTicker(axis, names), m_names(names), m_short(shortNames), m_tryFull(tryFullNames), m_key(key) {
    for (int i = 0; i < names.size(); ++i) {
      m_keys << QString(QChar(i < 26 ? 'A' + i : 'a' + (i - 26) % 26));
      m_staggered << (i % 2 ? '\n' + m_keys.back() : m_keys.back());
    }
  }

 protected:
  QVector<double> createTickVector(double tickStep, const QCPRange& range) override {
    if (m_axis) {
      const double s = slot();
      if (m_tryFull && s > 0 && extent(m_names, 40) <= s) {
        use(m_names, 40, false);
      } else if (s <= 0 || extent(m_short, 90) <= s) {
        use(m_short, 90, false);
      } else {
        use(extent(m_keys, 0) <= s ? m_keys : m_staggered, 0, true);
      }
    }
    return SpacedTextTicker::createTickVector(tickStep, range);
  }

 private:
  void use(const QStringList& labels, double rotation, bool keyed) {
    if (labels != m_labels) setLabels(labels);
    m_axis->setTickLabelRotation(rotation);
    if (!m_key) return;
    QStringList entries;
    if (keyed)
      for (int i = 0; i < m_names.size(); ++i)
        entries << m_keys[i] + QChar(0x00a0) + QString(m_names[i]).replace(' ', QChar(0x00a0));
    const QString text = entries.join(QString(QChar(0x00a0)) + QChar(0x00b7) + QChar(' '));  // "A Gain · B …"
    if (wrappedFullText(m_key) != text) setWrappedFullText(m_key, text);
    m_key->setVisible(keyed);
  }

  QStringList m_names, m_short, m_keys, m_staggered;
  bool m_tryFull;
  QPointer<QCPTextElement> m_key;
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
  const bool change = side == Side::Ratio || side == Side::Difference;
  QStringList candidates = data.pairedMetrics();
  if (side == Side::Quantized) candidates += data.singleMetrics();
  candidates.removeAll(QStringLiteral("tokens"));  // a property of the prompts, not of the layer
  const size_t rows = static_cast<size_t>(data.layerCount());
  bool anyUndirected = false;
  for (const QString& key : candidates) {
    bool any = false;
    for (size_t r = 0; r < rows && !any; ++r) any = std::isfinite(data.value(static_cast<int>(r), key, side));
    if (!any) continue;
    const QString star = hasDirection(key, change) ? QString() : QStringLiteral(" *");
    anyUndirected = anyUndirected || !star.isEmpty();
    g.columns << key;
    g.columnLabels << metricInfo(key).name + star;
    g.columnShortLabels << metricShortName(key) + star;
  }
  for (int layer : data.layerIndices()) {
    g.rowLayers.push_back(layer);
    g.rowLabels << QString::number(layer);
  }
  g.raw = table(rows, static_cast<size_t>(g.columns.size()));
  g.shown = table(rows, static_cast<size_t>(g.columns.size()));
  const double centre = side == Side::Ratio ? 1.0 : 0.0;
  for (size_t c = 0; c < static_cast<size_t>(g.columns.size()); ++c) {
    const QString& key = g.columns[static_cast<int>(c)];
    for (size_t r = 0; r < rows; ++r) g.raw[r][c] = data.value(static_cast<int>(r), key, side);
    normaliseColumn(g.raw, g.shown, c, scale, centre, orientation(key, change));
  }
  g.title = QObject::tr("Layer × metric: %1").arg(sideName(data, side));
  switch (scale) {
    case HeatScale::Linear:
      g.colorLabel = QObject::tr("per metric: worse →");
      g.caption = QObject::tr(
          "Colour per metric column, from its best layer to its worst (higher-is-better metrics "
          "flipped; gain: distance from 1).");
      break;
    case HeatScale::Log:
      g.colorLabel = QObject::tr("per metric, log: worse →");
      g.caption = QObject::tr(
          "Colour per metric column on log10 of the value, from its best layer to its worst "
          "(higher-is-better metrics flipped; gain: distance from 1).");
      break;
    case HeatScale::Diverging:
      g.colorLabel = QObject::tr("← better   worse →");
      g.caption = centre == 1.0
                      ? QObject::tr(
                            "Colour: ratio − 1 per metric column, scaled to its largest change; "
                            "red = changed for the worse (a drop, for higher-is-better metrics, gain and kurtosis).")
                      : QObject::tr(
                            "Colour: value per metric column, scaled to its largest magnitude; red = worse "
                            "(a drop, for higher-is-better metrics, gain and kurtosis).");
      g.colorRange = QCPRange(-1, 1);
      break;
  }
  if (anyUndirected)
    g.caption += ' ' + (scale == HeatScale::Diverging ? QObject::tr("* no better direction: red = higher.")
                                                      : QObject::tr("* no better direction: min → max."));
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
  g.lowIsWorse = info.better == Better::Higher;
  if (info.better == Better::Higher) {
    g.colorLabel = QObject::tr("← worse   %1").arg(g.colorLabel);
    g.caption = QObject::tr("Lower %1 is worse: its low end has the top colour.").arg(info.name);
  } else if (info.better == Better::Lower) {
    g.colorLabel += QObject::tr("   worse →");
    g.caption = QObject::tr("Higher %1 is worse.").arg(info.name);
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
  const bool metrics = g.valueMetric.isEmpty();

  auto* layout = plot->plotLayout();
  layout->addElement(0, 0, newText(plot, g.title + " (" + scaleName(g.scale) + ")", t.titleFont(), t.foreground));
  layout->addElement(1, 0, newText(plot, data.shortDescription(), t.smallFont(), t.muted));
  layout->setRowSpacing(0);
  auto* body = new QCPLayoutGrid;
  layout->addElement(2, 0, body);
  QCPTextElement* key = metrics ? newWrappedText(plot, QString(), t.smallFont(), t.foreground) : nullptr;
  if (key) layout->addElement(3, 0, key);
  if (!g.caption.isEmpty())
    layout->addElement(layout->rowCount(), 0, newWrappedText(plot, g.caption, t.smallFont(), t.muted));
  for (int row = 0; row < layout->rowCount(); ++row)
    if (row != 2) layout->setRowStretchFactor(row, 0.001);  // text rows keep their height, the map the rest

  // Narrow (single-column) figures: the colour scale below the map.
  const bool narrow = isNarrowPlot(plot);
  fig.rect = newAxisRect(plot, t);
  body->addElement(0, 0, fig.rect);
  QCPAxis* x = fig.rect->axis(QCPAxis::atBottom);
  QCPAxis* y = fig.rect->axis(QCPAxis::atLeft);
  if (metrics)
    x->setTicker(QSharedPointer<MetricColumnTicker>(
        new MetricColumnTicker(x, g.columnLabels, g.columnShortLabels, !narrow, key)));
  else
    x->setTicker(QSharedPointer<SpacedTextTicker>(new SpacedTextTicker(x, g.columnLabels, true)));
  y->setTicker(QSharedPointer<SpacedTextTicker>(new SpacedTextTicker(y, g.rowLabels)));
  if (!metrics) x->setLabel(QObject::tr("module"));
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
  fig.map->setColorScale(fig.colorScale);           // the map takes the scale's gradient, so set it on the scale
  QCPColorGradient gradient = g.scale == HeatScale::Diverging ? divergingGradient(t) : sequentialGradient(t);
  // The worse end always has the gradient's top colour; the colour bar's arrow points to it.
  if (g.lowIsWorse) gradient = gradient.inverted();
  fig.colorScale->setGradient(gradient);
  fig.colorScale->setDataScaleType(g.logColor ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  if (g.logColor)
    setSpacedLogTicks(fig.colorScale->axis());
  else
    setSpacedTicks(fig.colorScale->axis(), narrow ? 4 : 6);
  fig.colorScale->setDataRange(g.colorRange);
  styleAxis(fig.colorScale->axis(), t);
  fig.colorScale->axis()->setLabel(g.colorLabel);
  if (metrics && g.scale != HeatScale::Diverging) {  // 0..1 of a per-column scale: the ends say it all
    QSharedPointer<QCPAxisTickerText> ends(new QCPAxisTickerText);
    // Under a bar that spans the figure (narrow), the words stand a little inside its ends so as not to be cut.
    const double inset = narrow ? 0.07 : 0.0;
    ends->addTick(inset, QObject::tr("best"));
    ends->addTick(1 - inset, QObject::tr("worst"));
    fig.colorScale->axis()->setTicker(ends);
  }
  auto* group = new QCPMarginGroup(plot);
  const QCP::MarginSides shared = narrow ? QCP::msLeft | QCP::msRight : QCP::msTop | QCP::msBottom;
  fig.rect->setMarginGroup(shared, group);
  fig.colorScale->setMarginGroup(shared, group);

  plot->xAxis = x;
  plot->yAxis = y;
  if (!plot->isVisible()) plot->setViewport(plot->rect());  // a hidden plot (export) gets no resize event
  // Tick labels are chosen from the axis lengths of the previous layout: the first replot lays the map out,
  // the second labels it for its real size.
  plot->replot();
  plot->replot();
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
