// Figure export: real files checked with independent readers (poppler's pdftoppm/pdfinfo, QXmlStreamReader,
// QImageReader), the paper theme applied only to the export, and atomic writes.
#include "export/batch_export.h"
#include "export/data_export.h"
#include "export/figure_export.h"

#include <srdd/error.h>

#include <qcustomplot.h>

#include <QDir>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QPainter>
#include <QStandardItemModel>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

using srdd_gui::ExportOptions;

namespace {

// Bars of a per-layer metric next to a layer x module colour map with its colour scale, in a dark UI theme
// with two bars selected, as the results view would show it.
void buildFigure(QCustomPlot* plot) {
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, "Test figure", QFont("DejaVu Sans", 14)));
  QCPAxisRect* barsRect = plot->axisRect();
  auto* bars = new QCPBars(barsRect->axis(QCPAxis::atBottom), barsRect->axis(QCPAxis::atLeft));
  QVector<double> keys, values;
  for (int i = 0; i < 8; ++i) keys << i, values << 3 + (i * 37 % 11);
  bars->setData(keys, values);
  bars->setName("SQNR");
  bars->setBrush(QColor(0x4c, 0x72, 0xb0));
  bars->setSelectable(QCP::stMultipleDataRanges);
  bars->setSelection(QCPDataSelection(QCPDataRange(2, 4)));
  barsRect->axis(QCPAxis::atBottom)->setLabel("layer");
  barsRect->axis(QCPAxis::atLeft)->setLabel("SQNR (dB)");
  barsRect->axis(QCPAxis::atLeft)->setRange(0, 15);
  barsRect->axis(QCPAxis::atBottom)->setRange(-0.5, 7.5);
  plot->legend->setVisible(true);

  auto* mapRect = new QCPAxisRect(plot);
  plot->plotLayout()->addElement(1, 1, mapRect);
  auto* map = new QCPColorMap(mapRect->axis(QCPAxis::atBottom), mapRect->axis(QCPAxis::atLeft));
  map->data()->setSize(7, 8);
  map->data()->setRange(QCPRange(0, 6), QCPRange(0, 7));
  for (int x = 0; x < 7; ++x)
    for (int y = 0; y < 8; ++y) map->data()->setCell(x, y, (x * 8 + y) % 13);
  map->setInterpolate(false);
  map->setName("heat");
  map->removeFromLegend();
  auto* scale = new QCPColorScale(plot);
  plot->plotLayout()->addElement(1, 2, scale);
  map->setColorScale(scale);
  scale->setGradient(QCPColorGradient::gpThermal);  // the linked scale owns the gradient
  map->rescaleDataRange();
  mapRect->axis(QCPAxis::atBottom)->setLabel("module");
  mapRect->axis(QCPAxis::atBottom)->setRange(-0.5, 6.5);
  mapRect->axis(QCPAxis::atLeft)->setRange(-0.5, 7.5);

  // dark UI theme
  plot->setBackground(QBrush(QColor(0x20, 0x20, 0x24)));
  for (QCPAxisRect* r : plot->axisRects())
    for (QCPAxis* a : r->axes()) {
      a->setBasePen(QPen(Qt::white));
      a->setTickLabelColor(Qt::white);
      a->setLabelColor(Qt::white);
      a->setLabelFont(QFont("DejaVu Sans", 11));
    }
}

QString runTool(const QString& program, const QStringList& args) {
  QProcess p;
  p.start(program, args);
  if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
    qWarning() << program << args << p.readAllStandardError();
  return QString::fromUtf8(p.readAllStandardOutput());
}

// Fraction of pixels that are not (near) white, and the number of distinct colours.
std::pair<double, int> inkAndColours(const QImage& image) {
  const QImage img = image.convertToFormat(QImage::Format_RGB32);
  qint64 ink = 0;
  QSet<QRgb> colours;
  for (int y = 0; y < img.height(); ++y)
    for (int x = 0; x < img.width(); ++x) {
      const QRgb c = img.pixel(x, y);
      colours.insert(c);
      if (qRed(c) < 230 || qGreen(c) < 230 || qBlue(c) < 230) ++ink;
    }
  return {double(ink) / (img.width() * img.height()), int(colours.size())};
}

QStringList filesIn(const QString& dir) {
  return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

ExportOptions options(ExportOptions::Format format, double w = 252, double h = 189) {
  ExportOptions o;
  o.format = format;
  o.widthPt = w;
  o.heightPt = h;
  o.metadata = {{"model", "Qwen2.5-1.5B"}, {"format", "MXFP4 block 32, E8M0 floor"}, {"seed", "1234"}};
  return o;
}

}  // namespace

class TestExportFigures : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init();
  void pdfIsVectorLosslessAndRenders();
  void savePdfWouldHaveUsedJpeg();
  void svgIsWellFormedWithMetadata();
  void pngHasRequestedPixelsAndText_data();
  void pngHasRequestedPixelsAndText();
  void fontSizeIsPhysicalPoints();
  void uiThemeAndSelectionAreRestored();
  void invalidOptionsAndPathsNameTheFile();
  void exportAllWritesFiguresAndData();
  void csvQuoting();
  void dataFilesAreWrittenAtomically();

 private:
  std::unique_ptr<QCustomPlot> m_plot;
  std::unique_ptr<QTemporaryDir> m_dir;
};

void TestExportFigures::init() {
  m_dir = std::make_unique<QTemporaryDir>();
  QVERIFY(m_dir->isValid());
  if (qEnvironmentVariableIsSet("SRDD_KEEP_EXPORTS")) {  // to look at the files
    m_dir->setAutoRemove(false);
    qInfo() << "exports in" << m_dir->path();
  }
  m_plot = std::make_unique<QCustomPlot>();
  m_plot->resize(640, 400);
  buildFigure(m_plot.get());
  m_plot->replot();
}

void TestExportFigures::pdfIsVectorLosslessAndRenders() {
  const QString path = m_dir->filePath("figure.pdf");
  srdd_gui::exportPlot(m_plot.get(), path, options(ExportOptions::Pdf));
  QCOMPARE(filesIn(m_dir->path()), QStringList{"figure.pdf"});  // no temporary file left
  QFile f(path);
  QVERIFY(f.open(QIODevice::ReadOnly));
  const QByteArray pdf = f.readAll();
  QVERIFY(pdf.startsWith("%PDF-"));
  QVERIFY2(!pdf.contains("/DCTDecode"), "colour map stored as JPEG");
  QVERIFY(pdf.contains("/Subtype /Image"));  // the colour map is there, just not as JPEG

  const QString info = runTool("pdfinfo", {path});
  QVERIFY2(info.contains(QRegularExpression("Page size:\\s+252 x 189 pts")), qPrintable(info));
  QVERIFY2(info.contains(QRegularExpression("Title:\\s+figure\\n")), qPrintable(info));
  QVERIFY2(info.contains(QRegularExpression("Creator:\\s+SRDD Studio")), qPrintable(info));
  const QString xmp = runTool("pdfinfo", {"-meta", path});
  QVERIFY2(xmp.contains("model: Qwen2.5-1.5B") && xmp.contains("seed: 1234"), qPrintable(xmp));

  QVERIFY(QProcess::execute("pdftoppm", {"-png", "-r", "72", "-singlefile", path, m_dir->filePath("page")}) == 0);
  const QImage page(m_dir->filePath("page.png"));
  QCOMPARE(page.size(), QSize(252, 189));  // 72 dpi: one pixel per point
  const auto [ink, colours] = inkAndColours(page);
  QVERIFY2(ink > 0.15 && ink < 0.9, qPrintable(QString::number(ink)));
  QVERIFY2(colours > 20, qPrintable(QString::number(colours)));
  QCOMPARE(QColor(page.pixel(1, 1)), QColor(Qt::white));  // paper background, not the dark UI one
}

// Guards the reason for our own PDF path: QCustomPlot's savePdf on the same plot stores the map as JPEG.
void TestExportFigures::savePdfWouldHaveUsedJpeg() {
  const QString path = m_dir->filePath("qcp.pdf");
  QVERIFY(m_plot->savePdf(path, 252, 189));
  QFile f(path);
  QVERIFY(f.open(QIODevice::ReadOnly));
  QVERIFY(f.readAll().contains("/DCTDecode"));
}

void TestExportFigures::svgIsWellFormedWithMetadata() {
  const QString path = m_dir->filePath("figure.svg");
  srdd_gui::exportPlot(m_plot.get(), path, options(ExportOptions::Svg, 516, 258));
  QFile f(path);
  QVERIFY(f.open(QIODevice::ReadOnly));
  QXmlStreamReader xml(&f);
  QString title, desc, width, height;
  int shapes = 0, images = 0;
  QStringList texts;
  while (!xml.atEnd()) {
    if (!xml.readNext() || !xml.isStartElement()) continue;
    const auto name = xml.name();
    if (name == QLatin1String("svg")) {
      width = xml.attributes().value("width").toString();
      height = xml.attributes().value("height").toString();
    } else if (name == QLatin1String("title")) {
      title = xml.readElementText();
    } else if (name == QLatin1String("desc")) {
      desc = xml.readElementText();
    } else if (name == QLatin1String("path") || name == QLatin1String("polyline") || name == QLatin1String("rect")) {
      ++shapes;
    } else if (name == QLatin1String("image")) {
      ++images;
      QVERIFY(xml.attributes().value("xlink:href").startsWith(QLatin1String("data:image/png")));
    } else if (name == QLatin1String("text")) {
      texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
    }
  }
  QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
  QCOMPARE(title, QString("figure"));
  QVERIFY2(desc.contains("model: Qwen2.5-1.5B") && desc.contains("format: MXFP4 block 32, E8M0 floor"),
           qPrintable(desc));
  QVERIFY2(desc.contains("SRDD Studio"), qPrintable(desc));
  QCOMPARE(width, QString("182.033mm"));  // 516 pt = 7.1667 in
  QCOMPARE(height, QString("91.0167mm"));
  QVERIFY(shapes > 20);  // bars, axes, ticks and grid are vector shapes
  QVERIFY(images >= 1);  // colour map + colour scale gradient, lossless PNG
  QVERIFY2(texts.contains("layer") && texts.contains("SQNR (dB)") && texts.contains("Test figure"),
           qPrintable(texts.join('|')));

  QSvgRenderer svg(path);  // and it draws: 516 x 258 pt at 144 dpi
  QVERIFY(svg.isValid());
  QImage drawn(1032, 516, QImage::Format_RGB32);
  drawn.fill(Qt::gray);
  QPainter painter(&drawn);
  svg.render(&painter);
  painter.end();
  drawn.save(m_dir->filePath("svg-drawn.png"));
  const auto [ink, colours] = inkAndColours(drawn);
  QVERIFY2(ink > 0.1 && ink < 0.9, qPrintable(QString::number(ink)));
  QVERIFY(colours > 20);
  QCOMPARE(QColor(drawn.pixel(1, 1)), QColor(Qt::white));  // the paper background covers the whole page
}

void TestExportFigures::pngHasRequestedPixelsAndText_data() {
  QTest::addColumn<double>("widthPt");
  QTest::addColumn<double>("heightPt");
  QTest::addColumn<int>("dpi");
  QTest::addColumn<QSize>("pixels");
  QTest::newRow("single column 300 dpi") << 252.0 << 180.0 << 300 << QSize(1050, 750);
  QTest::newRow("double column 150 dpi") << 516.0 << 216.0 << 150 << QSize(1075, 450);
  QTest::newRow("72 dpi is one pixel per point") << 252.0 << 0.0 << 72 << QSize(252, 189);
}

void TestExportFigures::pngHasRequestedPixelsAndText() {
  QFETCH(double, widthPt);
  QFETCH(double, heightPt);
  QFETCH(int, dpi);
  QFETCH(QSize, pixels);
  ExportOptions o = options(ExportOptions::Png, widthPt, heightPt);
  o.dpi = dpi;
  o.metadata.insert("Title", "SQNR per layer");
  o.metadata.insert("  Run   directory ", "/runs/a");  // PNG keywords allow no double or edge spaces
  const QString path = m_dir->filePath("figure.png");
  srdd_gui::exportPlot(m_plot.get(), path, o);
  QCOMPARE(filesIn(m_dir->path()), QStringList{"figure.png"});
  QImageReader reader(path);
  QCOMPARE(reader.format(), QByteArray("png"));
  const QImage image = reader.read();
  QCOMPARE(image.size(), pixels);
  QCOMPARE(qRound(image.dotsPerMeterX() * 0.0254), dpi);
  QCOMPARE(image.text("model"), QString("Qwen2.5-1.5B"));
  QCOMPARE(image.text("seed"), QString("1234"));
  QCOMPARE(image.text("Run directory"), QString("/runs/a"));
  QCOMPARE(image.text("Title"), QString("SQNR per layer"));
  QVERIFY(image.text("Software").startsWith("SRDD Studio"));
  QVERIFY(image.text("Description").contains("format: MXFP4 block 32, E8M0 floor"));
  const auto [ink, colours] = inkAndColours(image);
  QVERIFY2(ink > 0.15 && ink < 0.9, qPrintable(QString::number(ink)));
  QVERIFY(colours > 20);
  QCOMPARE(QColor(image.pixel(2, 2)), QColor(Qt::white));
}

// An axis label is measured in a 720 dpi PNG: its cap height in pixels follows fontPt.
void TestExportFigures::fontSizeIsPhysicalPoints() {
  // The cap height of DejaVu Sans is 0.729 em: a capital "H" of an F pt font is 0.729 F pt tall.
  auto capHeightPx = [&](double fontPt) {
    QCustomPlot plot;
    plot.resize(252, 189);
    plot.xAxis->setLabel("HHHH");
    plot.xAxis->setTickLabels(false);
    plot.yAxis->setTickLabels(false);
    plot.yAxis->setVisible(false);
    plot.xAxis->grid()->setVisible(false);
    plot.yAxis->grid()->setVisible(false);
    ExportOptions o = options(ExportOptions::Png);
    o.dpi = 720;
    o.fontPt = fontPt;
    const QString path = m_dir->filePath(QString("font%1.png").arg(fontPt));
    srdd_gui::exportPlot(&plot, path, o);
    const QImage img = QImage(path).convertToFormat(QImage::Format_RGB32);
    // The label is the lowest run of rows with ink (the axis line, drawn by the paper theme, is above it).
    int bottom = -1, top = -1;
    for (int y = img.height() - 1; y >= 0; --y) {
      bool ink = false;
      for (int x = 0; x < img.width() && !ink; ++x) ink = qGray(img.pixel(x, y)) < 128;
      if (ink && bottom < 0) bottom = y;
      if (ink) top = y;
      if (!ink && bottom >= 0) break;
    }
    return bottom - top + 1;
  };
  // 720 dpi: 10 px per point.
  const int h8 = capHeightPx(8), h12 = capHeightPx(12);
  QVERIFY2(std::abs(h8 - 0.729 * 8 * 10) <= 3, qPrintable(QString::number(h8)));
  QVERIFY2(std::abs(h12 - 0.729 * 12 * 10) <= 3, qPrintable(QString::number(h12)));
}

void TestExportFigures::uiThemeAndSelectionAreRestored() {
  QCPAxis* x = m_plot->axisRect()->axis(QCPAxis::atBottom);
  auto* bars = qobject_cast<QCPBars*>(m_plot->plottable(0));
  const QCPDataSelection selection = bars->selection();
  QSignalSpy selectionSignals(bars, qOverload<bool>(&QCPAbstractPlottable::selectionChanged));
  const QImage before = m_plot->toPixmap(320, 200).toImage();
  srdd_gui::exportPlot(m_plot.get(), m_dir->filePath("figure.png"), options(ExportOptions::Png));
  QCOMPARE(selectionSignals.count(), 0);  // clearing the selection for the export is invisible to the app
  QCOMPARE(bars->selection(), selection);
  QCOMPARE(x->basePen().color(), QColor(Qt::white));
  QCOMPARE(x->labelColor(), QColor(Qt::white));
  QCOMPARE(x->labelFont().pointSizeF(), 11.0);
  const QImage after = m_plot->toPixmap(320, 200).toImage();
  QCOMPARE(after, before);
  QCOMPARE(QColor(after.pixel(1, 1)), QColor(0x20, 0x20, 0x24));
  // the exported file used the paper theme
  const QImage exported(m_dir->filePath("figure.png"));
  QCOMPARE(QColor(exported.pixel(1, 1)), QColor(Qt::white));
}

void TestExportFigures::invalidOptionsAndPathsNameTheFile() {
  ExportOptions tooSmall = options(ExportOptions::Pdf, 10, 10);
  const QString path = m_dir->filePath("small.pdf");
  try {
    srdd_gui::exportPlot(m_plot.get(), path, tooSmall);
    QFAIL("no error for a 10 pt wide figure");
  } catch (const srdd::Error& e) {
    QVERIFY2(QString(e.what()).contains("small.pdf") && QString(e.what()).contains("width"), e.what());
  }
  ExportOptions hugePng = options(ExportOptions::Png, 2000, 2000);
  hugePng.dpi = 2400;
  QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd_gui::exportPlot(m_plot.get(), m_dir->filePath("huge.png"), hugePng));

  const QString missingDir = m_dir->filePath("no/such/dir/figure.svg");
  try {
    srdd_gui::exportPlot(m_plot.get(), missingDir, options(ExportOptions::Svg));
    QFAIL("no error for a missing folder");
  } catch (const srdd::Error& e) {
    QVERIFY2(QString(e.what()).contains("no/such/dir/figure.svg"), e.what());
  }
  QVERIFY(filesIn(m_dir->path()).isEmpty());
}

void TestExportFigures::exportAllWritesFiguresAndData() {
  int rendered = 0;
  const auto render = [&](QCustomPlot* plot) {
    ++rendered;
    buildFigure(plot);
  };
  std::vector<srdd_gui::BatchFigure> figures;
  figures.push_back({"sqnr_bars", render, "layer,sqnr\r\n0,3\r\n", QJsonDocument(QJsonArray{3, 7})});
  figures.push_back({"kurtosis_heatmap", render, {}, {}});
  const QString dir = m_dir->filePath("all");
  const QStringList written = srdd_gui::exportAll(dir, figures, options(ExportOptions::Svg));
  QCOMPARE(rendered, 2);
  QCOMPARE(written, (QStringList{dir + "/sqnr_bars.svg", dir + "/sqnr_bars.csv", dir + "/sqnr_bars.json",
                                 dir + "/kurtosis_heatmap.svg"}));
  QCOMPARE(filesIn(dir), (QStringList{"kurtosis_heatmap.svg", "sqnr_bars.csv", "sqnr_bars.json", "sqnr_bars.svg"}));
  QFile csv(dir + "/sqnr_bars.csv");
  QVERIFY(csv.open(QIODevice::ReadOnly));
  QCOMPARE(csv.readAll(), QByteArray("layer,sqnr\r\n0,3\r\n"));
  QFile json(dir + "/sqnr_bars.json");
  QVERIFY(json.open(QIODevice::ReadOnly));
  QCOMPARE(QJsonDocument::fromJson(json.readAll()).array(), (QJsonArray{3, 7}));
  QFile svg(dir + "/kurtosis_heatmap.svg");
  QVERIFY(svg.open(QIODevice::ReadOnly));
  QVERIFY(svg.readAll().contains("<title>kurtosis_heatmap</title>"));  // id is the default title

  // the pair form, and ids that are not file names
  using Pairs = std::vector<std::pair<QString, srdd_gui::FigureRenderer>>;
  const QStringList pngs = srdd_gui::exportAll(dir, Pairs{{"one", render}}, options(ExportOptions::Png));
  QCOMPARE(pngs, QStringList{dir + "/one.png"});
  QVERIFY_THROWS_EXCEPTION(srdd::Error,
                           srdd_gui::exportAll(dir, Pairs{{"../escape", render}}, options(ExportOptions::Png)));
  QVERIFY_THROWS_EXCEPTION(srdd::Error,
                           srdd_gui::exportAll(dir, Pairs{{"a", render}, {"a", render}}, options(ExportOptions::Png)));
}

void TestExportFigures::csvQuoting() {
  QCOMPARE(srdd_gui::csvRecord({"layer", "a,b", "say \"hi\"", "two\nlines"}),
           QString("layer,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"));
  QStandardItemModel model(2, 2);
  model.setHorizontalHeaderLabels({"layer", "SQNR, dB"});
  model.setItem(0, 0, new QStandardItem("0"));
  model.setItem(0, 1, new QStandardItem("21.5"));
  model.setItem(1, 0, new QStandardItem("1"));
  model.setItem(1, 1, new QStandardItem("19"));
  QCOMPARE(srdd_gui::tableToCsv(model), QString("layer,\"SQNR, dB\"\r\n0,21.5\r\n1,19\r\n"));
}

void TestExportFigures::dataFilesAreWrittenAtomically() {
  const QString path = m_dir->filePath("data.json");
  srdd_gui::exportJson(path, QJsonDocument(QJsonObject{{"layers", QJsonArray{1, 2}}}));
  // A failing write (the target is a folder) names the file and keeps everything else as it was.
  QDir(m_dir->path()).mkdir("taken.csv");
  try {
    srdd_gui::exportCsv(m_dir->filePath("taken.csv"), "a,b\r\n");
    QFAIL("no error when the target is a folder");
  } catch (const srdd::Error& e) {
    QVERIFY2(QString(e.what()).contains("taken.csv"), e.what());
  }
  QCOMPARE(filesIn(m_dir->path()), QStringList{"data.json"});
  // Replacing keeps exactly one file
  srdd_gui::exportJson(path, QJsonDocument(QJsonArray{5}));
  QCOMPARE(filesIn(m_dir->path()), QStringList{"data.json"});
  QFile f(path);
  QVERIFY(f.open(QIODevice::ReadOnly));
  QCOMPARE(QJsonDocument::fromJson(f.readAll()).array(), QJsonArray{5});
}

QTEST_MAIN(TestExportFigures)
#include "test_export_figures.moc"
