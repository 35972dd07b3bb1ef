// MainWindow against a real random-weight checkpoint written by `srdd make-random`.
#include <srdd/model_summary.h>

#include "architecture_panel.h"
#include "layer_table_model.h"
#include "main_window.h"
#include "model_loader.h"
#include "model_summary_view.h"
#include "recent_models.h"
#include "scan/scan_setup_panel.h"
#include "session/recent_paths.h"
#include "studio_app.h"
#include "targets/target_set.h"
#include "tensor_table_model.h"
#include "test_support.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QTabWidget>
#include <QFile>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

using srdd_gui::LayerTableModel;
using srdd_gui::MainWindow;

namespace {
// Qwen2.5-0.5B (config.json of the Hugging Face model), cut to 2 decoder layers.
constexpr int64_t kHidden = 896, kInter = 4864, kHeads = 14, kKvHeads = 2, kVocab = 151936, kLayers = 2;
constexpr int64_t kHeadDim = kHidden / kHeads;
constexpr int64_t kKvDim = kKvHeads * kHeadDim;
// q/k/v projections carry biases, o_proj does not; two RMSNorm weights per layer.
constexpr int64_t kLayerParams = (kHidden * kHidden + kHidden) + 2 * (kHidden * kKvDim + kKvDim) + kHidden * kHidden +
                                 3 * kHidden * kInter + 2 * kHidden;
// Tied lm_head: the embedding matrix is counted once; plus the final norm.
constexpr int64_t kTotalParams = kVocab * kHidden + kLayers * kLayerParams + kHidden;
constexpr int kLoadTimeoutMs = 120000;
}  // namespace

class TestMainWindow : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void tableModelsPassModelTester();
  void loadsCheckpoint();
  void numericSortOnParameters();
  void missingConfigShowsError();
  void truncatedSafetensorsShowsError();
  void nonexistentDirectoryShowsError();
  void supersededLoadIsIgnored_data();
  void supersededLoadIsIgnored();
  void dropOfFolderOpensIt();
  void remembersGeometry();
  void remembersDockLayout();
  void panelsAndPagesPlugIn();
  void helpAndVersionWithoutDisplay();
  void recentModelsNewestFirstCappedAndPruned();
  void recentMenusOpenModelsAndSessions();
  void loadedModelSizesTargetSetAndTitle();
  void defaultModelFromEnvironment();

 private:
  QTemporaryDir m_tmp;
  QString m_model, m_noConfig, m_truncated;
};

void TestMainWindow::initTestCase() {
  QStandardPaths::setTestModeEnabled(true);  // QSettings go to a throw-away test location
  srdd_gui::setApplicationIdentity();
  QSettings().clear();
  QVERIFY(m_tmp.isValid());
  m_model = m_tmp.filePath("qwen-2l");
  QProcess cli;
  cli.setProcessChannelMode(QProcess::MergedChannels);
  cli.start(srdd_test::cliPath(),
            {"make-random", "--like", "qwen2.5-0.5b", m_model, "--layers", "2", "--dtype", "bf16"});
  QVERIFY2(cli.waitForFinished(300000), "srdd make-random did not finish");
  QVERIFY2(cli.exitStatus() == QProcess::NormalExit && cli.exitCode() == 0, cli.readAll().constData());
  QVERIFY(QFile::exists(m_model + "/config.json"));

  // Broken copies: weights without config.json; config.json with the weights cut after 1 MiB.
  m_noConfig = m_tmp.filePath("no-config");
  QVERIFY(QDir().mkpath(m_noConfig));
  QVERIFY(QFile::link(m_model + "/model.safetensors", m_noConfig + "/model.safetensors"));
  m_truncated = m_tmp.filePath("truncated");
  QVERIFY(QDir().mkpath(m_truncated));
  QVERIFY(QFile::copy(m_model + "/config.json", m_truncated + "/config.json"));
  QFile in(m_model + "/model.safetensors"), out(m_truncated + "/model.safetensors");
  QVERIFY(in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly));
  QVERIFY(in.size() > (1 << 20));
  out.write(in.read(1 << 20));
}

void TestMainWindow::tableModelsPassModelTester() {
  const srdd::ModelSummary s = srdd::summarizeModel(m_model.toStdString());
  LayerTableModel layers;
  QSortFilterProxyModel proxy;
  proxy.setSourceModel(&layers);
  proxy.setSortRole(LayerTableModel::SortRole);
  srdd_gui::TensorTableModel tensors;
  QAbstractItemModelTester t1(&layers, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QAbstractItemModelTester t3(&tensors, QAbstractItemModelTester::FailureReportingMode::QtTest);
  layers.setRows(s.rows);
  QCOMPARE(layers.rowCount(), int(kLayers) + 3);
  QCOMPARE(layers.columnCount(), 4);
  for (int c = 0; c < LayerTableModel::ColumnCount; ++c) {
    proxy.sort(c, Qt::DescendingOrder);
    proxy.sort(c, Qt::AscendingOrder);
  }
  tensors.setTensors(s.rows[1].tensors);
  QCOMPARE(tensors.rowCount(), 12);  // q/k/v weight+bias, o_proj, gate/up/down, 2 norms
  tensors.clear();
  layers.clear();
  QCOMPARE(proxy.rowCount(), 0);
}

void TestMainWindow::loadsCheckpoint() {
  MainWindow w;
  QSignalSpy loaded(&w, &MainWindow::modelLoaded);
  w.openModel(m_model);
  QVERIFY(w.isLoading());
  QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), kLoadTimeoutMs);
  QCOMPARE(loaded.count(), 1);
  QVERIFY2(w.errorMessage().isEmpty(), qPrintable(w.errorMessage()));
  QVERIFY(w.summary());

  srdd_gui::ModelSummaryView* view = w.summaryView();
  LayerTableModel* layers = view->layerModel();
  QCOMPARE(layers->rowCount(), int(kLayers) + 3);
  QCOMPARE(layers->index(0, LayerTableModel::NameColumn).data().toString(), QString("embeddings"));
  QCOMPARE(layers->index(1, LayerTableModel::NameColumn).data().toString(), QString("layer 0"));
  QCOMPARE(layers->index(1, LayerTableModel::ParametersColumn).data(LayerTableModel::SortRole).toLongLong(),
           kLayerParams);
  QCOMPARE(layers->index(2, LayerTableModel::ParametersColumn).data(LayerTableModel::SortRole).toLongLong(),
           kLayerParams);
  QCOMPARE(layers->index(0, LayerTableModel::ParametersColumn).data(LayerTableModel::SortRole).toLongLong(),
           kVocab * kHidden);
  QCOMPARE(layers->index(1, LayerTableModel::DTypeColumn).data().toString(), QString("BF16"));
  QCOMPARE(layers->index(1, LayerTableModel::TensorsColumn).data().toInt(), 12);
  QCOMPARE(w.summary()->totalParameters, kTotalParams);

  srdd_gui::ArchitecturePanel* arch = view->architecturePanel();
  QCOMPARE(arch->valueText("architecture"), QString("Qwen2ForCausalLM"));
  QCOMPARE(arch->valueText("layers"), QString::number(kLayers));
  QCOMPARE(arch->valueText("heads"), QString("%1 / %2").arg(kHeads).arg(kKvHeads));
  QCOMPARE(arch->valueText("headDim"), QString::number(kHeadDim));
  QCOMPARE(arch->valueText("parameters"), QString::number(static_cast<double>(kTotalParams) / 1e6, 'f', 2) + " M");
  QCOMPARE(arch->valueText("tiedEmbeddings"), QString("yes"));
  QCOMPARE(arch->valueText("files"), QString("model.safetensors"));

  // The detail table follows the selected row.
  view->selectLayer(1);
  QCOMPARE(view->tensorModel()->rowCount(), 12);
  QVERIFY(view->tensorModel()
              ->index(0, srdd_gui::TensorTableModel::NameColumn)
              .data()
              .toString()
              .startsWith("model.layers.0."));
  view->selectLayer(0);
  QCOMPARE(view->tensorModel()->rowCount(), 1);
  QCOMPARE(view->tensorModel()->index(0, srdd_gui::TensorTableModel::ShapeColumn).data().toString(),
           QString("%1 × %2").arg(kVocab).arg(kHidden));

  QVERIFY2(w.statusText().startsWith("Loaded "), qPrintable(w.statusText()));
  QCOMPARE(srdd_gui::RecentModels::list().value(0), QDir(m_model).absolutePath());
}

void TestMainWindow::numericSortOnParameters() {
  MainWindow w;
  w.openModel(m_model);
  QTRY_VERIFY_WITH_TIMEOUT(w.summary(), kLoadTimeoutMs);
  QSortFilterProxyModel* proxy = w.summaryView()->layerProxy();
  proxy->sort(LayerTableModel::ParametersColumn, Qt::DescendingOrder);
  // By text, "896" (final norm) would sort above "14,912,384" (a layer) and "136,134,656".
  const auto nameAt = [proxy](int row) { return proxy->index(row, LayerTableModel::NameColumn).data().toString(); };
  QCOMPARE(nameAt(0), QString("embeddings"));
  QVERIFY(nameAt(1).startsWith("layer "));
  QVERIFY(nameAt(2).startsWith("layer "));
  QCOMPARE(nameAt(3), QString("final norm"));
  QCOMPARE(nameAt(4), QString("lm_head (tied)"));
}

void TestMainWindow::missingConfigShowsError() {
  MainWindow w;
  QSignalSpy failed(&w, &MainWindow::loadFailed);
  w.openModel(m_noConfig);
  QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), kLoadTimeoutMs);
  QCOMPARE(failed.count(), 1);
  QVERIFY2(w.errorMessage().contains("config.json"), qPrintable(w.errorMessage()));
  QVERIFY(w.statusText().contains(w.errorMessage()));
  QVERIFY(!w.summary());
  QCOMPARE(w.summaryView()->layerModel()->rowCount(), 0);
}

void TestMainWindow::truncatedSafetensorsShowsError() {
  MainWindow w;
  w.openModel(m_truncated);
  QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), kLoadTimeoutMs);
  QVERIFY2(w.errorMessage().contains("model.safetensors"), qPrintable(w.errorMessage()));
  QVERIFY(w.statusText().contains("model.safetensors"));
  QVERIFY(!w.summary());

  // A good model loaded afterwards clears the error.
  w.openModel(m_model);
  QTRY_VERIFY_WITH_TIMEOUT(w.summary(), kLoadTimeoutMs);
  QVERIFY(w.errorMessage().isEmpty());
}

void TestMainWindow::nonexistentDirectoryShowsError() {
  MainWindow w;
  const QString missing = m_tmp.filePath("does-not-exist");
  w.openModel(missing);
  QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), kLoadTimeoutMs);
  QVERIFY2(w.errorMessage().contains("does-not-exist"), qPrintable(w.errorMessage()));
}

void TestMainWindow::supersededLoadIsIgnored_data() {
  QTest::addColumn<bool>("goodFirst");
  QTest::newRow("good load superseded by a broken one") << true;
  QTest::newRow("broken load superseded by a good one") << false;
}

void TestMainWindow::supersededLoadIsIgnored() {
  QFETCH(bool, goodFirst);
  MainWindow w;
  QSignalSpy loaded(&w, &MainWindow::modelLoaded);
  QSignalSpy failed(&w, &MainWindow::loadFailed);
  w.openModel(goodFirst ? m_model : m_noConfig);
  w.openModel(goodFirst ? m_noConfig : m_model);
  // Wait for both workers, so the superseded one has had every chance to report.
  QTRY_VERIFY_WITH_TIMEOUT(w.loader()->runningWorkers() == 0, kLoadTimeoutMs);
  QTRY_VERIFY(!w.isLoading());
  QCOMPARE(loaded.count(), goodFirst ? 0 : 1);
  QCOMPARE(failed.count(), goodFirst ? 1 : 0);
  QCOMPARE(w.summary() != nullptr, !goodFirst);
  QCOMPARE(w.errorMessage().isEmpty(), !goodFirst);
  QCOMPARE(w.summaryView()->layerModel()->rowCount(), goodFirst ? 0 : int(kLayers) + 3);
}

void TestMainWindow::dropOfFolderOpensIt() {
  QMimeData folder, fileInside, remote;
  folder.setUrls({QUrl::fromLocalFile(m_model)});
  fileInside.setUrls({QUrl::fromLocalFile(m_model + "/config.json")});
  remote.setUrls({QUrl("https://example.com/model")});
  QCOMPARE(MainWindow::directoryFromDrop(&folder), QDir(m_model).absolutePath());
  QCOMPARE(MainWindow::directoryFromDrop(&fileInside), QDir(m_model).absolutePath());
  QVERIFY(MainWindow::directoryFromDrop(&remote).isEmpty());

  MainWindow w;
  w.show();
  QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &folder, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&w, &enter);
  QVERIFY(enter.isAccepted());
  QDragEnterEvent refused(QPoint(10, 10), Qt::CopyAction, &remote, Qt::LeftButton, Qt::NoModifier);
  refused.setAccepted(false);
  QApplication::sendEvent(&w, &refused);
  QVERIFY(!refused.isAccepted());
  QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &folder, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&w, &drop);
  QVERIFY(w.isLoading());
  QTRY_VERIFY_WITH_TIMEOUT(w.summary(), kLoadTimeoutMs);
  QCOMPARE(QString::fromStdString(w.summary()->directory), QDir(m_model).absolutePath());
}

void TestMainWindow::remembersGeometry() {
  {
    MainWindow w;
    w.show();
    w.resize(900, 610);
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.close();
  }
  MainWindow again;
  QCOMPARE(again.size(), QSize(900, 610));
}

void TestMainWindow::remembersDockLayout() {
  {
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto* dock = w.findChild<QDockWidget*>("scanSetupDock");
    QVERIFY(dock && dock->isVisible());
    QCOMPARE(w.dockWidgetArea(dock), Qt::LeftDockWidgetArea);
    w.addDockWidget(Qt::RightDockWidgetArea, dock);
    w.close();
  }
  {
    MainWindow again;
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    auto* dock = again.findChild<QDockWidget*>("scanSetupDock");
    QCOMPARE(again.dockWidgetArea(dock), Qt::RightDockWidgetArea);
    dock->hide();
    again.close();
  }
  MainWindow third;
  third.show();
  QVERIFY(QTest::qWaitForWindowExposed(&third));
  QVERIFY(third.findChild<QDockWidget*>("scanSetupDock")->isHidden());
  QSettings().remove("mainWindow/state");
}

void TestMainWindow::panelsAndPagesPlugIn() {
  MainWindow w;
  const int pages = w.pages()->count();
  QStringList titles;
  for (int i = 0; i < pages; ++i) titles << w.pages()->tabText(i);
  QCOMPARE(titles, QStringList({"Model", "Results", "AQN", "Scan Report"}));
  auto* page = new QLabel("extra");
  QCOMPARE(w.addCentralPage(page, "Extra"), pages);
  QCOMPARE(w.pages()->tabText(pages), QString("Extra"));
  auto* targets = w.findChild<QDockWidget*>("targetSetDock");
  QVERIFY(targets);
  QCOMPARE(w.dockWidgetArea(targets), Qt::RightDockWidgetArea);
  QDockWidget* dock = w.addPanelDock(new QLabel("extra"), "Extra", "extraDock", Qt::RightDockWidgetArea);
  QCOMPARE(dock->objectName(), QString("extraDock"));
  QCOMPARE(w.dockWidgetArea(dock), Qt::RightDockWidgetArea);
  bool listed = false;
  for (QAction* a : w.menuBar()->actions())
    if (a->menu() && a->menu()->actions().contains(dock->toggleViewAction())) listed = true;
  QVERIFY(listed);  // the View menu toggles it
}

// --help and --version print and exit without a display (e.g. over ssh).
void TestMainWindow::helpAndVersionWithoutDisplay() {
  const QString studio = QFileInfo(srdd_test::cliPath()).dir().filePath("srdd-studio");
  QVERIFY2(QFileInfo(studio).isExecutable(), qPrintable(studio + " is not built"));
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  for (const char* var : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(var);
  for (const QString& option : {QString("--version"), QString("--help")}) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(studio, {option});
    QVERIFY(p.waitForFinished(60000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, qPrintable(p.readAllStandardError()));
    if (option == "--version")
      QVERIFY2(out.contains(SRDD_VERSION), qPrintable(out));
    else
      QVERIFY2(out.contains("--scan") && out.contains("--screenshot") && out.contains("MODEL_DIR") &&
                   out.contains("--export") && out.contains("--width-pt") && !out.contains("--demo-select"),
               qPrintable(out));
  }
}

void TestMainWindow::recentModelsNewestFirstCappedAndPruned() {
  srdd_gui::RecentModels::clear();
  QStringList dirs;
  for (int i = 0; i < srdd_gui::RecentModels::kMax + 2; ++i) {
    dirs << m_tmp.filePath(QString("recent-%1").arg(i));
    QVERIFY(QDir().mkpath(dirs.back()));
    srdd_gui::RecentModels::add(dirs.back());
  }
  srdd_gui::RecentModels::add(dirs[5]);  // re-opening moves it to the front, without a duplicate
  QStringList l = srdd_gui::RecentModels::list();
  QCOMPARE(l.size(), srdd_gui::RecentModels::kMax);
  QCOMPARE(l.value(0), dirs[5]);
  QCOMPARE(l.value(1), dirs[9]);
  QCOMPARE(l.count(dirs[5]), 1);
  QVERIFY(QDir(dirs[9]).removeRecursively());
  l = srdd_gui::RecentModels::list();
  QVERIFY(!l.contains(dirs[9]));
  QCOMPARE(l.value(1), dirs[8]);
}

// File > Open Recent and Recent Sessions list what was opened / saved, newest first, and open it again.
void TestMainWindow::recentMenusOpenModelsAndSessions() {
  srdd_gui::RecentModels::clear();
  srdd_gui::recentSessions().clear();
  srdd_gui::RecentModels::add(m_model + "/");  // one entry per directory, however it is spelled
  srdd_gui::RecentModels::add(m_model);
  QCOMPARE(srdd_gui::RecentModels::list(), QStringList({QDir(m_model).absolutePath()}));

  MainWindow w;
  auto* models = w.findChild<QMenu*>("recentModels");
  auto* sessions = w.findChild<QMenu*>("recentSessions");
  QVERIFY(models && sessions);
  Q_EMIT models->aboutToShow();
  QCOMPARE(models->actions().first()->text(), QDir::toNativeSeparators(QDir(m_model).absolutePath()));
  models->actions().first()->trigger();
  QVERIFY(w.isLoading());
  QTRY_VERIFY_WITH_TIMEOUT(w.summary(), kLoadTimeoutMs);

  const QString file = m_tmp.filePath("recent.srdd-session");
  QVERIFY(w.saveSession(file));
  Q_EMIT sessions->aboutToShow();
  QCOMPARE(sessions->actions().first()->text(), QDir::toNativeSeparators(file));
  MainWindow other;
  auto* otherSessions = other.findChild<QMenu*>("recentSessions");
  Q_EMIT otherSessions->aboutToShow();
  otherSessions->actions().first()->trigger();
  QCOMPARE(other.sessionPath(), file);
  QCOMPARE(other.targetSet()->numLayers(), int(kLayers));
  QFile::remove(file);  // gone files leave the menu
  Q_EMIT sessions->aboutToShow();
  QCOMPARE(sessions->actions().size(), 1);  // "Clear Menu" only
  QVERIFY(!sessions->actions().first()->isEnabled());
}

void TestMainWindow::loadedModelSizesTargetSetAndTitle() {
  MainWindow w;
  QCOMPARE(w.windowTitle(), QString("SRDD Studio[*]"));
  w.openModel(m_model);
  QTRY_VERIFY_WITH_TIMEOUT(w.summary(), kLoadTimeoutMs);
  QCOMPARE(w.windowTitle(), QString("qwen-2l[*] \u2014 SRDD Studio"));
  QCOMPARE(w.targetSet()->numLayers(), int(kLayers));  // a set can be built (paste, invert) before a scan
  QVERIFY(!w.isModified());
  w.targetSet()->invert();
  QVERIFY(w.isModified());
  QCOMPARE(w.targetSet()->layers(), QList<int>({0, 1}));
}

void TestMainWindow::defaultModelFromEnvironment() {
  qputenv("SRDD_DEMO_MODEL", m_model.toLocal8Bit());
  QCOMPARE(srdd_gui::defaultModelDirectory(), m_model);
  qputenv("SRDD_DEMO_MODEL", m_tmp.filePath("does-not-exist").toLocal8Bit());
  QVERIFY(srdd_gui::defaultModelDirectory().isEmpty());
  qunsetenv("SRDD_DEMO_MODEL");
}

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
