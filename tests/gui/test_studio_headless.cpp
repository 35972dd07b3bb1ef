// The built srdd-studio without a display: `--export results.json --out DIR` renders one file per figure (plus
// CSV and JSON) in each format at the requested size, bad input ends with a one-line error naming the file and
// a non-zero exit status, and the window opens a session or a results file given on the command line.
#include "main_window.h"
#include "results/figures.h"
#include "session/session.h"
#include "test_results_fixture.h"

#include <QDir>
#include <QFileInfo>
#include <QImageReader>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>

using namespace srdd_gui;

namespace {
struct Result {
  int exitCode = -1;
  QString out, err;
};

QString studioPath() { return QFileInfo(srdd_test::cliPath()).dir().filePath("srdd-studio"); }

// Runs srdd-studio with ARGS and no display at all (no DISPLAY, WAYLAND_DISPLAY or QT_QPA_PLATFORM).
Result runStudio(const QStringList& args) {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  for (const char* var : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(var);
  QProcess p;
  p.setProcessEnvironment(env);
  p.start(studioPath(), args);
  Result r;
  if (p.waitForFinished(300000) && p.exitStatus() == QProcess::NormalExit) r.exitCode = p.exitCode();
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

// The error lines the program wrote (Qt's own warnings about the environment left out).
QStringList errorLines(const Result& r) { return r.err.split('\n', Qt::SkipEmptyParts).filter("srdd-studio:"); }

QStringList sortedFiles(const QString& dir) {
  QStringList files = QDir(dir).entryList(QDir::Files);
  files.sort();
  return files;
}
}  // namespace

class TestStudioHeadless : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void exportsEveryFigure_data();
  void exportsEveryFigure();
  void badInputNamesTheFile();
  void opensSessionAndResultsFromTheCommandLine();

 private:
  QTemporaryDir m_tmp;
  QString m_scanFile;
  std::vector<FigureSpec> m_figures;
};

void TestStudioHeadless::initTestCase() {
  QVERIFY2(QFileInfo(studioPath()).isExecutable(), qPrintable(studioPath() + " is not built"));
  QVERIFY(m_tmp.isValid());
  m_scanFile = m_tmp.filePath("scan.json");
  bool ok = false;
  const QString out = results_test::runDemoScan(m_scanFile, {}, &ok);
  QVERIFY2(ok, qPrintable(out));
  m_figures = availableFigures(ScanData::fromJsonFile(m_scanFile));
  QVERIFY(m_figures.size() > 10);
}

void TestStudioHeadless::exportsEveryFigure_data() {
  QTest::addColumn<QString>("format");
  QTest::addColumn<QStringList>("options");
  QTest::addColumn<QSize>("pngSize");
  QTest::newRow("pdf (default)") << "pdf" << QStringList() << QSize();
  QTest::newRow("svg") << "svg" << QStringList{"--format", "svg", "--width-pt", "516", "--font-pt", "9"} << QSize();
  // 300 x 225 pt at 150 dpi = 625 x 469 pixels (468.75 rounded).
  QTest::newRow("png") << "png" << QStringList{"--format", "png", "--width-pt", "300", "--dpi", "150"}
                       << QSize(625, 469);
}

void TestStudioHeadless::exportsEveryFigure() {
  QFETCH(QString, format);
  QFETCH(QStringList, options);
  QFETCH(QSize, pngSize);
  const QString dir = m_tmp.filePath("out-" + format);
  const Result r = runStudio(QStringList{"--export", m_scanFile, "--out", dir} + options);
  QVERIFY2(r.exitCode == 0, qPrintable(r.err));

  QStringList expected;
  for (const FigureSpec& f : m_figures)
    for (const QString& ext : {format, QString("csv"), QString("json")}) expected << f.fileStem + '.' + ext;
  expected.sort();
  QCOMPARE(sortedFiles(dir), expected);
  QCOMPARE(r.out.split('\n', Qt::SkipEmptyParts).size(), expected.size());  // one line per file written

  // Spot checks of the figure files themselves.
  const QString first = QDir(dir).filePath(m_figures.front().fileStem + '.' + format);
  const QString heatmap =
      QDir(dir).filePath(figureFileStem(metricHeatmapId(Side::Quantized, HeatScale::Linear)) + '.' + format);
  for (const QString& file : {first, heatmap}) {
    if (format == "pdf") {
      QProcess info;
      info.start("pdfinfo", {file});
      QVERIFY(info.waitForFinished(60000) && info.exitCode() == 0);
      // 252 pt wide; 3/4 of that high, or taller where the figure's content needs it.
      const QString pdf = QString::fromUtf8(info.readAllStandardOutput());
      const QRegularExpressionMatch page = QRegularExpression("Page size:\\s+252 x ([0-9.]+) pts").match(pdf);
      QVERIFY2(page.hasMatch() && page.captured(1).toDouble() >= 189, qPrintable(pdf));
      QProcess render;
      render.start("pdftoppm", {"-png", "-r", "72", "-singlefile", file, m_tmp.filePath("page")});
      QVERIFY(render.waitForFinished(60000) && render.exitCode() == 0);
      const QImage rendered(m_tmp.filePath("page.png"));
      QCOMPARE(rendered.width(), 252);
      QVERIFY(rendered.height() >= 189);
    } else if (format == "svg") {
      QSvgRenderer svg(file);
      QVERIFY2(svg.isValid(), qPrintable(file));
      QVERIFY(svg.viewBoxF().width() / svg.viewBoxF().height() <= 516.0 / 387.0 + 0.01);  // 516 x 3/4 or taller
    } else {
      QImageReader png(file);
      QCOMPARE(png.size().width(), pngSize.width());
      QVERIFY(png.size().height() >= pngSize.height());
      QVERIFY(!png.text("Title").isEmpty());
    }
  }
}

void TestStudioHeadless::badInputNamesTheFile() {
  const QString missing = m_tmp.filePath("missing.json");
  Result r = runStudio({"--export", missing, "--out", m_tmp.filePath("x")});
  QCOMPARE(r.exitCode, 1);
  QStringList lines = errorLines(r);
  QCOMPARE(lines.size(), 1);
  QVERIFY2(lines[0].contains(missing), qPrintable(r.err));

  const QString broken = m_tmp.filePath("broken.json");
  QFile f(broken);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(R"({"schema": "srdd-scan/1", "layers": [)");
  f.close();
  r = runStudio({"--export", broken, "--out", m_tmp.filePath("x")});
  QCOMPARE(r.exitCode, 1);
  lines = errorLines(r);
  QCOMPARE(lines.size(), 1);
  QVERIFY2(lines[0].contains(broken) && lines[0].contains("JSON"), qPrintable(r.err));
  QVERIFY(!QFileInfo::exists(m_tmp.filePath("x")));

  const QString notADir = m_tmp.filePath("plain-file");
  QFile plain(notADir);
  QVERIFY(plain.open(QIODevice::WriteOnly));
  plain.close();
  r = runStudio({"--export", m_scanFile, "--out", notADir});
  QCOMPARE(r.exitCode, 1);
  QVERIFY2(errorLines(r).value(0).contains(notADir), qPrintable(r.err));

  r = runStudio({"--export", m_scanFile, "--out", m_tmp.filePath("x"), "--format", "jpeg"});
  QCOMPARE(r.exitCode, 2);
  QVERIFY(errorLines(r).value(0).contains("jpeg"));
  r = runStudio({"--export", m_scanFile, "--out", m_tmp.filePath("x"), "--width-pt", "10"});
  QCOMPARE(r.exitCode, 1);
  QVERIFY(errorLines(r).value(0).contains("width"));
  r = runStudio({"--export", m_scanFile});
  QCOMPARE(r.exitCode, 2);
  QVERIFY(errorLines(r).value(0).contains("--out"));
}

// `srdd-studio FILE --screenshot PNG` with a session or a scan results file: the window shows it and exits 0.
void TestStudioHeadless::opensSessionAndResultsFromTheCommandLine() {
  Session s;
  s.scanResultPath = m_scanFile;
  s.numLayers = 6;
  s.targetLayers = {1, 4};
  s.currentTab = "results";
  const QString session = m_tmp.filePath("cli.srdd-session");
  s.save(session);
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("QT_QPA_PLATFORM", "offscreen");
  env.insert("XDG_CONFIG_HOME", m_tmp.filePath("config"));  // the user's settings stay untouched
  for (const QString& input : {session, m_scanFile}) {
    const QString shot = m_tmp.filePath(QFileInfo(input).completeBaseName() + ".png");
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(studioPath(), {input, "--screenshot", shot});
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, p.readAllStandardError().constData());
    const QImage image(shot);
    QVERIFY(image.width() > 800 && image.height() > 500);
  }
}

QTEST_MAIN(TestStudioHeadless)
#include "test_studio_headless.moc"
