#pragma once
// A torch-free description of a checkpoint directory, for the GUI and `srdd info`.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace srdd {

struct TensorSummary {
  std::string name;  // e.g. "model.layers.3.self_attn.q_proj.weight"
  std::vector<int64_t> shape;
  std::string dtype;  // safetensors dtype string: "BF16", "F16", "F32"
  int64_t numel = 0;
  std::string file;  // file name (not path) of the shard that holds it
};

// One row of the per-layer table: a decoder layer, or the embeddings / final norm / lm_head.
struct LayerSummary {
  int index = -1;    // decoder layer index, or -1 for the rows outside the layers
  std::string name;  // "layer 3", "embeddings", "final norm", "lm_head (tied)"
  int64_t parameters = 0;
  std::string dtype;  // the dtype of its tensors, or "mixed"
  std::vector<TensorSummary> tensors;
};

struct ModelSummary {
  std::string directory;
  std::string architecture;  // config.json "architectures"[0], e.g. "Qwen2ForCausalLM"
  std::string modelType;     // config.json "model_type"
  int64_t numLayers = 0, hiddenSize = 0, intermediateSize = 0, numHeads = 0, numKvHeads = 0, headDim = 0, vocabSize = 0;
  double ropeTheta = 0, rmsNormEps = 0;
  bool tiedEmbeddings = false;
  bool attentionBias = false;
  int64_t totalParameters = 0;  // unique parameters (a tied lm_head counted once)
  int64_t bytesOnDisk = 0;      // sum of the safetensors files' sizes
  std::vector<std::string> files;
  std::vector<LayerSummary> rows;  // embeddings, layer 0..N-1, final norm, lm_head
};

// Opens and validates the checkpoint (same checks as loading it) and summarises it.
// Throws srdd::Error naming the file and the fault.
ModelSummary summarizeModel(const std::string& directory);

// The `srdd info --json` document (every field above, plus "dtypes": tensors per dtype and
// "memory_bytes" {bf16, fp32}) and back; fromJson throws srdd::Error for a malformed document.
nlohmann::json modelSummaryToJson(const ModelSummary& s);
ModelSummary modelSummaryFromJson(const nlohmann::json& j);

}  // namespace srdd
