#include "formatting.h"

#include <QLocale>
#include <QStringList>

namespace srdd_gui {

QString formatCount(int64_t n) {
  struct Unit {
    double scale;
    const char* suffix;
  };
  static const Unit units[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}};
  const double v = static_cast<double>(n);
  for (const Unit& u : units) {
    if (v >= u.scale || v <= -u.scale) return QString::number(v / u.scale, 'f', 2) + ' ' + u.suffix;
  }
  return QString::number(n);
}

QString formatBytes(int64_t bytes) { return QLocale().formattedDataSize(bytes, 1); }

QString formatShape(const std::vector<int64_t>& shape) {
  if (shape.empty()) return QStringLiteral("scalar");
  QStringList parts;
  for (int64_t d : shape) parts << QString::number(d);
  return parts.join(QStringLiteral(" × "));
}

QString formatExact(int64_t n) { return QLocale().toString(static_cast<qlonglong>(n)); }

}  // namespace srdd_gui
