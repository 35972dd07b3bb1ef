#include "export/figure_export.h"

#include "export/atomic_write.h"
#include "export/paper_theme.h"

#include <srdd/error.h>

#include <qcustomplot.h>

#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImageWriter>
#include <QPdfWriter>
#include <QPicture>
#include <QScreen>
#include <QSvgGenerator>

#include <cmath>

namespace srdd_gui {

namespace {

struct Metadata {
  QString title, creator, description;
};

Metadata metadataFor(const QString& path, const ExportOptions& options) {
  Metadata m;
  m.title = options.metadata.value(QStringLiteral("Title"), QFileInfo(path).completeBaseName());
  m.creator = options.metadata.value(QStringLiteral("Software"), QStringLiteral("SRDD Studio " SRDD_VERSION));
  QStringList lines;
  for (auto it = options.metadata.cbegin(); it != options.metadata.cend(); ++it)
    if (it.key() != QLatin1String("Title")) lines << it.key() + QStringLiteral(": ") + it.value();
  m.description = lines.join('\n');
  return m;
}

// XMP packet for the PDF: Qt's document info has no Subject, so the description goes to dc:description,
// which is what PDF readers show as the subject.
QByteArray xmpPacket(const Metadata& m) {
  const auto esc = [](const QString& s) { return s.toHtmlEscaped(); };
  QString x;
  x += QStringLiteral("<?xpacket begin='") + QChar(0xFEFF) + QStringLiteral("' id='W5M0MpCehiHzreSzNTczkc9d'?>\n");
  x += QStringLiteral(
      "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
  x += QStringLiteral(
      "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
      "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n");
  x += QStringLiteral("<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">%1</rdf:li></rdf:Alt></dc:title>\n")
           .arg(esc(m.title));
  x +=
      QStringLiteral("<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">%1</rdf:li></rdf:Alt></dc:description>\n")
          .arg(esc(m.description));
  x += QStringLiteral("<xmp:CreatorTool>%1</xmp:CreatorTool>\n").arg(esc(m.creator));
  x += QStringLiteral("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end='w'?>");
  return x.toUtf8();
}

// PNG text keywords are 1-79 Latin-1 characters without leading, trailing or double spaces.
QString pngKey(const QString& key) {
  QString k;
  for (QChar c : key.simplified()) k += c.unicode() < 256 && c.isPrint() ? c : QChar('_');
  return k.isEmpty() ? QStringLiteral("_") : k.left(79).trimmed();
}

// Draws PLOT onto DEVICE so that the plot's coordinate system spans W x H points over the whole device.
void paint(QCustomPlot* plot, QPaintDevice* device, int widthPt, int heightPt, bool vector, const QString& path) {
  QCPPainter painter;
  if (!painter.begin(device))
    throw srdd::Error(QDir::toNativeSeparators(path).toStdString() + ": cannot start drawing the figure");
  painter.setRenderHint(QPainter::LosslessImageRendering);  // otherwise Qt's PDF engine stores bitmaps as JPEG
  painter.setMode(QCPPainter::pmVectorized, vector);
  painter.setMode(QCPPainter::pmNonCosmetic);  // hairlines would be one device pixel wide at any resolution
  painter.setWindow(0, 0, widthPt, heightPt);
  painter.setViewport(0, 0, device->width(), device->height());
  plot->toPainter(&painter, widthPt, heightPt);
  painter.end();
}

void writePdf(QCustomPlot* plot, const QString& path, int w, int h, int textDpi, const Metadata& meta) {
  writeFileAtomically(path, [&](QIODevice* out) {
    QPdfWriter pdf(out);
    pdf.setResolution(textDpi);
    pdf.setPageLayout(QPageLayout(QPageSize(QSizeF(w, h), QPageSize::Point, QString(), QPageSize::ExactMatch),
                                  QPageLayout::Portrait, QMarginsF(0, 0, 0, 0), QPageLayout::Point));
    pdf.setTitle(meta.title);
    pdf.setCreator(meta.creator);
    pdf.setDocumentXmpMetadata(xmpPacket(meta));
    paint(plot, &pdf, w, h, true, path);
  });
}

void writeSvg(QCustomPlot* plot, const QString& path, int w, int h, int textDpi, const Metadata& meta) {
  writeFileAtomically(path, [&](QIODevice* out) {
    QSvgGenerator svg;
    svg.setOutputDevice(out);
    svg.setResolution(textDpi);  // width/height attributes come out in mm, i.e. the physical size
    const QSize pixels(qRound(w * textDpi / 72.0), qRound(h * textDpi / 72.0));
    svg.setSize(pixels);
    svg.setViewBox(QRect(QPoint(0, 0), pixels));
    svg.setTitle(meta.title);
    svg.setDescription(meta.creator + '\n' + meta.description);
    paint(plot, &svg, w, h, true, path);
  });
}

void writePng(QCustomPlot* plot, const QString& path, int w, int h, int dpi, int textDpi, const ExportOptions& options,
              const Metadata& meta) {
  const auto dotsPerMeter = [](double perInch) { return qRound(perInch / 0.0254); };
  QImage image(qRound(w / 72.0 * dpi), qRound(h / 72.0 * dpi), QImage::Format_ARGB32_Premultiplied);
  if (image.isNull())
    throw srdd::Error(QDir::toNativeSeparators(path).toStdString() + ": not enough memory for the image");
  image.fill(Qt::white);
  image.setDotsPerMeterX(dotsPerMeter(textDpi));  // fonts resolve like the layout's metrics while drawing
  image.setDotsPerMeterY(dotsPerMeter(textDpi));
  paint(plot, &image, w, h, false, path);
  image.setDotsPerMeterX(dotsPerMeter(dpi));  // pHYs chunk: the requested resolution
  image.setDotsPerMeterY(dotsPerMeter(dpi));
  image.setText(QStringLiteral("Title"), meta.title);
  image.setText(QStringLiteral("Software"), meta.creator);
  image.setText(QStringLiteral("Description"), meta.description);
  for (auto it = options.metadata.cbegin(); it != options.metadata.cend(); ++it)
    image.setText(pngKey(it.key()), it.value());
  writeFileAtomically(path, [&](QIODevice* out) {
    QImageWriter writer(out, "png");
    if (!writer.write(image))
      throw srdd::Error(QDir::toNativeSeparators(path).toStdString() +
                        ": cannot encode PNG: " + writer.errorString().toStdString());
  });
}

}  // namespace

int layoutTextDpi() {
  if (QCoreApplication::testAttribute(Qt::AA_Use96Dpi)) return 96;
  if (const QScreen* screen = QGuiApplication::primaryScreen()) return qRound(screen->logicalDotsPerInchY());
  return 100;  // Qt's own fallback when there is no screen
}

void exportPlot(QCustomPlot* plot, const QString& path, const ExportOptions& options) {
  const std::string name = QDir::toNativeSeparators(path).toStdString();
  if (!plot) throw srdd::Error(name + ": no figure to export");
  if (const QString problem = options.validate(); !problem.isEmpty())
    throw srdd::Error(name + ": " + problem.toStdString());
  const int w = static_cast<int>(std::lround(options.widthPt));
  int h = static_cast<int>(std::lround(options.effectiveHeightPt()));
  const int textDpi = layoutTextDpi();
  QFont font(options.fontFamily);
  font.setPointSizeF(options.fontPt * 72.0 / textDpi);
  const Metadata meta = metadataFor(path, options);

  const PaperThemeScope paper(plot, font);
  // Drawing lays the plot out once, and category tick labels are spaced from the layout before it: a throwaway
  // pass at the page size and export font gives the real pass that layout to start from.
  const auto layOut = [&] {
    QPicture scratch;
    QCPPainter painter(&scratch);
    plot->toPainter(&painter, w, h);
  };
  layOut();
  // Without a fixed height, a figure whose titles, panels and captions need more than 3/4 of its width (a
  // single-column figure of many layers, say) grows to fit instead of squeezing them over each other.
  if (!(options.heightPt > 0)) {
    const int need = plot->plotLayout()->minimumOuterSizeHint().height();
    if (need > h) {
      h = need;
      layOut();
    }
  }
  switch (options.format) {
    case ExportOptions::Pdf: writePdf(plot, path, w, h, textDpi, meta); break;
    case ExportOptions::Svg: writeSvg(plot, path, w, h, textDpi, meta); break;
    case ExportOptions::Png: writePng(plot, path, w, h, options.dpi, textDpi, options, meta); break;
  }
}

void exportFigure(const QString& path, const FigureRenderer& render, const ExportOptions& options) {
  QCustomPlot plot;
  plot.resize(static_cast<int>(std::lround(options.widthPt)),
              static_cast<int>(std::lround(options.effectiveHeightPt())));
  render(&plot);
  exportPlot(&plot, path, options);
}

}  // namespace srdd_gui
