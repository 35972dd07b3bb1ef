// The per-user engine daemon behind `srdd serve --stdio`: a private socket, jobs that outlive the
// connection, and a client that reconnects after its ssh connection is killed in the middle of an AQN
// run, reattaches, gets every missed event replayed and the same result as an uninterrupted run.
#include "srdd/aqn.h"
#include "srdd/engine.h"
#include "srdd/engine_serve.h"
#include "srdd/engine_ssh.h"
#include "srdd/error.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "local_sshd.h"
#include "engine_test_helpers.h"
#include "test_support.h"

namespace {

using engine_test::Collector;
using engine_test::kTimestamp;
using engine_test::readFile;
using nlohmann::json;
using srdd::engine::Event;

constexpr int kAqnMs = 120000;  // an AQN run through a killed and reattached connection (below the 300 s watchdog)

// The events so far, for a failure message: "accepted#1 progress#2 ... (last: …)".
std::string describe(const std::vector<Event>& events) {
  std::string out;
  for (const auto& e : events) out += e.type + "#" + std::to_string(e.seq) + " ";
  if (!events.empty()) out += "(last: " + events.back().body.dump().substr(0, 1200) + ")";
  return out;
}

// A comparison of the tiny fixture model that takes some seconds: 2 configurations x 2 seeds.
json aqnSettings() {
  srdd::aqn::ComparisonSettings s;
  s.modelDirectory = srdd_test::fixturesDir().toStdString() + "/hf/qwen2-tiny-gqa2-tied-f32";
  s.targets = {1};
  s.configs = {"baseline", "targeted"};
  s.seeds = 2;
  s.train.steps = 16;
  s.train.seqLength = 32;
  s.train.batchSize = 2;
  s.data.trainPath = s.data.evalPath = srdd_test::demoModelDir().toStdString() + "/heldout.txt";
  s.data.evalTokens = 128;
  s.data.evalSeqLength = 64;
  return s.toJson();
}

// The comparison without its wall-clock timings.
json withoutTimings(json comparison) {
  for (auto& run : comparison["runs"]) run.erase("seconds");
  return comparison;
}

}  // namespace

class TestEngineDaemon : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::vector<int64_t> daemons_;
  QString path(const QString& name) { return tmp_.path() + "/" + name; }
  std::string socketPath() { return path("run/engine.sock").toStdString(); }
  std::vector<std::string> serveArgs() { return {"serve", "--stdio", "--socket", socketPath(), "--idle-exit", "120"}; }

 private Q_SLOTS:
  // One daemon per build: a rebuilt program (here: this test executable, its modification time changed) must not
  // relay to the daemon that the previous build started.
  void defaultSocketNamesTheBuild() {
    const std::string before = srdd::engine::defaultDaemonSocket();
    QVERIFY(before.find("engine-") != std::string::npos);
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe");
    const auto mtime = std::filesystem::last_write_time(exe);
    std::filesystem::last_write_time(exe, mtime - std::chrono::hours(1));
    const std::string after = srdd::engine::defaultDaemonSocket();
    std::filesystem::last_write_time(exe, mtime);
    QVERIFY2(after != before, before.c_str());
    QCOMPARE(srdd::engine::defaultDaemonSocket(), before);
  }
  void daemonSocketIsPrivateAndOutlivesTheClient() {
    std::vector<std::string> argv = {srdd_test::cliPath().toStdString()};
    for (const auto& a : serveArgs()) argv.push_back(a);
    int64_t daemonPid = 0;
    {
      auto engine = srdd::engine::makeProcessEngine(argv);
      const json h = engine->hello();
      QCOMPARE(h.at("daemon").get<bool>(), true);
      daemonPid = h.at("pid").get<int64_t>();
      daemons_.push_back(daemonPid);
      QVERIFY(h.at("served_by").get<std::string>().find("daemon") != std::string::npos);
      struct stat st {};
      QCOMPARE(::stat(path("run").toUtf8().constData(), &st), 0);
      QCOMPARE(st.st_mode & 0777, 0700u);
      QCOMPARE(st.st_uid, ::getuid());
      QCOMPARE(::stat(socketPath().c_str(), &st), 0);
      QVERIFY(S_ISSOCK(st.st_mode));
    }
    QCOMPARE(::kill(static_cast<pid_t>(daemonPid), 0), 0);  // still alive after the client left
    auto again = srdd::engine::makeProcessEngine(argv);
    QCOMPARE(again->hello().at("pid").get<int64_t>(), daemonPid);  // the same daemon, not a new one
    QCOMPARE(srdd::engine::runJob(*again, {{"type", "hf_cache"}}).type, std::string("result"));
  }

  // The ssh client dies twice (once, where the job ends during the first reconnect) during an AQN comparison; the
  // engine reconnects, reattaches after the last event it saw, and the job's events arrive complete (no seq missing)
  // with the uninterrupted result.
  // A daemon job survives a killed ssh connection: the client reconnects, attaches and sees every event once, and
  // the result equals an uninterrupted run. The job may end before the kill reaches the connection (its last events
  // already in the pipe, seen on a slow sanitizer build): then the run proves nothing, and it is tried again.
  void reattachAfterAKilledSshConnection() {
    bool reconnected = false;
    for (int attempt = 0; attempt < 3 && !reconnected && !QTest::currentTestFailed(); ++attempt)
      runKillingTheSshConnection(attempt, &reconnected);
    if (!QTest::currentTestFailed()) QVERIFY2(reconnected, "the job ended before any reconnect, 3 times");
  }

 private:
  void runKillingTheSshConnection(int attempt, bool* reconnected) {
    srdd_test::LocalSshd sshd;
    QVERIFY2(sshd.ok(), sshd.error().c_str());
    srdd::engine::SshTarget t;
    t.host = "127.0.0.1";
    t.port = sshd.port();
    t.remoteSrdd = srdd_test::cliPath().toStdString();
    t.serveArgs = serveArgs();
    t.sshOptions = sshd.clientOptions();
    const std::string pidFile = path(QString("ssh%1.pid").arg(attempt)).toStdString();
    auto engine = srdd::engine::makeProcessEngine(
        {"sh", "-c",
         "echo $$ > '" + pidFile + "'; exec " + srdd::engine::joinCommandLine(srdd::engine::sshEngineArgv(t))});
    QVERIFY(engine->hello().at("daemon").get<bool>());

    const std::string runDir = path(QString("aqn-daemon%1").arg(attempt)).toStdString();
    Collector c;
    engine->submit({{"type", "aqn"}, {"settings", aqnSettings()}, {"run_dir", runDir}, {"created_utc", kTimestamp}},
                   c.handler());
    std::set<std::string> pids;
    for (int kill = 0; kill < 2; ++kill) {
      const size_t before = c.snapshot().size();
      QVERIFY2(c.waitFor(
                   [&](const auto& ev) {
                     return (ev.size() >= before + 3 && !ev.back().isFinal()) || (!ev.empty() && ev.back().isFinal());
                   },
                   kAqnMs),
               describe(c.snapshot()).c_str());
      if (c.last().isFinal()) break;  // ended (during the reconnect, or before this kill took)
      const std::string pid = readFile(pidFile);
      QVERIFY(pids.insert(pid).second);  // a new ssh each time
      QCOMPARE(::kill(std::stoi(pid), SIGKILL), 0);
      // The next events come through the new connection, or the job had ended with its events in the old pipe.
      QVERIFY2(c.waitFor(
                   [&](const auto& ev) {
                     return (readFile(pidFile) != pid && ev.size() > before + 4) ||
                            (!ev.empty() && ev.back().isFinal());
                   },
                   kAqnMs),
               ("no events after the reconnect: " + describe(c.snapshot())).c_str());
      if (readFile(pidFile) != pid) *reconnected = true;
    }
    QVERIFY2(c.waitFinal(kAqnMs), describe(c.snapshot()).c_str());
    const auto events = c.snapshot();
    QCOMPARE(events.back().type, std::string("result"));
    QCOMPARE(events.front().type, std::string("accepted"));
    // One job in this daemon, so its events are the daemon's whole log from "accepted" on: no seq missing.
    for (size_t i = 1; i < events.size(); ++i)
      QVERIFY2(events[i].seq == events[i - 1].seq + 1,
               qPrintable(QString("seq %1 follows %2").arg(events[i].seq).arg(events[i - 1].seq)));

    auto local = srdd::engine::makeInProcessEngine();
    const Event uninterrupted =
        srdd::engine::runJob(*local, {{"type", "aqn"},
                                      {"settings", aqnSettings()},
                                      {"run_dir", path(QString("aqn-local%1").arg(attempt)).toStdString()},
                                      {"created_utc", kTimestamp}});
    QCOMPARE(withoutTimings(events.back().body.at("comparison")), withoutTimings(uninterrupted.body.at("comparison")));
    for (const auto& [name, text] : events.back().body.at("files").items())
      QCOMPARE(text.get<std::string>(), readFile(runDir + "/" + name));
  }

 private Q_SLOTS:
  void cleanupTestCase() {
    for (auto pid : daemons_) ::kill(static_cast<pid_t>(pid), SIGTERM);
  }
};

QTEST_GUILESS_MAIN(TestEngineDaemon)
#include "test_engine_daemon.moc"
