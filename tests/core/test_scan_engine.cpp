// The scan engine on the bundled demo model: closed-form gains, determinism, reuse of cached states,
// cancellation and progress.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "srdd/error.h"
#include "srdd/model.h"
#include "srdd/scan.h"
#include "srdd/tokenizer.h"

#include <QDir>
#include <QtTest/QtTest>

#include "test_support.h"

namespace {

struct Demo {
  std::shared_ptr<srdd::Model> model;
  srdd::PromptSet prompts;
};

Demo demo(int64_t maxTokens = 16) {
  const std::string dir = srdd_test::demoModelDir().toStdString();
  Demo d;
  d.model = srdd::Model::load(dir, {"cpu", "bf16"});
  auto tok = srdd::Tokenizer::fromFile(dir + "/tokenizer.json");
  d.prompts = srdd::loadPromptSet(dir + "/prompts.txt", tok, maxTokens);
  return d;
}

double mean(const srdd::LayerScanResult& l, bool quantized, const std::string& k) {
  return (quantized ? l.quantized : l.bf16).at(k).mean;
}

// Layer `zeroed` outputs zeros (contribution and residual gone): its output ignores its input.
// Layer `identity` outputs its own input: output change == input noise exactly.
struct FaultHooks : srdd::ForwardHooks {
  int zeroed = 2, identity = 4;
  at::Tensor input;
  at::Tensor layerInput(int l, const at::Tensor& h) override {
    if (l == identity) input = h;
    return {};
  }
  at::Tensor layerOutput(int l, const at::Tensor& h) override {
    if (l == zeroed) return h * 0;
    if (l == identity) return input;
    return {};
  }
};

// SCAN alone on the demo model with layer 2 zeroed and layer 4 passing its input through.
srdd::ScanResult scanWithFaults(const Demo& d, srdd::ScanKind scan) {
  FaultHooks fault;
  srdd::ScanOptions o;
  o.scans = {scan};
  o.extraHooks = &fault;
  return srdd::runScan(*d.model, d.prompts, o);
}

}  // namespace

class TestScanEngine : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void gainOfDeadAndIdentityLayers() {
    auto d = demo();
    auto r = scanWithFaults(d, srdd::ScanKind::Gain);
    for (int v = 0; v < 2; ++v) {
      QCOMPARE(mean(r.layers[2], v, "gain"), 0.0);
      QVERIFY(std::fabs(mean(r.layers[4], v, "gain") - 1.0) < 1e-12);
      for (int i : {1}) {  // a normal layer: ≈1 through the residual path
        const double g = mean(r.layers[static_cast<size_t>(i)], v, "gain");
        QVERIFY2(g > 0.7 && g < 1.6, qPrintable(QString("layer %1 gain %2").arg(i).arg(g)));
      }
    }
    QCOMPARE(r.layers[0].bf16.at("gain").n, static_cast<int>(d.prompts.tokens.size()));  // all prompts aggregated
  }

  // The output variance (recorded with the kurtosis) by construction: a zeroed layer has none, a layer that
  // passes its input through has exactly its predecessor's, per prompt.
  void varianceOfDeadAndIdentityLayers() {
    auto d = demo();
    auto r = scanWithFaults(d, srdd::ScanKind::Kurtosis);
    for (int v = 0; v < 2; ++v) {
      auto side = [&](int layer) -> const srdd::Stat& {
        const auto& l = r.layers[static_cast<size_t>(layer)];
        return (v ? l.quantized : l.bf16).at("variance");
      };
      QCOMPARE(side(2).mean, 0.0);
      QCOMPARE(side(4).values, side(3).values);
      QVERIFY(side(1).mean > 0);
      QCOMPARE(side(1).n, static_cast<int>(d.prompts.tokens.size()));
    }
  }

  void instabilityZeroWhenDeterministicPositiveWithStochasticActivations() {
    auto d = demo();
    srdd::ScanOptions o;
    o.scans = {srdd::ScanKind::Instability};
    o.plan.mode = srdd::QuantizationPlan::Mode::W16A4;
    o.plan.spec.rounding = srdd::Rounding::Stochastic;
    auto r = srdd::runScan(*d.model, d.prompts, o);
    for (const auto& l : r.layers) {
      QCOMPARE(mean(l, false, "instability"), 0.0);
      QVERIFY(mean(l, true, "instability") > 0.0);
    }
    o.plan.spec.rounding = srdd::Rounding::NearestEven;
    r = srdd::runScan(*d.model, d.prompts, o);
    for (const auto& l : r.layers) QCOMPARE(mean(l, true, "instability"), 0.0);
  }

  // The engine's single-layer sensitivity (resumed from the cached state entering layer i) equals a
  // full forward with only layer i quantized.
  void sensitivityMatchesFullForward() {
    auto d = demo();
    d.prompts.tokens.resize(6);
    d.prompts.texts.resize(6);
    srdd::ScanOptions o;
    o.scans = {srdd::ScanKind::Sensitivity};
    auto r = srdd::runScan(*d.model, d.prompts, o);
    auto batch = srdd::Batch::fromSequences(d.prompts.tokens, d.model->device());
    c10::NoGradGuard g;
    auto p = at::log_softmax(d.model->forward(batch).logits.to(at::kFloat), -1);
    for (int i : {0, 3, 5}) {
      srdd::QuantizationPlan plan;
      plan.layers = {i};
      srdd::QuantizationHooks hooks(plan);
      auto q = at::log_softmax(d.model->forward(batch, &hooks).logits.to(at::kFloat), -1);
      auto kl = (p.exp() * (p - q)).sum(-1).clamp_min(0).to(at::kDouble);
      const auto& s = r.layers[static_cast<size_t>(i)].sensitivity.at("kl_single_last");
      for (size_t b = 0; b < 6; ++b)
        QVERIFY(std::fabs(s.values[b] - kl[static_cast<int64_t>(b)].item<double>()) <= 1e-6 + 2e-3 * s.values[b]);
      // kl_single: the mean over every real position of the prompt.
      auto all = at::log_softmax(d.model->forward(batch, &hooks, true).logits.to(at::kFloat), -1);
      auto p0 = at::log_softmax(d.model->forward(batch, nullptr, true).logits.to(at::kFloat), -1);
      auto klPos = (p0.exp() * (p0 - all)).sum(-1).clamp_min(0).to(at::kDouble);  // [B, T]
      for (size_t b = 0; b < 6; ++b) {
        const int64_t n = static_cast<int64_t>(d.prompts.tokens[b].size());
        const double truth = klPos[static_cast<int64_t>(b)].narrow(0, 0, n).mean().item<double>();
        const double got = r.layers[static_cast<size_t>(i)].sensitivity.at("kl_single").values[b];
        QVERIFY(std::fabs(got - truth) <= 1e-6 + 2e-3 * truth);
      }
    }
    // All layers but one, for the last layer, resumes from the quantized state entering it.
    srdd::QuantizationPlan allBut;
    allBut.layers = {5};
    allBut.invertLayers = true;
    srdd::QuantizationHooks hooks(allBut);
    auto q = at::log_softmax(d.model->forward(batch, &hooks).logits.to(at::kFloat), -1);
    auto kl = (p.exp() * (p - q)).sum(-1).clamp_min(0).to(at::kDouble);
    const double e = kl[0].item<double>();
    QVERIFY(std::fabs(r.layers[5].sensitivity.at("kl_all_but_last").values[0] - e) <= 1e-6 + 2e-3 * e);
  }

  void sameSeedSameJson() {
    auto d = demo();
    srdd::ScanOptions o;
    o.scans = srdd::parseScanKinds("all");
    auto a = srdd::scanResultToJson(srdd::runScan(*d.model, d.prompts, o, {}, nullptr, "2026-01-01T00:00:00Z")).dump();
    auto b = srdd::scanResultToJson(srdd::runScan(*d.model, d.prompts, o, {}, nullptr, "2026-01-01T00:00:00Z")).dump();
    QVERIFY(a == b);
    o.seed = 7;
    auto c = srdd::scanResultToJson(srdd::runScan(*d.model, d.prompts, o, {}, nullptr, "2026-01-01T00:00:00Z")).dump();
    QVERIFY(a != c);  // the seed reaches the gain noise
    // Read back: same numbers and the same verdict.
    auto back = srdd::scanResultToJson(srdd::scanResultFromJson(nlohmann::json::parse(a))).dump();
    QVERIFY(back == a);
  }

  void cancelFromAnotherThread() {
    auto d = demo(64);
    srdd::ScanOptions o;
    o.scans = srdd::parseScanKinds("all");
    o.instabilityTrials = 20;
    o.gainDraws = 50;
    srdd::CancelToken token;
    const std::string out = QDir::tempPath().toStdString() + "/srdd-cancel-test.json";
    std::filesystem::remove(out);
    std::chrono::steady_clock::time_point cancelledAt;
    std::thread canceller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      cancelledAt = std::chrono::steady_clock::now();
      token.cancel();
    });
    bool threw = false;
    try {
      auto r = srdd::runScan(*d.model, d.prompts, o, {}, &token);
      srdd::writeScanJson(r, out);
    } catch (const srdd::Cancelled&) {
      threw = true;
    }
    const auto returned = std::chrono::steady_clock::now();
    canceller.join();
    QVERIFY(threw);
    QVERIFY(std::chrono::duration<double>(returned - cancelledAt).count() < 1.0);
    QVERIFY(!std::filesystem::exists(out));
  }

  void progressReportsStagesAndEta() {
    auto d = demo();
    srdd::ScanOptions o;
    std::vector<srdd::ProgressInfo> seen;
    srdd::runScan(*d.model, d.prompts, o, [&](const srdd::ProgressInfo& p) { seen.push_back(p); });
    QVERIFY(seen.size() > 20);
    for (size_t i = 1; i < seen.size(); ++i) QVERIFY(seen[i].step >= seen[i - 1].step);
    QCOMPARE(seen.back().totalSteps, seen.back().step + 1);  // the last unit is reported as it begins
    QVERIFY(seen.back().etaS >= 0);
    bool sawGainLayer = false;
    for (const auto& p : seen) sawGainLayer = sawGainLayer || (p.stage == "gain (quantized)" && p.layer == 5);
    QVERIFY(sawGainLayer);
  }

  void badOptions() {
    auto d = demo();
    srdd::ScanOptions o;
    o.instabilityTrials = 1;
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::runScan(*d.model, d.prompts, o));
    o = srdd::ScanOptions();
    o.plan.layers = {9};
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::runScan(*d.model, d.prompts, o));
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::parseScanKinds("gain,bogus"));
    srdd::PromptSet empty;
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::runScan(*d.model, empty, srdd::ScanOptions()));
  }
};

QTEST_APPLESS_MAIN(TestScanEngine)
#include "test_scan_engine.moc"
