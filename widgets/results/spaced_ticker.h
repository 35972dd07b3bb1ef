#pragma once
// A value-axis ticker that never puts tick labels closer than their own height: short panels of a
// single-column (252 pt) export otherwise get ticks like 0.75 / 0.9 drawn over each other.
#include <qcustomplot.h>

namespace srdd_gui {

class SpacedTicker : public QCPAxisTicker {
 public:
  // AXIS is the axis this ticker is set on (its pixel length and tick label font decide the spacing);
  // MAX_TICKS caps the count on long axes.
  SpacedTicker(QCPAxis* axis, int maxTicks);

 protected:
  double getTickStep(const QCPRange& range) override;

 private:
  QCPAxis* m_axis;
  int m_maxTicks;
};

// A logarithmic axis's ticker: decades as QCPAxisTickerLog places them when the range spans one or more; within
// less than a decade (0.8 .. 1.4, say) nice linear steps, as many as fit where the log scale packs them closest
// (the top of the axis), so that labels never overlap.
class SpacedLogTicker : public QCPAxisTickerLog {
 public:
  explicit SpacedLogTicker(QCPAxis* axis);

 protected:
  QVector<double> createTickVector(double tickStep, const QCPRange& range) override;
  int getSubTickCount(double tickStep) override;  // one between linear ticks (called after createTickVector)

 private:
  QCPAxis* m_axis;
  bool m_linear = false;
};

// The smallest "nice" step (1, 2, 2.5 or 5 times a power of ten) that is at least RAW_STEP.
double niceStepAtLeast(double rawStep);

// Sets a SpacedTicker / SpacedLogTicker on AXIS.
void setSpacedTicks(QCPAxis* axis, int maxTicks);
void setSpacedLogTicks(QCPAxis* axis);

}  // namespace srdd_gui
