#include "results/compare_figure.h"

#include "results/metric_catalog.h"
#include "results/spaced_ticker.h"

#include <srdd/statistics.h>

#include <algorithm>
#include <cmath>

namespace srdd_gui {

namespace {
constexpr double kBarWidth = 0.7;

double displayScale(const QString& metric) { return metricInfo(metric).percent ? 100.0 : 1.0; }

struct Span {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  QCPRange padded() const {
    if (!(lo <= hi)) return {0, 1};
    const double pad = hi > lo ? 0.08 * (hi - lo) : std::max(std::abs(hi) * 0.1, 1e-3);
    return {lo - pad, hi + pad};
  }
};

// The positive values only, padded by a ratio: the range of a logarithmic axis.
struct LogSpan {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  void add(double v) {
    if (!(v > 0) || !std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  QCPRange padded() const {
    if (!(hi > 0)) return {0.1, 10};
    const double pad = std::pow(std::max(hi / lo, 10.0), 0.06);
    return {lo / pad, hi * pad};
  }
};

// One value axis: linear, or logarithmic over the positive values.
struct ValueSpan {
  bool log = false;
  Span linear;
  LogSpan positive;
  void add(double v) { log ? positive.add(v) : linear.add(v); }
  QCPRange padded() const { return log ? positive.padded() : linear.padded(); }
};

void addValues(ValueSpan& span, const std::vector<Stat>& stats, double scale) {
  for (const auto& s : stats) {
    span.add(s.mean * scale);
    if (hasCi(s)) {
      span.add(s.ciLow * scale);
      span.add(s.ciHigh * scale);
    }
  }
}

// Bars from BASE; on a logarithmic value axis values <= 0 have none.
QCPBars* addBars(QCPAxisRect* rect, const std::vector<int>& layers, const std::vector<double>& values,
                 const QColor& color, double base) {
  auto* bars = new QCPBars(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  const bool log = rect->axis(QCPAxis::atLeft)->scaleType() == QCPAxis::stLogarithmic;
  QVector<double> keys, vals;
  for (size_t i = 0; i < layers.size(); ++i) {
    keys << layers[i];
    const bool drawn = std::isfinite(values[i]) && (!log || values[i] > 0);
    vals << (drawn ? values[i] - base : std::numeric_limits<double>::quiet_NaN());
  }
  bars->setBaseValue(base);
  bars->setData(keys, vals, true);
  bars->setWidth(kBarWidth);
  bars->setPen(QPen(color.darker(130), 1));
  bars->setBrush(color);
  bars->setSelectable(QCP::stMultipleDataRanges);
  bars->setAntialiased(false);
  return bars;
}

bool anyCi(const std::vector<Stat>& stats) {
  return std::any_of(stats.begin(), stats.end(), [](const Stat& s) { return hasCi(s) && s.ciHigh > s.ciLow; });
}

// 95 % intervals on BARS; on a logarithmic axis a lower end at or below FLOOR is cut there.
void addErrorBars(QCPBars* bars, const std::vector<Stat>& stats, double scale, const QColor& color,
                  double floor = -INFINITY) {
  if (!anyCi(stats)) return;
  auto* err = new QCPErrorBars(bars->keyAxis(), bars->valueAxis());
  err->setDataPlottable(bars);
  QVector<double> minus, plus;
  for (const auto& s : stats) {
    const bool ok = hasCi(s) && isValid(s);
    minus << (ok ? std::min(s.mean - s.ciLow, s.mean - floor / scale) * scale : 0.0);
    plus << (ok ? (s.ciHigh - s.mean) * scale : 0.0);
  }
  err->setData(minus, plus);
  err->setPen(QPen(color, 1));
  err->setWhiskerWidth(5);
  err->setSelectable(QCP::stNone);
}

// The line's label, or null without one.
QCPItemText* addHorizontalLine(QCPAxisRect* rect, double y, const QPen& pen, const QString& label, const PlotTheme& t) {
  auto* line = new QCPItemStraightLine(rect->parentPlot());
  line->setClipAxisRect(rect);
  for (auto* p : {line->point1, line->point2}) p->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  line->point1->setCoords(0, y);
  line->point2->setCoords(1, y);
  line->setPen(pen);
  if (label.isEmpty()) return nullptr;
  auto* text = new QCPItemText(rect->parentPlot());
  text->setClipAxisRect(rect);
  text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
  text->position->setAxisRect(rect);
  text->position->setTypeY(QCPItemPosition::ptPlotCoords);
  text->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  text->position->setCoords(0.98, y);
  text->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
  text->setText(label);
  text->setFont(t.smallFont());
  text->setColor(pen.color());
  return text;
}

// A label stays inside its panel: below its line when the line is in the upper half of the value range.
void placeLineLabel(QCPItemText* text) {
  QCPAxis* value = text->position->valueAxis();
  const bool upper = text->position->coords().y() > value->range().center();
  text->setPositionAlignment(Qt::AlignRight | (upper ? Qt::AlignTop : Qt::AlignBottom));
}

void setLogAxis(QCPAxis* axis) {
  axis->setScaleType(QCPAxis::stLogarithmic);
  setSpacedLogTicks(axis);
  axis->setNumberFormat(QStringLiteral("gb"));
  axis->setNumberPrecision(3);
}

int promptCount(const CompareSeries& s) {
  int n = 0;
  for (const auto* stats : {&s.bf16, &s.quantized})
    for (const Stat& st : *stats) n = std::max(n, st.n);
  return n;
}

// What the bars and error bars are, under the figure.
QString captionText(const CompareSeries& s, bool log) {
  QStringList parts;
  const bool intervals = anyCi(s.quantized) || anyCi(s.bf16);
  if (intervals) {
    parts << QObject::tr("Bars: mean over %1 prompts; error bars: 95 % CI (Student t)").arg(promptCount(s));
    if (s.paired && anyCi(s.delta))
      parts << (s.mode == DeltaMode::Ratio ? QObject::tr("ratio: 95 % CI by the delta method over the prompt pairs")
                                           : QObject::tr("Δ: 95 % CI of the per-prompt differences"));
  }
  if (log)
    parts << (s.paired && s.mode == DeltaMode::Difference
                  ? QObject::tr("log value axes (Δ linear; values ≤ 0 not drawn)")
                  : QObject::tr("log value axes (values ≤ 0 not drawn)"));
  return parts.isEmpty() ? QString() : parts.join(QStringLiteral("; ")) + '.';
}

void styleKeyAxis(QCPAxis* axis, const std::vector<int>& layers, int maxTicks) {
  QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
  ticker->setTickStep(1.0);
  ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  ticker->setTickCount(std::min<int>(static_cast<int>(layers.size()), maxTicks));
  axis->setTicker(ticker);
  axis->setSubTicks(false);
  axis->grid()->setVisible(false);
  axis->setLabel(QObject::tr("layer"));
  const auto [mn, mx] = std::minmax_element(layers.begin(), layers.end());
  axis->setRange(layers.empty() ? 0 : *mn - 0.6, layers.empty() ? 1 : *mx + 0.6);
}

QString thresholdLabel(const QString& metric, double thr) {
  return QObject::tr("threshold %1").arg(formatMetricValue(metric, thr));
}
}  // namespace

Stat pairedDeltaStat(const Stat& b, const Stat& q, double value, DeltaMode mode) {
  Stat out = missingStat();
  out.mean = value;
  if (b.values.size() != q.values.size()) return out;
  std::vector<double> bv, qv;
  for (size_t i = 0; i < b.values.size(); ++i)
    if (std::isfinite(b.values[i]) && std::isfinite(q.values[i])) {
      bv.push_back(b.values[i]);
      qv.push_back(q.values[i]);
    }
  const int n = static_cast<int>(bv.size());
  if (n < 2 || !std::isfinite(value)) return out;
  out.n = n;
  if (mode == DeltaMode::Difference) {
    std::vector<double> d;
    for (int i = 0; i < n; ++i) d.push_back(qv[static_cast<size_t>(i)] - bv[static_cast<size_t>(i)]);
    const Stat st = srdd::summarize(d);
    out.stddev = st.stddev;
    out.ciLow = value + (st.ciLow - st.mean);  // the interval around the scan's own difference
    out.ciHigh = value + (st.ciHigh - st.mean);
    return out;
  }
  double meanB = 0;
  for (double v : bv) meanB += v / n;
  if (!(meanB > 0)) return out;  // the engine reports 1 there: no ratio to bound
  std::vector<double> e;
  for (int i = 0; i < n; ++i) e.push_back(qv[static_cast<size_t>(i)] - value * bv[static_cast<size_t>(i)]);
  const double se = srdd::summarize(e).stddev / (std::sqrt(static_cast<double>(n)) * meanB);
  out.stddev = se * std::sqrt(static_cast<double>(n));
  const double t = srdd::stats::studentTQuantile(0.975, n - 1);
  out.ciLow = value - t * se;
  out.ciHigh = value + t * se;
  return out;
}

CompareSeries compareSeries(const ScanData& data, const QString& metric, DeltaMode mode) {
  CompareSeries s;
  s.metric = metric;
  s.mode = mode;
  s.paired = data.isPaired(metric);
  for (int row = 0; row < data.layerCount(); ++row) {
    s.layers.push_back(data.layer(row).layer);
    s.quantized.push_back(data.stat(row, metric, Side::Quantized));
    if (!s.paired) continue;
    s.bf16.push_back(data.stat(row, metric, Side::Bf16));
    const double value = data.value(row, metric, mode == DeltaMode::Ratio ? Side::Ratio : Side::Difference);
    s.delta.push_back(pairedDeltaStat(s.bf16.back(), s.quantized.back(), value, mode));
  }
  return s;
}

QString compareTitle(const ScanData& data, const QString& metric, DeltaMode mode) {
  const QString name = metricInfo(metric).name;
  if (!data.isPaired(metric)) return QObject::tr("%1 (%2)").arg(name, data.formatName());
  return QObject::tr("%1: BF16 vs %2, %3")
      .arg(name, data.formatName(), mode == DeltaMode::Ratio ? QObject::tr("ratio") : QObject::tr("difference"));
}

CompareFigure buildCompareFigure(QCustomPlot* plot, const ScanData& data, const QString& metric, DeltaMode mode,
                                 const PlotTheme& t, bool log) {
  resetPlot(plot);
  plot->setBackground(t.background);
  CompareFigure fig;
  fig.series = compareSeries(data, metric, mode);
  const CompareSeries& s = fig.series;
  const double scale = displayScale(metric);
  const QString q = data.formatName();

  auto* layout = plot->plotLayout();
  layout->addElement(0, 0, newText(plot, compareTitle(data, metric, mode), t.titleFont(), t.foreground));
  layout->addElement(1, 0, newText(plot, data.shortDescription(), t.smallFont(), t.muted));
  auto* panels = new QCPLayoutGrid;
  layout->addElement(2, 0, panels);
  layout->setRowSpacing(0);
  if (const QString caption = captionText(s, log); !caption.isEmpty()) {
    layout->addElement(3, 0, newWrappedText(plot, caption, t.smallFont(), t.muted));
    layout->setRowStretchFactor(3, 0.001);
  }
  layout->setRowStretchFactor(0, 0.001);
  layout->setRowStretchFactor(1, 0.001);
  auto* group = new QCPMarginGroup(plot);
  // Narrow (single-column) figures: BF16 | quantized on one row sharing the value axis, Δ below at full width.
  const bool narrow = isNarrowPlot(plot) && s.paired;
  QCPLayoutGrid *top = panels, *bottom = panels;
  if (narrow) {
    top = new QCPLayoutGrid;
    bottom = new QCPLayoutGrid;
    panels->addElement(0, 0, top);
    panels->addElement(1, 0, bottom);
  }
  auto* leftGroup = narrow ? new QCPMarginGroup(plot) : nullptr;
  std::vector<QCPItemText*> lineLabels;

  auto addPanel = [&](const QString& title, Side side, bool logAxis) {
    const int index = static_cast<int>(fig.rects.size());
    const bool below = narrow && index == 2;
    QCPLayoutGrid* grid = below ? bottom : top;
    const int col = below ? 0 : index;
    grid->addElement(0, col, newText(plot, title, t.font, t.foreground));
    QCPAxisRect* rect = newAxisRect(plot, t);
    grid->addElement(1, col, rect);
    grid->setRowStretchFactor(0, 0.001);  // titles take their text height, the panels the rest
    if (!below) rect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    if (narrow && col == 0) rect->setMarginGroup(QCP::msLeft, leftGroup);
    styleKeyAxis(rect->axis(QCPAxis::atBottom), s.layers, narrow ? 4 : 8);
    if (logAxis)
      setLogAxis(rect->axis(QCPAxis::atLeft));
    else  // short panels: as few as two or three value ticks, never labels drawn over each other
      setSpacedTicks(rect->axis(QCPAxis::atLeft), narrow ? 3 : 6);
    if (narrow && !below) rect->axis(QCPAxis::atBottom)->setLabel(QString());  // the Δ panel below names it
    fig.rects.push_back(rect);
    fig.sides.push_back(side);
    return rect;
  };
  auto scaled = [&](const std::vector<Stat>& stats) {
    std::vector<double> v;
    for (const auto& st : stats) v.push_back(st.mean * scale);
    return v;
  };
  auto thresholdLine = [&](QCPAxisRect* rect, Side side, ValueSpan* span, double factor) {
    const double thr = data.threshold(metric, side);
    if (!std::isfinite(thr) || (span->log && !(thr > 0))) return;
    span->add(thr * factor);
    // Narrow panels are too small for the label next to the bars; the value axis reads the line.
    const QString text = narrow ? QString() : thresholdLabel(metric, thr);
    lineLabels.push_back(addHorizontalLine(rect, thr * factor, QPen(t.threshold, 1, Qt::DashLine), text, t));
  };

  // Narrow panels are too short for a rotated metric name; the title names the metric, the axis its unit.
  const MetricInfo info = metricInfo(metric);
  const QString label = !narrow ? metricLabel(metric) : info.percent ? QStringLiteral("%") : info.unit;
  if (s.paired) {
    QCPAxisRect* rb = addPanel(QObject::tr("BF16"), Side::Bf16, log);
    QCPAxisRect* rq = addPanel(q, Side::Quantized, log);
    ValueSpan shared{log, {}, {}};
    addValues(shared, s.bf16, scale);
    addValues(shared, s.quantized, scale);
    if (!log) shared.add(0);
    thresholdLine(rb, Side::Bf16, &shared, scale);
    thresholdLine(rq, Side::Quantized, &shared, scale);
    const QCPRange range = shared.padded();
    for (auto [rect, stats, color] :
         {std::make_tuple(rb, &s.bf16, t.bf16), std::make_tuple(rq, &s.quantized, t.quantized)}) {
      rect->axis(QCPAxis::atLeft)->setRange(range);  // one value axis for both variants
      QCPBars* bars = addBars(rect, s.layers, scaled(*stats), color, log ? range.lower : 0);
      addErrorBars(bars, *stats, scale, t.foreground, log ? range.lower : -INFINITY);
      fig.bars.push_back(bars);
      rect->axis(QCPAxis::atLeft)->setLabel(label);
    }
    if (narrow) {  // the shared value axis is labelled once
      rq->axis(QCPAxis::atLeft)->setTickLabels(false);
      rq->axis(QCPAxis::atLeft)->setLabel(QString());
    }

    const bool ratio = mode == DeltaMode::Ratio;
    const bool logDelta = log && ratio;
    QCPAxisRect* rd = addPanel(ratio ? QObject::tr("ratio %1 / BF16").arg(q) : QObject::tr("Δ = %1 − BF16").arg(q),
                               ratio ? Side::Ratio : Side::Difference, logDelta);
    const double base = ratio ? 1.0 : 0.0, dscale = ratio ? 1.0 : scale;
    std::vector<double> d;
    ValueSpan span{logDelta, {}, {}};
    span.add(base);
    addValues(span, s.delta, dscale);
    for (const Stat& v : s.delta) d.push_back(v.mean * dscale);
    thresholdLine(rd, ratio ? Side::Ratio : Side::Difference, &span, dscale);
    addHorizontalLine(rd, base, QPen(t.muted, 1, Qt::SolidLine), QString(), t);
    const QCPRange drange = span.padded();
    rd->axis(QCPAxis::atLeft)->setRange(drange);
    QCPBars* deltaBars = addBars(rd, s.layers, d, t.delta, base);
    addErrorBars(deltaBars, s.delta, dscale, t.foreground, logDelta ? drange.lower : -INFINITY);
    fig.bars.push_back(deltaBars);
    rd->axis(QCPAxis::atLeft)->setLabel(ratio ? QObject::tr("ratio") : narrow ? label : QObject::tr("Δ ") + label);
  } else {
    QCPAxisRect* r = addPanel(metricInfo(metric).name, Side::Quantized, log);
    ValueSpan span{log, {}, {}};
    addValues(span, s.quantized, scale);
    if (!log) span.add(0);
    thresholdLine(r, Side::Quantized, &span, scale);
    const QCPRange range = span.padded();
    r->axis(QCPAxis::atLeft)->setRange(range);
    QCPBars* bars = addBars(r, s.layers, scaled(s.quantized), t.quantized, log ? range.lower : 0);
    addErrorBars(bars, s.quantized, scale, t.foreground, log ? range.lower : -INFINITY);
    fig.bars.push_back(bars);
    r->axis(QCPAxis::atLeft)->setLabel(label);
  }
  for (QCPItemText* text : lineLabels)
    if (text) placeLineLabel(text);
  plot->xAxis = fig.rects.front()->axis(QCPAxis::atBottom);
  plot->yAxis = fig.rects.front()->axis(QCPAxis::atLeft);
  return fig;
}

int compareLayerAt(const CompareFigure& fig, const QPointF& pixel, int* panel) {
  for (size_t i = 0; i < fig.rects.size(); ++i) {
    QCPAxisRect* rect = fig.rects[i];
    if (!rect->rect().contains(pixel.toPoint())) continue;
    if (panel) *panel = static_cast<int>(i);
    const double key = rect->axis(QCPAxis::atBottom)->pixelToCoord(pixel.x());
    for (int layer : fig.series.layers)
      if (std::abs(key - layer) <= 0.5) return layer;
    return -1;
  }
  if (panel) *panel = -1;
  return -1;
}

}  // namespace srdd_gui
