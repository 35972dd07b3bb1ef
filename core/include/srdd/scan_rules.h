#pragma once
// Problematic-layer rules, robust z-score anomaly ranking and the strategy recommendation
// (research defaults: reference §3.5, §4.3, §4.4). Torch-free; works on plain per-layer numbers.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace srdd {

struct RuleThresholds {
  double gainRatio = 0.9;            // gain_drop: gain(quantized) / gain(bf16) < this
  double kurtosisRatio = 0.9;        // kurtosis_drop: kurtosis(quantized) / kurtosis(bf16) < this
  double instabilityIncrease = 0.1;  // instability_increase: instability(q) - instability(bf16) > this
  double sqnrDb = 20.0;              // low_sqnr: SQNR of the layer output < this (dB)
  double deadzone = 0.05;            // high_deadzone: deadzone ratio > this
  double clipping = 0.01;            // high_clipping: per-block clipping ratio > this
  double relativeError = 0.1;        // high_rel_error: relative error > this
  double mixedPrecisionSqnrDb = 15.0;  // mixed approach: problematic layers below this go to high precision
  double targetedFraction = 0.10;    // r < this: targeted mitigation
  double reconsiderFraction = 0.30;  // r >= this: reconsider the format
  double anomalyZ = 3.5;             // anomaly: robust z in the bad direction above this
  nlohmann::json toJson() const;
  static RuleThresholds fromJson(const nlohmann::json& j);
  // Sets one threshold by its JSON/CLI name (gain_ratio, kurtosis_ratio, instability_increase, sqnr_db,
  // deadzone, clipping, relative_error, mixed_precision_sqnr_db, targeted_fraction, reconsider_fraction,
  // anomaly_z); srdd::Error naming an unknown one.
  void set(const std::string& name, double value);
};

// The per-layer numbers the rules read. Missing keys mean "scan not run": their rules do not fire.
// Keys: gain_ratio, kurtosis_ratio, instability_increase, sqnr_db, deadzone_ratio, clipping_ratio,
// relative_error, and for the anomaly ranking also instability and kl_single.
struct LayerMetrics {
  int layer = 0;
  std::map<std::string, double> values;
};

struct Flag {
  std::string rule;     // e.g. "gain_drop", "low_sqnr", "anomaly"
  std::string metric;   // the metric it read
  double value = 0;
  double threshold = 0;
  bool anomaly = false; // robust-z anomaly (informative; does not make a layer problematic)
  nlohmann::json toJson() const;
};

struct LayerVerdict {
  int layer = 0;
  std::vector<Flag> flags;
  bool problematic = false;  // any threshold rule fired
  double anomalyScore = 0;   // largest bad-direction robust z over the ranked metrics (NaN if none)
  std::string anomalyMetric;
};

struct Recommendation {
  std::string strategy;  // no_action, targeted_mitigation, mixed_approach, reconsider_quantization
  std::vector<std::string> details;
  std::vector<int> aqnLayers, mixedPrecisionLayers;
  double problematicFraction = 0;
  std::string suggestedFormat;  // for reconsider_quantization, e.g. "mxfp8-e4m3"
  nlohmann::json toJson() const;
};

struct Verdict {
  std::vector<LayerVerdict> layers;    // in input order
  std::vector<int> ranking;            // layer ids by anomaly score, highest first
  std::vector<int> problematicLayers;  // ascending
  Recommendation recommendation;
};

// Applies the threshold rules and ranks anomalies; formatName is the quantized format (for the advice).
Verdict judgeLayers(const std::vector<LayerMetrics>& layers, const RuleThresholds& t, const std::string& formatName);
// §4.4: strategy from the problematic layers and their SQNR (layer id -> dB; missing = unknown).
Recommendation recommend(const std::vector<int>& problematic, int numLayers, const std::map<int, double>& sqnrDb,
                         const RuleThresholds& t, const std::string& formatName);

}  // namespace srdd
