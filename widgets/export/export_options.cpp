#include "export/export_options.h"

#include <algorithm>
#include <cmath>

namespace srdd_gui {

QString ExportOptions::extension(Format format) {
  switch (format) {
    case Pdf: return QStringLiteral("pdf");
    case Svg: return QStringLiteral("svg");
    case Png: return QStringLiteral("png");
  }
  return {};
}

std::optional<ExportOptions::Format> ExportOptions::formatFromName(const QString& name) {
  QString n = name.trimmed().toLower();
  if (n.startsWith('.')) n.remove(0, 1);
  for (Format f : {Pdf, Svg, Png})
    if (n == extension(f)) return f;
  return std::nullopt;
}

QString ExportOptions::validate() const {
  const auto outside = [](double v, double lo, double hi) { return !std::isfinite(v) || v < lo || v > hi; };
  if (outside(widthPt, 36, 2880)) return QStringLiteral("figure width %1 pt is outside 36..2880 pt").arg(widthPt);
  if (outside(effectiveHeightPt(), 36, 2880))
    return QStringLiteral("figure height %1 pt is outside 36..2880 pt").arg(effectiveHeightPt());
  if (outside(fontPt, 4, 72)) return QStringLiteral("font size %1 pt is outside 4..72 pt").arg(fontPt);
  if (format == Png) {
    if (dpi < 36 || dpi > 2400) return QStringLiteral("resolution %1 dpi is outside 36..2400 dpi").arg(dpi);
    const double longest = std::max(widthPt, effectiveHeightPt()) / 72.0 * dpi;
    if (longest > 20000)
      return QStringLiteral("a PNG of %1 pixels is larger than 20000 pixels").arg(std::lround(longest));
  }
  return {};
}

}  // namespace srdd_gui
