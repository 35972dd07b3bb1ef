#pragma once
// The instrumentation interface through which scans, quantizers and AQN see and change a forward pass.
#include <ATen/ATen.h>

#include <string>

namespace srdd {

enum class LinearKind { Q, K, V, O, Gate, Up, Down, LmHead };
enum class NormKind { Input, PostAttention, Final };

const char* linearKindName(LinearKind kind);  // "q_proj", ..., "lm_head"
constexpr int kLinearKindsPerLayer = 7;       // Q..Down

struct LinearRef {
  int layer = -1;  // decoder layer index; -1 for lm_head
  LinearKind kind = LinearKind::Q;
};

// Every callback may return an undefined tensor to leave the value unchanged, or a tensor of the same
// shape to replace it. Callbacks run on the forward's thread, in execution order.
class ForwardHooks {
 public:
  virtual ~ForwardHooks() = default;
  // Hidden state entering / leaving decoder layer `layer` ([B, T, H], the residual stream).
  virtual at::Tensor layerInput(int /*layer*/, const at::Tensor& /*hidden*/) { return {}; }
  virtual at::Tensor layerOutput(int /*layer*/, const at::Tensor& /*hidden*/) { return {}; }
  // Input of a linear layer. Inputs shared by several linears are offered once, under the first of
  // them: q/k/v share the input offered as Q, gate/up share the one offered as Gate.
  virtual at::Tensor linearInput(LinearRef /*ref*/, const at::Tensor& /*x*/) { return {}; }
  // The weight a linear uses in this forward (substitution without copying the model).
  virtual at::Tensor linearWeight(LinearRef /*ref*/, const at::Tensor& /*weight*/) { return {}; }
  // The token embeddings [B, T, H] of inputIds [B, T] looked up in `table` [V, H] (e.g. fake-quantized rows).
  // The lm_head weight is offered separately through linearWeight, also when it is tied to this table.
  virtual at::Tensor embeddingLookup(const at::Tensor& /*table*/, const at::Tensor& /*inputIds*/) { return {}; }
  // The weight of an RMSNorm (layer -1 for the final norm), e.g. for AQN noise.
  virtual at::Tensor normWeight(int /*layer*/, NormKind /*kind*/, const at::Tensor& /*weight*/) { return {}; }
};

// Two hooks in sequence: `first` sees each value, `second` sees first's replacement (or the original); either
// may be null. embeddingLookup: the first hook that looks the rows up wins. Every callback is forwarded, so a
// chain never silently drops one (e.g. embedding quantization).
class ChainedHooks : public ForwardHooks {
 public:
  ChainedHooks(ForwardHooks* first, ForwardHooks* second) : a_(first), b_(second) {}
  at::Tensor layerInput(int layer, const at::Tensor& hidden) override;
  at::Tensor layerOutput(int layer, const at::Tensor& hidden) override;
  at::Tensor linearInput(LinearRef ref, const at::Tensor& x) override;
  at::Tensor linearWeight(LinearRef ref, const at::Tensor& weight) override;
  at::Tensor embeddingLookup(const at::Tensor& table, const at::Tensor& inputIds) override;
  at::Tensor normWeight(int layer, NormKind kind, const at::Tensor& weight) override;

 private:
  template <class F>
  at::Tensor chain(const at::Tensor& x, F f);
  ForwardHooks* a_;
  ForwardHooks* b_;
};

}  // namespace srdd
