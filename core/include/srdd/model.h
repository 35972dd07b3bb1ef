#pragma once
// The LibTorch implementation of Qwen2, Qwen3 and Llama-family causal language models, numerically
// following Hugging Face transformers' eager implementation.
#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "srdd/forward_hooks.h"
#include "srdd/model_config.h"

namespace srdd {

class Checkpoint;

struct LoadOptions {
  std::string device = "cpu";  // "cpu", "cuda", "cuda:N"
  std::string dtype = "auto";  // "auto" (the checkpoint's dtype, see checkpointDtype), "bf16", "fp16", "fp32"
};
at::ScalarType parseDtype(const std::string& name);  // srdd::Error naming the value when unknown
void validateDtypeOption(const std::string& name);   // "auto" or a parseDtype name; srdd::Error otherwise
// The dtype the checkpoint is stored in, as Hugging Face loads it: config.json torch_dtype (or dtype), else the
// safetensors dtype of the embedding table; "bf16" when neither is bf16, fp16 or fp32.
std::string checkpointDtype(const Checkpoint& ckpt);
std::string dtypeName(at::ScalarType type);
// RoPE inverse frequencies [headDim/2] in fp32 on the CPU, as transformers computes them (plain or llama3-scaled).
at::Tensor ropeInverseFrequencies(const ModelConfig& config);

// A right-padded batch of token sequences of different lengths.
struct Batch {
  at::Tensor inputIds;       // [B, T] int64
  at::Tensor attentionMask;  // [B, T] bool, true = real token
  std::vector<int64_t> lengths;
  // srdd::Error for an empty list or an empty sequence.
  static Batch fromSequences(const std::vector<std::vector<int64_t>>& sequences, at::Device device);
  int64_t size() const { return static_cast<int64_t>(lengths.size()); }
  bool unpadded() const;  // all sequences have the same length
  // Each sequence's last real position, int64 [B] on `device`.
  at::Tensor lastPositions(at::Device device) const;
};

struct DecoderLayerWeights {
  at::Tensor inputNorm, postAttentionNorm;
  at::Tensor qWeight, qBias, kWeight, kBias, vWeight, vBias, oWeight, oBias;  // biases may be undefined
  at::Tensor qNorm, kNorm;                                                    // qwen3 only, else undefined
  at::Tensor gateWeight, gateBias, upWeight, upBias, downWeight, downBias;    // llama mlp_bias, else undefined
  at::Tensor& linearWeight(LinearKind kind);
  const at::Tensor& linearWeight(LinearKind kind) const;
};

class Model {
 public:
  // Loads a validated checkpoint directory onto the device in the dtype.
  static std::shared_ptr<Model> load(const std::string& directory, const LoadOptions& options);
  static std::shared_ptr<Model> fromCheckpoint(const Checkpoint& checkpoint, const LoadOptions& options);

  const ModelConfig& config() const { return config_; }
  const std::string& directory() const { return directory_; }
  at::Device device() const { return device_; }
  at::ScalarType dtype() const { return dtype_; }
  int numLayers() const { return static_cast<int>(layers_.size()); }

  // Per-batch attention inputs shared by all layers: RoPE tables and the additive attention mask.
  struct Context {
    at::Tensor cos, sin;  // [1 or B, T, headDim] in the model dtype
    at::Tensor maskBias;  // [B, 1, T, T] additive, model dtype; undefined when the batch is unpadded
    bool causalOnly = false;
  };
  Context makeContext(const Batch& batch) const;
  // The same from device tensors only (no host-to-device copy, so a CUDA graph can capture it): `paddingMask`
  // [B, T] bool, or undefined for an unpadded batch of length T.
  Context makeContext(int64_t length, const at::Tensor& paddingMask) const;

  at::Tensor embed(const at::Tensor& inputIds, ForwardHooks* hooks = nullptr) const;  // [B, T, H]
  at::Tensor runLayer(int layer, const at::Tensor& hidden, const Context& ctx, ForwardHooks* hooks) const;
  // Runs layers [first, last) starting from `hidden` (e.g. a cached state entering `first`).
  at::Tensor runLayers(at::Tensor hidden, const Context& ctx, int first, int last, ForwardHooks* hooks,
                       std::vector<at::Tensor>* layerOutputs = nullptr) const;
  at::Tensor finalNorm(const at::Tensor& hidden, ForwardHooks* hooks) const;
  at::Tensor lmHead(const at::Tensor& normedHidden, ForwardHooks* hooks) const;  // logits in the model dtype

  struct ForwardResult {
    at::Tensor logits;                     // [B, T, V] (allLogits) or [B, V] at each sequence's last token
    std::vector<at::Tensor> layerOutputs;  // when keepLayerOutputs: each layer's output, [B, T, H]
  };
  ForwardResult forward(const Batch& batch, ForwardHooks* hooks = nullptr, bool allLogits = false,
                        bool keepLayerOutputs = false) const;
  // The logits [B, V] at positions `lastPositions` (int64 [B]) of a hook-free forward: forward(batch).logits, from
  // device tensors only, so that a CUDA graph can capture it (GraphedForward).
  at::Tensor lastTokenLogits(const at::Tensor& inputIds, const at::Tensor& paddingMask,
                             const at::Tensor& lastPositions) const;
  // Picks each sequence's last real position from [B, T, X].
  static at::Tensor gatherLast(const at::Tensor& perPosition, const Batch& batch);
  static at::Tensor gatherLast(const at::Tensor& perPosition, const at::Tensor& lastPositions);

  // Parameters by Hugging Face name (for training, AQN and weight scans). Tied lm_head is not listed.
  std::vector<std::pair<std::string, at::Tensor*>> namedParameters();
  DecoderLayerWeights& layer(int i) { return layers_.at(static_cast<size_t>(i)); }
  const DecoderLayerWeights& layer(int i) const { return layers_.at(static_cast<size_t>(i)); }
  at::Tensor& embedding() { return embedding_; }
  at::Tensor& finalNormWeight() { return finalNorm_; }
  bool tiedLmHead() const { return !lmHead_.defined(); }
  const at::Tensor& lmHeadWeight() const { return lmHead_.defined() ? lmHead_ : embedding_; }

 private:
  Model() = default;
  at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight) const;
  at::Tensor linear(LinearRef ref, const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                    ForwardHooks* hooks) const;
  at::Tensor attention(int layer, const at::Tensor& x, const Context& ctx, ForwardHooks* hooks) const;
  at::Tensor mlp(int layer, const at::Tensor& x, ForwardHooks* hooks) const;

  ModelConfig config_;
  std::string directory_;
  at::Device device_{at::kCPU};
  at::ScalarType dtype_ = at::kBFloat16;
  at::Tensor embedding_, finalNorm_, lmHead_;
  std::vector<DecoderLayerWeights> layers_;
  at::Tensor invFreq_;  // fp32 [headDim/2]
};

}  // namespace srdd
