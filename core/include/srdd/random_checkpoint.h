#pragma once
// Full-size random-weight checkpoints of a known architecture, for benchmarks and tests.
#include <ATen/ATen.h>

#include <cstdint>
#include <string>

#include "srdd/model_config.h"

namespace srdd {

// Writes config.json and model.safetensors (or, when shards > 1, model-0000i-of-0000n.safetensors plus
// model.safetensors.index.json) into `directory`, creating it. Weights are drawn like transformers' init:
// normal(0, 0.02) for matrices, ones for norms, zeros for biases. Each tensor's values depend only on the
// seed and the tensor's name, so the shard count does not change them. Tensors are generated and written
// one at a time (memory stays at one tensor); every file is written atomically. Stale weight files of the
// other layout (single vs. sharded) are removed so the directory opens as exactly this checkpoint; weight
// files that an earlier call did not write (a real model) make it throw instead, touching nothing.
void writeRandomCheckpoint(const ModelConfig& config, const std::string& directory, at::ScalarType dtype, uint64_t seed,
                           int shards = 1);

// The values writeRandomCheckpoint stores for one tensor (exposed for tests).
at::Tensor randomTensor(const std::string& name, const std::vector<int64_t>& shape, at::ScalarType dtype,
                        uint64_t seed);

}  // namespace srdd
