// `srdd serve --stdio` as a real child process: the process engine against the in-process engine (the
// same results, byte for byte), the CLI's --engine, cancel, the child dying, a version mismatch, and raw
// malformed bytes on the child's stdin answered by an error frame and an exit, never a hang.
#include "srdd/aqn_rundir.h"
#include "srdd/engine.h"
#include "srdd/engine_frames.h"
#include "srdd/error.h"
#include "srdd/scan_job.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "engine_test_helpers.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using engine_test::Collector;
using engine_test::hasLayerProgress;
using engine_test::kTimestamp;
using engine_test::longScan;
using engine_test::readFile;
using engine_test::smallScan;
using nlohmann::json;
using srdd::engine::Event;

const std::vector<std::string> kScanScans = {"gain", "kurtosis", "fidelity"};  // as the CLI runs below

std::vector<std::string> serveArgv(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {srdd_test::cliPath().toStdString(), "serve", "--stdio", "--direct"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// Runs `srdd serve --stdio --direct` with raw bytes on stdin (then closed) and decodes what it answers.
struct RawRun {
  std::vector<json> headers;
  std::string decodeError;
  int exitCode = -1;
};
RawRun rawServe(const std::string& input, const QStringList& extra = {}) {
  QProcess p;
  p.start(srdd_test::cliPath(), QStringList{"serve", "--stdio", "--direct"} + extra);
  if (!p.waitForStarted()) qFatal("cannot start srdd serve");
  p.write(input.data(), static_cast<qint64>(input.size()));
  p.closeWriteChannel();
  RawRun r;
  if (!p.waitForFinished(60000)) {
    p.kill();
    p.waitForFinished();
    qWarning("srdd serve did not exit");
    return r;  // exitCode -1: the hang the test rules out
  }
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  const QByteArray out = p.readAllStandardOutput();
  srdd::engine::FrameDecoder d;
  try {
    d.feed(out.constData(), static_cast<size_t>(out.size()));
    while (auto f = d.next()) r.headers.push_back(f->header);
    d.finish();
  } catch (const srdd::Error& e) {
    r.decodeError = e.what();
  }
  return r;
}

std::string frame(const json& header) { return srdd::engine::encodeFrame({header, ""}); }
std::string hello(int version = srdd::engine::kProtocolVersion) {
  return frame({{"type", "hello"}, {"protocol_version", version}});
}

}  // namespace

class TestEngineServe : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString path(const QString& name) { return tmp_.path() + "/" + name; }

 private Q_SLOTS:
  void commandLinesSplitLikeAShell() {
    using srdd::engine::splitCommandLine;
    QCOMPARE(splitCommandLine("  ssh  -p 22 'gpu box' \"say \\\"hi\\\" \\$HOME \\x\" a\\ b '' end"),
             (std::vector<std::string>{"ssh", "-p", "22", "gpu box", "say \"hi\" $HOME \\x", "a b", "", "end"}));
    QCOMPARE(splitCommandLine("docker exec -i c1 'srdd serve --stdio'"),
             (std::vector<std::string>{"docker", "exec", "-i", "c1", "srdd serve --stdio"}));
    QCOMPARE(splitCommandLine("a'b'\"c\"d"), (std::vector<std::string>{"abcd"}));
    QVERIFY(splitCommandLine("   ").empty());
    QVERIFY(srdd_test::errorOf([] { splitCommandLine("ssh 'gpu"); }).contains("unterminated single quote"));
    QVERIFY(srdd_test::errorOf([] { splitCommandLine("ssh \"gpu"); }).contains("unterminated double quote"));
    QVERIFY(srdd_test::errorOf([] { splitCommandLine("ssh gpu\\"); }).contains("backslash"));
    const std::vector<std::string> words = {"plain", "with space", "it's", "", "$HOME", "a\"b", "tab\there"};
    QCOMPARE(splitCommandLine(srdd::engine::joinCommandLine(words)), words);
    QCOMPARE(srdd::engine::joinCommandLine({"ssh", "gpu1", "srdd"}), std::string("ssh gpu1 srdd"));
    // A real shell agrees with the quoting.
    QProcess sh;
    sh.start("sh", {"-c", QString::fromStdString("printf '%s\\n' " + srdd::engine::joinCommandLine(words))});
    QVERIFY(sh.waitForFinished());
    QCOMPARE(sh.readAllStandardOutput().toStdString(),
             std::string("plain\nwith space\nit's\n\n$HOME\na\"b\ntab\there\n"));
  }

  void helloThroughAChild() {
    auto engine = srdd::engine::makeProcessEngine(serveArgv());
    const json h = engine->hello();
    QCOMPARE(h.at("protocol_version").get<int>(), srdd::engine::kProtocolVersion);
    QCOMPARE(h.at("engine").get<std::string>(), engine->describe());
    QCOMPARE(h.at("served_by").get<std::string>(), std::string("srdd serve --stdio --direct"));
    QCOMPARE(h.at("daemon").get<bool>(), false);
    auto local = srdd::engine::makeInProcessEngine()->hello();
    for (const char* key : {"engine_version", "commit", "torch_version", "cuda_kernels", "devices", "hostname"})
      QCOMPARE(h.at(key), local.at(key));
    QVERIFY(h.at("pid").get<int64_t>() != local.at("pid").get<int64_t>());  // it really is another process
    QVERIFY(engine->describe().find(" serve --stdio --direct") != std::string::npos);
  }

  // The result event through the child is the in-process result, byte for byte; and `srdd scan --engine`
  // writes the file `srdd scan` writes, plus provenance.engine only.
  void scanThroughAChildEqualsInProcess() {
    auto child = srdd::engine::makeEngine(srdd::engine::joinCommandLine(serveArgv()));
    int progress = 0;
    const Event remote =
        srdd::engine::runJob(*child, smallScan(kScanScans), [&](const Event& e) { progress += e.type == "progress"; });
    QVERIFY(progress > 3);
    QVERIFY(remote.seq > 0);
    auto local = srdd::engine::makeInProcessEngine();
    const Event here = srdd::engine::runJob(*local, smallScan(kScanScans));
    QCOMPARE(srdd::scanJsonText(remote.body), srdd::scanJsonText(here.body));

    const QStringList common = {"scan",         srdd_test::demoModelDir(),
                                "--scans",      "gain,kurtosis,fidelity",
                                "--prompts",    "builtin:srdd",
                                "--max-tokens", "16",
                                "--timestamp",  kTimestamp,
                                "--quiet",      "--no-report"};
    const auto a = srdd_test::runCli(common + QStringList{"--out", path("direct.json"), "--csv", path("direct.csv")});
    QVERIFY2(a.code == 0, qPrintable(a.err));
    const QString spec = QString::fromStdString(srdd::engine::joinCommandLine(serveArgv()));
    const auto b = srdd_test::runCli(
        common + QStringList{"--out", path("engine.json"), "--csv", path("engine.csv"), "--engine", spec});
    QVERIFY2(b.code == 0, qPrintable(b.err));
    json viaEngine = json::parse(readFile(path("engine.json").toStdString()));
    const json engineField = viaEngine.at("provenance").at("engine");
    QCOMPARE(engineField.at("name").get<std::string>(), spec.toStdString());
    QCOMPARE(engineField.at("host").get<std::string>(), local->hello().at("hostname").get<std::string>());
    viaEngine["provenance"].erase("engine");
    QCOMPARE(srdd::scanJsonText(viaEngine), readFile(path("direct.json").toStdString()));
    QCOMPARE(readFile(path("engine.csv").toStdString()), readFile(path("direct.csv").toStdString()));
  }

  // A short AQN comparison through `srdd aqn --engine` has the statistics of `srdd aqn`, and the local copy
  // of the run directory holds the engine's files byte for byte (comparison.json: plus provenance.engine).
  void aqnThroughAChildEqualsInProcess() {
    const QString tiny = srdd_test::fixturesDir() + "/hf/qwen2-tiny-gqa2-tied-f32";
    const QString heldout = srdd_test::demoModelDir() + "/heldout.txt";
    const QStringList args = {"aqn",           tiny,      "--targets",  "1",     "--configs", "baseline,targeted",
                              "--seeds",       "2",       "--steps",    "4",     "--seq",     "32",
                              "--batch",       "2",       "--train",    heldout, "--eval",    heldout,
                              "--eval-tokens", "128",     "--eval-seq", "64",    "--quiet",   "--json",
                              "--timestamp",   kTimestamp};
    const auto direct = srdd_test::runCli(args + QStringList{"--out", path("aqn-direct")});
    QVERIFY2(direct.code == 0, qPrintable(direct.err));
    const QString spec = QString::fromStdString(srdd::engine::joinCommandLine(serveArgv()));
    const auto remote = srdd_test::runCli(
        args + QStringList{"--out", path("aqn-host"), "--copy-to", path("aqn-copy"), "--engine", spec});
    QVERIFY2(remote.code == 0, qPrintable(remote.err));
    json a = json::parse(direct.out.toStdString()), b = json::parse(remote.out.toStdString());
    QCOMPARE(b.at("provenance").at("engine").at("name").get<std::string>(), spec.toStdString());
    for (auto* x : {&a, &b})
      for (auto& run : (*x)["runs"]) run.erase("seconds");
    b["provenance"].erase("engine");
    QCOMPARE(b, a);  // everything but the timings and provenance.engine
    int files = 0;
    for (const auto& e : fs::recursive_directory_iterator(path("aqn-host").toStdString())) {
      // The lock file holds the pid of whichever process worked on that directory, so it differs by design.
      if (!e.is_regular_file() || e.path().filename() == "comparison.json" ||
          e.path().filename() == srdd::aqn::rundir::kLockFileName)
        continue;
      const auto rel = fs::relative(e.path(), path("aqn-host").toStdString());
      QCOMPARE(readFile((fs::path(path("aqn-copy").toStdString()) / rel).string()), readFile(e.path().string()));
      ++files;
    }
    QCOMPARE(files, 1 + 2 * 2 * 2);  // config.json, and result.json + metrics.jsonl for 2 configs x 2 seeds
    const json copied = json::parse(readFile(path("aqn-copy/comparison.json").toStdString()));
    QVERIFY(copied.at("provenance").contains("engine"));
  }

  void eachCommandTakesAnEngine() {
    const QString spec = QString::fromStdString(srdd::engine::joinCommandLine(serveArgv()));
    const auto info = srdd_test::runCli({"info", srdd_test::demoModelDir(), "--json", "--engine", spec});
    QVERIFY2(info.code == 0, qPrintable(info.err));
    const auto infoHere = srdd_test::runCli({"info", srdd_test::demoModelDir(), "--json"});
    json i = json::parse(info.out.toStdString());
    QVERIFY(i.contains("engine"));
    i.erase("engine");
    QCOMPARE(i, json::parse(infoHere.out.toStdString()));
    const auto eval = srdd_test::runCli({"eval", "--json", "--max-tokens", "64", "--engine", spec});
    QVERIFY2(eval.code == 0, qPrintable(eval.err));
    const auto evalHere = srdd_test::runCli({"eval", "--json", "--max-tokens", "64"});
    json e = json::parse(eval.out.toStdString());
    e.erase("engine");
    QCOMPARE(e, json::parse(evalHere.out.toStdString()));
    const auto bad = srdd_test::runCli({"info", "/no/such/model", "--engine", spec});
    QCOMPARE(bad.code, 1);
    QVERIFY2(bad.err.startsWith("srdd info: error: ") && bad.err.contains("/no/such/model"), qPrintable(bad.err));
    const auto hello = srdd_test::runCli({"engine", "hello", "--engine", spec});
    QVERIFY2(hello.code == 0, qPrintable(hello.err));
    const json h = json::parse(hello.out.toStdString());
    QCOMPARE(h.at("engine").get<std::string>(), spec.toStdString());
    QCOMPARE(h.at("protocol_version").get<int>(), srdd::engine::kProtocolVersion);
  }

  void badRequestsThroughAChild() {
    auto engine = srdd::engine::makeProcessEngine(serveArgv());
    for (const json& request :
         {json{{"type", "teleport"}}, json{{"type", "info"}, {"colour", 1}}, json{{"type", "scan"}}}) {
      Collector c;
      engine->submit(request, c.handler());
      QVERIFY(c.waitFinal(30000));
      QCOMPARE(c.last().type, std::string("error"));
    }
    Collector notObject;
    engine->submit(json::array({1}), notObject.handler());
    QVERIFY(notObject.waitFinal(1000));
    QCOMPARE(notObject.last().type, std::string("error"));
    const Event ok = srdd::engine::runJob(*engine, {{"type", "list_dir"}, {"path", tmp_.path().toStdString()}});
    QCOMPARE(ok.body.at("path").get<std::string>(), fs::canonical(tmp_.path().toStdString()).string());
  }

  // Raw bytes on the child's stdin: every fault gets an error frame with a code, and the child exits.
  void malformedInputGetsAnErrorFrameAndAnExit() {
    struct Case {
      const char* name;
      std::string input;
      std::string code, text;
    };
    std::string oversize = "SRDF";
    for (int i = 0; i < 4; ++i) oversize.push_back('\xff');
    oversize += std::string(8, '\0');
    const std::vector<Case> cases = {
        {"garbage", "GET / HTTP/1.1\r\n\r\n", "malformed_frame", "bad magic"},
        {"oversize", oversize, "malformed_frame", "oversize frame"},
        {"truncated", hello().substr(0, 20), "malformed_frame", "truncated frame"},
        {"not JSON", "SRDF" + std::string("\0\0\0\x03", 4) + std::string(8, '\0') + "{{{", "malformed_frame",
         "not valid JSON"},
    };
    for (const auto& c : cases) {
      const auto r = rawServe(c.input);
      QVERIFY2(r.exitCode == 2, c.name);
      QVERIFY2(r.decodeError.empty(), r.decodeError.c_str());
      QVERIFY2(!r.headers.empty(), c.name);
      const json& last = r.headers.back();
      QCOMPARE(last.at("type").get<std::string>(), std::string("error"));
      QCOMPARE(last.at("body").at("code").get<std::string>(), c.code);
      QVERIFY2(last.at("body").at("message").get<std::string>().find(c.text) != std::string::npos, c.name);
    }
    // Well-formed frames with bad content: error frames, and the engine keeps going until shutdown.
    const std::string input = frame({{"type", "scan"}, {"job", 1}}) +  // before hello
                              hello() + frame({{"type", "scan"}}) +    // no job id
                              frame({{"type", "warp"}, {"job", 2}}) + frame({{"type", "attach"}}) +
                              frame({{"type", 5}, {"job", 4}}) +                         // type not a string
                              frame({{"type", "hello"}, {"protocol_version", "one"}}) +  // version not a number
                              frame({{"type", "list_dir"}, {"job", 3}, {"path", "/"}}) + frame({{"type", "shutdown"}});
    const auto r = rawServe(input);
    QCOMPARE(r.exitCode, 0);
    std::vector<std::string> seen;
    for (const auto& h : r.headers)
      seen.push_back(h.at("type").get<std::string>() + ":" + std::to_string(h.at("job").get<uint64_t>()) +
                     (h.at("type") == "error" ? ":" + h.at("body").value("code", std::string("job")) : ""));
    // Connection replies and job events travel separately, so only these orders are fixed: the hello
    // exchange first, a job's events in order, and "bye" after every job's final event.
    QVERIFY2(seen.size() == 10, qPrintable(QString::fromStdString(json(seen).dump())));
    QCOMPARE(seen[0], std::string("error:0:no_hello"));
    QCOMPARE(seen[1], std::string("hello:0"));
    QCOMPARE(seen.back(), std::string("bye:0"));
    std::vector<std::string> middle(seen.begin() + 2, seen.end() - 1);
    // Job 3 may run or be cancelled by the shutdown that follows it at once; either way it ends.
    for (auto& m : middle)
      if (m == "result:3" || m == "cancelled:3") m = "final:3";
    QVERIFY(std::find(middle.begin(), middle.end(), "accepted:3") < std::find(middle.begin(), middle.end(), "final:3"));
    std::sort(middle.begin(), middle.end());
    QCOMPARE(middle,
             (std::vector<std::string>{"accepted:3", "error:0:bad_request", "error:0:bad_request",
                                       "error:0:bad_request", "error:0:protocol_version", "error:2:job", "final:3"}));
  }

  // The engine announces another protocol version (the --announce-protocol test hook): a clear error that
  // names both versions, from the engine's side and from the client's.
  void protocolVersionMismatch() {
    auto engine = srdd::engine::makeProcessEngine(serveArgv({"--announce-protocol", "99"}));
    const QString err = srdd_test::errorOf([&] { engine->hello(); });
    QVERIFY2(err.contains("protocol version mismatch") && err.contains("protocol 1") && err.contains("protocol 99"),
             qPrintable(err));
    QVERIFY(
        srdd_test::errorOf([&] { engine->submit(smallScan(kScanScans), {}); }).contains("protocol version mismatch"));
    const auto raw = rawServe(hello(99), {"--announce-protocol", "99"});  // the same version: accepted
    QCOMPARE(raw.headers.at(0).at("type").get<std::string>(), std::string("hello"));
    QCOMPARE(raw.headers.at(0).at("body").at("protocol_version").get<int>(), 99);
    const auto cli = srdd_test::runCli(
        {"info", srdd_test::demoModelDir(), "--engine",
         QString::fromStdString(srdd::engine::joinCommandLine(serveArgv({"--announce-protocol", "2"})))});
    QCOMPARE(cli.code, 1);
    QVERIFY2(cli.err.contains("protocol 1") && cli.err.contains("protocol 2"), qPrintable(cli.err));
  }

  void cancelThroughAChild() {
    auto engine = srdd::engine::makeProcessEngine(serveArgv());
    const std::string failure = engine_test::cancelWithinASecond(*engine);
    QVERIFY2(failure.empty(), failure.c_str());
  }

  // The child is killed in the middle of a job: the job ends with an error naming the death, and the
  // engine refuses new jobs with the same message.
  void childDeathEndsTheRunningJobs() {
    const std::string pidFile = path("serve.pid").toStdString();
    auto engine = srdd::engine::makeProcessEngine(
        {"sh", "-c", "echo $$ > '" + pidFile + "'; exec " + srdd::engine::joinCommandLine(serveArgv())});
    Collector running, queued;
    engine->submit(longScan(), running.handler());
    engine->submit(smallScan(kScanScans), queued.handler());
    QVERIFY(running.waitFor(hasLayerProgress));
    const pid_t pid = std::stoi(readFile(pidFile));
    QCOMPARE(::kill(pid, SIGKILL), 0);
    QVERIFY(running.waitFinal(10000));
    QVERIFY(queued.waitFinal(1000));
    for (auto* c : {&running, &queued}) {
      const Event e = c->last();
      QCOMPARE(e.type, std::string("error"));
      QVERIFY2(e.body.value("message", "").find("was killed by signal 9") != std::string::npos, e.body.dump().c_str());
    }
    QVERIFY(srdd_test::errorOf([&] { engine->submit(smallScan(kScanScans), {}); }).contains("killed by signal 9"));
  }

  void unreachableEnginesGiveClearErrors() {
    QVERIFY(srdd_test::errorOf([] {
              srdd::engine::makeEngine("/no/such/srdd serve --stdio");
            }).contains("cannot start '/no/such/srdd'"));
    auto talker = srdd::engine::makeEngine("sh -c 'echo Welcome to the GPU box; sleep 5'");
    const QString e1 = srdd_test::errorOf([&] { talker->hello(); });
    QVERIFY2(e1.contains("broke the protocol") && e1.contains("Welcome to the GPU box"), qPrintable(e1));
    auto quitter = srdd::engine::makeEngine("sh -c 'echo \"srdd: command not found\" >&2; exit 127'");
    const QString e2 = srdd_test::errorOf([&] { quitter->hello(); });
    QVERIFY2(e2.contains("exited with code 127: srdd: command not found"), qPrintable(e2));
    const auto cli = srdd_test::runCli({"info", srdd_test::demoModelDir(), "--engine", "sh -c 'exit 3'"});
    QCOMPARE(cli.code, 1);
    QVERIFY2(cli.err.contains("exited with code 3"), qPrintable(cli.err));
  }
};

QTEST_GUILESS_MAIN(TestEngineServe)
#include "test_engine_serve.moc"
