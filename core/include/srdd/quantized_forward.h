#pragma once
// Applying fake quantization to a model's forward pass (W4A16 / W16A4 / W4A4 / residual-stream
// quantization) through ForwardHooks, without touching the model's weights. Semantics: docs/scans.md.
#include <ATen/ATen.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "srdd/forward_hooks.h"
#include "srdd/mx_quant.h"

namespace srdd {

class Model;

struct QuantizationPlan {
  enum class Mode {
    W4A16,     // linear weights ("w4a16")
    W16A4,     // activations at linear inputs ("w16a4")
    W4A4,      // both ("w4a4")
    Residual,  // each selected decoder layer's output, the research scripts' mode ("residual")
  };
  QuantSpec spec;
  Mode mode = Mode::W4A16;
  std::set<int> layers;            // decoder layers; empty = all layers
  bool invertLayers = false;       // true: all layers except `layers`
  bool includeLmHead = false;      // lm_head weight / input (W modes only); with a tied model this is the
                                   // embedding matrix used as lm_head (the lookup stays exact unless includeEmbeddings)
  bool includeEmbeddings = false;  // W modes: the embedding rows the lookup reads are fake-quantized too
  bool ste = false;                // training: fakeQuantizeSTE on weights, no cache

  bool selects(int layer) const;  // whether decoder layer `layer` is quantized
  bool quantizesWeights() const { return mode == Mode::W4A16 || mode == Mode::W4A4; }
  bool quantizesLinearInputs() const { return mode == Mode::W16A4 || mode == Mode::W4A4; }
  std::string describe() const;  // e.g. "w4a16 mxfp4 scale=floor ... layers=all"
  // For results: which quantized matrices a tied model shares, in words ("" when nothing is shared), e.g.
  // "tied: the embedding table is also lm_head; both the lookup and lm_head read its quantized copy".
  std::string tiedSharing(bool tiedLmHead) const;
  nlohmann::json toJson() const;
  static QuantizationPlan fromJson(const nlohmann::json& j);  // srdd::Error naming the bad field
  // srdd::Error for a layer index outside [0, numLayers) (numLayers < 0: skip that check), an
  // invalid spec, lm_head with Residual mode, or STE with a mode that does not quantize weights.
  void validate(int numLayers = -1) const;
};

std::string quantModeName(QuantizationPlan::Mode mode);          // "w4a16", "w16a4", "w4a4", "residual"
QuantizationPlan::Mode parseQuantMode(const std::string& name);  // srdd::Error listing the valid names

// Hooks that fake-quantize a forward pass according to a plan. Weights are quantized once and cached
// (keyed by layer and linear kind) unless plan.ste; call invalidate() after changing the weights.
// Stochastic rounding draws from a stream: every activation quantization advances the offset by the
// tensor's size, so repeated forwards see fresh bits; resetStream() replays them.
class QuantizationHooks : public ForwardHooks {
 public:
  explicit QuantizationHooks(QuantizationPlan plan);
  const QuantizationPlan& plan() const { return plan_; }
  // Changes which layers are quantized, keeping the weight cache (its entries do not depend on it).
  void setLayerSelection(std::set<int> layers, bool invert);
  void setIncludeLmHead(bool include) { plan_.includeLmHead = include; }
  void invalidate() { cache_.clear(); }
  void resetStream(uint64_t offset = 0) { stream_ = offset; }
  uint64_t streamOffset() const { return stream_; }

  at::Tensor layerOutput(int layer, const at::Tensor& hidden) override;
  at::Tensor linearInput(LinearRef ref, const at::Tensor& x) override;
  at::Tensor linearWeight(LinearRef ref, const at::Tensor& weight) override;
  // With includeEmbeddings: the looked-up rows, fake-quantized. Each row is its own 1xN blocks, so for
  // deterministic rounding the rows are quantized after the lookup (only B*T rows, no table copy); stochastic
  // rounding, tiles and NVFP4's per-tensor scale quantize the whole table once (cached) and look up in it.
  at::Tensor embeddingLookup(const at::Tensor& table, const at::Tensor& inputIds) override;

 private:
  bool covers(LinearRef ref) const;
  at::Tensor quantizeActivation(const at::Tensor& x);
  at::Tensor quantizeWeight(int layer, int kind, const at::Tensor& weight);  // cached; layer -2 = embeddings
  QuantizationPlan plan_;
  std::map<std::pair<int, int>, at::Tensor> cache_;
  uint64_t stream_ = 0;
};

}  // namespace srdd
