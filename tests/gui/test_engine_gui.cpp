// The desktop app driving engines in other processes, with real widgets (offscreen): a scan of the demo
// model through `srdd serve --stdio` (and through ssh to a real sshd on 127.0.0.1) shows its results in the
// results views, equal to the same scan by the CLI in-process; the Engine dialog's Test connection shows
// the child's handshake; the model picker browses the engine's host and opens the model chosen there.
#include "engine/engine_client.h"
#include "engine/engine_dialog.h"
#include "engine/engine_status_widget.h"
#include "engine/remote_model_picker.h"
#include "local_sshd.h"
#include "main_window.h"
#include "results/ranked_layer_view.h"
#include "results/metric_compare_view.h"
#include "results/results_panel.h"
#include "results/scan_data.h"
#include "scan/scan_job_runner.h"
#include "scan/scan_setup_panel.h"
#include "studio_app.h"
#include "test_results_fixture.h"
#include "test_support.h"

#include <srdd/engine.h>

#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace srdd_gui;

namespace {
constexpr int kTimeoutMs = 300000;
const char* const kPinned = "2026-01-01T00:00:00Z";

QString serveCommand() { return srdd_test::cliPath() + QStringLiteral(" serve --stdio"); }

srdd::ScanRequest smallScan() {
  srdd::ScanRequest r;
  r.modelDir = srdd_test::demoModelDir().toStdString();
  r.scans = {"gain", "kurtosis"};
  r.prompts = "builtin:srdd";
  r.maxTokens = 16;
  r.createdUtc = kPinned;
  return r;
}

bool waitConnected(EngineClient* c) {
  return QTest::qWaitFor([c] { return c->state() != EngineClient::State::Connecting; }, kTimeoutMs) &&
         c->state() == EngineClient::State::Connected;
}

QString labelText(QWidget* parent, const QString& name) {
  auto* l = parent->findChild<QLabel*>(name);
  return l ? l->text() : QStringLiteral("<no %1>").arg(name);
}

// The scan document without what names the engine that ran it.
// Without the fields that describe where it ran: the engine and the thread count of the process that scanned.
nlohmann::json withoutEngine(nlohmann::json scan) {
  scan["provenance"].erase("engine");
  scan["provenance"].erase("threads");
  return scan;
}
}  // namespace

class TestEngineGui : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void scanThroughChildProcessEngineShowsResults();
  void engineDialogTestConnectionShowsHandshake();
  void modelPickerBrowsesTheEngineHost();
  void scanThroughSshEngine();

 private:
  // Runs the small scan in W (connected to some engine) and checks what the views show against the CLI's file.
  void scanAndCompare(MainWindow& w);
  QTemporaryDir m_tmp;
  nlohmann::json m_cliScan;
  std::unique_ptr<srdd_test::LocalSshd> m_sshd;
};

void TestEngineGui::initTestCase() {
  m_sshd = std::make_unique<srdd_test::LocalSshd>();
  QStandardPaths::setTestModeEnabled(true);
  setApplicationIdentity();
  QSettings().clear();
  QVERIFY(m_tmp.isValid());
  // The same scan by the CLI, in-process: what every engine must reproduce.
  bool ok = false;
  const QString cli = m_tmp.filePath("cli.json");
  const QString out = results_test::runDemoScan(
      cli, {"--scans", "gain,kurtosis", "--prompts", "builtin:srdd", "--max-tokens", "16"}, &ok);
  QVERIFY2(ok, qPrintable(out));
  QFile f(cli);
  QVERIFY(f.open(QIODevice::ReadOnly));
  m_cliScan = nlohmann::json::parse(f.readAll().toStdString());
}

void TestEngineGui::scanAndCompare(MainWindow& w) {
  w.setupPanel()->setRequest(smallScan());
  QVERIFY2(w.setupPanel()->validationError().isEmpty(), qPrintable(w.setupPanel()->validationError()));
  QSignalSpy finished(&w, &MainWindow::scanFinished);
  QSignalSpy failed(&w, &MainWindow::scanFailed);
  QVERIFY(w.runScan() != 0);
  QCOMPARE(w.engineStatus()->stateName(), QString("busy"));
  QVERIFY(w.engineStatus()->text().endsWith("busy"));
  QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, kTimeoutMs);
  QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
  QCOMPARE(w.engineStatus()->stateName(), QString("connected"));

  const ScanOutcomePtr outcome = w.lastScan();
  QVERIFY(outcome);
  // Byte for byte the CLI's document, except provenance.engine, which names the engine and its host.
  const nlohmann::json& engine = outcome->scan["provenance"]["engine"];
  QCOMPARE(QString::fromStdString(engine["host"].get<std::string>()), QSysInfo::machineHostName());
  QCOMPARE(QString::fromStdString(engine["name"].get<std::string>()), w.engineClient()->description());
  const nlohmann::json difference = nlohmann::json::diff(withoutEngine(m_cliScan), withoutEngine(outcome->scan));
  QVERIFY2(difference.empty(), difference.dump().substr(0, 600).c_str());
  QCOMPARE(srdd::scanJsonText(withoutEngine(outcome->scan)), srdd::scanJsonText(withoutEngine(m_cliScan)));

  // The results views show it.
  ResultsPanel* results = w.resultsPanel();
  QVERIFY(results->hasData());
  QCOMPARE(w.pages()->currentWidget(), static_cast<QWidget*>(results));
  const ScanData& shown = *results->scanData();
  QCOMPARE(shown.engineHost(), QSysInfo::machineHostName());
  QVERIFY(shown.metadataText().contains("engine: " + QSysInfo::machineHostName()));
  const ScanData cli = ScanData::fromJson(m_cliScan, "cli.json");
  QCOMPARE(shown.layerCount(), 6);
  for (int row = 0; row < 6; ++row)
    for (const char* m : {"gain", "kurtosis"}) {
      QCOMPARE(shown.value(row, m, Side::Bf16), cli.value(row, m, Side::Bf16));
      QCOMPARE(shown.value(row, m, Side::Quantized), cli.value(row, m, Side::Quantized));
    }
  QCOMPARE(results->rankedView()->proxy()->rowCount(), 6);
  const CompareFigure& fig = results->compareView()->figure();
  QCOMPARE(fig.rects.size(), size_t(3));
  QCOMPARE(fig.bars[1]->data()->size(), 6);
  QCOMPARE(fig.bars[1]->data()->at(2)->value, cli.value(2, fig.series.metric, Side::Quantized));
}

void TestEngineGui::scanThroughChildProcessEngineShowsResults() {
  MainWindow w;
  w.show();
  QCOMPARE(w.engineStatus()->stateName(), QString("connected"));
  QVERIFY(w.engineStatus()->text().contains("in-process"));
  QVERIFY(!w.connectEngine(serveCommand()));  // not a saved name: a command line
  QVERIFY2(waitConnected(w.engineClient()), qPrintable(w.engineClient()->errorMessage()));
  QVERIFY(!w.engineClient()->isInProcess());
  QVERIFY(w.setupPanel()->isRemoteEngine());
  QVERIFY(w.engineStatus()->text().contains("CPU"));
  scanAndCompare(w);
}

void TestEngineGui::engineDialogTestConnectionShowsHandshake() {
  MainWindow w;
  w.show();
  EngineDialog* d = w.showEngineDialog();
  QCOMPARE(d->list()->item(0)->text(), QString("In-process"));
  EngineConnection child;
  child.name = "child";
  child.kind = EngineConnection::Kind::LocalProcess;
  child.program = srdd_test::cliPath();
  d->addConnection(child);
  QCOMPARE(d->current().name, QString("child"));
  QSignalSpy tested(d, &EngineDialog::tested);
  QTest::mouseClick(d->testButton(), Qt::LeftButton);
  QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 1, kTimeoutMs);
  QVERIFY2(tested.at(0).at(0).toBool(), qPrintable(d->testStatus()));
  QVERIFY(d->testStatus().startsWith("Connected in"));
  // The handshake of that process, as shown.
  const srdd_test::CliRun version = srdd_test::runCli({"--version"});
  QCOMPARE(labelText(d, "hs_host"), QSysInfo::machineHostName());
  QCOMPARE(labelText(d, "hs_protocol"), QString::number(srdd::engine::kProtocolVersion));
  QVERIFY2(version.out.contains(labelText(d, "hs_srdd").section(' ', 0, 0)), qPrintable(labelText(d, "hs_srdd")));
  QVERIFY(!labelText(d, "hs_libtorch").isEmpty());
  QCOMPARE(labelText(d, "hs_cuda_kernels"), QString("no"));  // the CPU build
  QVERIFY2(labelText(d, "hs_device_0").startsWith("cpu \u00b7 "), qPrintable(labelText(d, "hs_device_0")));
  QVERIFY(labelText(d, "hs_device_0").contains("GiB"));  // the host's memory
  QVERIFY(w.engineClient()->isInProcess());              // a test does not touch the app's engine

  // A binary that is not there: the reason, no handshake.
  EngineConnection missing = child;
  missing.name = "missing";
  missing.program = m_tmp.filePath("no-such-srdd");
  d->addConnection(missing);
  d->testConnection();
  QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 2, kTimeoutMs);
  QVERIFY(!tested.at(1).at(0).toBool());
  QVERIFY2(d->testStatus().contains("no-such-srdd"), qPrintable(d->testStatus()));
  QVERIFY(d->handshakeRows().isEmpty());
  d->close();

  // Saved: a new dialog lists them; Connect makes the app use one.
  EngineDialog* again = w.showEngineDialog();
  QCOMPARE(again->list()->count(), 3);
  again->selectConnection("child");
  QCOMPARE(again->current().program, srdd_test::cliPath());
  again->connectApp();
  QCOMPARE(w.engineClient()->connectionName(), QString("child"));
  QVERIFY(waitConnected(w.engineClient()));
  QVERIFY(w.engineStatus()->text().startsWith("Engine: child"));
  QCOMPARE(EngineConnection::currentName(*std::make_unique<QSettings>()), QString("child"));
}

void TestEngineGui::modelPickerBrowsesTheEngineHost() {
  QTemporaryDir cache;
  QVERIFY(QDir(cache.path()).mkpath("models--org--tiny/snapshots/abc123"));
  QVERIFY(QFile::copy(srdd_test::demoModelDir() + "/config.json",
                      cache.filePath("models--org--tiny/snapshots/abc123/config.json")));
  qputenv("HF_HUB_CACHE", cache.path().toUtf8());  // the child engine inherits it...
  MainWindow w;
  w.show();
  w.connectEngine(serveCommand() + " --direct");  // ...when it runs the jobs itself, not in a daemon started earlier
  QVERIFY(waitConnected(w.engineClient()));
  RemoteModelPicker* picker = w.browseEngineModels();
  QSignalSpy listed(picker, &RemoteModelPicker::listed);
  QTRY_VERIFY_WITH_TIMEOUT(!listed.isEmpty(), kTimeoutMs);  // the engine's home folder
  picker->listHfCache();
  QTRY_COMPARE_WITH_TIMEOUT(listed.count(), 2, kTimeoutMs);
  QCOMPARE(picker->list()->count(), 1);
  QVERIFY(picker->list()->item(0)->text().contains("org/tiny"));
  picker->listDirectory(srdd_test::sourceDir() + "/resources");
  QTRY_COMPARE_WITH_TIMEOUT(listed.count(), 3, kTimeoutMs);
  QList<QListWidgetItem*> demo = picker->list()->findItems("demo-model", Qt::MatchEndsWith);
  QCOMPARE(demo.size(), 1);
  QVERIFY(demo[0]->text().startsWith(QString::fromUtf8("\u25c6")));  // marked as a model directory
  picker->list()->setCurrentItem(demo[0]);
  const QString chosen = picker->selectedModel();
  QCOMPARE(chosen, QDir(srdd_test::sourceDir() + "/resources").canonicalPath() + "/demo-model");
  QSignalSpy loaded(&w, &MainWindow::modelLoaded);
  QTest::mouseClick(picker->findChild<QPushButton*>("chooseModel"), Qt::LeftButton);
  QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);  // the summary came from the engine ("info")
  QCOMPARE(w.summary()->numLayers, int64_t(6));
  QCOMPARE(w.setupPanel()->modelDirectory(), chosen);  // the picker is gone (deleted on close)
  qunsetenv("HF_HUB_CACHE");
}

void TestEngineGui::scanThroughSshEngine() {
  const srdd_test::LocalSshd& sshd = *m_sshd;
  if (!sshd.ok()) QSKIP(sshd.error().c_str());
  EngineConnection c;
  c.name = "loopback ssh";
  c.kind = EngineConnection::Kind::Ssh;
  c.host = "127.0.0.1";
  c.port = sshd.port();
  c.remoteProgram = srdd_test::cliPath();
  std::vector<std::string> options = sshd.clientOptions();
  c.sshOptions = QString::fromStdString(srdd::engine::joinCommandLine(options));
  QSettings settings;
  EngineConnection::saveAll(settings, {EngineConnection::inProcess(), c});
  MainWindow w;
  w.show();
  QVERIFY(w.connectEngine("loopback ssh"));
  QVERIFY2(waitConnected(w.engineClient()), qPrintable(w.engineClient()->errorMessage()));
  QVERIFY(w.engineClient()->spec().startsWith("ssh "));
  QVERIFY(w.engineStatus()->text().startsWith("Engine: loopback ssh"));
  scanAndCompare(w);
}

QTEST_MAIN(TestEngineGui)
#include "test_engine_gui.moc"
