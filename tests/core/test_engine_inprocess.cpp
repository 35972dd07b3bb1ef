// The in-process engine: every request type against an independent path (the `srdd` CLI as a process,
// files the test writes itself), one job at a time in submission order, progress fields, cancellation
// within a second, and bad requests answered with error events by an engine that keeps working.
#include "srdd/engine.h"
#include "srdd/error.h"
#include "srdd/model_summary.h"
#include "srdd/scan_job.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
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
using engine_test::kTimestamp;
using engine_test::longScan;
using engine_test::readFile;
using engine_test::smallScan;
using nlohmann::json;
using srdd::engine::Event;

srdd_test::CliRun cli(const QStringList& args) { return srdd_test::runCli(args); }

}  // namespace

class TestEngineInProcess : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString path(const QString& name) { return tmp_.path() + "/" + name; }

 private Q_SLOTS:
  void helloDescribesThisProcess() {
    auto engine = srdd::engine::makeEngine("");
    const json h = engine->hello();
    QCOMPARE(h.at("protocol_version").get<int>(), srdd::engine::kProtocolVersion);
    QCOMPARE(h.at("engine").get<std::string>(), std::string("in-process"));
    QCOMPARE(engine->describe(), std::string("in-process"));
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    QCOMPARE(h.at("hostname").get<std::string>(), std::string(host));
    QCOMPARE(h.at("pid").get<int64_t>(), static_cast<int64_t>(getpid()));
    QVERIFY(!h.at("engine_version").get<std::string>().empty());
    QVERIFY(h.at("torch_version").get<std::string>().find('.') != std::string::npos);
    QVERIFY(h.at("cuda_kernels").is_boolean());
    const auto& cpu = h.at("devices").at(0);
    QCOMPARE(cpu.at("device").get<std::string>(), std::string("cpu"));
    QVERIFY(cpu.at("memory_bytes").get<int64_t>() > (int64_t(1) << 28));
    QCOMPARE(h.at("devices").size(), srdd::availableDevices().size());
    QVERIFY(srdd::engine::makeEngine("in-process") != nullptr);
  }

  // The result body, serialized by the one results-file function, is byte for byte the file that
  // `srdd scan --out` writes for the same settings.
  void scanResultIsTheCliResultsFile() {
    auto engine = srdd::engine::makeInProcessEngine();
    std::vector<srdd::ProgressInfo> progress;
    const Event result = srdd::engine::runJob(*engine, smallScan(), [&](const Event& e) {
      if (e.type == "progress") progress.push_back(srdd::engine::progressFromJson(e.body));
    });
    QCOMPARE(result.type, std::string("result"));
    const QString out = path("cli-scan.json");
    const auto r = cli({"scan", srdd_test::demoModelDir(), "--scans", "gain,kurtosis", "--prompts", "builtin:srdd",
                        "--max-tokens", "16", "--timestamp", kTimestamp, "--quiet", "--no-report", "--out", out});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(srdd::scanJsonText(result.body), readFile(out.toStdString()));

    QVERIFY(!progress.empty());
    bool perLayer = false;
    for (const auto& p : progress) {
      QVERIFY(!p.stage.empty());
      QVERIFY(p.fraction >= 0 && p.fraction <= 1);
      QVERIFY(p.elapsedS >= 0);
      if (p.layer >= 0) {
        perLayer = true;
        QCOMPARE(p.numLayers, result.body.at("provenance").at("model").value("num_layers", p.numLayers));
        QVERIFY(p.layer < p.numLayers);
        QVERIFY(p.totalSteps > 0);
      }
    }
    QVERIFY(perLayer);
    QCOMPARE(progress.front().stage, std::string("loading model"));
  }

  // Long jobs run one at a time, in the order they were submitted, and quick ones (info, list_dir, hf_cache)
  // beside them; every job gets "accepted" first and exactly one final event last.
  void jobsRunOneAtATimeInOrder() {
    auto engine = srdd::engine::makeInProcessEngine();
    std::mutex m;
    std::vector<std::pair<uint64_t, std::string>> all;
    auto record = [&](const Event& e) {
      std::lock_guard<std::mutex> lock(m);
      all.emplace_back(e.job, e.type);
    };
    Collector last;
    const uint64_t a = engine->submit(smallScan(), record);
    const uint64_t b = engine->submit({{"type", "info"}, {"model", srdd_test::demoModelDir().toStdString()}}, record);
    const uint64_t c = engine->submit(smallScan(), [&](const Event& e) {
      record(e);
      last.handler()(e);
    });
    QVERIFY(a != b && b != c && a != c);
    QVERIFY(last.waitFinal());
    std::lock_guard<std::mutex> lock(m);
    std::vector<uint64_t> finals, starts;
    std::map<uint64_t, int> finalCount;
    for (const auto& [job, type] : all) {
      if (type == "result" || type == "error" || type == "cancelled") {
        finals.push_back(job);
        ++finalCount[job];
        QCOMPARE(type, std::string("result"));
      } else if (type != "accepted" && (starts.empty() || starts.back() != job)) {
        starts.push_back(job);
      }
    }
    // The quick info job does not wait behind the scans; the scans run in their order.
    QCOMPARE(finals, (std::vector<uint64_t>{b, a, c}));
    for (auto id : {a, b, c}) QCOMPARE(finalCount[id], 1);
    // No job's progress interleaves with another's: the running job changes only after a final event.
    for (size_t i = 1; i < starts.size(); ++i) QVERIFY(starts[i] != starts[i - 1]);
    std::map<uint64_t, bool> finished;
    for (const auto& [job, type] : all) {
      if (type == "result") finished[job] = true;
      if (type == "progress") {
        for (auto earlier : {a, b, c}) {
          if (earlier == job) break;
          QVERIFY2(finished[earlier], "a job ran before the one submitted earlier had finished");
        }
      }
    }
  }

  // A running scan stops within a second of cancel; a queued job is cancelled without ever running; the
  // engine then runs the next job normally.
  void cancelIsHonouredWithinASecond() {
    auto engine = srdd::engine::makeInProcessEngine();
    Collector running, queued, after;
    const uint64_t r = engine->submit(longScan(), running.handler());
    const uint64_t q = engine->submit(smallScan(), queued.handler());
    QVERIFY(running.waitFor([](const auto& ev) {
      for (const auto& e : ev)
        if (e.type == "progress" && e.body.value("layer", -1) >= 0) return true;
      return false;
    }));
    engine->cancel(q);
    QVERIFY(queued.waitFinal(1000));
    QCOMPARE(queued.snapshot().back().type, std::string("cancelled"));
    for (const auto& e : queued.snapshot()) QVERIFY(e.type == "accepted" || e.type == "cancelled");
    const auto start = std::chrono::steady_clock::now();
    engine->cancel(r);
    QVERIFY(running.waitFinal(5000));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    QCOMPARE(running.snapshot().back().type, std::string("cancelled"));
    QVERIFY2(seconds < 1.0, qPrintable(QString("cancel took %1 s").arg(seconds)));
    engine->cancel(r);       // finished: ignored
    engine->cancel(123456);  // unknown: ignored
    engine->submit({{"type", "list_dir"}, {"path", tmp_.path().toStdString()}}, after.handler());
    QVERIFY(after.waitFinal());
    QCOMPARE(after.snapshot().back().type, std::string("result"));
  }

  void runJobThrowsCancelledAndErrors() {
    auto engine = srdd::engine::makeInProcessEngine();
    srdd::CancelToken token;
    bool cancelled = false;
    try {
      srdd::engine::runJob(
          *engine, longScan(),
          [&](const Event& e) {
            if (e.type == "progress" && e.body.value("layer", -1) >= 0) token.cancel();
          },
          &token);
    } catch (const srdd::Cancelled&) {
      cancelled = true;
    }
    QVERIFY(cancelled);
    const QString err = srdd_test::errorOf([&] {
      srdd::engine::runJob(*engine, {{"type", "info"}, {"model", "/nonexistent/model"}});
    });
    QVERIFY2(err.contains("/nonexistent/model"), qPrintable(err));
  }

  // Malformed requests end their job with one clear error event; the engine keeps working.
  void badRequestsGiveErrorEvents() {
    auto engine = srdd::engine::makeInProcessEngine();
    struct Case {
      json request;
      std::string expected;
    };
    json unknownScanField = smallScan();
    unknownScanField["request"]["colour"] = "red";
    json missingModel = smallScan();
    missingModel["request"]["model_dir"] = "/no/such/model";
    const std::vector<Case> cases = {
        {json::array({1, 2}), "expected a JSON object"},
        {{{"kind", "scan"}}, "no \"type\""},
        {{{"type", "launch-missiles"}}, "unknown request type 'launch-missiles'"},
        {{{"type", "info"}, {"model", srdd_test::demoModelDir().toStdString()}, {"colour", 1}},
         "unknown field 'colour'"},
        {{{"type", "scan"}}, "no 'request'"},
        {unknownScanField, "unknown field 'colour'"},
        {missingModel, "/no/such/model"},
        {{{"type", "list_dir"}, {"path", 42}}, "field 'path'"},
        {{{"type", "list_dir"}, {"path", "/no/such/dir"}}, "'/no/such/dir' is not a directory"},
        {{{"type", "aqn"}, {"settings", json::object()}}, "no 'run_dir'"},
        {{{"type", "eval"}, {"model", "/no/such/model"}}, "/no/such/model"},
    };
    for (const auto& c : cases) {
      Collector events;
      engine->submit(c.request, events.handler());
      QVERIFY(events.waitFinal());
      const auto ev = events.snapshot();
      QCOMPARE(ev.back().type, std::string("error"));
      const std::string message = ev.back().body.value("message", "");
      QVERIFY2(message.find(c.expected) != std::string::npos, (message + " lacks " + c.expected).c_str());
      QVERIFY2(message.find('\n') == std::string::npos, message.c_str());
      int finals = 0;
      for (const auto& e : ev) finals += e.isFinal();
      QCOMPARE(finals, 1);
    }
    const Event ok = srdd::engine::runJob(*engine, smallScan());
    QCOMPARE(ok.body.at("schema").get<std::string>(), std::string("srdd-scan/1"));
  }

  void infoIsTheCliInfo() {
    auto engine = srdd::engine::makeInProcessEngine();
    const Event e =
        srdd::engine::runJob(*engine, {{"type", "info"}, {"model", srdd_test::demoModelDir().toStdString()}});
    const auto r = cli({"info", srdd_test::demoModelDir(), "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(e.body, json::parse(r.out.toStdString()));
    std::ifstream config(srdd_test::demoModelDir().toStdString() + "/config.json");
    const json c = json::parse(config);
    QCOMPARE(e.body.at("num_layers").get<int>(), c.at("num_hidden_layers").get<int>());
    const auto summary = srdd::modelSummaryFromJson(e.body);
    QCOMPARE(srdd::modelSummaryToJson(summary), e.body);
  }

  void evalIsTheCliEval() {
    auto engine = srdd::engine::makeInProcessEngine();
    const Event e = srdd::engine::runJob(*engine, {{"type", "eval"}, {"max_tokens", 64}, {"batch", 4}});
    const auto r = cli({"eval", "--json", "--max-tokens", "64", "--batch", "4"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(e.body, json::parse(r.out.toStdString()));
    QCOMPARE(e.body.at("perplexity").get<double>(), std::exp(e.body.at("token_weighted_loss").get<double>()));
  }

  void listDirShowsFilesAndModels() {
    const fs::path root = path("browse").toStdString();
    fs::create_directories(root / "zeta-model");
    std::ofstream(root / "zeta-model" / "config.json") << "{}";
    fs::create_directories(root / "alpha");
    std::ofstream(root / "b.txt") << "hello";
    std::ofstream(root / ".hidden") << "x";
    auto engine = srdd::engine::makeInProcessEngine();
    const json body = srdd::engine::runJob(*engine, {{"type", "list_dir"}, {"path", root.string() + "/alpha/.."}}).body;
    QCOMPARE(body.at("path").get<std::string>(), fs::canonical(root).string());
    QCOMPARE(body.at("parent").get<std::string>(), fs::canonical(root).parent_path().string());
    QCOMPARE(body.at("model").get<bool>(), false);
    const json expected = json::array({{{"name", "alpha"}, {"kind", "dir"}, {"model", false}},
                                       {{"name", "zeta-model"}, {"kind", "dir"}, {"model", true}},
                                       {{"name", "b.txt"}, {"kind", "file"}, {"size", 5}}});
    QCOMPARE(body.at("entries"), expected);
    const json withHidden =
        srdd::engine::runJob(*engine, {{"type", "list_dir"}, {"path", root.string()}, {"hidden", true}}).body;
    QCOMPARE(withHidden.at("entries").size(), size_t(4));
  }

  void hfCacheListsSnapshots() {
    const fs::path hub = path("hub").toStdString();
    fs::create_directories(hub / "models--Qwen--Qwen2.5-1.5B" / "snapshots" / "abc123");
    std::ofstream(hub / "models--Qwen--Qwen2.5-1.5B" / "snapshots" / "abc123" / "config.json") << "{}";
    fs::create_directories(hub / "models--org--incomplete" / "snapshots" / "def");  // no config.json
    fs::create_directories(hub / "datasets--x--y");
    qputenv("HF_HUB_CACHE", hub.string().c_str());
    auto engine = srdd::engine::makeInProcessEngine();
    const json body = srdd::engine::runJob(*engine, {{"type", "hf_cache"}}).body;
    qunsetenv("HF_HUB_CACHE");
    QCOMPARE(body.at("cache_dir").get<std::string>(), hub.string());
    const json expected =
        json::array({{{"repo", "Qwen/Qwen2.5-1.5B"},
                      {"revision", "abc123"},
                      {"path", (hub / "models--Qwen--Qwen2.5-1.5B" / "snapshots" / "abc123").string()}}});
    QCOMPARE(body.at("models"), expected);
  }

  // A short AQN comparison: the result holds comparison.json and every file of the run directory, the
  // same bytes as on disk, and the same statistics as `srdd aqn` run as a process.
  void aqnComparisonMatchesTheCli() {
    const std::string tiny = srdd_test::fixturesDir().toStdString() + "/hf/qwen2-tiny-gqa2-tied-f32";
    const std::string heldout = srdd_test::demoModelDir().toStdString() + "/heldout.txt";
    const QStringList args = {"aqn",           QString::fromStdString(tiny),
                              "--targets",     "1",
                              "--configs",     "baseline,targeted",
                              "--seeds",       "2",
                              "--steps",       "4",
                              "--seq",         "32",
                              "--batch",       "2",
                              "--train",       QString::fromStdString(heldout),
                              "--eval",        QString::fromStdString(heldout),
                              "--eval-tokens", "128",
                              "--eval-seq",    "64",
                              "--quiet",       "--json",
                              "--timestamp",   kTimestamp};
    const auto r = cli(args + QStringList{"--out", path("aqn-cli")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    json cliResult = json::parse(r.out.toStdString());
    const json settings = cliResult.at("settings");

    auto engine = srdd::engine::makeInProcessEngine();
    const std::string runDir = path("aqn-engine").toStdString();
    bool sawProgress = false;
    const Event e = srdd::engine::runJob(
        *engine, {{"type", "aqn"}, {"settings", settings}, {"run_dir", runDir}, {"created_utc", kTimestamp}},
        [&](const Event& ev) { sawProgress |= ev.type == "progress"; });
    QVERIFY(sawProgress);
    QCOMPARE(e.body.at("run_dir").get<std::string>(), runDir);
    json engineResult = e.body.at("comparison");
    for (auto* x : {&cliResult, &engineResult})
      for (auto& run : (*x)["runs"]) run.erase("seconds");
    QCOMPARE(engineResult.at("runs"), cliResult.at("runs"));
    QCOMPARE(engineResult.at("configs"), cliResult.at("configs"));
    QCOMPARE(engineResult.at("tests"), cliResult.at("tests"));
    const json& files = e.body.at("files");
    for (const char* f :
         {"config.json", "comparison.json", "runs/baseline-seed1/result.json", "runs/targeted-seed1/metrics.jsonl"})
      QVERIFY2(files.contains(f), f);
    for (const auto& [name, text] : files.items()) QCOMPARE(text.get<std::string>(), readFile(runDir + "/" + name));
  }

  // Destroying an engine with queued and running jobs ends every job with a final event.
  void destructionEndsEveryJob() {
    Collector a, b;
    {
      auto engine = srdd::engine::makeInProcessEngine();
      engine->submit(longScan(), a.handler());
      engine->submit(longScan(), b.handler());
      QVERIFY(a.waitFor([](const auto& ev) { return ev.size() >= 2; }));
    }
    QCOMPARE(a.snapshot().back().type, std::string("cancelled"));
    QCOMPARE(b.snapshot().back().type, std::string("cancelled"));
  }
};

QTEST_GUILESS_MAIN(TestEngineInProcess)
#include "test_engine_inprocess.moc"
