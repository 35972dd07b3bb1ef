// EngineClient, the GUI's one job client, against real engines: the in-process engine and `srdd serve
// --stdio` as a child process. Events arrive on the GUI thread, listings match files the test made,
// errors are one-line messages, a destroyed context gets no call, switching engines ends the old jobs,
// a child's handshake is that other process's. Plus the saved-connection argv and settings round trip.
#include "engine/engine_client.h"
#include "engine/engine_connection.h"
#include "engine/handshake_text.h"
#include "test_support.h"

#include <srdd/engine.h>
#include <srdd/scan_job.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSysInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <unistd.h>

using namespace srdd_gui;

namespace {
constexpr int kTimeoutMs = 120000;

QString serveCommand() { return srdd_test::cliPath() + QStringLiteral(" serve --stdio"); }

// Submits REQUEST and waits for its final event; every event is recorded with the thread it came on.
struct Run {
  std::vector<JobEvent> events;
  bool offGuiThread = false;
  const JobEvent& last() const { return events.back(); }
};
Run runJob(EngineClient& client, const nlohmann::json& request) {
  Run r;
  QObject context;
  client.submit(request, &context, [&r](const JobEvent& e) {
    r.offGuiThread = r.offGuiThread || QThread::currentThread() != QCoreApplication::instance()->thread();
    r.events.push_back(e);
  });
  // A timeout shows as a run without its final event, which every caller checks.
  static_cast<void>(QTest::qWaitFor([&] { return !r.events.empty() && r.events.back().isFinal(); }, kTimeoutMs));
  return r;
}
bool waitConnected(EngineClient& c) {
  return QTest::qWaitFor([&] { return c.state() != EngineClient::State::Connecting; }, kTimeoutMs) &&
         c.state() == EngineClient::State::Connected;
}
}  // namespace

class TestEngineClient : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(QFile::exists(srdd_test::cliPath()));
  }

  void listDirArrivesOnTheGuiThread() {
    QTemporaryDir tmp;
    QVERIFY(QDir(tmp.path()).mkpath("model-a"));
    QVERIFY(QDir(tmp.path()).mkpath("plain"));
    QFile config(tmp.filePath("model-a/config.json"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("{}");
    config.close();
    EngineClient client;
    QCOMPARE(client.state(), EngineClient::State::Connected);
    QVERIFY(client.isInProcess());
    QSignalSpy busy(&client, &EngineClient::busyChanged);
    const Run r = runJob(client, {{"type", "list_dir"}, {"path", tmp.path().toStdString()}});
    QVERIFY(!r.events.empty());
    QVERIFY(!r.offGuiThread);
    QCOMPARE(QString::fromStdString(r.last().type), QString("result"));
    QCOMPARE(QString::fromStdString(r.last().body["path"].get<std::string>()), QDir(tmp.path()).canonicalPath());
    std::map<std::string, bool> seen;
    for (const auto& e : r.last().body["entries"]) seen[e["name"].get<std::string>()] = e.value("model", false);
    QCOMPARE(seen.size(), size_t(2));
    QVERIFY(seen.at("model-a"));
    QVERIFY(!seen.at("plain"));
    QCOMPARE(busy.count(), 2);  // busy, then idle
    QVERIFY(!client.isBusy());
  }

  void badRequestsAreOneLineErrors() {
    EngineClient client;
    Run r = runJob(client, {{"type", "no-such-request"}});
    QCOMPARE(QString::fromStdString(r.last().type), QString("error"));
    QVERIFY2(r.last().message().contains("no-such-request"), qPrintable(r.last().message()));
    r = runJob(client, {{"type", "info"}, {"model", "/nonexistent/model"}});
    QCOMPARE(QString::fromStdString(r.last().type), QString("error"));
    QVERIFY2(r.last().message().contains("/nonexistent/model"), qPrintable(r.last().message()));
    QVERIFY(!r.last().message().contains('\n'));
    // The engine is still usable.
    r = runJob(client, {{"type", "info"}, {"model", srdd_test::demoModelDir().toStdString()}});
    QCOMPARE(QString::fromStdString(r.last().type), QString("result"));
    QCOMPARE(r.last().body["num_layers"].get<int>(), 6);
  }

  void destroyedContextGetsNoCall() {
    EngineClient client;
    int calls = 0;
    auto* context = new QObject;
    client.submit({{"type", "info"}, {"model", srdd_test::demoModelDir().toStdString()}}, context,
                  [&calls](const JobEvent&) { ++calls; });
    delete context;
    QTRY_VERIFY_WITH_TIMEOUT(!client.isBusy(), kTimeoutMs);  // the job still ends
    QTest::qWait(50);
    QCOMPARE(calls, 0);
  }

  void childProcessHandshakeIsTheChilds() {
    EngineClient client;
    QSignalSpy states(&client, &EngineClient::stateChanged);
    client.connectTo(serveCommand());
    QCOMPARE(client.state(), EngineClient::State::Connecting);  // started off the GUI thread
    QVERIFY2(waitConnected(client), qPrintable(client.errorMessage()));
    QVERIFY(!client.isInProcess());
    const nlohmann::json& h = client.handshake();
    QCOMPARE(h["protocol_version"].get<int>(), srdd::engine::kProtocolVersion);
    QVERIFY(h["pid"].get<int64_t>() != int64_t(::getpid()));  // another process answered
    QCOMPARE(client.host(), QSysInfo::machineHostName());
    const srdd_test::CliRun version = srdd_test::runCli({"--version"});
    QVERIFY2(version.out.contains(QString::fromStdString(h["engine_version"].get<std::string>())),
             qPrintable(version.out));
    QCOMPARE(client.deviceSummary(), QString("CPU"));
    const QStringList lines = handshakeLines(h);
    QVERIFY(lines.contains("Protocol: " + QString::number(srdd::engine::kProtocolVersion)));
    QVERIFY(std::any_of(lines.begin(), lines.end(), [](const QString& l) { return l.startsWith("Device: cpu"); }));
    // Jobs work through it, and its results carry the child's view of the files.
    const Run r = runJob(client, {{"type", "info"}, {"model", srdd_test::demoModelDir().toStdString()}});
    QCOMPARE(QString::fromStdString(r.last().type), QString("result"));
    QCOMPARE(r.last().body["num_layers"].get<int>(), 6);
    QVERIFY(!r.offGuiThread);
    QCOMPARE(client.provenance()["host"].get<std::string>(), QSysInfo::machineHostName().toStdString());
  }

  void switchingEnginesEndsTheOldJobs() {
    EngineClient client;
    srdd::ScanRequest request;
    request.modelDir = srdd_test::demoModelDir().toStdString();
    std::vector<std::string> types;
    QObject context;
    client.submit({{"type", "scan"}, {"request", request.toJson()}}, &context,
                  [&types](const JobEvent& e) { types.push_back(e.type); });
    QVERIFY(client.isBusy());
    client.connectTo(serveCommand());
    QVERIFY(!types.empty());
    QCOMPARE(QString::fromStdString(types.back()), QString("cancelled"));  // at once, not when the engine stops
    QVERIFY(!client.isBusy());
    QVERIFY(waitConnected(client));
    QTest::qWait(100);
    QCOMPARE(std::count(types.begin(), types.end(), std::string("cancelled")), 1L);  // nothing late from the old engine
  }

  void jobsWaitWhileConnectingAndFailWithTheReason() {
    EngineClient client;
    client.connectTo(serveCommand());
    const Run ok = runJob(client, {{"type", "hf_cache"}});  // submitted while connecting
    QCOMPARE(QString::fromStdString(ok.last().type), QString("result"));

    client.connectTo("/nonexistent/srdd serve --stdio");
    const Run r = runJob(client, {{"type", "hf_cache"}});
    QCOMPARE(client.state(), EngineClient::State::Failed);
    QCOMPARE(QString::fromStdString(r.last().type), QString("error"));
    QVERIFY2(client.errorMessage().contains("/nonexistent/srdd"), qPrintable(client.errorMessage()));
    QCOMPARE(r.last().message(), client.errorMessage());
  }

  void sshConnectionArgvAndSettings() {
    EngineConnection c;
    c.name = "gpu box";
    c.kind = EngineConnection::Kind::Ssh;
    c.host = "gpu1";
    c.user = "ana";
    c.port = 2222;
    c.wrapper = "docker exec -i 'my box'";
    c.remoteProgram = "/opt/srdd/bin/srdd";
    c.sshOptions = "-J jump";
    QVERIFY2(c.validationError().isEmpty(), qPrintable(c.validationError()));
    const QStringList a = c.argv();
    QCOMPARE(a.first(), QString("ssh"));
    QVERIFY(a.contains("BatchMode=yes"));
    QCOMPARE(a[a.indexOf("-p") + 1], QString("2222"));
    QCOMPARE(a[a.indexOf("-l") + 1], QString("ana"));
    QCOMPARE(a[a.indexOf("-J") + 1], QString("jump"));
    QCOMPARE(a[a.size() - 3], QString("--"));
    QCOMPARE(a[a.size() - 2], QString("gpu1"));
    // The remote shell splits the last word back into the wrapper and the srdd command.
    QCOMPARE(splitWords(a.last()),
             QStringList({"docker", "exec", "-i", "my box", "/opt/srdd/bin/srdd", "serve", "--stdio"}));
    // The displayed command line is the same argv.
    QCOMPARE(splitWords(c.commandLine()), a);

    EngineConnection bad = c;
    bad.host = "-oProxyCommand=x";
    QVERIFY(!bad.validationError().isEmpty());
    bad = c;
    bad.wrapper = "docker exec 'unbalanced";
    QVERIFY(!bad.validationError().isEmpty());
    EngineConnection local;
    local.name = "cuda build";
    local.kind = EngineConnection::Kind::LocalProcess;
    QVERIFY(!local.validationError().isEmpty());
    local.program = "/opt/srdd/bin/srdd";
    QCOMPARE(local.argv(), QStringList({"/opt/srdd/bin/srdd", "serve", "--stdio"}));

    QTemporaryDir tmp;
    {
      QSettings s(tmp.filePath("a.ini"), QSettings::IniFormat);
      EngineConnection::saveAll(s, {EngineConnection::inProcess(), c, local});
      EngineConnection::setCurrentName(s, c.name);
    }
    QSettings s(tmp.filePath("a.ini"), QSettings::IniFormat);
    const QList<EngineConnection> back = EngineConnection::loadAll(s);
    QCOMPARE(back.size(), 3);
    QCOMPARE(back[0].kind, EngineConnection::Kind::InProcess);
    QVERIFY(back[1] == c);
    QVERIFY(back[2] == local);
    QCOMPARE(EngineConnection::currentName(s), c.name);
    QFile ini(tmp.filePath("a.ini"));
    QVERIFY(ini.open(QIODevice::ReadOnly));
    QVERIFY(!ini.readAll().toLower().contains("password"));
  }
};

QTEST_MAIN(TestEngineClient)
#include "test_engine_client.moc"
