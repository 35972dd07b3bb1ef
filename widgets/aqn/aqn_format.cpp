#include "aqn/aqn_format.h"

#include <QStringList>

#include <cmath>

namespace srdd_gui {

QString formatPValue(double p) {
  if (!std::isfinite(p)) return QStringLiteral("—");
  if (p == 0) return QStringLiteral("0");
  if (p >= 1e-3) return QString::number(p, 'g', 3);
  return QString::number(p, 'e', 1);
}

QString formatStat(double v, int digits) {
  if (!std::isfinite(v)) return QStringLiteral("—");
  return QString::number(v, 'g', digits);
}

QString formatLayerList(const std::vector<int>& layers) {
  if (layers.empty()) return QStringLiteral("none");
  QStringList parts;
  size_t i = 0;
  while (i < layers.size()) {
    size_t j = i;
    while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1) ++j;
    parts << (j == i ? QString::number(layers[i]) : QStringLiteral("%1-%2").arg(layers[i]).arg(layers[j]));
    i = j + 1;
  }
  return parts.join(QStringLiteral(", "));
}

}  // namespace srdd_gui
