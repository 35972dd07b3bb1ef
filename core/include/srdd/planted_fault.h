#pragma once
// Planted faults for validating the scans (`srdd plant`, tests/core/test_planted_faults.cpp): a copy of a
// model directory with one known, controlled defect, or a function-preserving control. Docs: docs/validation.md.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace srdd {

struct PlantedFault {
  enum class Kind {
    // down_proj: `perRow` input columns ×factor and the matching up_proj rows ÷factor; o_proj: `perRow` value
    // channels (v_proj rows and bias ÷factor) and the o_proj columns every query head reads them from ×factor.
    // Function unchanged; every row of the weight then holds a few elements at ~factor × its RMS.
    WeightOutliers,
    ActivationChannel,  // an RMSNorm channel ×factor, the next linears' input column ÷factor (function unchanged)
    QkScale,            // control: q_proj weight and bias ×2, k_proj weight and bias ×0.5 (function unchanged)
  };
  Kind kind = Kind::WeightOutliers;
  int layer = 0;
  std::string module = "down_proj";  // WeightOutliers: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj
  int perRow = 3;                    // WeightOutliers: scaled channels (o_proj: each gives heads/kv_heads columns)
  int channel = 7;                   // ActivationChannel
  std::string norm = "input";        // ActivationChannel: input (-> q/k/v columns) or post_attention (-> gate/up)
  double factor = 64;                // a power of two keeps BF16 exact
  uint64_t seed = 1;                 // which elements, their factors and signs
  nlohmann::json toJson() const;
};

std::string plantedFaultKindName(PlantedFault::Kind k);          // weight-outliers, activation-channel, qk-scale
PlantedFault::Kind parsePlantedFaultKind(const std::string& s);  // srdd::Error listing the names

// Writes `outDir` (created): every non-weight file of `modelDir` copied, model.safetensors with the fault
// applied (in the checkpoint's dtypes), and planted.json describing it. srdd::Error naming the problem for a
// layer or module that does not exist, a channel outside the hidden size, or outDir == modelDir.
void plantFault(const std::string& modelDir, const std::string& outDir, const PlantedFault& fault);

}  // namespace srdd
