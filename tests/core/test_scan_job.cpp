// The torch-free scan facade: request validation and JSON, runs on the bundled demo model checked
// against the `srdd scan` CLI (an independent path from options to engine), model caching, cancellation.
#include "srdd/error.h"
#include "srdd/scan.h"
#include "srdd/scan_job.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "test_support.h"

Q_DECLARE_METATYPE(srdd::ScanRequest)

namespace {

constexpr const char* kTimestamp = "2026-01-01T00:00:00Z";

// A small scan: two scans, the 5-prompt built-in set, 16 tokens per prompt.
srdd::ScanRequest smallRequest() {
  srdd::ScanRequest r;
  r.modelDir = srdd_test::demoModelDir().toStdString();
  r.scans = {"gain", "kurtosis"};
  r.prompts = "builtin:srdd";
  r.maxTokens = 16;
  r.createdUtc = kTimestamp;
  return r;
}

nlohmann::json runCli(const QStringList& args, const QString& out) {
  QProcess p;
  p.start(srdd_test::cliPath(), QStringList{"scan", srdd_test::demoModelDir(), "--quiet", "--no-report", "--timestamp",
                                            kTimestamp, "--out", out} +
                                    args);
  if (!p.waitForFinished(300000) || p.exitCode() != 0)
    qFatal("srdd scan failed: %s", p.readAllStandardError().constData());
  QFile f(out);
  if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(out));
  return nlohmann::json::parse(f.readAll().toStdString());
}

using srdd_test::errorOf;
}  // namespace

class TestScanJob : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void namesMatchTheEngine() {
    QCOMPARE(srdd::scanNames().size(), size_t(9));
    QCOMPARE(srdd::defaultScanNames(),
             (std::vector<std::string>{"instability", "gain", "kurtosis", "fidelity", "weights", "sensitivity"}));
    QCOMPARE(srdd::quantModeNames(), (std::vector<std::string>{"w4a16", "w16a4", "w4a4", "residual"}));
    QCOMPARE(srdd::availableDevices().front(), std::string("cpu"));
    for (const auto& name : srdd::builtinPromptSetNames()) QVERIFY(!srdd::builtinPrompts(name).empty());
    for (const auto& name : srdd::quantFormatNames()) {
      srdd::ScanRequest r = smallRequest();
      r.format = name;
      for (const auto& block : srdd::blockShapeChoices(name)) {
        r.block = block;
        r.validate();  // every listed format and block shape is runnable with the other defaults
      }
    }
    QCOMPARE(srdd::blockShapeChoices("nvfp4"), (std::vector<std::string>{"1x16", "16x16"}));
    srdd::ScanRequest r = smallRequest();
    QCOMPARE(r.quantizationDescription(), std::string("w4a16 mxfp4 scale=floor rounding=rne block=1x32 layers=all"));
    r.layers = {2, 0};
    r.invertLayers = true;
    r.lmHead = true;
    r.rounding = "away";
    QCOMPARE(r.quantizationDescription(),
             std::string("w4a16 mxfp4 scale=floor rounding=away block=1x32 layers=all-but:0,2 +lm_head"));
  }

  void defaultRequestIsValid() {
    srdd::ScanRequest r;
    r.modelDir = srdd_test::demoModelDir().toStdString();
    r.validate();
    QCOMPARE(r.resolvedPrompts(), r.modelDir + "/prompts.txt");  // the demo model ships its prompts
  }

  void badFieldsAreNamed_data() {
    QTest::addColumn<srdd::ScanRequest>("request");
    QTest::addColumn<QString>("expected");
    const srdd::ScanRequest ok = smallRequest();
    auto with = [&ok](auto change) {
      srdd::ScanRequest r = ok;
      change(r);
      return r;
    };
    QTest::newRow("no model") << with([](auto& r) { r.modelDir.clear(); }) << "no model directory";
    QTest::newRow("missing model") << with([](auto& r) { r.modelDir = "/nonexistent/m"; }) << "/nonexistent/m";
    QTest::newRow("no config") << with([](auto& r) { r.modelDir = srdd_test::fixturesDir().toStdString(); })
                               << "config.json";
    QTest::newRow("device") << with([](auto& r) { r.device = "tpu"; }) << "tpu";
    QTest::newRow("dtype") << with([](auto& r) { r.dtype = "int3"; }) << "int3";
    QTest::newRow("format") << with([](auto& r) { r.format = "mxfp3"; }) << "mxfp3";
    QTest::newRow("scale") << with([](auto& r) { r.scale = "ceil"; }) << "ceil";
    QTest::newRow("rounding") << with([](auto& r) { r.rounding = "up"; }) << "'up'";
    QTest::newRow("block") << with([](auto& r) { r.block = "3x5"; }) << "3x5";
    QTest::newRow("reference needs mxfp4") << with([](auto& r) {
      r.format = "nvfp4";
      r.reference = true;
    }) << "reference mode";
    QTest::newRow("mode") << with([](auto& r) { r.mode = "w8a8"; }) << "w8a8";
    QTest::newRow("lm_head in residual mode") << with([](auto& r) {
      r.mode = "residual";
      r.lmHead = true;
    }) << "lm_head";
    QTest::newRow("negative layer") << with([](auto& r) { r.layers = {-2}; }) << "layer -2";
    QTest::newRow("unknown scan") << with([](auto& r) { r.scans = {"gain", "bogus"}; }) << "bogus";
    QTest::newRow("no scan") << with([](auto& r) { r.scans.clear(); }) << "no scan";
    QTest::newRow("builtin prompts") << with([](auto& r) { r.prompts = "builtin:nope"; }) << "nope";
    QTest::newRow("prompt file") << with([](auto& r) { r.prompts = "/nonexistent/p.txt"; }) << "/nonexistent/p.txt";
    QTest::newRow("max tokens") << with([](auto& r) { r.maxTokens = 0; }) << "max tokens";
    QTest::newRow("trials") << with([](auto& r) { r.trials = 1; }) << "trials";
    QTest::newRow("batch") << with([](auto& r) { r.batchSize = 0; }) << "batch";
    QTest::newRow("threshold") << with([](auto& r) { r.thresholds = {{"bogus_rule", 1.0}}; }) << "bogus_rule";
  }

  void badFieldsAreNamed() {
    QFETCH(srdd::ScanRequest, request);
    QFETCH(QString, expected);
    const QString message = errorOf([&] { request.validate(); });
    QVERIFY2(message.contains(expected), qPrintable("'" + message + "' lacks '" + expected + "'"));
    QVERIFY(!message.contains('\n'));
    // run() refuses it with the same message, before loading anything.
    srdd::ScanJob job;
    QCOMPARE(errorOf([&] { job.run(request); }), message);
    QCOMPARE(job.modelLoads(), 0);
  }

  void jsonRoundTrip() {
    srdd::ScanRequest r = smallRequest();
    r.device = "cpu";
    r.dtype = "fp32";
    r.format = "mxfp6-e3m2";
    r.scale = "rceil";
    r.rounding = "stochastic";
    r.block = "32x32";
    r.mode = "w4a4";
    r.layers = {1, 4};
    r.invertLayers = true;
    r.lmHead = true;
    r.seed = 18446744073709551615ull;  // the full uint64 range survives
    r.trials = 4;
    r.gainDraws = 2;
    r.noiseScale = 0.25;
    r.dcShift = 12.5;
    r.batchSize = 7;
    r.thresholds = {{"sqnr_db", 18.5}, {"deadzone", 0.02}};
    const nlohmann::json j = r.toJson();
    QCOMPARE(QString::fromStdString(j["schema"].get<std::string>()), QString("srdd-scan-request/1"));
    const srdd::ScanRequest back = srdd::ScanRequest::fromJson(nlohmann::json::parse(j.dump()));
    QCOMPARE(back.toJson(), j);
    QCOMPARE(back.seed, r.seed);
    QCOMPARE(back.layers, r.layers);
    QCOMPARE(back.thresholds.at("sqnr_db"), 18.5);
    QCOMPARE(back.format, std::string("mxfp6-e3m2"));
    back.validate();

    // Missing fields keep their defaults.
    const srdd::ScanRequest sparse = srdd::ScanRequest::fromJson({{"model_dir", "/m"}, {"seed", 7}});
    QCOMPARE(sparse.seed, uint64_t(7));
    QCOMPARE(sparse.toJson()["scans"], srdd::ScanRequest().toJson()["scans"]);
    QCOMPARE(sparse.maxTokens, int64_t(64));

    QVERIFY(errorOf([] { srdd::ScanRequest::fromJson({{"max_tokns", 3}}); }).contains("max_tokns"));
    QVERIFY(errorOf([] { srdd::ScanRequest::fromJson({{"max_tokens", "many"}}); }).contains("max_tokens"));
    QVERIFY(errorOf([] { srdd::ScanRequest::fromJson({{"seed", -1}}); }).contains("seed"));
    QVERIFY(errorOf([] { srdd::ScanRequest::fromJson({{"scans", "gain"}}); }).contains("scans"));
    QVERIFY(errorOf([] { srdd::ScanRequest::fromJson({{"schema", "srdd-scan/1"}}); }).contains("srdd-scan/1"));
    QVERIFY(errorOf([] { srdd::ScanRequest::fromJson(nlohmann::json::array()); }).contains("object"));
  }

  // The facade must turn its fields into exactly what the CLI's options produce.
  void runMatchesTheCli_data() {
    QTest::addColumn<QStringList>("cliArgs");
    QTest::addColumn<QString>("requestJson");
    const QString base = R"("scans":["gain","kurtosis"],"prompts":"builtin:srdd","max_tokens":16)";
    QTest::newRow("defaults") << QStringList{"--scans",      "gain,kurtosis", "--prompts",
                                             "builtin:srdd", "--max-tokens",  "16"}
                              << "{" + base + "}";
    QTest::newRow("options") << QStringList{"--scans",
                                            "fidelity,instability",
                                            "--prompts",
                                            "builtin:srdd",
                                            "--max-tokens",
                                            "12",
                                            "--format",
                                            "mxfp6-e2m3",
                                            "--rounding",
                                            "away",
                                            "--scale",
                                            "rceil",
                                            "--mode",
                                            "w4a4",
                                            "--all-but",
                                            "0,5",
                                            "--seed",
                                            "9",
                                            "--trials",
                                            "2",
                                            "--threshold-sqnr-db",
                                            "25"}
                             << R"({"scans":["fidelity","instability"],"prompts":"builtin:srdd","max_tokens":12,
                                   "format":"mxfp6-e2m3","rounding":"away","scale":"rceil","mode":"w4a4",
                                   "layers":[0,5],"invert_layers":true,"seed":9,"trials":2,
                                   "thresholds":{"sqnr_db":25}})";
  }

  void runMatchesTheCli() {
    QFETCH(QStringList, cliArgs);
    QFETCH(QString, requestJson);
    QTemporaryDir tmp;
    nlohmann::json cli = runCli(cliArgs, tmp.filePath("cli.json"));
    nlohmann::json rj = nlohmann::json::parse(requestJson.toStdString());
    cli["provenance"].erase("app");  // the CLI binary may have been built from an older commit
    rj["model_dir"] = srdd_test::demoModelDir().toStdString();
    rj["created_utc"] = kTimestamp;
    std::vector<std::string> stages;
    srdd::ScanJob job;
    const nlohmann::json j = job.run(srdd::ScanRequest::fromJson(rj), [&](const srdd::ProgressInfo& p) {
      if (stages.empty() || stages.back() != p.stage) stages.push_back(p.stage);
    });
    QCOMPARE(QString::fromStdString(j["schema"].get<std::string>()), QString("srdd-scan/1"));
    QCOMPARE(j["layers"].size(), size_t(6));
    nlohmann::json facade = j;
    QVERIFY(facade["provenance"].contains("app"));
    facade["provenance"].erase("app");
    for (const auto& item : cli.items()) QVERIFY2(facade[item.key()] == item.value(), item.key().c_str());
    QCOMPARE(facade, cli);
    QVERIFY(stages.size() > 3);
    QCOMPARE(stages[0], std::string("loading model"));
    QCOMPARE(stages[1], std::string("tokenizing prompts"));
    // The JSON is a complete srdd-scan/1 document: the engine reads it back and reports on it.
    const std::string report = srdd::scanReportText(j);
    QVERIFY(report.find("recommendation:") != std::string::npos);
    QCOMPARE(report, srdd::formatScanReport(srdd::scanResultFromJson(cli)));
  }

  void jobKeepsTheModelLoaded() {
    srdd::ScanJob job;
    const srdd::ScanRequest r = smallRequest();
    QVERIFY(!job.hasModelFor(r));
    std::vector<std::string> stages;
    auto record = [&](const srdd::ProgressInfo& p) { stages.push_back(p.stage); };
    const nlohmann::json first = job.run(r, record);
    QCOMPARE(job.modelLoads(), 1);
    QVERIFY(job.hasModelFor(r));
    stages.clear();
    srdd::ScanRequest other = r;
    other.format = "nvfp4";
    other.seed = 3;
    const nlohmann::json second = job.run(other, record);
    QCOMPARE(job.modelLoads(), 1);  // same directory, device and dtype: reused
    QVERIFY(std::find(stages.begin(), stages.end(), "loading model") == stages.end());
    QVERIFY(second["layers"] != first["layers"]);
    QCOMPARE(job.run(r), first);  // a reused model gives the same numbers

    srdd::ScanRequest fp32 = r;
    fp32.dtype = "fp32";
    QVERIFY(!job.hasModelFor(fp32));
    QCOMPARE(QString::fromStdString(job.run(fp32)["provenance"]["dtype"].get<std::string>()), QString("fp32"));
    QCOMPARE(job.modelLoads(), 2);
    QVERIFY(!job.hasModelFor(r));  // only the last model is kept
  }

  void modelFilesChangedMeansReload() {
    QTemporaryDir tmp;
    const QString dir = tmp.filePath("m");
    QVERIFY(QDir().mkpath(dir));
    for (const char* f : {"config.json", "tokenizer.json", "model.safetensors"})
      QVERIFY(QFile::copy(srdd_test::demoModelDir() + "/" + f, dir + "/" + f));
    srdd::ScanJob job;
    srdd::ScanRequest r = smallRequest();
    r.modelDir = dir.toStdString();
    job.run(r);
    QVERIFY(job.hasModelFor(r));
    QFile w(dir + "/model.safetensors");
    QVERIFY(w.setPermissions(w.permissions() | QFileDevice::WriteOwner));
    QVERIFY(w.open(QIODevice::ReadWrite) && w.resize(w.size() / 2));
    w.close();
    QVERIFY(!job.hasModelFor(r));
    const QString message = errorOf([&] { job.run(r); });
    QVERIFY2(message.contains("model.safetensors"), qPrintable(message));
    QVERIFY(!message.contains('\n'));
  }

  void cancelStopsTheRunAndTheJobStaysUsable() {
    srdd::ScanJob job;
    srdd::CancelToken cancel;
    long engineSteps = 0;
    auto cancelInEngine = [&](const srdd::ProgressInfo& p) {
      if (p.totalSteps > 0 && ++engineSteps == 2) cancel.cancel();
    };
    bool cancelled = false;
    try {
      job.run(smallRequest(), cancelInEngine, &cancel);
    } catch (const srdd::Cancelled&) {
      cancelled = true;
    }
    QVERIFY(cancelled);
    QCOMPARE(engineSteps, 2L);  // stopped at the next check, no further unit began
    srdd::ScanJob fresh;
    QCOMPARE(fresh.run(smallRequest())["layers"], job.run(smallRequest())["layers"]);
  }

  void secondRunWaitsAndCanBeCancelledWhileWaiting() {
    srdd::ScanJob job;
    job.run(smallRequest());                     // load once, so the runs below are scan time only
    srdd::ScanRequest longRun = smallRequest();  // the default scan: long enough to still run below
    longRun.scans = srdd::defaultScanNames();
    longRun.prompts.clear();
    longRun.maxTokens = 64;
    std::atomic<bool> firstInEngine{false};
    srdd::CancelToken stopFirst, stopSecond;
    std::thread first([&] {
      try {
        job.run(
            longRun,
            [&](const srdd::ProgressInfo& p) {
              if (p.totalSteps > 0) firstInEngine = true;
            },
            &stopFirst);
      } catch (const srdd::Cancelled&) {
      }
    });
    QTRY_VERIFY_WITH_TIMEOUT(firstInEngine, 60000);
    std::vector<std::string> stages;
    std::thread canceller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      stopSecond.cancel();
    });
    bool cancelled = false;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      job.run(
          smallRequest(), [&](const srdd::ProgressInfo& p) { stages.push_back(p.stage); }, &stopSecond);
    } catch (const srdd::Cancelled&) {
      cancelled = true;
    }
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    canceller.join();
    stopFirst.cancel();
    first.join();
    QVERIFY(cancelled);
    QCOMPARE(stages, std::vector<std::string>{"waiting for the previous scan to stop"});
    QVERIFY2(waited < 1.0, qPrintable(QString::number(waited)));
  }
};

QTEST_APPLESS_MAIN(TestScanJob)
#include "test_scan_job.moc"
