#include "results/compare_figure.h"

#include "results/metric_catalog.h"

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

void addValues(Span& span, const std::vector<Stat>& stats, double scale) {
  for (const auto& s : stats) {
    span.add(s.mean * scale);
    if (hasCi(s)) {
      span.add(s.ciLow * scale);
      span.add(s.ciHigh * scale);
    }
  }
}

QCPBars* addBars(QCPAxisRect* rect, const std::vector<int>& layers, const std::vector<double>& values,
                 const QColor& color, double base) {
  auto* bars = new QCPBars(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  QVector<double> keys, vals;
  for (size_t i = 0; i < layers.size(); ++i) {
    keys << layers[i];
    vals << (std::isfinite(values[i]) ? values[i] - base : std::numeric_limits<double>::quiet_NaN());
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

void addErrorBars(QCPBars* bars, const std::vector<Stat>& stats, double scale, const QColor& color) {
  if (std::none_of(stats.begin(), stats.end(), [](const Stat& s) { return hasCi(s); })) return;
  auto* err = new QCPErrorBars(bars->keyAxis(), bars->valueAxis());
  err->setDataPlottable(bars);
  QVector<double> minus, plus;
  for (const auto& s : stats) {
    minus << (hasCi(s) && isValid(s) ? (s.mean - s.ciLow) * scale : 0.0);
    plus << (hasCi(s) && isValid(s) ? (s.ciHigh - s.mean) * scale : 0.0);
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
    s.delta.push_back(data.value(row, metric, mode == DeltaMode::Ratio ? Side::Ratio : Side::Difference));
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
                                 const PlotTheme& t) {
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

  auto addPanel = [&](const QString& title, Side side) {
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
    if (narrow) {  // short panels: two or three value ticks
      rect->axis(QCPAxis::atLeft)->ticker()->setTickCount(2);
      rect->axis(QCPAxis::atLeft)->ticker()->setTickStepStrategy(QCPAxisTicker::tssMeetTickCount);
    }
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
  auto thresholdLine = [&](QCPAxisRect* rect, Side side, Span* span, double factor) {
    const double thr = data.threshold(metric, side);
    if (!std::isfinite(thr)) return;
    span->add(thr * factor);
    // Narrow panels are too small for the label next to the bars; the value axis reads the line.
    const QString text = narrow ? QString() : thresholdLabel(metric, thr);
    lineLabels.push_back(addHorizontalLine(rect, thr * factor, QPen(t.threshold, 1, Qt::DashLine), text, t));
  };

  // Narrow panels are too short for a rotated metric name; the title names the metric, the axis its unit.
  const MetricInfo info = metricInfo(metric);
  const QString label = !narrow ? metricLabel(metric) : info.percent ? QStringLiteral("%") : info.unit;
  if (s.paired) {
    QCPAxisRect* rb = addPanel(QObject::tr("BF16"), Side::Bf16);
    QCPAxisRect* rq = addPanel(q, Side::Quantized);
    Span shared;
    addValues(shared, s.bf16, scale);
    addValues(shared, s.quantized, scale);
    shared.add(0);
    thresholdLine(rb, Side::Bf16, &shared, scale);
    thresholdLine(rq, Side::Quantized, &shared, scale);
    for (auto [rect, stats, color] : {std::make_tuple(rb, &s.bf16, t.bf16), std::make_tuple(rq, &s.quantized, t.quantized)}) {
      QCPBars* bars = addBars(rect, s.layers, scaled(*stats), color, 0);
      addErrorBars(bars, *stats, scale, t.foreground);
      fig.bars.push_back(bars);
      rect->axis(QCPAxis::atLeft)->setRange(shared.padded());  // one value axis for both variants
      rect->axis(QCPAxis::atLeft)->setLabel(label);
    }
    if (narrow) {  // the shared value axis is labelled once
      rq->axis(QCPAxis::atLeft)->setTickLabels(false);
      rq->axis(QCPAxis::atLeft)->setLabel(QString());
    }

    const bool ratio = mode == DeltaMode::Ratio;
    QCPAxisRect* rd = addPanel(ratio ? QObject::tr("ratio %1 / BF16").arg(q) : QObject::tr("Δ = %1 − BF16").arg(q),
                               ratio ? Side::Ratio : Side::Difference);
    const double base = ratio ? 1.0 : 0.0, dscale = ratio ? 1.0 : scale;
    std::vector<double> d;
    Span span;
    span.add(base);
    for (double v : s.delta) {
      d.push_back(v * dscale);
      span.add(v * dscale);
    }
    thresholdLine(rd, ratio ? Side::Ratio : Side::Difference, &span, dscale);
    addHorizontalLine(rd, base, QPen(t.muted, 1, Qt::SolidLine), QString(), t);
    fig.bars.push_back(addBars(rd, s.layers, d, t.delta, base));
    rd->axis(QCPAxis::atLeft)->setRange(span.padded());
    rd->axis(QCPAxis::atLeft)->setLabel(ratio ? QObject::tr("ratio") : narrow ? label : QObject::tr("Δ ") + label);
  } else {
    QCPAxisRect* r = addPanel(metricInfo(metric).name, Side::Quantized);
    Span span;
    addValues(span, s.quantized, scale);
    span.add(0);
    thresholdLine(r, Side::Quantized, &span, scale);
    QCPBars* bars = addBars(r, s.layers, scaled(s.quantized), t.quantized, 0);
    addErrorBars(bars, s.quantized, scale, t.foreground);
    fig.bars.push_back(bars);
    r->axis(QCPAxis::atLeft)->setRange(span.padded());
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
