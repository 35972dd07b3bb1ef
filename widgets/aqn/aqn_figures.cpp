#include "aqn/aqn_figures.h"

#include <qcustomplot.h>

#include <cmath>
#include <limits>

namespace srdd_gui {

namespace {

void addTitle(QCustomPlot* plot, const QString& title, const PlotTheme& theme) {
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(0, 0, newText(plot, title, theme.titleFont(), theme.foreground));
}

QCPAxisRect* mainRect(QCustomPlot* plot, const PlotTheme& theme) {
  plot->setBackground(theme.background);
  QCPAxisRect* rect = newAxisRect(plot, theme);
  plot->plotLayout()->addElement(0, 0, rect);
  plot->xAxis = rect->axis(QCPAxis::atBottom);
  plot->yAxis = rect->axis(QCPAxis::atLeft);
  plot->xAxis2 = rect->axis(QCPAxis::atTop);
  plot->yAxis2 = rect->axis(QCPAxis::atRight);
  return rect;
}

QCPGraph* lineGraph(QCPAxisRect* rect, const QVector<double>& x, const QVector<double>& y) {
  auto* g = new QCPGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  g->setData(x, y, true);
  return g;
}

void setStepRange(QCPAxis* axis, double steps) {
  axis->setRange(0.5, std::max(1.0, steps) + 0.5);
  if (steps <= 12) {  // whole steps only
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    axis->setTicker(ticker);
  }
}

}  // namespace

void renderNote(QCustomPlot* plot, const QString& text, const PlotTheme& theme) {
  resetPlot(plot);
  plot->setBackground(theme.background);
  plot->plotLayout()->addElement(0, 0, newText(plot, text, theme.font, theme.muted));
}

bool aqnBuiltinConfig(const QString& config) {
  return config == QLatin1String("baseline") || config == QLatin1String("global") ||
         config == QLatin1String("targeted") || config == QLatin1String("healthy");
}

QColor aqnConfigColor(const QString& config, int customIndex, const PlotTheme& theme) {
  if (config == QLatin1String("baseline")) return theme.dark ? QColor(0xbb, 0xbb, 0xbb) : QColor(0x44, 0x44, 0x44);
  if (config == QLatin1String("global")) return theme.dark ? QColor(0x56, 0xb4, 0xe9) : QColor(0x00, 0x72, 0xb2);
  if (config == QLatin1String("targeted")) return QColor(0xd5, 0x5e, 0x00);
  if (config == QLatin1String("healthy")) return QColor(0x00, 0x9e, 0x73);
  static const QColor custom[] = {QColor(0xcc, 0x79, 0xa7), QColor(0xe6, 0x9f, 0x00), QColor(0x56, 0xb4, 0xe9),
                                  QColor(0x88, 0x66, 0xaa)};
  return custom[std::max(0, customIndex) % 4];
}

void renderLossCurves(QCustomPlot* plot, const std::vector<AqnLossCurve>& curves, AqnBand band,
                      const PlotTheme& theme) {
  if (curves.empty()) {
    renderNote(plot, QStringLiteral("No training-loss curves (the reference protocol does not train)"), theme);
    return;
  }
  resetPlot(plot);
  plot->setBackground(theme.background);
  QCPAxisRect* rect = mainRect(plot, theme);
  plot->setAutoAddPlottableToLegend(false);  // a new legend becomes plot->legend; only the means go into it
  // The legend goes in a row under the axes (inside them it would hide curves), centred between two empty
  // cells, as many entries a line as fit.
  auto* legendRow = new QCPLayoutGrid;
  plot->plotLayout()->addElement(1, 0, legendRow);
  QCPLegend* legend = newFittingLegend(theme);
  legendRow->addElement(0, 0, new QCPLayoutElement(plot));
  legendRow->addElement(0, 1, legend);
  legendRow->addElement(0, 2, new QCPLayoutElement(plot));
  legendRow->setColumnStretchFactor(1, 0.001);
  legend->setLayer(QStringLiteral("legend"));

  // Bands first, then every mean on top with its own marker, so that nearly equal curves stay visible.
  static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssDisc,     QCPScatterStyle::ssSquare,
                                                         QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
                                                         QCPScatterStyle::ssCross,    QCPScatterStyle::ssPlus};
  std::vector<QColor> colors;
  int custom = 0, maxSteps = 0;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& c : curves) {
    colors.push_back(aqnConfigColor(c.config, aqnBuiltinConfig(c.config) ? 0 : custom++, theme));
    QVector<double> low(c.mean.size()), high(c.mean.size());
    for (int i = 0; i < c.mean.size(); ++i) {
      low[i] = band == AqnBand::MinMax ? c.min[i] : c.mean[i] - c.sd[i];
      high[i] = band == AqnBand::MinMax ? c.max[i] : c.mean[i] + c.sd[i];
      lo = std::min(lo, low[i]);
      hi = std::max(hi, high[i]);
    }
    QCPGraph* lower = lineGraph(rect, c.step, low);
    QCPGraph* upper = lineGraph(rect, c.step, high);
    QColor fill = colors.back();
    fill.setAlpha(theme.dark ? 60 : 40);
    for (QCPGraph* g : {lower, upper}) {
      g->setPen(Qt::NoPen);
      g->setSelectable(QCP::stNone);
    }
    upper->setBrush(fill);
    upper->setChannelFillGraph(lower);
    maxSteps = std::max(maxSteps, static_cast<int>(c.step.size()));
  }
  for (size_t i = 0; i < curves.size(); ++i) {
    const AqnLossCurve& c = curves[i];
    QCPGraph* mean = lineGraph(rect, c.step, c.mean);
    mean->setPen(QPen(colors[i], 1.5));
    // Hollow markers: a curve drawn underneath an almost equal one still shows through.
    mean->setScatterStyle(QCPScatterStyle(shapes[i % 6], QPen(colors[i], 1.2), Qt::NoBrush, 6));
    mean->setScatterSkip(std::max(0, static_cast<int>(c.step.size()) / 15 - 1));  // about 15 markers at most
    mean->setName(QStringLiteral("%1 (n = %2)").arg(c.config).arg(c.seeds));
    mean->addToLegend(legend);
  }
  setStepRange(plot->xAxis, maxSteps);
  const double pad = (hi > lo ? hi - lo : std::max(1e-3, std::fabs(hi) * 0.01)) * 0.06;
  plot->yAxis->setRange(lo - pad, hi + pad);
  plot->xAxis->setLabel(QObject::tr("Training step"));
  plot->yAxis->setLabel(QObject::tr("Training loss"));
  addTitle(plot, QObject::tr("Training loss per configuration"), theme);
  plot->plotLayout()->addElement(3, 0,
                                 newWrappedText(plot, QObject::tr("line: mean over seeds; %1").arg(bandLabel(band)),
                                                theme.smallFont(), theme.muted));
  for (int row : {0, 2, 3}) plot->plotLayout()->setRowStretchFactor(row, 0.001);  // text rows keep their height
}

void renderFinalLoss(QCustomPlot* plot, const std::vector<srdd::aqn::ConfigSummary>& configs, const PlotTheme& theme) {
  std::vector<const srdd::aqn::ConfigSummary*> shown;
  for (const auto& c : configs)
    if (c.quantized.n > 0) shown.push_back(&c);
  if (shown.empty()) {
    renderNote(plot, QStringLiteral("No finished runs"), theme);
    return;
  }
  resetPlot(plot);
  QCPAxisRect* rect = mainRect(plot, theme);
  QSharedPointer<QCPAxisTickerText> names(new QCPAxisTickerText);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  int custom = 0, maxSeeds = 0;
  for (size_t i = 0; i < shown.size(); ++i) {
    const auto& c = *shown[i];
    const QString name = QString::fromStdString(c.name);
    const double x = static_cast<double>(i + 1);
    names->addTick(x, name);
    const QColor color = aqnConfigColor(name, aqnBuiltinConfig(name) ? 0 : custom++, theme);
    // The seeds as small dots beside the mean, spread evenly so that equal losses stay apart.
    QVector<double> sx, sy;
    const int n = static_cast<int>(c.lossesQuantized.size());
    for (int k = 0; k < n; ++k) {
      sx << x + 0.22 + (n > 1 ? 0.12 * k / (n - 1) : 0.0);
      sy << c.lossesQuantized[static_cast<size_t>(k)];
      lo = std::min(lo, sy.back());
      hi = std::max(hi, sy.back());
    }
    maxSeeds = std::max(maxSeeds, n);
    QCPGraph* seeds = lineGraph(rect, sx, sy);
    seeds->setLineStyle(QCPGraph::lsNone);
    seeds->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, Qt::NoBrush, 4));
    QCPGraph* mean = lineGraph(rect, {x}, {c.quantized.mean});
    mean->setLineStyle(QCPGraph::lsNone);
    mean->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 7));
    auto* ci = new QCPErrorBars(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    ci->setDataPlottable(mean);
    const bool interval = std::isfinite(c.quantized.ciLow) && std::isfinite(c.quantized.ciHigh);
    ci->setData(QVector<double>{interval ? c.quantized.mean - c.quantized.ciLow : 0.0},
                QVector<double>{interval ? c.quantized.ciHigh - c.quantized.mean : 0.0});
    ci->setPen(QPen(color, 1.5));
    ci->setWhiskerWidth(8);
    for (double v : {c.quantized.mean, c.quantized.ciLow, c.quantized.ciHigh})
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  }
  plot->xAxis->setTicker(names);
  plot->xAxis->setSubTicks(false);
  plot->xAxis->grid()->setVisible(false);
  plot->xAxis->setRange(0.5, static_cast<double>(shown.size()) + 0.7);
  const double pad = (hi > lo ? hi - lo : std::max(1e-3, std::fabs(hi) * 0.01)) * 0.08;
  plot->yAxis->setRange(lo - pad, hi + pad);
  plot->yAxis->setLabel(QObject::tr("Final held-out loss (quantized)"));
  addTitle(plot, QObject::tr("Final loss per configuration"), theme);
  plot->plotLayout()->addElement(
      2, 0,
      newWrappedText(plot,
                     QObject::tr("Disc: mean over %1 seeds; error bars: 95 % CI (Student t); circles: single seeds.")
                         .arg(maxSeeds),
                     theme.smallFont(), theme.muted));
  for (int row : {0, 2}) plot->plotLayout()->setRowStretchFactor(row, 0.001);
}

void renderSigmaFigure(QCustomPlot* plot, const std::vector<double>& sigma, const PlotTheme& theme) {
  renderSigmaSchedule(plot, sigma, true, theme, QStringLiteral("No σ schedule stored"));
  if (!sigma.empty()) addTitle(plot, QObject::tr("σ schedule: AQN noise per training step"), theme);
}

void renderSigmaSchedule(QCustomPlot* plot, const std::vector<double>& sigma, bool logY, const PlotTheme& theme,
                         const QString& message) {
  if (sigma.empty()) {
    renderNote(plot, message.isEmpty() ? QStringLiteral("No schedule") : message, theme);
    return;
  }
  resetPlot(plot);
  plot->setBackground(theme.background);
  QCPAxisRect* rect = mainRect(plot, theme);
  QVector<double> x, y;
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (size_t i = 0; i < sigma.size(); ++i) {
    x << static_cast<double>(i + 1);
    const bool gap = logY && !(sigma[i] > 0);
    y << (gap ? std::numeric_limits<double>::quiet_NaN() : sigma[i]);
    if (sigma[i] > 0) lo = std::min(lo, sigma[i]);
    hi = std::max(hi, sigma[i]);
  }
  QCPGraph* g = lineGraph(rect, x, y);
  g->setLineStyle(QCPGraph::lsStepCenter);
  g->setPen(QPen(theme.quantized, 1.5));
  if (sigma.size() <= 60)
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, theme.quantized, theme.background, 4));
  setStepRange(plot->xAxis, static_cast<double>(sigma.size()));
  if (logY && hi > 0) {
    plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    plot->yAxis->setNumberFormat(QStringLiteral("eb"));
    plot->yAxis->setNumberPrecision(0);
    plot->yAxis->setRange(lo / 1.5, hi * 1.5);
  } else {
    plot->yAxis->setRange(0, hi > 0 ? hi * 1.08 : 1);
  }
  plot->xAxis->setLabel(QObject::tr("Training step"));
  plot->yAxis->setLabel(QStringLiteral("σ"));
}

}  // namespace srdd_gui
