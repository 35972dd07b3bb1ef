// AQN comparisons in a run directory: an interrupted comparison resumes to the same results as an
// uninterrupted one, atomic writes leave no temporary files, other settings are refused unless forced,
// and the reference protocol reproduces the scripts' activation-noise losses.
#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>

#include "srdd/aqn.h"
#include "srdd/error.h"
#include "srdd/evaluation.h"
#include "srdd/model.h"
#include "srdd/mx_quant.h"
#include "srdd/quantized_forward.h"
#include "srdd/scan.h"
#include "srdd/tokenizer.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "test_support.h"

namespace fs = std::filesystem;

namespace {

srdd::aqn::ComparisonSettings tinySettings() {
  srdd::aqn::ComparisonSettings s;
  s.modelDirectory = (srdd_test::fixturesDir() + "/hf/qwen2-tiny-gqa2-tied-f32").toStdString();
  s.targets = {1};
  s.configs = {"baseline", "global", "targeted"};
  s.seeds = 2;
  s.train.steps = 3;
  s.train.batchSize = 2;
  s.train.seqLength = 32;
  s.train.learningRate = 1e-3;
  s.noise.schedule = srdd::aqn::Schedule::qerl(0.05, 0.005, 3);
  const std::string text = (srdd_test::demoModelDir() + "/heldout.txt").toStdString();
  s.data.trainPath = text;
  s.data.evalPath = text;
  s.data.evalSeqLength = 64;
  s.data.evalTokens = 256;
  return s;
}

nlohmann::json readJson(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// comparison.json without the wall-clock fields.
nlohmann::json comparable(nlohmann::json j) {
  for (auto& r : j["runs"]) r.erase("seconds");
  return j;
}

std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> found;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".tmp.") != std::string::npos) found.push_back(e.path().string());
  return found;
}

bool throwsWith(const std::function<void()>& fn, const std::string& part) {
  try {
    fn();
  } catch (const srdd::Error& e) {
    if (std::string(e.what()).find(part) != std::string::npos) return true;
    qWarning("message '%s' lacks '%s'", e.what(), part.c_str());
    return false;
  }
  return false;
}

const char* kTime = "2026-01-01T00:00:00Z";

}  // namespace

class TestAqnRunDir : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::string dir(const char* name) { return (tmp_.path() + "/" + name).toStdString(); }

 private Q_SLOTS:
  void interruptedComparisonResumesIdentically() {
    const auto s = tinySettings();
    const auto full = srdd::aqn::runComparison(s, dir("full"), {}, nullptr, false, kTime);
    QCOMPARE(full.runs.size(), size_t(6));
    for (const auto& r : full.runs) {
      QCOMPARE(r.trainLoss.size(), size_t(3));
      QVERIFY(std::isfinite(r.evalLossQuantized) && std::isfinite(r.evalLossBf16));
    }
    // Same seeds in every configuration; the baseline never sees noise, the others do after the warm-up.
    QCOMPARE(full.runs[0].seed, full.runs[2].seed);
    QCOMPARE(full.runs[0].sigma, (std::vector<double>{0, 0, 0}));
    QCOMPARE(full.runs[2].sigma, full.sigmaPerStep);
    QVERIFY(full.sigmaPerStep[2] > 0);

    // Cancel while the third run (global, seed 1) trains: two runs are finished.
    srdd::CancelToken cancel;
    std::vector<std::string> stages;
    auto progress = [&](const srdd::ProgressInfo& p) {
      stages.push_back(p.stage);
      if (p.stage == "global seed 1/2 step 2/3") cancel.cancel();
    };
    QVERIFY_THROWS_EXCEPTION(srdd::Cancelled,
                             srdd::aqn::runComparison(s, dir("resumed"), progress, &cancel, false, kTime));
    const fs::path runs = fs::path(dir("resumed")) / "runs";
    QVERIFY(fs::exists(runs / "baseline-seed0/result.json"));
    QVERIFY(fs::exists(runs / "baseline-seed1/metrics.jsonl"));
    QVERIFY(fs::exists(runs / "baseline-seed1/result.json"));
    QVERIFY(!fs::exists(runs / "global-seed0/result.json"));
    QVERIFY(!fs::exists(fs::path(dir("resumed")) / "comparison.json"));
    QVERIFY(temporaries(dir("resumed")).empty());
    // A stale temporary file of a killed writer is cleaned up on resume.
    std::ofstream(runs / "baseline-seed0/.result.json.tmp.AbC123") << "{";

    stages.clear();
    const auto resumed = srdd::aqn::runComparison(s, dir("resumed"), progress, nullptr, false, kTime);
    QVERIFY(std::find(stages.begin(), stages.end(), "baseline seed 1/2 step 1/3") == stages.end());  // not rerun
    QVERIFY(std::find(stages.begin(), stages.end(), "global seed 1/2 step 1/3") != stages.end());
    QCOMPARE(comparable(resumed.toJson()), comparable(full.toJson()));
    QCOMPARE(comparable(readJson(fs::path(dir("resumed")) / "comparison.json")),
             comparable(readJson(fs::path(dir("full")) / "comparison.json")));
    for (const char* run : {"baseline-seed0", "global-seed1", "targeted-seed0"}) {
      std::ifstream a(fs::path(dir("full")) / "runs" / run / "metrics.jsonl"), b(runs / run / "metrics.jsonl");
      QCOMPARE(std::string(std::istreambuf_iterator<char>(a), {}), std::string(std::istreambuf_iterator<char>(b), {}));
    }
    QVERIFY(temporaries(dir("resumed")).empty());
    QVERIFY(temporaries(dir("full")).empty());

    // The metrics file has one line per step with the σ of the schedule.
    std::ifstream metrics(runs / "targeted-seed1/metrics.jsonl");
    std::string line;
    int n = 0;
    while (std::getline(metrics, line)) {
      const auto j = nlohmann::json::parse(line);
      QCOMPARE(j.at("step").get<int>(), n);
      QCOMPARE(j.at("sigma").get<double>(), full.sigmaPerStep[static_cast<size_t>(n)]);
      ++n;
    }
    QCOMPARE(n, 3);

    // comparison.json reads back into the same statistics.
    const auto back = srdd::aqn::readComparison(dir("full") + "/comparison.json");
    QCOMPARE(back.configs.size(), size_t(3));
    QCOMPARE(back.configs[1].lossesQuantized, full.configs[1].lossesQuantized);
    QCOMPARE(back.tests.size(), full.tests.size());
    QCOMPARE(back.tests[0].paired.p, full.tests[0].paired.p);
    const auto j = full.toJson();
    QCOMPARE(j.at("schema").get<std::string>(), std::string("srdd-aqn/1"));
    QCOMPARE(j.at("provenance").at("created_utc").get<std::string>(), std::string(kTime));
    QVERIFY(j.at("provenance").at("model").at("files").size() >= 2);
    QVERIFY(j.at("provenance").at("app").contains("git_commit"));
  }

  void otherSettingsAreRefusedUnlessForced() {
    auto s = tinySettings();
    s.configs = {"baseline", "targeted"};
    s.train.steps = 1;
    srdd::aqn::runComparison(s, dir("mismatch"), {}, nullptr, false, kTime);
    auto changed = s;
    changed.train.steps = 2;
    QVERIFY(throwsWith([&] { srdd::aqn::runComparison(changed, dir("mismatch"), {}, nullptr, false, kTime); },
                       "config.json: the run directory holds other settings (/train/steps: 1 -> 2)"));
    const auto forced = srdd::aqn::runComparison(changed, dir("mismatch"), {}, nullptr, true, kTime);
    QCOMPARE(forced.runs[0].trainLoss.size(), size_t(2));
    QCOMPARE(readJson(fs::path(dir("mismatch")) / "config.json")["settings"]["train"]["steps"].get<int>(), 2);
    // A corrupt result file names itself.
    std::ofstream(fs::path(dir("mismatch")) / "runs/baseline-seed0/result.json") << "{\"schema\": 3";
    QVERIFY(throwsWith([&] { srdd::aqn::runComparison(changed, dir("mismatch"), {}, nullptr, false, kTime); },
                       "baseline-seed0/result.json"));
    // A directory this code did not make is never adopted, not even with force.
    fs::create_directories(dir("foreign"));
    std::ofstream(dir("foreign") + "/notes.txt") << "mine";
    for (bool force : {false, true})
      QVERIFY(throwsWith([&] { srdd::aqn::runComparison(s, dir("foreign"), {}, nullptr, force, kTime); },
                         "is not empty and holds no AQN config.json"));
    QVERIFY(fs::exists(dir("foreign") + "/notes.txt"));
    // A file where the run directory should be.
    std::ofstream(dir("plainfile")) << "x";
    QVERIFY(throwsWith([&] { srdd::aqn::runComparison(s, dir("plainfile"), {}, nullptr, false, kTime); },
                       "not a directory"));
  }

  void badDataIsAnErrorNamingTheFile() {
    auto s = tinySettings();
    const std::string empty = dir("empty.txt");
    std::ofstream(empty) << "\n\n";
    s.data.trainPath = empty;
    QVERIFY(throwsWith([&] { srdd::aqn::runComparison(s, dir("bad1"), {}, nullptr, false, kTime); },
                       "empty.txt: holds no text"));
    const std::string tiny = dir("tiny.txt");
    std::ofstream(tiny) << "Amen.";
    s.data.trainPath = tiny;
    QVERIFY(throwsWith([&] { srdd::aqn::runComparison(s, dir("bad2"), {}, nullptr, false, kTime); },
                       "tiny.txt: the training text has"));
    s = tinySettings();
    s.modelDirectory = dir("no-such-model");
    QVERIFY(throwsWith([&] { srdd::aqn::runComparison(s, dir("bad3"), {}, nullptr, false, kTime); },
                       "no such model directory"));
  }

  void referenceProtocolReproducesActivationNoiseLosses() {
    auto s = tinySettings();
    s.protocol = srdd::aqn::Protocol::Reference;
    s.configs = {"baseline", "global", "targeted", "healthy"};
    s.seeds = 3;
    const auto r = srdd::aqn::runComparison(s, dir("reference"), {}, nullptr, false, kTime);
    QCOMPARE(r.runs.size(), size_t(12));
    // Independent truth for the noise-free baseline: the engine's residual-stream quantization of every
    // layer output with the research scripts' MXFP4 numerics, unpadded, one prompt at a time.
    auto model = srdd::Model::load(s.modelDirectory, {"cpu", s.dtype});  // auto: the fixture's fp32
    auto tok = srdd::Tokenizer::fromFile(s.modelDirectory + "/tokenizer.json");
    const auto prompts = srdd::loadPromptSet("builtin:experiment", tok, 64);
    srdd::QuantizationPlan plan;
    plan.mode = srdd::QuantizationPlan::Mode::Residual;
    plan.spec.reference = true;
    plan.spec.rounding = srdd::Rounding::NearestAway;
    srdd::QuantizationHooks hooks(plan);
    const double expected = srdd::evaluateLoss(*model, prompts.tokens, 1, &hooks).meanLoss;
    for (int k = 0; k < 3; ++k) QCOMPARE(r.runs[static_cast<size_t>(k)].evalLossQuantized, expected);
    QCOMPARE(r.initialLossQuantized, expected);
    QCOMPARE(r.initialLossBf16, srdd::evaluateLoss(*model, prompts.tokens, 1, nullptr).meanLoss);
    // Noise: different seeds give different losses; the same seed gives the same one on a rerun.
    QVERIFY(r.runs[3].evalLossQuantized != r.runs[4].evalLossQuantized);
    QVERIFY(std::isnan(r.runs[3].evalLossBf16));
    const auto j = r.toJson();
    QVERIFY(j.at("label").get<std::string>().find("NOT AQN training") != std::string::npos);
    QCOMPARE(j.at("legacy_aqn_results").at("targeted_aqn").at("aqn_layers"), nlohmann::json({1}));
    QVERIFY(j.at("legacy_aqn_results").at("comparison").contains("p_value"));
    QVERIFY(!j.contains("schedule"));
    // The baseline has no spread: its tests against it carry an explanation or finite numbers, never NaN.
    for (const auto& t : r.tests) QVERIFY(!t.error.empty() || std::isfinite(t.welch.p));
  }
};

QTEST_APPLESS_MAIN(TestAqnRunDir)
#include "test_aqn_rundir.moc"
