// `srdd bench scan`: wall time of the three research-script protocols, run by the scan engine.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <iomanip>
#include <iostream>
#include <set>

#include "bench.h"
#include "model_options.h"
#include "scan_cli.h"
#include "srdd/error.h"
#include "srdd/evaluation.h"
#include "srdd/scan.h"
#include "srdd/tokenizer.h"
#include "srdd/version.h"

namespace {

// §3.6 "AQN" of the experiment script: relative activation noise h += N(0,1)·γ·|h| on the AQN layers,
// then residual-stream quantization of every layer's output.
class NoisyResidualHooks : public srdd::ForwardHooks {
 public:
  NoisyResidualHooks(srdd::QuantSpec spec, std::set<int> aqn, double gamma, uint64_t seed)
      : spec_(std::move(spec)), aqn_(std::move(aqn)), gamma_(gamma), gen_(at::detail::createCPUGenerator(seed)) {}
  at::Tensor layerOutput(int layer, const at::Tensor& h) override {
    at::Tensor x = h;
    if (aqn_.count(layer)) {
      at::Tensor n = at::randn(h.sizes(), gen_, at::TensorOptions().dtype(at::kFloat)).to(h.device());
      x = (h.to(at::kFloat) + n * gamma_ * h.to(at::kFloat).abs()).to(h.scalar_type());
    }
    return srdd::fakeQuantize(x, spec_);
  }

 private:
  srdd::QuantSpec spec_;
  std::set<int> aqn_;
  double gamma_;
  at::Generator gen_;
};

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

srdd::PromptSet first(const srdd::PromptSet& p, size_t n) {
  srdd::PromptSet s = p;
  s.texts.resize(std::min(n, s.texts.size()));
  s.tokens.resize(std::min(n, s.tokens.size()));
  return s;
}

int runBenchScan(const srdd_cli::Args& args) {
  auto values = srdd_cli::quantValueOptions();
  values.insert({"--device", "--dtype"});
  srdd_cli::Options opt(args, values, srdd_cli::quantFlagOptions());
  const std::string dir = srdd_cli::modelDirectory(opt);
  auto tok = srdd::Tokenizer::fromFile(dir + "/tokenizer.json");
  auto model = srdd_cli::loadModel(opt);
  const int L = model->numLayers();
  std::cout << "model " << dir << " | " << srdd::dtypeName(model->dtype()) << " on " << model->device().str() << " | "
            << at::get_num_threads() << " threads | " << srdd::buildDescription() << "\n";

  // 1. Local-scan pipeline (srdd_error_finder v8): instability x3, gain, kurtosis, DC gain, discrete,
  //    histogram on prompts[0].
  auto t0 = std::chrono::steady_clock::now();
  srdd::ScanOptions local;
  local.plan = srdd_cli::quantPlan(opt, 42);
  local.scans = srdd::parseScanKinds("instability,gain,kurtosis,dcgain,discrete,histogram");
  srdd::runScan(*model, first(srdd::loadPromptSet("builtin:srdd", tok, 512), 1), local);
  const double tLocal = seconds(t0);

  // 2. MXFP4 experiment (§3.3-3.6): BF16 and MXFP4 (residual mode) gain/kurtosis/instability on prompts[0],
  //    losses on the 5 test prompts, then 4 AQN configs x 5 runs of the loss.
  t0 = std::chrono::steady_clock::now();
  srdd::ScanOptions exp;
  exp.plan = srdd_cli::quantPlan(opt, 42);
  exp.plan.mode = srdd::QuantizationPlan::Mode::Residual;
  exp.plan.includeLmHead = false;
  exp.scans = srdd::parseScanKinds("gain,kurtosis,instability");
  auto expPrompts = srdd::loadPromptSet("builtin:experiment", tok, 512);
  auto scan = srdd::runScan(*model, first(expPrompts, 1), exp);
  srdd::evaluateLoss(*model, expPrompts.tokens, 1);
  srdd::QuantizationHooks allQ(exp.plan);
  srdd::evaluateLoss(*model, expPrompts.tokens, 1, &allQ);
  std::set<int> problematic(scan.verdict.problematicLayers.begin(), scan.verdict.problematicLayers.end());
  if (problematic.empty()) problematic = {0};  // time the protocol even when nothing is flagged
  std::set<int> all, healthy;
  for (int i = 0; i < L; ++i) {
    all.insert(i);
    if (!problematic.count(i)) healthy.insert(i);
  }
  for (const auto& aqn : {std::set<int>{}, all, problematic, healthy})
    for (int run = 0; run < 5; ++run) {
      NoisyResidualHooks hooks(exp.plan.spec, aqn, 0.01, 42 + run);
      srdd::evaluateLoss(*model, expPrompts.tokens, 1, &hooks);
    }
  const double tExp = seconds(t0);

  // 3. Quantization scanner (§4): fidelity of every layer's output on the 8 scanner prompts.
  t0 = std::chrono::steady_clock::now();
  srdd::ScanOptions scn;
  scn.plan = srdd_cli::quantPlan(opt, 42);
  scn.scans = {srdd::ScanKind::Fidelity};
  srdd::runScan(*model, srdd::loadPromptSet("builtin:scanner", tok, 512), scn);
  const double tScn = seconds(t0);

  std::cout << std::fixed << std::setprecision(3) << "  local-scan pipeline (1 prompt, 6 scans)          " << tLocal
            << " s\n  MXFP4 experiment (scans + losses + 4x5 AQN)      " << tExp
            << " s\n  quant scanner (" << L << " layers x 8 prompts)             " << tScn << " s\n";
  return 0;
}

srdd_cli::BenchRegistrar reg({"scan", "wall time of the research scripts' three scan protocols",
                              std::string("Usage: srdd bench scan [MODEL]\n") + srdd_cli::kModelOptionsUsage +
                                  srdd_cli::kQuantOptionsUsage,
                              runBenchScan});

}  // namespace
