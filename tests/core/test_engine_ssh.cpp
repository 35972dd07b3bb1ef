// The SSH engine against a real sshd that the test starts on 127.0.0.1 (tests/support/local_sshd.h): the
// argv the helper builds, the handshake, a scan equal to the in-process one, a wrapper (the shape of
// `docker exec -i CONTAINER`), cancel, a protocol version mismatch, a refused key and a dropped connection.
#include "srdd/engine.h"
#include "srdd/engine_ssh.h"
#include "srdd/error.h"
#include "srdd/scan_job.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "local_sshd.h"
#include "engine_test_helpers.h"
#include "test_support.h"

namespace {

using engine_test::Collector;
using engine_test::hasLayerProgress;
using engine_test::kTimestamp;
using engine_test::longScan;
using engine_test::readFile;
using engine_test::smallScan;
using nlohmann::json;
using srdd::engine::Event;

const std::vector<std::string> kScanScans = {"gain", "kurtosis", "fidelity"};  // as the CLI runs below
using srdd::engine::SshTarget;

std::string localHostName() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace

class TestEngineSsh : public QObject {
  Q_OBJECT
  std::unique_ptr<srdd_test::LocalSshd> sshd_;
  QTemporaryDir tmp_;
  QString path(const QString& name) { return tmp_.path() + "/" + name; }

  SshTarget target() const {
    SshTarget t;
    t.host = "127.0.0.1";
    t.port = sshd_->port();
    t.remoteSrdd = srdd_test::cliPath().toStdString();
    t.serveArgs = {"serve", "--stdio", "--direct"};
    t.sshOptions = sshd_->clientOptions();
    return t;
  }

 private Q_SLOTS:
  void initTestCase() {
    sshd_ = std::make_unique<srdd_test::LocalSshd>();
    QVERIFY2(sshd_->ok(), sshd_->error().c_str());
  }

  void helperBuildsTheSshCommand() {
    SshTarget t;
    t.host = "gpu1";
    t.user = "ana";
    t.port = 2222;
    t.wrapper = "docker exec -i 'my box'";
    t.remoteSrdd = "/opt/srdd/bin/srdd";
    QCOMPARE(srdd::engine::sshRemoteCommand(t),
             std::string("docker exec -i 'my box' /opt/srdd/bin/srdd serve --stdio"));
    QCOMPARE(srdd::engine::sshEngineArgv(t),
             (std::vector<std::string>{"ssh", "-T", "-e", "none", "-o", "BatchMode=yes", "-p", "2222", "-l", "ana",
                                       "--", "gpu1", "docker exec -i 'my box' /opt/srdd/bin/srdd serve --stdio"}));
    SshTarget plain;
    plain.host = "gpu1";
    QCOMPARE(srdd::engine::sshEngineArgv(plain),
             (std::vector<std::string>{"ssh", "-T", "-e", "none", "-o", "BatchMode=yes", "--", "gpu1",
                                       "srdd serve --stdio"}));
    QCOMPARE(SshTarget::fromJson(t.toJson()).toJson(), t.toJson());
    QVERIFY(srdd_test::errorOf([] { SshTarget::fromJson({{"hostname", "x"}}); }).contains("unknown field 'hostname'"));
    for (auto [field, value, message] :
         std::vector<std::tuple<std::string, json, std::string>>{{"host", "", "no host"},
                                                                 {"host", "-oProxyCommand=x", "starts with '-'"},
                                                                 {"port", 70000, "outside 1..65535"},
                                                                 {"wrapper", "docker exec 'x", "unterminated"}}) {
      json j = t.toJson();
      j[field] = value;
      const QString err = srdd_test::errorOf([&] { srdd::engine::sshEngineArgv(SshTarget::fromJson(j)); });
      QVERIFY2(err.contains(QString::fromStdString(message)), qPrintable(err));
    }
  }

  void helloOverSsh() {
    auto engine = srdd::engine::makeProcessEngine(srdd::engine::sshEngineArgv(target()));
    const json h = engine->hello();
    QCOMPARE(h.at("hostname").get<std::string>(), localHostName());
    QCOMPARE(h.at("protocol_version").get<int>(), srdd::engine::kProtocolVersion);
    QVERIFY(h.at("engine").get<std::string>().rfind("ssh ", 0) == 0);
    QCOMPARE(h.at("devices").at(0).at("device").get<std::string>(), std::string("cpu"));
  }

  // The same result bytes as in-process, through ssh; and `srdd scan --engine "ssh ..."` writes the local
  // file with provenance.engine naming the ssh engine.
  void scanOverSshEqualsInProcess() {
    auto engine = srdd::engine::makeProcessEngine(srdd::engine::sshEngineArgv(target()));
    const Event remote = srdd::engine::runJob(*engine, smallScan(kScanScans));
    auto local = srdd::engine::makeInProcessEngine();
    const Event here = srdd::engine::runJob(*local, smallScan(kScanScans));
    // The engine host's own thread count is recorded, and sshd does not pass SRDD_THREADS on (the sanitizer run
    // sets it to 1 here); results do not depend on it (test_runtime_threads).
    json remoteBody = remote.body, hereBody = here.body;
    remoteBody["provenance"].erase("threads");
    hereBody["provenance"].erase("threads");
    const std::string a = srdd::scanJsonText(remoteBody), b = srdd::scanJsonText(hereBody);
    size_t at = 0;
    while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
    QVERIFY2(a == b, ("over ssh differs from in-process at byte " + std::to_string(at) + ": ..." +
                      a.substr(at > 200 ? at - 200 : 0, 300) + "... vs ..." + b.substr(at > 200 ? at - 200 : 0, 300))
                         .c_str());

    const QString spec = QString::fromStdString(srdd::engine::joinCommandLine(srdd::engine::sshEngineArgv(target())));
    const QStringList common = {"scan",         srdd_test::demoModelDir(),
                                "--scans",      "gain,kurtosis,fidelity",
                                "--prompts",    "builtin:srdd",
                                "--max-tokens", "16",
                                "--timestamp",  kTimestamp,
                                "--quiet",      "--no-report"};
    const auto r = srdd_test::runCli(common + QStringList{"--out", path("ssh.json"), "--engine", spec});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    json viaSsh = json::parse(readFile(path("ssh.json").toStdString()));
    QCOMPARE(viaSsh.at("provenance").at("engine").at("name").get<std::string>(), spec.toStdString());
    QCOMPARE(viaSsh.at("provenance").at("engine").at("host").get<std::string>(), localHostName());
    viaSsh["provenance"].erase("engine");
    viaSsh["provenance"].erase("threads");
    QCOMPARE(srdd::scanJsonText(viaSsh), srdd::scanJsonText(hereBody));
  }

  // A wrapper runs the engine inside another command, as `docker exec -i CONTAINER` does.
  void wrapperRunsTheEngineInside() {
    const std::string marker = path("wrapped").toStdString();
    SshTarget t = target();
    t.wrapper = "sh -c 'touch \"$0\" && exec \"$@\"' " + marker;
    auto engine = srdd::engine::makeProcessEngine(srdd::engine::sshEngineArgv(t));
    QCOMPARE(engine->hello().at("protocol_version").get<int>(), srdd::engine::kProtocolVersion);
    QVERIFY(std::filesystem::exists(marker));
    QCOMPARE(srdd::engine::runJob(*engine, {{"type", "info"}, {"model", srdd_test::demoModelDir().toStdString()}}).type,
             std::string("result"));
  }

  void cancelOverSsh() {
    auto engine = srdd::engine::makeProcessEngine(srdd::engine::sshEngineArgv(target()));
    const std::string failure = engine_test::cancelWithinASecond(*engine);
    QVERIFY2(failure.empty(), failure.c_str());
  }

  void protocolMismatchOverSsh() {
    SshTarget t = target();
    t.serveArgs.insert(t.serveArgs.end(), {"--announce-protocol", "2"});
    auto engine = srdd::engine::makeProcessEngine(srdd::engine::sshEngineArgv(t));
    const QString err = srdd_test::errorOf([&] { engine->hello(); });
    QVERIFY2(err.contains("protocol version mismatch") && err.contains("protocol 1") && err.contains("protocol 2"),
             qPrintable(err));
  }

  void refusedKeyIsAClearError() {
    SshTarget t = target();
    t.sshOptions = {"-F", "/dev/null",
                    "-i", sshd_->directory() + "/host_key",
                    "-o", "IdentitiesOnly=yes",
                    "-o", "StrictHostKeyChecking=no",
                    "-o", "UserKnownHostsFile=/dev/null",
                    "-o", "LogLevel=ERROR"};
    auto engine = srdd::engine::makeProcessEngine(srdd::engine::sshEngineArgv(t));
    const QString err = srdd_test::errorOf([&] { engine->hello(); });
    QVERIFY2(err.contains("exited with code 255") && err.contains("Permission denied"), qPrintable(err));
  }

  // The ssh client is killed in the middle of a job (no daemon): the job ends with an error event.
  void killedConnectionEndsTheJob() {
    const std::string pidFile = path("ssh.pid").toStdString();
    auto engine = srdd::engine::makeProcessEngine(
        {"sh", "-c",
         "echo $$ > '" + pidFile + "'; exec " + srdd::engine::joinCommandLine(srdd::engine::sshEngineArgv(target()))});
    Collector c;
    engine->submit(longScan(), c.handler());
    QVERIFY(c.waitFor(hasLayerProgress));
    QCOMPARE(::kill(std::stoi(readFile(pidFile)), SIGKILL), 0);
    QVERIFY(c.waitFinal(10000));
    QCOMPARE(c.last().type, std::string("error"));
    QVERIFY2(c.last().body.value("message", "").find("killed by signal 9") != std::string::npos,
             c.last().body.dump().c_str());
  }

  // `srdd engine install` copies the tree of the build's commit over ssh and runs the build command there (a harmless
  // one here: the real build takes far too long for a test), streaming its output.
  void installCopiesTheSourceAndBuilds() {
    const QString remote = path("remote-install");
    const QString options = QString::fromStdString(srdd::engine::joinCommandLine(sshd_->clientOptions()));
    const QString build = "test -x packaging/build-gpu.sh && echo BUILD-OK \"$SRDD_GIT_COMMIT\" && echo to stderr >&2";
    const auto r = srdd_test::runCli({"engine", "install", "127.0.0.1", "--port", QString::number(sshd_->port()),
                                      "--ssh-options", options, "--remote-dir", remote, "--build-command", build});
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    const auto version = srdd_test::runCli({"--version"});  // "srdd 0.1.0 (commit abc1234, LibTorch ...)"
    const QString commit = version.out.section("(commit ", 1).section(',', 0, 0);
    QVERIFY(!commit.isEmpty());
    QProcess git;
    QVERIFY2(r.out.contains("127.0.0.1: BUILD-OK " + commit), qPrintable(r.out));
    QVERIFY2(r.out.contains("127.0.0.1: to stderr"), qPrintable(r.out));
    QVERIFY2(r.out.contains("--engine ") && r.out.contains(remote + "/build-gpu/app/srdd serve --stdio"),
             qPrintable(r.out));
    git.start("git", {"-C", srdd_test::sourceDir(), "ls-tree", "-r", "--name-only", commit});
    QVERIFY(git.waitForFinished());
    const QStringList tracked = QString::fromUtf8(git.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
    int files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(remote.toStdString()))
      files += e.is_regular_file();
    QCOMPARE(files, static_cast<int>(tracked.size()));
    git.start("git", {"-C", srdd_test::sourceDir(), "show", commit + ":core/include/srdd/engine.h"});
    QVERIFY(git.waitForFinished());
    QCOMPARE(QByteArray::fromStdString(readFile(remote.toStdString() + "/core/include/srdd/engine.h")),
             git.readAllStandardOutput());

    const auto failed =
        srdd_test::runCli({"engine", "install", "127.0.0.1", "--port", QString::number(sshd_->port()), "--ssh-options",
                           options, "--remote-dir", remote, "--build-command", "echo compiler exploded; exit 3"});
    QCOMPARE(failed.code, 1);
    QVERIFY2(failed.err.contains("engine install on 127.0.0.1 failed (exit status 3): compiler exploded"),
             qPrintable(failed.err));
  }

  void cleanupTestCase() { sshd_.reset(); }
};

QTEST_GUILESS_MAIN(TestEngineSsh)
#include "test_engine_ssh.moc"
