// `srdd aqn` as a real process: a small comparison end to end (and its resume), and clear errors for
// bad input (the settings' validation is covered in detail by test_aqn_schedule).
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "test_support.h"

namespace {
using srdd_test::runCli;
QString tinyModel() { return srdd_test::fixturesDir() + "/hf/qwen2-tiny-gqa2-tied-f32"; }
QString heldout() { return srdd_test::demoModelDir() + "/heldout.txt"; }
}  // namespace

class TestAqnCli : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString path(const QString& name) { return tmp_.path() + "/" + name; }

  // Expects exit code 1 and an error line containing every part.
  void expectError(const QStringList& args, const QStringList& parts) {
    const auto r = runCli(args);
    QVERIFY2(r.code == 1, qPrintable(r.err));
    for (const auto& p : parts) QVERIFY2(r.err.contains(p), qPrintable("'" + p + "' not in: " + r.err));
    QVERIFY(r.err.startsWith("srdd aqn: error: "));
  }

 private Q_SLOTS:
  // A comparison killed (SIGKILL) after its first finished run keeps that run byte for byte, and rerunning the
  // command completes it with the same results as an uninterrupted comparison.
  void killedComparisonLosesNoFinishedRun() {
    auto args = [&](const QString& dir) {
      return QStringList{"aqn",           tinyModel(),
                         "--targets",     "1",
                         "--configs",     "baseline,targeted",
                         "--seeds",       "2",
                         "--steps",       "40",
                         "--seq",         "32",
                         "--batch",       "2",
                         "--train",       heldout(),
                         "--eval",        heldout(),
                         "--eval-tokens", "128",
                         "--eval-seq",    "64",
                         "--out",         dir,
                         "--quiet",       "--json",
                         "--timestamp",   "2026-01-01T00:00:00Z"};
    };
    const QString killed = path("killed");
    QProcess p;
    p.start(srdd_test::cliPath(), args(killed));
    QVERIFY(p.waitForStarted());
    const std::string first = killed.toStdString() + "/runs/baseline-seed1/result.json";
    QElapsedTimer clock;
    clock.start();
    while (!std::filesystem::exists(first) && p.state() == QProcess::Running && clock.elapsed() < 240000)
      QTest::qWait(20);
    QVERIFY2(std::filesystem::exists(first), "the first run never finished");
    p.kill();  // SIGKILL: no chance to clean up
    QVERIFY(p.waitForFinished(10000));
    QVERIFY2(!std::filesystem::exists(killed.toStdString() + "/comparison.json"),
             "the comparison finished before the kill");
    const auto readFile = [](const std::string& f) {
      std::ifstream in(f, std::ios::binary);
      return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const std::string kept = readFile(first);
    QVERIFY(nlohmann::json::accept(kept));  // complete, never a torn file

    const auto resumed = runCli(args(killed));
    QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
    QCOMPARE(readFile(first), kept);  // the finished run was not redone
    const auto fresh = runCli(args(path("fresh")));
    QVERIFY2(fresh.code == 0, qPrintable(fresh.err));
    auto a = nlohmann::json::parse(resumed.out.toStdString()), b = nlohmann::json::parse(fresh.out.toStdString());
    for (auto* x : {&a, &b})
      for (auto& run : (*x)["runs"]) run.erase("seconds");
    QCOMPARE(a.at("runs"), b.at("runs"));
    QCOMPARE(a.at("configs"), b.at("configs"));
    QCOMPARE(a.at("tests"), b.at("tests"));
    for (const auto& e : std::filesystem::recursive_directory_iterator(killed.toStdString()))
      QVERIFY2(e.path().filename().string().find(".tmp") == std::string::npos, e.path().c_str());
  }

  void smallComparisonAndResume() {
    const QStringList args = {"aqn",           tinyModel(),
                              "--targets",     "0,2",
                              "--configs",     "baseline,targeted,healthy",
                              "--seeds",       "2",
                              "--steps",       "2",
                              "--seq",         "32",
                              "--batch",       "2",
                              "--train",       heldout(),
                              "--eval",        heldout(),
                              "--eval-tokens", "128",
                              "--eval-seq",    "64",
                              "--qerl-stages", "3",
                              "--noise-scale", "relative",
                              "--out",         path("run"),
                              "--quiet",       "--json",
                              "--timestamp",   "2026-01-01T00:00:00Z"};
    const auto r = runCli(args);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j.at("schema").get<std::string>(), std::string("srdd-aqn/1"));
    QCOMPARE(j.at("runs").size(), size_t(6));
    QCOMPARE(j.at("configs")[1].at("noise_layers"), nlohmann::json({0, 2}));
    QCOMPARE(j.at("configs")[2].at("noise_layers"), nlohmann::json({1}));
    QCOMPARE(j.at("settings").at("noise").at("scale").get<std::string>(), std::string("relative"));
    QCOMPARE(j.at("schedule").at("levels").get<int>(), 2);
    QCOMPARE(j.at("tests").size(), size_t(2));  // targeted and healthy vs baseline
    QCOMPARE(j.at("configs")[0].at("eval_loss_quantized").at("n").get<int>(), 2);
    for (const char* f :
         {"config.json", "comparison.json", "runs/healthy-seed1/metrics.jsonl", "runs/healthy-seed1/result.json"})
      QVERIFY2(std::filesystem::exists(path("run").toStdString() + "/" + f), f);
    // Rerunning resumes: every run is found, the results are the same.
    const auto again = runCli(args);
    QVERIFY2(again.code == 0, qPrintable(again.err));
    auto a = j, b = nlohmann::json::parse(again.out.toStdString());
    for (auto* x : {&a, &b})
      for (auto& run : (*x)["runs"]) run.erase("seconds");
    QCOMPARE(a, b);
    // A table without --json.
    QStringList table = args;
    table.removeAll("--json");
    const auto t = runCli(table);
    QVERIFY(t.out.contains("targeted - baseline"));
    QVERIFY(t.out.contains("paired p"));
    // Other settings on the same directory: refused, naming the difference.
    QStringList other = args;
    other[other.indexOf("--steps") + 1] = "3";
    expectError(other, {"config.json", "/train/steps: 2 -> 3", "--force"});
  }

  void benchReportsThreeSteps() {
    const auto r =
        runCli({"bench", "aqn", tinyModel(), "--batch", "2", "--seq", "16", "--steps", "1", "--warmup", "0", "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j.at("benchmark").get<std::string>(), std::string("aqn"));
    const auto& rows = j.at("results");
    QCOMPARE(rows.size(), size_t(3));
    QCOMPARE(rows[2].at("step").get<std::string>(), std::string("w4a16-mxfp4+aqn"));
    for (const auto& row : rows) {
      QVERIFY(row.at("tokens_per_s").get<double>() > 0);
      QVERIFY(row.at("peak_gpu_memory_bytes").is_null());  // CPU: no CUDA allocator statistics
    }
  }

  // --targets-from takes the scan's recommended AQN set (recommendation.aqn_layers), and refuses an empty set or
  // one that is every layer (then "targeted" would be "global"); --preset qerl sets QeRL's schedule.
  void targetsFromScanTakesTheRecommendedSet() {
    const QString scan = path("scan.json");
    const auto s = runCli(
        {"scan", tinyModel(), "--scans", "gain", "--prompts", "builtin:srdd", "--max-tokens", "8", "--out", scan});
    QVERIFY2(s.code == 0, qPrintable(s.err));
    std::ifstream in(scan.toStdString());
    auto j = nlohmann::json::parse(in);
    const int numLayers = j["provenance"]["model"]["num_layers"].get<int>();
    QVERIFY(numLayers >= 2);
    auto write = [&](const nlohmann::json& aqnLayers, const QString& name) {
      auto copy = j;
      copy["verdict"]["recommendation"]["aqn_layers"] = aqnLayers;
      std::ofstream(path(name).toStdString()) << copy.dump();
      return path(name);
    };
    nlohmann::json all = nlohmann::json::array();
    for (int l = 0; l < numLayers; ++l) all.push_back(l);
    expectError(
        {"aqn", tinyModel(), "--targets-from", write(nlohmann::json::array(), "none.json"), "--out", path("tf")},
        {"none.json: the scan recommends no AQN target layer", "--targets LIST"});
    expectError({"aqn", tinyModel(), "--targets-from", write(all, "all.json"), "--out", path("tf")},
                {"all.json: the recommended AQN target set is every layer", "'targeted' would equal 'global'"});
    expectError({"aqn", tinyModel(), "--targets-from", write("1,2", "text.json"), "--out", path("tf")},
                {"text.json: verdict.recommendation", "has the wrong type"});
    const auto r = runCli({"aqn",
                           tinyModel(),
                           "--targets-from",
                           write({1}, "one.json"),
                           "--configs",
                           "global,targeted",
                           "--seeds",
                           "2",
                           "--steps",
                           "1",
                           "--seq",
                           "32",
                           "--batch",
                           "2",
                           "--train",
                           heldout(),
                           "--eval",
                           heldout(),
                           "--eval-tokens",
                           "64",
                           "--eval-seq",
                           "64",
                           "--preset",
                           "qerl",
                           "--out",
                           path("tf"),
                           "--quiet",
                           "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto c = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(c["settings"]["targets"], nlohmann::json({1}));
    QCOMPARE(c["noise_preset"].get<std::string>(), std::string("qerl"));
    QCOMPARE(c["schedule"]["sigma_start"].get<double>(), 1e-2);
    QCOMPARE(c["schedule"]["sigma_end"].get<double>(), 5e-4);
    QVERIFY(c["primary"]["line"].get<std::string>().rfind("SRDD-guided AQN lower loss than Global AQN, p < 0.05? ",
                                                          0) == 0);
    QCOMPARE(c["settings"]["dtype"].get<std::string>(), std::string("auto"));
    QCOMPARE(c["provenance"]["dtype"].get<std::string>(), std::string("fp32"));  // the fixture is an fp32 checkpoint
  }

  void badInputIsAClearError() {
    const QString out = path("bad");
    expectError({"aqn", path("no-such-model"), "--targets", "1", "--out", out},
                {"no-such-model", "no such model directory"});
    expectError({"aqn", "--targets", "1", "--configs", "baseline,bogus", "--out", out},
                {"unknown configuration 'bogus'"});
    expectError({"aqn", "--targets", "2,9", "--out", out},
                {"--targets: layer 9 is out of range (the model has 6 layers, 0-5)"});
    expectError({"aqn", "--targets", "x", "--out", out}, {"--targets: 'x' is not a layer index"});
    expectError({"aqn", "--targets", "1", "--sigma-end", "0", "--out", out}, {"sigma_end = 0"});
    expectError({"aqn", "--targets", "1", "--custom", "oops", "--out", out}, {"--custom: 'oops' is not NAME=LAYERS"});
    const QString empty = path("empty.jsonl");
    std::ofstream(empty.toStdString()) << "\n";
    expectError({"aqn", "--targets", "1", "--train", empty, "--out", out}, {"empty.jsonl: holds no text"});
    const QString malformed = path("bad.jsonl");
    std::ofstream(malformed.toStdString()) << "{\"text\": \"ok\"}\n{\"txt\": 1}\n";
    expectError({"aqn", "--targets", "1", "--train", malformed, "--out", out}, {"bad.jsonl:2", "\"text\""});
  }
};

QTEST_APPLESS_MAIN(TestAqnCli)
#include "test_aqn_cli.moc"
