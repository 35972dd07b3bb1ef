#pragma once
// The Hugging Face config.json of a Llama-family decoder (Qwen2, Qwen3, Llama, Mistral), parsed and validated.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace srdd {

// Hugging Face tensor names and shapes, in the order of the model (embeddings, layers, final norm, lm_head).
using TensorLayout = std::vector<std::pair<std::string, std::vector<int64_t>>>;

// RoPE frequency scaling: plain RoPE, or Llama 3.1's "llama3" rescaling of the long wavelengths.
struct RopeScaling {
  std::string type = "default";  // "default" or "llama3"
  double factor = 1.0, lowFreqFactor = 1.0, highFreqFactor = 4.0;
  int64_t originalMaxPositions = 8192;
};

struct ModelConfig {
  std::string architecture;  // architectures[0], e.g. "Qwen2ForCausalLM", "Qwen3ForCausalLM", "LlamaForCausalLM"
  std::string modelType;     // "qwen2", "qwen3", "llama", "mistral"
  int64_t vocabSize = 0, hiddenSize = 0, intermediateSize = 0, numLayers = 0, numHeads = 0, numKvHeads = 0, headDim = 0,
          maxPositionEmbeddings = 0;
  double rmsNormEps = 1e-6, ropeTheta = 10000.0;
  bool tieWordEmbeddings = false;
  bool attentionBias =
      false;            // qwen2: q/k/v bias (o_proj none); llama, qwen3: "attention_bias" on q/k/v/o (default false)
  bool qkNorm = false;  // qwen3: per-head RMSNorm of queries and keys (self_attn.q_norm / k_norm, [head_dim])
  RopeScaling ropeScaling;
  bool mlpBias = false;       // llama: "mlp_bias"
  int64_t slidingWindow = 0;  // mistral "sliding_window" (0 = none); qwen2 with use_sliding_window is refused
  std::string torchDtype;     // config "torch_dtype" / "dtype" if present
  std::optional<int64_t> bosTokenId, eosTokenId, padTokenId;  // eos: the first one when config lists several

  static ModelConfig fromFile(const std::string& configJsonPath);
  static ModelConfig fromJson(const nlohmann::json& j, const std::string& sourceForErrors);
  nlohmann::json toJson() const;  // HF-compatible config.json content (round-trips through fromJson)
  // Positive sizes, heads % kv heads == 0, hidden % heads == 0 when head_dim is implied, even head_dim,
  // finite positive eps/theta, known architecture. Throws srdd::Error naming the source.
  void validate(const std::string& sourceForErrors) const;

  bool oProjBias() const { return attentionBias && modelType != "qwen2"; }  // qwen2 has q/k/v bias only
  // The tensors a checkpoint of this config holds: model.embed_tokens.weight, per layer input_layernorm,
  // self_attn.{q,k,v,o}_proj (+ biases), post_attention_layernorm, mlp.{gate,up,down}_proj (+ biases),
  // model.norm.weight, and lm_head.weight unless the embeddings are tied.
  TensorLayout tensorLayout() const;
  int64_t parameterCount() const;  // unique parameters (a tied lm_head counted once); throws on overflow
};

std::vector<std::string> supportedArchitectures();  // "Qwen2ForCausalLM", "Qwen3ForCausalLM", "LlamaForCausalLM", ...
std::vector<std::string> presetNames();             // the names presetConfig knows
// "qwen2.5-0.5b" … "qwen2.5-72b" (the real Hugging Face configs of the Instruct models), "qwen3-0.6b",
// "llama-3.2-1b" and "tiny-qwen2" (a 2-layer Qwen2-shaped model for tests and demos); throws srdd::Error listing
// the known names.
ModelConfig presetConfig(const std::string& name);

}  // namespace srdd
