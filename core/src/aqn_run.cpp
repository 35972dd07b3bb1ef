// The training protocol's runs: corpus and held-out windows loaded once, then per run a Trainer over a
// seeded data order, and the final held-out losses with the quantized forward and without quantization.
#include <chrono>

#include "srdd/aqn_train.h"
#include "srdd/error.h"
#include "srdd/evaluation.h"
#include "srdd/fault_point.h"
#include "srdd/quantized_forward.h"
#include "srdd/sha256.h"
#include "srdd/tokenizer.h"

namespace srdd::aqn {

namespace {

class TrainingRunner : public Runner {
 public:
  TrainingRunner(Model& model, const ComparisonSettings& s)
      : model_(model), s_(s), tokenizer_(Tokenizer::fromFile(model.directory() + "/tokenizer.json")) {
    plan_ = s.train.quantization.empty() ? QuantizationPlan() : QuantizationPlan::fromJson(s.train.quantization);
    plan_.ste = false;
    corpus_ = packCorpus(tokenizer_, readTexts(s.data.trainPath, false), s.train.seqLength, tokenizer_.eosId(),
                         s.data.trainPath);
    if (corpus_.size() < s.train.batchSize)
      throw Error(s.data.trainPath + ": gives " + std::to_string(corpus_.size()) + " windows of " +
                  std::to_string(s.train.seqLength) + " tokens, fewer than the batch size " +
                  std::to_string(s.train.batchSize));
    auto windows = tokenizeIntoWindows(tokenizer_, readTexts(s.data.evalPath, false), s.data.evalSeqLength);
    long tokens = 0;
    for (auto& w : windows) {
      if (s.data.evalTokens > 0 && !eval_.empty() && tokens + static_cast<long>(w.size()) > s.data.evalTokens) break;
      tokens += static_cast<long>(w.size());
      eval_.push_back(std::move(w));
    }
    if (eval_.empty()) throw Error(s.data.evalPath + ": the held-out text has no window of 2 or more tokens");
  }

  long unitsPerRun() const override { return s_.train.steps + 1; }

  std::pair<double, double> initialLosses() override { return evaluate(); }

  RunResult run(const ConfigSpec& config, int seedIndex, uint64_t seed, ProgressTracker& progress,
                const std::string& label, std::vector<nlohmann::json>& metrics) override {
    const auto start = std::chrono::steady_clock::now();
    RunResult r;
    r.config = config.name;
    r.seedIndex = seedIndex;
    r.seed = seed;
    r.noiseLayers = config.noiseLayers;
    const std::set<int> layers(config.noiseLayers.begin(), config.noiseLayers.end());
    TrainSettings train = s_.train;
    train.quantizeTraining = train.quantizeTraining && config.quantizeTraining;  // bf16-aqn: plain forward
    Trainer trainer(model_, train, s_.noise, layers, seed);
    BatchSampler sampler(corpus_.size(), s_.train.batchSize, seed);
    const long steps = s_.train.steps;
    for (long step = 0; step < steps; ++step) {
      progress.begin(label + " step " + std::to_string(step + 1) + "/" + std::to_string(steps));
      const auto idx = sampler.next();
      auto ids = corpus_.windows.index_select(0, at::tensor(idx, at::kLong));
      const TrainStep t = trainer.step(ids, step, steps);
      r.trainLoss.push_back(t.loss);
      r.sigma.push_back(t.sigma);
      r.gradNorm.push_back(t.gradNorm);
      metrics.push_back(
          {{"step", step}, {"loss", t.loss}, {"sigma", t.sigma}, {"lr", t.lr}, {"grad_norm", t.gradNorm}});
      faultPoint("aqn.step");
      progress.done();
    }
    progress.begin(label + " evaluation");
    trainer.finish();
    std::tie(r.evalLossQuantized, r.evalLossBf16) = evaluate();
    progress.done();
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
  }

  nlohmann::json dataFiles() const override {
    return {{"train", sha256File(s_.data.trainPath)}, {"eval", sha256File(s_.data.evalPath)}};
  }

 private:
  std::pair<double, double> evaluate() {
    QuantizationHooks hooks(plan_);
    const double q = evaluateLoss(model_, eval_, s_.data.evalBatchSize, &hooks).tokenWeightedLoss;
    const double b = evaluateLoss(model_, eval_, s_.data.evalBatchSize, nullptr).tokenWeightedLoss;
    return {q, b};
  }

  Model& model_;
  ComparisonSettings s_;
  Tokenizer tokenizer_;
  QuantizationPlan plan_;
  PackedCorpus corpus_;
  std::vector<std::vector<int64_t>> eval_;
};

}  // namespace

std::unique_ptr<Runner> makeTrainingRunner(Model& model, const ComparisonSettings& settings) {
  return std::make_unique<TrainingRunner>(model, settings);
}

}  // namespace srdd::aqn
