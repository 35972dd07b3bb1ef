// `srdd bench scan`: wall time of the three research-script protocols, run by the scan engine.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <set>
#include <utility>
#include <vector>

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

srdd::PromptSet first(const srdd::PromptSet& p, size_t n) {
  srdd::PromptSet s = p;
  s.texts.resize(std::min(n, s.texts.size()));
  s.tokens.resize(std::min(n, s.tokens.size()));
  return s;
}

// Times named parts of one protocol; the device is synchronized before each timer stops.
class PartTimer {
 public:
  PartTimer(const at::Device& device, bool profile) : prof_(true, device), profile_(profile) {}
  template <class F>
  void part(const std::string& name, F f) {
    prof_.begin(name);
    f();
    prof_.end();
  }
  void addScan(const std::string& prefix, const srdd::ScanResult& r) {
    for (const auto& [k, v] : r.profile) scanStages_.emplace_back(prefix + k, v);
  }
  double total() const {
    double t = 0;
    for (const auto& p : prof_.totals()) t += p.second;
    return t;
  }
  void print(const std::string& title) const {
    if (!profile_) return;
    std::cerr << title << " parts:\n" << srdd::formatStageTimes(prof_.totals());
    if (!scanStages_.empty()) std::cerr << title << " scan stages:\n" << srdd::formatStageTimes(scanStages_);
  }

 private:
  srdd::StageProfiler prof_;
  bool profile_;
  std::vector<std::pair<std::string, double>> scanStages_;
};

int runBenchScan(const srdd_cli::Parsed& opt) {
  const bool profile = opt.flag("--profile");
  const std::string dir = srdd_cli::modelDirectory(opt);

  // Not timed: tokenizer, prompt sets, model load and the warm-up forwards (device context, kernel modules).
  // The bench writes no results, so it hashes no model file.
  auto tok = srdd::Tokenizer::fromFile(dir + "/tokenizer.json");
  const auto localPrompts = first(srdd::loadPromptSet("builtin:srdd", tok, 512), 1);
  const auto expPrompts = srdd::loadPromptSet("builtin:experiment", tok, 512);
  const auto scnPrompts = srdd::loadPromptSet("builtin:scanner", tok, 512);
  auto model = srdd_cli::loadModel(opt);
  const at::Device device = model->device();
  // Warm-up: one forward through each attention path (an unpadded causal batch and a padded masked batch), so that
  // the CUDA kernel modules are loaded; the protocols' own shapes are not pre-run.
  srdd::evaluateLoss(*model, {{1, 2, 3}}, 1);
  srdd::evaluateLoss(*model, {{1, 2, 3}, {4, 5}}, 2);
  srdd::synchronizeDevice(device);
  const int L = model->numLayers();
  std::cout
      << "model " << dir << " | " << srdd::dtypeName(model->dtype()) << " on " << device.str() << " | "
      << at::get_num_threads() << " threads | " << srdd::buildDescription() << "\n"
      << "timed: the protocols below, a first run (kernels cold) and the median of --repeat more; not timed: model "
         "load, tokenization, two warm-up forwards (causal and padded attention)\n";
  auto scanOptions = [&](const char* scans) {
    srdd::ScanOptions o;
    o.plan = srdd_cli::quantPlan(opt, 42);
    o.scans = srdd::parseScanKinds(scans);
    o.profile = profile;
    o.hashModelFiles = false;
    o.rules = srdd::RuleSet::Absolute;  // the research protocols judge with the research thresholds
    return o;
  };

  // One pass of the three protocols; returns their wall times (and prints parts/stages with --profile).
  auto runProtocols = [&](bool printProfile) {
    // 1. Local-scan pipeline (srdd_error_finder v8): instability x3, gain, kurtosis, DC gain, discrete,
    //    histogram on prompts[0], BF16 and quantized.
    PartTimer local(device, profile);
    const auto localOpt = scanOptions("instability,gain,kurtosis,dcgain,discrete,histogram");
    local.part("scans (bf16 + quantized)", [&] { local.addScan("", srdd::runScan(*model, localPrompts, localOpt)); });

    // 2. MXFP4 experiment (§3.3-3.6): BF16 and MXFP4 (residual mode) gain/kurtosis/instability on prompts[0],
    //    losses on the 5 test prompts, then 4 AQN configs x 5 runs of the loss. Each loss evaluation runs
    //    the 5 prompts as one padded batch (per-prompt losses are unchanged by right padding).
    PartTimer exp(device, profile);
    auto expOpt = scanOptions("gain,kurtosis,instability");
    expOpt.plan.mode = srdd::QuantizationPlan::Mode::Residual;
    expOpt.plan.includeLmHead = false;
    const int B = static_cast<int>(expPrompts.tokens.size());
    srdd::ScanResult scan;
    exp.part("scans (bf16 + mxfp4)", [&] {
      scan = srdd::runScan(*model, first(expPrompts, 1), expOpt);
      exp.addScan("", scan);
    });
    exp.part("losses (bf16 + mxfp4, 5 prompts)", [&] {
      srdd::evaluateLoss(*model, expPrompts.tokens, B);
      srdd::QuantizationHooks allQ(expOpt.plan);
      srdd::evaluateLoss(*model, expPrompts.tokens, B, &allQ);
    });
    std::set<int> problematic(scan.verdict.problematicLayers.begin(), scan.verdict.problematicLayers.end());
    if (problematic.empty()) problematic = {0};  // time the protocol even when nothing is flagged
    std::set<int> all, healthy;
    for (int i = 0; i < L; ++i) {
      all.insert(i);
      if (!problematic.count(i)) healthy.insert(i);
    }
    exp.part("AQN losses (4 configs x 5 runs)", [&] {
      for (const auto& aqn : {std::set<int>{}, all, problematic, healthy})
        for (int run = 0; run < 5; ++run) {
          NoisyResidualHooks hooks(expOpt.plan.spec, aqn, 0.01, 42 + run);
          srdd::evaluateLoss(*model, expPrompts.tokens, B, &hooks);
        }
    });

    // 3. Quantization scanner (§4): fidelity of every layer's output on the 8 scanner prompts.
    PartTimer scn(device, profile);
    auto scnOpt = scanOptions("fidelity");
    scn.part("scans (fidelity, bf16 + quantized)", [&] { scn.addScan("", srdd::runScan(*model, scnPrompts, scnOpt)); });

    if (printProfile) {
      local.print("local-scan pipeline");
      exp.print("MXFP4 experiment");
      scn.print("quant scanner");
    }
    return std::vector<double>{local.total(), exp.total(), scn.total()};
  };
  const int repeat = static_cast<int>(opt.integer("--repeat", 3));
  std::vector<std::vector<double>> times(3);
  std::vector<double> cold;
  for (int r = 0; r <= repeat; ++r) {
    const auto t = runProtocols(profile && (r == 0 || r == repeat));
    if (r == 0) {
      cold = t;
      continue;
    }
    for (size_t k = 0; k < 3; ++k) times[k].push_back(t[k]);
  }
  const char* names[3] = {"local-scan pipeline (1 prompt, 6 scans)    ", "MXFP4 experiment (scans + losses + 4x5 AQN)",
                          "quant scanner (layers x 8 prompts)         "};
  std::cout << std::fixed << std::setprecision(3)
            << "  protocol                                      first run   median of next " << repeat << "\n";
  for (size_t k = 0; k < 3; ++k) {
    std::sort(times[k].begin(), times[k].end());
    std::cout << "  " << names[k] << "   " << std::setw(7) << cold[k] << " s   " << std::setw(7)
              << times[k][times[k].size() / 2] << " s\n";
  }
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  d.flag("--profile", "per-part and per-stage wall times on stderr (first and last run)");
  d.integer("--repeat", "--repeat N", "timed runs after the first one (default 3); the median is reported", 1);
  srdd_cli::declareModelOptions(d);
  srdd_cli::declareQuantOptions(d);
  return [&app] { return runBenchScan(srdd_cli::Parsed(app)); };
}

srdd_cli::BenchRegistrar reg({"scan", "wall time of the research scripts' three scan protocols",
                              "srdd bench scan [MODEL] [--profile] [--repeat N]", "", define});

}  // namespace
