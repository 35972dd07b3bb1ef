#pragma once
// The pieces of an AQN training run (needs ATen): corpus packing, AdamW, noise, the trainer.
// Public, torch-free entry points are in srdd/aqn.h.
#include <ATen/ATen.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "srdd/aqn.h"
#include "srdd/forward_hooks.h"
#include "srdd/model.h"

namespace srdd {
class Tokenizer;
}

namespace srdd::aqn {

// ---- corpus (aqn_corpus.cpp) ----

// Token windows of exactly seqLength tokens: the texts' tokens concatenated (separated by `separator`
// when given) and cut into consecutive windows; the incomplete tail is dropped.
struct PackedCorpus {
  std::string source;
  at::Tensor windows;  // [N, seqLength] int64, CPU
  int64_t tokens = 0;  // tokens before cutting
  int64_t size() const { return windows.defined() ? windows.size(0) : 0; }
};
// srdd::Error naming `source` when the texts give no complete window.
PackedCorpus packCorpus(const Tokenizer& tokenizer, const std::vector<std::string>& texts, int seqLength,
                        std::optional<int64_t> separator, const std::string& source);

// Seeded data order: each epoch is a fresh permutation of the windows; next() gives batchSize indices.
class BatchSampler {
 public:
  BatchSampler(int64_t numWindows, int batchSize, uint64_t seed);  // srdd::Error if numWindows < batchSize
  std::vector<int64_t> next();

 private:
  void reshuffle();
  int64_t n_;
  int batch_;
  uint64_t state_;
  std::vector<int64_t> order_;
  size_t pos_ = 0;
};

// ---- optimizer (aqn_optimizer.cpp) ----

// AdamW exactly as torch.optim.AdamW (amsgrad off): p <- p·(1 - lr·wd); m, v moments with bias
// correction; p <- p - lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps). Reads p.grad(); skips
// parameters without a gradient.
class AdamW {
 public:
  struct Options {
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.0;
  };
  // decay[i]: whether params[i] gets weight decay.
  AdamW(std::vector<at::Tensor> params, std::vector<bool> decay, Options options);
  void step(double lr);
  void zeroGrad();
  long steps() const { return t_; }

 private:
  std::vector<at::Tensor> params_, m_, v_;
  std::vector<bool> decay_;
  Options o_;
  long t_ = 0;
};
// Global L2 norm of the gradients (fp64 accumulation); scales them by maxNorm/(norm + 1e-6) when the
// norm exceeds maxNorm (torch.nn.utils.clip_grad_norm_). maxNorm <= 0: only measures. Returns the norm.
double clipGradNorm(const std::vector<at::Tensor>& params, double maxNorm);

// ---- noise (aqn_noise.cpp) ----

// Standard normal noise of `sizes`, fp32 on the CPU, from a generator seeded by (seed, name, step): the
// same parameter gets the same draw in every configuration of a seed (common random numbers).
at::Tensor standardNoise(at::IntArrayRef sizes, uint64_t seed, const std::string& name, long step);
// w (fp32) plus the scaled noise eps (fp32, w's shape): σ·eps, σ·|w|·eps or σ·rms(w)·eps. The scale is
// computed from w without gradient; the gradient with respect to w passes through unchanged.
at::Tensor addNoise(const at::Tensor& w, const at::Tensor& eps, double sigma, NoiseScale scale);
// Hugging Face names of the parameters that get noise in these decoder layers.
std::set<std::string> noiseParameterNames(const Model& model, NoiseTarget target, const std::set<int>& layers);

// ---- trainer (aqn_trainer.cpp) ----

struct TrainStep {
  double loss = 0, sigma = 0, gradNorm = 0, lr = 0;
};

// Owns one run's state on a model. The constructor snapshots the model's weights and makes fp32 masters
// for the trainable parameters; step() installs this step's weights (masters cast to the model dtype,
// RMSNorm weights kept in fp32, noise added in fp32), runs forward and backward, clips and updates.
// finish() installs the trained weights in the model dtype without noise (for evaluation); the
// destructor restores the snapshot. One Trainer per model at a time.
class Trainer {
 public:
  Trainer(Model& model, const TrainSettings& train, const NoiseSettings& noise, const std::set<int>& noiseLayers,
          uint64_t seed);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  TrainStep step(const at::Tensor& inputIds, long step, long totalSteps);  // inputIds [B, T] int64
  // Installs this step's weights (with noise at σ) and returns the training loss of one forward.
  at::Tensor forwardLoss(const at::Tensor& inputIds, double sigma, long step);
  void finish();
  std::vector<std::string> trainableNames() const;
  // The fp32 master of a trainable parameter (undefined for a frozen one).
  at::Tensor master(const std::string& name) const;

 private:
  struct Param;
  void install(double sigma, long step);
  Model& model_;
  TrainSettings train_;
  NoiseSettings noise_;
  uint64_t seed_;
  std::vector<Param> params_;
  std::unique_ptr<ForwardHooks> quant_;
  std::unique_ptr<AdamW> optimizer_;
};

// Mean next-token cross-entropy (fp32) of logits [B, T, V] against inputIds [B, T].
at::Tensor nextTokenLoss(const at::Tensor& logits, const at::Tensor& inputIds);

// ---- the runs of a comparison (aqn_run.cpp: training, aqn_reference.cpp: reference protocol) ----

class Runner {
 public:
  virtual ~Runner() = default;
  virtual long unitsPerRun() const = 0;  // progress units of one run
  // Held-out losses of the untouched model: quantized, and in the model dtype (or NaN).
  virtual std::pair<double, double> initialLosses() = 0;
  // One run; reports and checks cancellation through `progress` (stage names start with `label`);
  // appends one JSON object per step to `metrics`.
  virtual RunResult run(const ConfigSpec& config, int seedIndex, uint64_t seed, ProgressTracker& progress,
                        const std::string& label, std::vector<nlohmann::json>& metrics) = 0;
  // Files whose content the results depend on besides the model: name -> sha256.
  virtual nlohmann::json dataFiles() const = 0;
};
std::unique_ptr<Runner> makeTrainingRunner(Model& model, const ComparisonSettings& settings);
std::unique_ptr<Runner> makeReferenceRunner(Model& model, const ComparisonSettings& settings);

}  // namespace srdd::aqn
