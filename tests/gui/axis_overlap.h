#pragma once
// Whether the tick labels an axis shows collide, measured with the axis's own font at its laid-out pixel
// positions. Staggered labels ("\nB": one line lower) only meet their neighbours on the same line.
#include <qcustomplot.h>

#include <QFontMetrics>
#include <QString>
#include <QtMath>

#include <cmath>

namespace axis_test {

// "A / B" for the first pair of labels that overlap, or empty when none do.
inline QString overlap(QCPAxis* axis) {
  const QFontMetrics fm(axis->tickLabelFont());
  const QVector<double> ticks = axis->tickVector();
  const QVector<QString> labels = axis->tickVectorLabels();
  const double rot = std::abs(axis->tickLabelRotation());
  const bool horizontal = axis->orientation() == Qt::Horizontal;
  for (int i = 1; i < ticks.size(); ++i) {
    int j = i - 1;
    if (horizontal && rot == 0)
      while (j >= 0 && labels[j].startsWith('\n') != labels[i].startsWith('\n')) --j;
    if (j < 0) continue;
    const double gap = std::abs(axis->coordToPixel(ticks[i]) - axis->coordToPixel(ticks[j]));
    double need = fm.height();
    if (horizontal && rot == 0)
      need = (fm.horizontalAdvance(labels[i].trimmed()) + fm.horizontalAdvance(labels[j].trimmed())) / 2.0;
    else if (horizontal)
      need = fm.height() / std::sin(qDegreesToRadians(rot));
    if (gap < need) return labels[j] + " / " + labels[i];
  }
  return {};
}

}  // namespace axis_test
