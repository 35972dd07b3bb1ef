#pragma once
// A Hugging Face model directory: config.json plus model.safetensors, or model.safetensors.index.json
// plus its shards. Every file is validated, and the tensor set and shapes are checked against the config.
#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "srdd/model_config.h"
#include "srdd/safetensors.h"

namespace srdd {

class Checkpoint {
 public:
  // Throws srdd::Error naming the file and the fault. Refuses pickle checkpoints (pytorch_model.bin, ...)
  // without reading them. Accepts BF16, F16 and F32 tensors.
  static Checkpoint open(const std::string& directory);

  const std::string& directory() const { return directory_; }
  const ModelConfig& config() const { return config_; }
  std::vector<std::string> tensorNames() const;  // sorted
  bool has(const std::string& name) const { return where_.count(name) > 0; }
  at::Tensor tensor(const std::string& name) const;  // zero-copy read-only CPU view; srdd::Error naming it if absent
  std::string dtypeOf(const std::string& name) const;
  std::vector<int64_t> shapeOf(const std::string& name) const;
  std::string fileOf(const std::string& name) const;  // file name (not path) of the shard holding it
  std::vector<std::string> files() const;             // full paths
  uint64_t bytesOnDisk() const;                       // sum of the safetensors files' sizes

 private:
  const TensorEntry& entry(const std::string& name) const;
  std::string directory_;
  ModelConfig config_;
  std::vector<std::shared_ptr<SafetensorsFile>> files_;
  std::map<std::string, std::shared_ptr<SafetensorsFile>> where_;
};

// HF tensor names -> shapes for a config (see ModelConfig::tensorLayout). A tied checkpoint may still contain
// lm_head.weight; Checkpoint::open accepts it when its shape is [vocab, hidden].
std::map<std::string, std::vector<int64_t>> expectedTensorShapes(const ModelConfig& config);

}  // namespace srdd
