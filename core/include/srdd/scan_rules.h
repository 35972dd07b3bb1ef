#pragma once
// Problematic-layer rules, the harm / robust z-score ranking and the strategy recommendation. Two rule sets:
// "floor" (default): excess over the format's own noise floor, robust z across the quantized layers, the
// research plan's relative rules, ranking by single-layer harm; "absolute": the research scripts' fixed
// thresholds on the offline fidelity of the BF16 layer output (reference §3.5, §4.3, §4.4).
// Torch-free; works on plain per-layer numbers. Rules and why: docs/scans.md.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace srdd {

enum class RuleSet { Floor, Absolute };
std::string ruleSetName(RuleSet r);             // "floor", "absolute"
RuleSet parseRuleSet(const std::string& name);  // also "reference" = absolute; srdd::Error otherwise

struct RuleThresholds {
  double gainRatio = 0.9;              // gain_drop: gain(quantized) / gain(bf16) < this
  double kurtosisRatio = 0.9;          // kurtosis_drop: kurtosis(quantized) / kurtosis(bf16) < this
  double instabilityIncrease = 0.1;    // instability_increase: instability(q) - instability(bf16) > this
  double sqnrDb = 20.0;                // low_sqnr: SQNR of the layer output < this (dB)
  double deadzone = 0.05;              // high_deadzone: deadzone ratio > this
  double clipping = 0.01;              // high_clipping: per-block clipping ratio > this
  double relativeError = 0.1;          // high_rel_error: relative error > this
  double mixedPrecisionSqnrDb = 15.0;  // mixed approach: problematic layers below this go to high precision
  double targetedFraction = 0.10;      // r < this: targeted mitigation
  double reconsiderFraction = 0.30;    // r >= this: reconsider the format
  double anomalyZ = 3.5;               // anomaly: robust z in the bad direction above this
  // Floor rules: the excess of the worst quantized tensor of a layer over the format's floor.
  double excessSqnrDb = 3.0;     // floor SQNR - measured SQNR (dB) above this: floor_sqnr
  double excessClipping = 0.01;  // clipping - floor clipping above this: floor_clipping
  // Deadzone and relative error count elements, not energy (near-zero values are cheap to lose), so they
  // have no absolute rule; these scale their outlier rules' minimum effect.
  double excessDeadzone = 0.05;
  double excessRelativeError = 0.10;
  // outlier_*: a tensor kind's excess has robust z > anomalyZ across the quantized layers and exceeds their
  // median by more than this x the metric's threshold
  double outlierMinFraction = 0.25;
  // Floor rules' kurtosis_drop reads only layers whose BF16 excess kurtosis is at least this (a near-Gaussian
  // output has no tails to lose), and against the drop that the quantization noise alone explains.
  double kurtosisMin = 1.0;
  double maxTargetFraction = 0.25;  // the target set holds at most this share of quantized layers (rounded up)
  nlohmann::json toJson() const;
  static RuleThresholds fromJson(const nlohmann::json& j);
  // Sets one threshold by its JSON/CLI name (gain_ratio, kurtosis_ratio, instability_increase, sqnr_db,
  // deadzone, clipping, relative_error, mixed_precision_sqnr_db, targeted_fraction, reconsider_fraction,
  // anomaly_z, kurtosis_min, excess_sqnr_db, excess_deadzone, excess_clipping, excess_relative_error,
  // outlier_min_fraction, max_target_fraction); srdd::Error naming an unknown one.
  void set(const std::string& name, double value);
  double get(const std::string& name) const;  // the same names; srdd::Error naming an unknown one
  static std::vector<std::string> names();    // every name set() takes, sorted
};

// Where a threshold rule's number comes from in a scan result's layer: the bf16 section (the research
// scanner's offline fidelity of the BF16 layer output), the paired ratio or difference, or the worst
// quantized tensor's excess over its floor (quantized_tensors).
enum class RuleSection { Bf16, Ratio, Difference, FloorExcess };

// One threshold rule: the one map from a scan metric to its rule, threshold and direction. judgeLayers
// applies these; front ends read them to draw and explain thresholds.
struct ThresholdRule {
  const char* name;       // the flag's rule name, e.g. "gain_drop"
  const char* input;      // the LayerMetrics key it reads, e.g. "gain_ratio"
  RuleSection section;    // where that number comes from ...
  const char* metric;     // ... and the scan metric there, e.g. "gain" (FloorExcess: the fidelity metric)
  const char* threshold;  // its RuleThresholds name, e.g. "gain_ratio"
  bool below;             // fires when value < threshold (else value > threshold)
  bool floorRules;        // applied by the floor rules (kurtosis_drop there also scales its threshold)
  bool absoluteRules;     // applied by the absolute (research) rules
};
const std::vector<ThresholdRule>& thresholdRules();
// The rule of that rule set that reads `metric` from `section`, or nullptr.
const ThresholdRule* thresholdRuleFor(RuleSet rules, RuleSection section, const std::string& metric);

// The per-layer numbers the rules read. Missing keys mean "scan not run": their rules do not fire.
// Keys: gain_ratio, kurtosis_ratio, instability_increase, sqnr_db, deadzone_ratio, clipping_ratio,
// relative_error, and for the anomaly ranking also instability and kl_single (the single-layer harm).
// Floor rules: excess_sqnr_db, excess_deadzone_ratio, excess_clipping_ratio, excess_relative_error (worst
// quantized tensor of the layer; `where` names it, e.g. "down_proj weight"), the same per tensor kind as
// "excess_deadzone_ratio@down_proj input" (the peer rules compare a kind across layers), kurtosis_bf16 and
// noise_kurtosis_ratio (the kurtosis ratio that independent noise at the layer's drift SQNR gives).
struct LayerMetrics {
  int layer = 0;
  std::map<std::string, double> values;
  std::map<std::string, std::string> where;  // metric -> the tensor it comes from
  bool quantized = true;                     // unquantized layers are not scored (floor rules)
};

struct Flag {
  std::string rule;    // e.g. "gain_drop", "low_sqnr", "anomaly"
  std::string metric;  // the metric it read
  double value = 0;
  double threshold = 0;
  bool anomaly = false;  // robust-z anomaly (informative; does not make a layer problematic)
  std::string where;     // the tensor the value comes from (floor rules), else empty
  nlohmann::json toJson() const;
};

struct LayerVerdict {
  int layer = 0;
  std::vector<Flag> flags;
  bool problematic = false;  // any threshold rule fired
  bool quantized = true;     // false: the plan leaves this layer in BF16; no flag, not ranked
  double anomalyScore = 0;   // largest bad-direction robust z over the ranked metrics (NaN if none)
  std::string anomalyMetric;
};

struct Recommendation {
  std::string strategy;  // no_action, targeted_mitigation, mixed_approach, reconsider_quantization
  std::vector<std::string> details;
  std::vector<int> aqnLayers, mixedPrecisionLayers;
  // The set to act on (AQN targets / higher precision), most harmful first; empty when no layer stands out.
  std::vector<int> targetLayers;
  double problematicFraction = 0;
  std::string suggestedFormat;  // for reconsider_quantization, e.g. "mxfp8-e4m3"
  nlohmann::json toJson() const;
};

struct Verdict {
  std::vector<LayerVerdict> layers;  // in input order
  // Quantized layers, most harmful first: by single-layer KL when the sensitivity scan ran (floor rules),
  // else by anomaly score.
  std::vector<int> ranking;
  std::vector<int> problematicLayers;  // ascending
  Recommendation recommendation;
};

// Applies the threshold rules and ranks anomalies; formatName is the quantized format (for the advice).
Verdict judgeLayers(const std::vector<LayerMetrics>& layers, const RuleThresholds& t, const std::string& formatName,
                    RuleSet rules = RuleSet::Absolute);
// Floor rules: the flagged layers (most harmful first) become the target set, at most maxTargetFraction of
// the quantized layers; more flagged than that: reconsider the format, with the most harmful as targets.
Recommendation recommendTargets(const std::vector<int>& flaggedByHarm, int quantizedLayers, const RuleThresholds& t,
                                const std::string& formatName);
// §4.4: strategy from the problematic layers and their SQNR (layer id -> dB; missing = unknown).
Recommendation recommend(const std::vector<int>& problematic, int numLayers, const std::map<int, double>& sqnrDb,
                         const RuleThresholds& t, const std::string& formatName);

}  // namespace srdd
