#include "results/spaced_ticker.h"

#include <algorithm>
#include <cmath>

namespace srdd_gui {

namespace {
// The axis's length in layout units, as of the last layout (a figure is laid out twice before it is final).
int axisLength(const QCPAxis* axis) {
  const QRect rect = axis->axisRect()->rect();
  return axis->orientation() == Qt::Vertical ? rect.height() : rect.width();
}
// Room one line of tick labels takes along a vertical axis: its height and half a line of air.
double lineSpace(const QCPAxis* axis) { return 1.5 * QFontMetrics(axis->tickLabelFont()).height(); }
}  // namespace

SpacedTicker::SpacedTicker(QCPAxis* axis, int maxTicks) : m_axis(axis), m_maxTicks(std::max(1, maxTicks)) {}

double niceStepAtLeast(double rawStep) {
  if (!(rawStep > 0) || !std::isfinite(rawStep)) return 1.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(rawStep)));
  for (double mantissa : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (mantissa * magnitude >= rawStep * (1 - 1e-12)) return mantissa * magnitude;
  return 10.0 * magnitude;
}

double SpacedTicker::getTickStep(const QCPRange& range) {
  const int pixels = axisLength(m_axis);
  double labelSpace = lineSpace(m_axis);
  if (m_axis->orientation() ==
      Qt::Horizontal) {  // side by side: the widest label, taken as the ends' text plus two digits of finer steps
    const QString format = m_axis->numberFormat();
    const QChar f = format.isEmpty() ? QChar('g') : format.at(0);
    const int precision = m_axis->numberPrecision();
    const QFontMetrics fm(m_axis->tickLabelFont());
    double widest = 0;
    for (double v : {range.lower, range.upper})
      widest = std::max<double>(widest, fm.horizontalAdvance(getTickLabel(v, QLocale::c(), f, precision)));
    labelSpace = widest + fm.horizontalAdvance(QStringLiteral("00"));
  }
  const int fitting = pixels > 0 ? std::max(1, static_cast<int>(pixels / labelSpace)) : m_maxTicks;
  const int intervals = std::min(m_maxTicks, fitting);
  return niceStepAtLeast(range.size() / intervals);
}

SpacedLogTicker::SpacedLogTicker(QCPAxis* axis) : m_axis(axis) {}

int SpacedLogTicker::getSubTickCount(double tickStep) {
  return m_linear ? 1 : QCPAxisTickerLog::getSubTickCount(tickStep);
}

QVector<double> SpacedLogTicker::createTickVector(double tickStep, const QCPRange& range) {
  m_linear = range.lower > 0 && range.upper / range.lower < 10;
  if (!m_linear) return QCPAxisTickerLog::createTickVector(tickStep, range);
  const int pixels = axisLength(m_axis);
  const double labelSpace = lineSpace(m_axis);
  // The gap between upper - step and upper is the smallest on a log scale: it must hold one label.
  const double share = pixels > 0 ? std::min(1.0, labelSpace / pixels) : 0.25;
  const double step =
      niceStepAtLeast(std::max(range.upper * (1 - std::pow(range.lower / range.upper, share)), range.size() / 6));
  QVector<double> ticks;
  for (double t = std::ceil(range.lower / step) * step; t <= range.upper * (1 + 1e-12); t += step)
    ticks << std::round(t / step) * step;  // no drift from repeated addition
  return ticks;
}

void setSpacedTicks(QCPAxis* axis, int maxTicks) {
  axis->setTicker(QSharedPointer<QCPAxisTicker>(new SpacedTicker(axis, maxTicks)));
}

void setSpacedLogTicks(QCPAxis* axis) { axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new SpacedLogTicker(axis))); }

}  // namespace srdd_gui
