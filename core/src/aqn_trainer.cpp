// One AQN training run's state: fp32 masters, per-step weight installation with noise, forward with
// straight-through fake quantization, backward, clipping and AdamW.
#include <c10/core/GradMode.h>

#include <cmath>
#include <functional>
#include <regex>
#include <sstream>

#include "srdd/aqn_train.h"
#include "srdd/error.h"
#include "srdd/quantized_forward.h"

namespace srdd::aqn {

struct Trainer::Param {
  std::string name;
  at::Tensor* slot = nullptr;
  at::Tensor original;  // the model's own tensor, restored at the end
  at::Tensor master;    // fp32; a leaf with requires_grad when trainable; undefined when neither trained,
                        // noised nor a norm (those use `original`)
  bool trainable = false, norm = false, noised = false;
};

namespace {

bool isNorm(const std::string& name) {
  const std::string suffix = "norm.weight";
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::function<bool(const std::string&)> trainableMatcher(const std::string& spec) {
  if (spec == "all") return [](const std::string&) { return true; };
  if (spec == "norms") return isNorm;
  std::vector<std::regex> patterns;
  std::stringstream ss(spec);
  std::string p;
  while (std::getline(ss, p, ',')) {
    try {
      patterns.emplace_back(p);
    } catch (const std::regex_error&) {
      throw Error("AQN settings: trainable pattern '" + p + "' is not a valid regular expression");
    }
  }
  return [patterns](const std::string& name) {
    for (const auto& re : patterns)
      if (std::regex_search(name, re)) return true;
    return false;
  };
}

}  // namespace

at::Tensor nextTokenLoss(const at::Tensor& logits, const at::Tensor& inputIds) {
  const int64_t t = logits.size(1), v = logits.size(2);
  auto logp = at::log_softmax(logits.narrow(1, 0, t - 1).to(at::kFloat), -1);
  return at::nll_loss(logp.reshape({-1, v}), inputIds.narrow(1, 1, t - 1).reshape({-1}));
}

Trainer::Trainer(Model& model, const TrainSettings& train, const NoiseSettings& noise, const std::set<int>& noiseLayers,
                 uint64_t seed)
    : model_(model), train_(train), noise_(noise), seed_(seed) {
  if (train.quantizeTraining) {
    QuantizationPlan plan =
        train.quantization.empty() ? QuantizationPlan() : QuantizationPlan::fromJson(train.quantization);
    if (plan.mode != QuantizationPlan::Mode::W4A16)
      throw Error("AQN training: the training quantization must be w4a16 (got " + quantModeName(plan.mode) + ")");
    plan.ste = true;
    plan.validate(model.numLayers());
    quant_ = std::make_unique<QuantizationHooks>(plan);
  }
  if (!noiseLayers.empty()) noise_.schedule.validate();
  const auto noised = noiseParameterNames(model, noise.target, noiseLayers);
  const auto trainable = trainableMatcher(train.trainable);
  std::vector<at::Tensor> masters;
  std::vector<bool> decay;
  for (auto& [name, slot] : model.namedParameters()) {
    Param p;
    p.name = name;
    p.slot = slot;
    p.original = *slot;
    p.trainable = trainable(name);
    p.norm = isNorm(name);
    p.noised = noised.count(name) > 0;
    if (p.trainable) {
      p.master = slot->detach().to(at::kFloat, /*non_blocking=*/false, /*copy=*/true).requires_grad_(true);
      masters.push_back(p.master);
      decay.push_back(p.master.dim() >= 2);
    } else if (p.norm || p.noised) {
      p.master = slot->detach().to(at::kFloat);
    }
    params_.push_back(std::move(p));
  }
  if (masters.empty())
    throw Error("AQN settings: trainable '" + train.trainable + "' matches no parameter of the model");
  AdamW::Options o;
  o.weightDecay = train.weightDecay;
  optimizer_ = std::make_unique<AdamW>(masters, decay, o);
}

Trainer::~Trainer() {
  for (auto& p : params_) *p.slot = p.original;
}

namespace {
// Each parameter's noise is drawn on the CPU (the same numbers on every device). A copy from pageable memory would
// make the host wait for the GPU, and one copy per parameter costs launches while the GPU idles, so on CUDA the draws
// go to the device in one asynchronous copy from pinned memory and are split there.
std::vector<at::Tensor> noiseOnDevice(const std::vector<at::Tensor>& cpuNoise, const at::Device& device) {
  if (cpuNoise.empty()) return {};
  if (!device.is_cuda()) {
    std::vector<at::Tensor> out;
    for (const auto& n : cpuNoise) out.push_back(n.to(device));
    return out;
  }
  std::vector<at::Tensor> flat;
  std::vector<int64_t> sizes;
  for (const auto& n : cpuNoise) {
    flat.push_back(n.reshape({-1}));
    sizes.push_back(n.numel());
  }
  at::Tensor all = at::cat(flat).pin_memory().to(device, /*non_blocking=*/true);
  std::vector<at::Tensor> out = all.split_with_sizes(sizes);
  for (size_t i = 0; i < out.size(); ++i) out[i] = out[i].view(cpuNoise[i].sizes());
  return out;
}
}  // namespace

void Trainer::install(double sigma, long step) {
  std::vector<at::Tensor> draws;
  if (sigma > 0)
    for (const auto& p : params_)
      if (p.master.defined() && p.noised) draws.push_back(standardNoise(p.master.sizes(), seed_, p.name, step));
  const std::vector<at::Tensor> noise = noiseOnDevice(draws, model_.device());
  size_t next = 0;
  for (auto& p : params_) {
    if (!p.master.defined()) {
      *p.slot = p.original;
      continue;
    }
    at::Tensor w = p.master;
    if (p.noised && sigma > 0) w = addNoise(w, noise[next++], sigma, noise_.scale);
    // RMSNorm weights stay fp32: the model multiplies in fp32 and rounds once (reference §7 item 24).
    *p.slot = p.norm ? w : w.to(model_.dtype());
  }
}

at::Tensor Trainer::forwardLoss(const at::Tensor& inputIds, double sigma, long step) {
  install(sigma, step);
  Batch batch;
  batch.inputIds = inputIds.to(model_.device());
  batch.attentionMask = at::ones(batch.inputIds.sizes(), batch.inputIds.options().dtype(at::kBool));
  batch.lengths.assign(static_cast<size_t>(inputIds.size(0)), inputIds.size(1));
  auto logits = model_.forward(batch, quant_.get(), /*allLogits=*/true).logits;
  return nextTokenLoss(logits, batch.inputIds);
}

TrainStep Trainer::step(const at::Tensor& inputIds, long step, long totalSteps) {
  c10::AutoGradMode grad(true);
  TrainStep s;
  bool anyNoise = false;
  for (const auto& p : params_) anyNoise = anyNoise || p.noised;
  s.sigma = anyNoise ? noise_.schedule.sigmaAt(step, totalSteps) : 0.0;
  const double warm = train_.lrWarmupSteps > 0 ? std::min(1.0, (step + 1.0) / train_.lrWarmupSteps) : 1.0;
  s.lr = train_.learningRate * warm;
  optimizer_->zeroGrad();
  at::Tensor loss = forwardLoss(inputIds, s.sigma, step);
  s.loss = loss.item<double>();
  if (!std::isfinite(s.loss))
    throw Error("AQN training: the training loss is not finite at step " + std::to_string(step) +
                " (lower the learning rate or σ)");
  loss.backward();
  std::vector<at::Tensor> masters;
  for (const auto& p : params_)
    if (p.trainable) masters.push_back(p.master);
  s.gradNorm = clipGradNorm(masters, train_.gradClip);
  if (!std::isfinite(s.gradNorm))
    throw Error("AQN training: the gradient is not finite at step " + std::to_string(step));
  optimizer_->step(s.lr);
  return s;
}

void Trainer::finish() {
  c10::NoGradGuard noGrad;
  for (auto& p : params_) *p.slot = p.trainable ? p.master.detach().to(model_.dtype()) : p.original;
}

std::vector<std::string> Trainer::trainableNames() const {
  std::vector<std::string> names;
  for (const auto& p : params_)
    if (p.trainable) names.push_back(p.name);
  return names;
}

at::Tensor Trainer::master(const std::string& name) const {
  for (const auto& p : params_)
    if (p.name == name && p.trainable) return p.master;
  return {};
}

}  // namespace srdd::aqn
