// The research scripts' quick "AQN" protocol (reference §3.6), kept to reproduce their table: no
// training; at every decoder layer's output h <- h + N(0,1)·gamma·|h| (noise layers only), then
// h <- MXFP4(h); loss = unweighted mean of the prompts' next-token losses. NOT AQN training.
#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <filesystem>

#include "srdd/aqn_train.h"
#include "srdd/error.h"
#include "srdd/evaluation.h"
#include "srdd/mx_quant.h"
#include "srdd/scan.h"
#include "srdd/sha256.h"
#include "srdd/tokenizer.h"

namespace srdd::aqn {

namespace {

class ActivationNoiseHooks : public ForwardHooks {
 public:
  ActivationNoiseHooks(std::set<int> layers, double gamma, QuantSpec spec, uint64_t seed)
      : layers_(std::move(layers)), gamma_(gamma), spec_(std::move(spec)), gen_(at::detail::createCPUGenerator(seed)) {}

  at::Tensor layerOutput(int layer, const at::Tensor& hidden) override {
    at::Tensor h = hidden;
    if (gamma_ > 0 && layers_.count(layer)) {
      // Drawn in fp32 on the CPU from the run's generator, in layer and prompt order.
      auto eps = at::randn(hidden.sizes(), gen_, at::TensorOptions().dtype(at::kFloat)).to(hidden.device());
      auto hf = hidden.to(at::kFloat);
      h = (hf + eps * hf.abs() * gamma_).to(hidden.scalar_type());
    }
    return fakeQuantize(h, spec_);
  }

 private:
  std::set<int> layers_;
  double gamma_;
  QuantSpec spec_;
  at::Generator gen_;
};

class ReferenceRunner : public Runner {
 public:
  ReferenceRunner(Model& model, const ComparisonSettings& s) : model_(model), s_(s) {
    auto tokenizer = Tokenizer::fromFile(model.directory() + "/tokenizer.json");
    prompts_ = loadPromptSet(s.reference.prompts, tokenizer, s.reference.maxTokens);
    spec_ = parseQuantSpec("mxfp4");
    if (s.reference.researchQuantizer) {
      spec_.reference = true;
      spec_.rounding = Rounding::NearestAway;
    }
    spec_.validate();
  }

  long unitsPerRun() const override { return 1; }

  std::pair<double, double> initialLosses() override {
    ActivationNoiseHooks quantOnly({}, 0.0, spec_, 0);
    return {loss(&quantOnly), loss(nullptr)};
  }

  RunResult run(const ConfigSpec& config, int seedIndex, uint64_t seed, ProgressTracker& progress,
                const std::string& label, std::vector<nlohmann::json>& metrics) override {
    const auto start = std::chrono::steady_clock::now();
    progress.begin(label);
    RunResult r;
    r.config = config.name;
    r.seedIndex = seedIndex;
    r.seed = seed;
    r.noiseLayers = config.noiseLayers;
    ActivationNoiseHooks hooks({config.noiseLayers.begin(), config.noiseLayers.end()}, s_.reference.gamma, spec_, seed);
    r.evalLossQuantized = loss(&hooks);
    r.evalLossBf16 = std::nan("");
    metrics.push_back({{"loss", r.evalLossQuantized}});
    progress.done();
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
  }

  nlohmann::json dataFiles() const override {
    const auto& p = s_.reference.prompts;
    return {{"prompts", p.rfind("builtin:", 0) == 0 ? p : sha256File(p)}};
  }

 private:
  // Unpadded batch 1 per prompt, as the scripts; the unweighted mean over prompts.
  double loss(ForwardHooks* hooks) { return evaluateLoss(model_, prompts_.tokens, 1, hooks).meanLoss; }

  Model& model_;
  ComparisonSettings s_;
  PromptSet prompts_;
  QuantSpec spec_;
};

}  // namespace

std::unique_ptr<Runner> makeReferenceRunner(Model& model, const ComparisonSettings& settings) {
  return std::make_unique<ReferenceRunner>(model, settings);
}

}  // namespace srdd::aqn
