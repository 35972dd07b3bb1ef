#pragma once
// How a figure is exported: file format, physical size in points, font size, raster resolution and the
// metadata embedded in the file (PDF title/creator + XMP description, SVG <title>/<desc>, PNG text chunks).
#include <QMap>
#include <QString>

#include <optional>

namespace srdd_gui {

struct ExportOptions {
  enum Format { Pdf, Svg, Png };
  static constexpr double kSingleColumnPt = 252;  // one column of a two-column paper (3.5 in)
  static constexpr double kDoubleColumnPt = 516;  // full text width of a two-column paper

  Format format = Pdf;
  double widthPt = kSingleColumnPt;
  double heightPt = 0;  // 0: three quarters of the width, or taller where the figure's content needs it
  double fontPt = 8;    // every text of the figure, in points on the page
  int dpi = 300;        // PNG only: pixels = points / 72 * dpi
  QString fontFamily = QStringLiteral("DejaVu Sans");
  // Embedded in the file. "Title" becomes the document title (default: the file's base name), "Software"
  // the creator (default: SRDD Studio and its version); every entry is listed in the description.
  QMap<QString, QString> metadata;

  double effectiveHeightPt() const { return heightPt > 0 ? heightPt : widthPt * 0.75; }
  QString extension() const { return extension(format); }
  static QString extension(Format format);                           // "pdf", "svg", "png"
  static std::optional<Format> formatFromName(const QString& name);  // "pdf"/"PDF"/".pdf" -> Pdf
  // The option that is out of range, as a message ("figure width 0 pt is outside 36..2880 pt"); empty if valid.
  QString validate() const;
};

}  // namespace srdd_gui
