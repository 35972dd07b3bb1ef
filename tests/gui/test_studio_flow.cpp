// The integrated SRDD Studio window on the bundled demo model with the real engine: open the model, scan,
// click bars into the target set, undo/redo from the Edit menu, export the current figure (PDF checked with
// poppler, SVG with Qt's SVG renderer, PNG size from pt and dpi), save a session and open it in a new window
// (no re-scan), scan files, and "Run AQN…" on the target set with a tiny real comparison.
#include "aqn/aqn_dialog.h"
#include "aqn/aqn_job_queue.h"
#include "aqn/aqn_results_view.h"
#include "aqn/aqn_workspace.h"
#include "main_window.h"
#include "results/figures.h"
#include "results/heatmap_view.h"
#include "results/layer_selection.h"
#include "results/metric_compare_view.h"
#include "results/results_panel.h"
#include "session/recent_paths.h"
#include "studio_app.h"
#include "targets/target_set.h"
#include "targets/target_set_panel.h"
#include "test_results_fixture.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QElapsedTimer>
#include <QImageReader>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

using namespace srdd_gui;

namespace {
constexpr int kTimeoutMs = 540000;

QPoint barPixel(const CompareFigure& fig, size_t panel, int layer) {
  QCPBars* bars = fig.bars[panel];
  for (int i = 0; i < bars->dataCount(); ++i)
    if (int(std::lround(bars->data()->at(i)->key)) == layer) {
      const double mid = bars->baseValue() + bars->data()->at(i)->value / 2;
      return QPoint(int(bars->keyAxis()->coordToPixel(layer)), int(bars->valueAxis()->coordToPixel(mid)));
    }
  return {};
}

QString run(const QString& program, const QStringList& args, int* exitCode) {
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  *exitCode = p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  return QString::fromUtf8(p.readAll());
}

QAction* action(const QWidget& w, const char* name) {
  auto* a = w.findChild<QAction*>(name);
  if (!a) qFatal("no action %s", name);
  return a;
}

QList<int> list(std::initializer_list<int> l) { return QList<int>(l); }
}  // namespace

class TestStudioFlow : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void init() { QSettings().clear(); }
  void scanSelectTargetExportSession();
  void scanFilesAndBadInput();
  void aqnRunsOnTheTargetSet();
  void droppedFilesOpenAsWhatTheyAre();

 private:
  void checkFigureExports(MainWindow& w);
  QTemporaryDir m_tmp;
  QString m_scanFile;
};

void TestStudioFlow::initTestCase() {
  QStandardPaths::setTestModeEnabled(true);
  setApplicationIdentity();
  QVERIFY(m_tmp.isValid());
  m_scanFile = m_tmp.filePath("scan.json");
  bool ok = false;
  const QString out = results_test::runDemoScan(m_scanFile, {}, &ok);
  QVERIFY2(ok, qPrintable(out));
}

void TestStudioFlow::scanSelectTargetExportSession() {
  MainWindow w;
  w.resize(1500, 950);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  w.openModel(srdd_test::demoModelDir());
  QTRY_VERIFY_WITH_TIMEOUT(w.summary(), kTimeoutMs);
  QVERIFY(w.windowTitle().startsWith("demo-model"));

  QSignalSpy finished(&w, &MainWindow::scanFinished);
  QSignalSpy failed(&w, &MainWindow::scanFailed);
  QVERIFY(w.runScan() != 0);
  QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, kTimeoutMs);
  QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));

  // The results page shows the scan, BF16 and MXFP4 side by side; the target set has the model's layers.
  ResultsPanel* results = w.resultsPanel();
  QCOMPARE(w.pages()->currentWidget(), static_cast<QWidget*>(results));
  QVERIFY(results->hasData());
  QCOMPARE(results->scanData()->layerCount(), 6);
  QCOMPARE(results->tabs()->tabText(0), QString("BF16 | MXFP4"));
  const CompareFigure& fig = results->compareView()->figure();
  QCOMPARE(fig.bars.size(), size_t(3));
  QCOMPARE(w.targetSet()->numLayers(), 6);
  QVERIFY(w.targetSet()->isEmpty());
  QVERIFY(w.isModified());
  for (const char* name : {"exportFigure", "exportAllFigures", "exportData", "saveScanResults"})
    QVERIFY2(action(w, name)->isEnabled(), name);

  // A click on layer 3's MXFP4 bar selects it; "Add selected" puts it in the target set.
  results->tabs()->setCurrentIndex(0);
  QCustomPlot* plot = results->compareView()->plot();
  plot->replot();
  QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, barPixel(fig, 1, 3));
  QCOMPARE(results->layerSelection()->selected(), std::set<int>({3}));
  auto* add = w.targetPanel()->findChild<QPushButton*>("addSelected");
  QVERIFY(add->isEnabled());
  QTest::mouseClick(add, Qt::LeftButton);
  QCOMPARE(w.targetSet()->layers(), list({3}));
  QVERIFY(!add->isEnabled());  // everything selected is in the set
  QTest::mouseClick(plot, Qt::LeftButton, Qt::ControlModifier, barPixel(results->compareView()->figure(), 0, 5));
  QCOMPARE(results->layerSelection()->selected(), std::set<int>({3, 5}));
  QTest::mouseClick(add, Qt::LeftButton);
  QCOMPARE(w.targetSet()->layers(), list({3, 5}));

  // Undo/redo through the Edit menu's actions, with the standard shortcuts.
  const std::pair<const char*, QString> keys[] = {{"openModel", "Ctrl+O"},    {"openSession", "Ctrl+Shift+O"},
                                                  {"saveSession", "Ctrl+S"},  {"saveSessionAs", "Ctrl+Shift+S"},
                                                  {"exportFigure", "Ctrl+E"}, {"exportAllFigures", "Ctrl+Shift+E"},
                                                  {"runScan", "Ctrl+R"}};
  for (const auto& [name, key] : keys) QCOMPARE(action(w, name)->shortcut().toString(), key);
  QAction* undo = action(w, "undo");
  QAction* redo = action(w, "redo");
  QCOMPARE(undo->shortcut(), QKeySequence(QKeySequence::Undo));
  QCOMPARE(redo->shortcuts(), QKeySequence::keyBindings(QKeySequence::Redo));
  undo->trigger();
  QCOMPARE(w.targetSet()->layers(), list({3}));
  undo->trigger();
  QVERIFY(w.targetSet()->isEmpty());
  QVERIFY(!undo->isEnabled());
  redo->trigger();
  redo->trigger();
  QCOMPARE(w.targetSet()->layers(), list({3, 5}));

  // Double-clicking an entry (layerActivated) selects that layer in the views.
  Q_EMIT w.targetPanel()->layerActivated(5);
  QCOMPARE(results->layerSelection()->selected(), std::set<int>({5}));

  // Edit > Copy Target Set.
  auto* copyMenu = w.findChild<QMenu*>("copyTargetSet");
  QVERIFY(copyMenu && copyMenu->isEnabled());
  copyMenu->actions().at(0)->trigger();
  QCOMPARE(QApplication::clipboard()->text(), QString("[3, 5]"));
  copyMenu->actions().at(1)->trigger();
  QCOMPARE(QApplication::clipboard()->text(), QString("3,5"));

  checkFigureExports(w);

  // Session: view choices, selection and target set; saving clears the modified marker.
  results->setMetric("kurtosis");
  results->tabs()->setCurrentIndex(1);
  results->layerSelection()->setSelection({0, 5});
  const QString sessionFile = m_tmp.filePath("flow.srdd-session");
  QVERIFY2(w.saveSession(sessionFile), qPrintable(w.errorMessage()));
  QVERIFY(!w.isModified());
  QCOMPARE(w.windowTitle(), QString("flow.srdd-session[*] \u2014 demo-model \u2014 SRDD Studio"));
  QCOMPARE(recentSessions().list().value(0), QFileInfo(sessionFile).absoluteFilePath());
  const Session saved = Session::load(sessionFile);
  QVERIFY(saved.scanResultPath.isEmpty());  // embedded: the file is self-contained
  QCOMPARE(saved.scanResult.value("schema").toString(), QString("srdd-scan/1"));
  w.targetSet()->add({1});
  QVERIFY(w.isModified());
  w.targetSet()->undoStack()->undo();

  MainWindow again;
  again.show();
  QVERIFY(QTest::qWaitForWindowExposed(&again));
  QVERIFY2(again.openSession(sessionFile), qPrintable(again.errorMessage()));
  QTRY_VERIFY_WITH_TIMEOUT(!again.isLoading(), kTimeoutMs);
  QVERIFY(again.summary());
  QCOMPARE(again.scanRunner()->jobsStarted(), 0);  // shown from the session: nothing was scanned
  QCOMPARE(again.scanRunner()->currentJob(), quint64(0));
  QVERIFY(again.resultsPanel()->hasData());
  QCOMPARE(again.lastScan()->scan, w.lastScan()->scan);
  const ScanData& a = *w.resultsPanel()->scanData();
  const ScanData& b = *again.resultsPanel()->scanData();
  QCOMPARE(b.layerCount(), a.layerCount());
  for (int row = 0; row < a.layerCount(); ++row)
    QCOMPARE(b.value(int(row), "kurtosis", Side::Quantized), a.value(int(row), "kurtosis", Side::Quantized));
  QCOMPARE(again.targetSet()->layers(), list({3, 5}));
  QCOMPARE(again.targetSet()->numLayers(), 6);
  QCOMPARE(again.resultsPanel()->layerSelection()->selected(), std::set<int>({0, 5}));
  QCOMPARE(again.resultsPanel()->metric(), QString("kurtosis"));
  QCOMPARE(again.resultsPanel()->tabs()->currentIndex(), 1);
  QCOMPARE(again.resultsPanel()->currentFigureId(), results->currentFigureId());
  QCOMPARE(again.pages()->currentWidget(), static_cast<QWidget*>(again.resultsPanel()));
  QVERIFY(!again.isModified());
  QCOMPARE(again.sessionPath(), QFileInfo(sessionFile).absoluteFilePath());
  // The target panel knows the selection and the problematic layers of the restored scan.
  auto* addAgain = again.targetPanel()->findChild<QPushButton*>("addSelected");
  QVERIFY(addAgain->isEnabled());  // layer 0 is selected, not in the set
  QCOMPARE(again.targetPanel()->findChild<QPushButton*>("allProblematic")->isEnabled(), !b.problematicLayers().empty());
}

// The current figure to PDF, SVG and PNG, its data to CSV/JSON, and every figure into a folder.
void TestStudioFlow::checkFigureExports(MainWindow& w) {
  ResultsPanel* results = w.resultsPanel();
  const QString id = results->currentFigureId();
  QCOMPARE(id, QString("compare:gain:difference"));
  const QString title = figureTitle(*results->scanData(), id);
  QVERIFY(!title.isEmpty());
  const QDir out(m_tmp.filePath("exports"));
  QVERIFY(QDir().mkpath(out.path()));

  ExportOptions o;  // single column, 252 pt wide, 189 pt high or taller where the figure needs it, 8 pt text
  o.format = ExportOptions::Pdf;
  QVERIFY2(w.exportCurrentFigure(out.filePath("fig.pdf"), o), qPrintable(w.errorMessage()));
  int rc = 0;
  const QString info = run("pdfinfo", {out.filePath("fig.pdf")}, &rc);
  QCOMPARE(rc, 0);
  const QRegularExpressionMatch page = QRegularExpression("Page size:\\s+252 x ([0-9.]+) pts").match(info);
  QVERIFY2(page.hasMatch() && page.captured(1).toDouble() >= 189, qPrintable(info));
  QVERIFY2(info.contains(QRegularExpression("Title:\\s+" + QRegularExpression::escape(title) + "\n")),
           qPrintable(info));
  const QString fonts = run("pdffonts", {out.filePath("fig.pdf")}, &rc);
  QVERIFY2(rc == 0 && fonts.contains("DejaVuSans"), qPrintable(fonts));
  run("pdftoppm", {"-png", "-r", "144", "-singlefile", out.filePath("fig.pdf"), out.filePath("fig-pdf")}, &rc);
  QCOMPARE(rc, 0);
  const QImage rendered(out.filePath("fig-pdf.png"));
  QCOMPARE(rendered.width(), 504);  // 252 pt at 144 dpi
  QCOMPARE(rendered.height(), qRound(page.captured(1).toDouble() * 2));
  // The page is not blank: the bars are there (some clearly coloured pixels).
  int coloured = 0;
  for (int y = 0; y < rendered.height(); y += 2)
    for (int x = 0; x < rendered.width(); x += 2)
      if (QColor(rendered.pixel(x, y)).saturation() > 60) ++coloured;
  QVERIFY2(coloured > 200, qPrintable(QString::number(coloured)));

  o.format = ExportOptions::Svg;
  QVERIFY(w.exportCurrentFigure(out.filePath("fig.svg"), o));
  QSvgRenderer svg(out.filePath("fig.svg"));
  QVERIFY(svg.isValid());
  QFile svgFile(out.filePath("fig.svg"));
  QVERIFY(svgFile.open(QIODevice::ReadOnly));
  QXmlStreamReader xml(&svgFile);
  QString svgTitle;
  int paths = 0;
  while (!xml.atEnd()) {
    xml.readNext();
    if (xml.isStartElement() && xml.name() == QLatin1String("title")) svgTitle = xml.readElementText();
    if (xml.isStartElement() && xml.name() == QLatin1String("path")) ++paths;
  }
  QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
  QCOMPARE(svgTitle, title);
  QVERIFY(paths > 10);

  o.format = ExportOptions::Png;
  o.widthPt = ExportOptions::kDoubleColumnPt;
  o.heightPt = 300;
  o.dpi = 150;
  QVERIFY(w.exportCurrentFigure(out.filePath("fig.png"), o));
  QImageReader png(out.filePath("fig.png"));
  QCOMPARE(png.size(), QSize(qRound(516 / 72.0 * 150), qRound(300 / 72.0 * 150)));
  QCOMPARE(png.text("Title"), title);
  QCOMPARE(png.text("Figure"), id);
  QVERIFY(png.text("model").endsWith("demo-model"));

  QVERIFY(w.exportCurrentData(out.filePath("fig.csv")));
  QVERIFY(w.exportCurrentData(out.filePath("fig.json")));
  QFile csv(out.filePath("fig.csv"));
  QVERIFY(csv.open(QIODevice::ReadOnly));
  const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
  QCOMPARE(lines.size(), 7);  // header + 6 layers
  QVERIFY(lines[0].startsWith("layer,bf16_mean"));
  QFile json(out.filePath("fig.json"));
  QVERIFY(json.open(QIODevice::ReadOnly));
  QCOMPARE(QJsonDocument::fromJson(json.readAll()).object().value("figure").toString(), id);
  QVERIFY(!w.exportCurrentData(out.filePath("fig.txt")));
  QVERIFY(w.errorMessage().contains("fig.txt"));

  o = ExportOptions();
  o.format = ExportOptions::Svg;
  const QStringList files = w.exportAllFigures(out.filePath("all"), o);
  const std::vector<FigureSpec> figures = availableFigures(*results->scanData());
  QVERIFY(figures.size() > 10);
  QCOMPARE(files.size(), int(figures.size()) * 3);
  for (const FigureSpec& f : figures)
    for (const char* ext : {".svg", ".csv", ".json"})
      QVERIFY2(QFile::exists(out.filePath("all/" + f.fileStem + ext)), ext);
}

void TestStudioFlow::scanFilesAndBadInput() {
  MainWindow w;
  QSignalSpy shown(&w, &MainWindow::scanShown);
  QElapsedTimer timer;
  timer.start();
  QVERIFY2(w.openScanResults(m_scanFile), qPrintable(w.errorMessage()));
  qInfo("opening the demo scan file and filling every view took %lld ms", static_cast<long long>(timer.elapsed()));
  QCOMPARE(shown.count(), 1);
  QVERIFY(w.resultsPanel()->hasData());
  QCOMPARE(w.targetSet()->numLayers(), 6);
  QVERIFY(QDir(QString::fromStdString(w.lastScan()->request.modelDir)) == QDir(srdd_test::demoModelDir()));
  QVERIFY(w.lastScan()->report.contains("recommendation"));
  QVERIFY(w.windowTitle().startsWith("demo-model[*]"));
  const QString figure = w.resultsPanel()->currentFigureId();

  // A file that is not a scan: the error names it; what was shown stays.
  const QString other = m_tmp.filePath("other.json");
  QFile f(other);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(R"({"schema": "srdd-aqn/1"})");
  f.close();
  QVERIFY(!w.openScanResults(other));
  QVERIFY2(w.errorMessage().contains("other.json"), qPrintable(w.errorMessage()));
  QCOMPARE(shown.count(), 1);
  QCOMPARE(w.resultsPanel()->currentFigureId(), figure);
  QVERIFY(!w.openScanResults(m_tmp.filePath("missing.json")));
  QVERIFY(w.errorMessage().contains("missing.json"));

  // A session with a layer outside the model: the error names the file and nothing changes.
  const QString bad = m_tmp.filePath("bad.srdd-session");
  QFile s(bad);
  QVERIFY(s.open(QIODevice::WriteOnly));
  s.write(R"({"format": "srdd-studio-session", "schema_version": 1, "target_set": {"num_layers": 6, "layers": [7]}})");
  s.close();
  QVERIFY(!w.openSession(bad));
  QVERIFY2(w.errorMessage().contains("bad.srdd-session"), qPrintable(w.errorMessage()));
  QVERIFY(w.sessionPath().isEmpty());
  QVERIFY(w.resultsPanel()->hasData());

  // A session that refers to the scan file (instead of embedding it) opens as well.
  Session byPath;
  byPath.scanResultPath = m_scanFile;
  byPath.numLayers = 6;
  byPath.targetLayers = {1, 2};
  byPath.currentTab = "aqn";
  const QString linked = m_tmp.filePath("linked.srdd-session");
  byPath.save(linked);
  MainWindow other2;
  QVERIFY2(other2.openSession(linked), qPrintable(other2.errorMessage()));
  QCOMPARE(other2.targetSet()->layers(), list({1, 2}));
  QCOMPARE(other2.pages()->currentWidget(), other2.pages()->widget(MainWindow::AqnPage));
  QCOMPARE(other2.resultsPanel()->scanData()->sourcePath(), m_scanFile);
}

// "Run AQN…" opens the dialog on the target set; a tiny real comparison runs and its result is kept in sessions.
void TestStudioFlow::aqnRunsOnTheTargetSet() {
  MainWindow w;
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QVERIFY(w.openScanResults(m_scanFile));
  w.targetSet()->add({2, 4});
  w.aqnWorkspace()->setRunRoot(m_tmp.filePath("runs"));
  QVERIFY(w.aqnWorkspace()->runAction()->isEnabled());
  w.aqnWorkspace()->runAction()->trigger();
  QCOMPARE(w.currentPage(), MainWindow::AqnPage);
  QVERIFY(w.pages()->currentWidget()->isAncestorOf(w.aqnWorkspace()));
  AqnDialog* dialog = nullptr;
  QTRY_VERIFY((dialog = w.aqnWorkspace()->findChild<AqnDialog*>()) != nullptr);
  srdd::aqn::ComparisonSettings settings = dialog->settings();
  QCOMPARE(settings.targets, std::vector<int>({2, 4}));
  QVERIFY(QDir(QString::fromStdString(settings.modelDirectory)) == QDir(srdd_test::demoModelDir()));
  dialog->reject();

  // 2 configurations x 2 seeds x 3 steps, from the dialog's settings.
  settings.configs = {"baseline", "targeted"};
  settings.seeds = 2;
  settings.train.steps = 3;
  settings.train.batchSize = 2;
  settings.train.seqLength = 32;
  settings.noise.schedule.levels = 2;
  settings.noise.schedule.warmupFraction = 0;
  settings.data.evalSeqLength = 64;
  settings.data.evalTokens = 256;
  QSignalSpy finished(w.aqnWorkspace()->queue(), &AqnJobQueue::jobFinished);
  QSignalSpy failedJob(w.aqnWorkspace()->queue(), &AqnJobQueue::jobFailed);
  const QString runDir = m_tmp.filePath("runs/tiny");
  w.aqnWorkspace()->enqueue(settings, runDir);
  QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failedJob.count() > 0, kTimeoutMs);
  QVERIFY2(failedJob.isEmpty(), failedJob.isEmpty() ? "" : qPrintable(failedJob.at(0).at(1).toString()));
  QTRY_VERIFY(w.aqnWorkspace()->resultsView()->result());
  const srdd::aqn::ComparisonResult* result = w.aqnWorkspace()->resultsView()->result();
  QCOMPARE(result->configs.size(), size_t(2));
  QCOMPARE(result->settings.targets, std::vector<int>({2, 4}));
  QCOMPARE(result->runs.size(), size_t(4));

  const QString sessionFile = m_tmp.filePath("aqn.srdd-session");
  QVERIFY(w.saveSession(sessionFile));
  MainWindow again;
  QVERIFY(again.openSession(sessionFile));
  QVERIFY(QDir(again.aqnWorkspace()->resultsView()->runDirectory()) == QDir(runDir));
  QVERIFY(again.aqnWorkspace()->resultsView()->result());
  QCOMPARE(again.aqnWorkspace()->resultsView()->result()->runs.size(), size_t(4));
  QCOMPARE(again.currentPage(), MainWindow::AqnPage);
}

// A dropped scan results file shows the scan; a dropped session opens it; a file of a model opens the model.
void TestStudioFlow::droppedFilesOpenAsWhatTheyAre() {
  Session session;
  session.scanResultPath = m_scanFile;
  session.numLayers = 6;
  session.targetLayers = {0};
  const QString sessionFile = m_tmp.filePath("dropped.srdd-session");
  session.save(sessionFile);

  MainWindow w;
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  const auto drop = [&w](const QString& file) {
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(file)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QDropEvent event(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &event);
    return enter.isAccepted() && event.isAccepted();
  };
  QVERIFY(drop(m_scanFile));
  QVERIFY(w.resultsPanel()->hasData());
  QVERIFY(w.sessionPath().isEmpty());
  QVERIFY(!w.isLoading());
  QVERIFY(drop(sessionFile));
  QCOMPARE(w.sessionPath(), sessionFile);
  QCOMPARE(w.targetSet()->layers(), list({0}));
  QVERIFY(drop(srdd_test::demoModelDir() + "/tokenizer.json"));
  QVERIFY(w.isLoading());
  QTRY_VERIFY_WITH_TIMEOUT(w.summary(), kTimeoutMs);
  QCOMPARE(w.sessionPath(), sessionFile);  // the session stays open
}

QTEST_MAIN(TestStudioFlow)
#include "test_studio_flow.moc"
