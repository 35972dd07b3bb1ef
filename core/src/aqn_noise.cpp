// AQN noise: fp32 Gaussian draws seeded per (run seed, parameter, step), scaled absolutely or relatively.
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>

#include "srdd/aqn_train.h"
#include "srdd/error.h"

namespace srdd::aqn {

namespace {
uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
}  // namespace

at::Tensor standardNoise(at::IntArrayRef sizes, uint64_t seed, const std::string& name, long step) {
  const uint64_t s = mix(mix(seed ^ 0x41514e) ^ fnv1a(name)) ^ mix(static_cast<uint64_t>(step));
  at::Generator gen = at::detail::createCPUGenerator(s);
  return at::randn(sizes, gen, at::TensorOptions().dtype(at::kFloat));
}

at::Tensor addNoise(const at::Tensor& w, const at::Tensor& eps, double sigma, NoiseScale scale) {
  if (w.scalar_type() != at::kFloat || eps.scalar_type() != at::kFloat)
    throw Error("AQN noise: weights and noise must be fp32 (noise is added before any rounding)");
  at::Tensor delta;
  {
    c10::NoGradGuard noGrad;
    const at::Tensor base = w.detach();
    switch (scale) {
      case NoiseScale::Absolute: delta = eps * sigma; break;
      case NoiseScale::Relative: delta = eps * base.abs() * sigma; break;
      case NoiseScale::RelativeRms: delta = eps * (base.pow(2).mean().sqrt() * sigma); break;
    }
  }
  return w + delta;
}

std::set<std::string> noiseParameterNames(const Model& model, NoiseTarget target, const std::set<int>& layers) {
  std::set<std::string> names;
  for (int l : layers) {
    if (l < 0 || l >= model.numLayers())
      throw Error("AQN noise: layer " + std::to_string(l) + " is outside the model's " +
                  std::to_string(model.numLayers()) + " layers");
    const std::string p = "model.layers." + std::to_string(l) + ".";
    if (target == NoiseTarget::Norms) {
      names.insert(p + "input_layernorm.weight");
      names.insert(p + "post_attention_layernorm.weight");
    } else {
      for (auto kind : {LinearKind::Q, LinearKind::K, LinearKind::V, LinearKind::O})
        names.insert(p + "self_attn." + linearKindName(kind) + ".weight");
      for (auto kind : {LinearKind::Gate, LinearKind::Up, LinearKind::Down})
        names.insert(p + "mlp." + linearKindName(kind) + ".weight");
    }
  }
  return names;
}

}  // namespace srdd::aqn
