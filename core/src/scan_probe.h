#pragma once
// Internal to the scan engine: wraps the quantization hooks so that the scan sees exactly what the mode
// quantizes. Measure: fidelity and noise floor of every tensor the quantized pass fake-quantizes (real
// tokens only). Record / Replay: keep each activation's quantization error and re-apply it in a second
// pass, so that the gain scan's two passes share one quantization draw (#19.12).
#include <ATen/ATen.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "srdd/quantized_forward.h"
#include "srdd/scan_fidelity.h"

namespace srdd {

class ProbeHooks : public ForwardHooks {
 public:
  enum class Mode { Pass, Measure, Record, Replay };
  struct Key {
    int layer;
    std::string module, role;
    bool operator<(const Key& o) const { return std::tie(layer, module, role) < std::tie(o.layer, o.module, o.role); }
  };
  struct Measured {
    std::vector<Fidelity> measured, floor;
  };

  ProbeHooks(QuantizationHooks& q, uint64_t seed) : q_(q), seed_(seed) {}
  void setMode(Mode m) { mode_ = m; }
  // Flat [B*T] indices of the real tokens of the batch that Measure reads.
  void setRealRows(const at::Tensor& rows) { rows_ = rows; }
  void clearRecorded() { errors_.clear(); }
  const std::map<Key, Measured>& measured() const { return measured_; }

  at::Tensor layerOutput(int layer, const at::Tensor& hidden) override;
  at::Tensor linearInput(LinearRef ref, const at::Tensor& x) override;
  at::Tensor linearWeight(LinearRef ref, const at::Tensor& weight) override;
  at::Tensor embeddingLookup(const at::Tensor& table, const at::Tensor& inputIds) override {
    return q_.embeddingLookup(table, inputIds);
  }

 private:
  at::Tensor activation(const Key& key, const at::Tensor& x, const at::Tensor& xq);
  void measure(const Key& key, const at::Tensor& x, const at::Tensor& xq);
  QuantizationHooks& q_;
  uint64_t seed_;
  Mode mode_ = Mode::Pass;
  at::Tensor rows_;
  std::map<Key, Measured> measured_;
  std::map<Key, at::Tensor> errors_;
};

}  // namespace srdd
