#include "srdd/scan_rules.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "srdd/error.h"
#include "srdd/scan_stats.h"

namespace srdd {

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::map<std::string, double*> fields(RuleThresholds& t) {
  return {{"gain_ratio", &t.gainRatio},
          {"kurtosis_ratio", &t.kurtosisRatio},
          {"instability_increase", &t.instabilityIncrease},
          {"sqnr_db", &t.sqnrDb},
          {"deadzone", &t.deadzone},
          {"clipping", &t.clipping},
          {"relative_error", &t.relativeError},
          {"mixed_precision_sqnr_db", &t.mixedPrecisionSqnrDb},
          {"targeted_fraction", &t.targetedFraction},
          {"reconsider_fraction", &t.reconsiderFraction},
          {"anomaly_z", &t.anomalyZ},
          {"excess_sqnr_db", &t.excessSqnrDb},
          {"excess_deadzone", &t.excessDeadzone},
          {"excess_clipping", &t.excessClipping},
          {"excess_relative_error", &t.excessRelativeError},
          {"outlier_min_fraction", &t.outlierMinFraction},
          {"kurtosis_min", &t.kurtosisMin},
          {"max_target_fraction", &t.maxTargetFraction}};
}

// Floor rules' outlier_X: every excess over the format's floor against the same tensor kind in the other
// layers (the floor_X threshold rules, in thresholdRules, read only the SQNR and clipping excess).
struct ExcessRule {
  const char* suffix;
  const char* metric;
  const char* threshold;
};
const ExcessRule kExcessRules[] = {
    {"sqnr", "excess_sqnr_db", "excess_sqnr_db"},
    {"deadzone", "excess_deadzone_ratio", "excess_deadzone"},
    {"clipping", "excess_clipping_ratio", "excess_clipping"},
    {"rel_error", "excess_relative_error", "excess_relative_error"},
};
const std::pair<const char*, double> kFloorRanked[] = {
    {"excess_sqnr_db", 1}, {"excess_deadzone_ratio", 1}, {"excess_clipping_ratio", 1}, {"excess_relative_error", 1},
    {"gain_ratio", -1},    {"kurtosis_ratio", -1},       {"instability", 1},           {"kl_single", 1}};

// Metrics ranked by robust z, with the sign that makes "bad" positive.
const std::pair<const char*, double> kRanked[] = {{"gain_ratio", -1}, {"kurtosis_ratio", -1}, {"instability", 1},
                                                  {"sqnr_db", -1},    {"relative_error", 1},  {"kl_single", 1}};
}  // namespace

const std::vector<ThresholdRule>& thresholdRules() {
  using S = RuleSection;
  static const std::vector<ThresholdRule> rules = {
      // name, input, section, metric, threshold, below, floor rules, absolute rules
      {"gain_drop", "gain_ratio", S::Ratio, "gain", "gain_ratio", true, true, true},
      {"kurtosis_drop", "kurtosis_ratio", S::Ratio, "kurtosis", "kurtosis_ratio", true, true, true},
      {"instability_increase", "instability_increase", S::Difference, "instability", "instability_increase", false,
       true, true},
      {"low_sqnr", "sqnr_db", S::Bf16, "sqnr_db", "sqnr_db", true, false, true},
      {"high_deadzone", "deadzone_ratio", S::Bf16, "deadzone_ratio", "deadzone", false, false, true},
      {"high_clipping", "clipping_ratio", S::Bf16, "clipping_ratio", "clipping", false, false, true},
      {"high_rel_error", "relative_error", S::Bf16, "relative_error", "relative_error", false, false, true},
      {"floor_sqnr", "excess_sqnr_db", S::FloorExcess, "sqnr_db", "excess_sqnr_db", false, true, false},
      {"floor_clipping", "excess_clipping_ratio", S::FloorExcess, "clipping_ratio", "excess_clipping", false, true,
       false},
  };
  return rules;
}

const ThresholdRule* thresholdRuleFor(RuleSet rules, RuleSection section, const std::string& metric) {
  for (const auto& r : thresholdRules())
    if ((rules == RuleSet::Floor ? r.floorRules : r.absoluteRules) && r.section == section && metric == r.metric)
      return &r;
  return nullptr;
}

nlohmann::json RuleThresholds::toJson() const {
  nlohmann::json j;
  for (auto& [name, ptr] : fields(const_cast<RuleThresholds&>(*this))) j[name] = *ptr;
  return j;
}

RuleThresholds RuleThresholds::fromJson(const nlohmann::json& j) {
  RuleThresholds t;
  if (!j.is_object()) throw Error("thresholds: expected a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it->is_number()) throw Error("thresholds: '" + it.key() + "' is not a number");
    t.set(it.key(), it->get<double>());
  }
  return t;
}

void RuleThresholds::set(const std::string& name, double value) {
  auto f = fields(*this);
  auto it = f.find(name);
  if (it == f.end()) {
    std::string names;
    for (auto& kv : f) names += (names.empty() ? "" : ", ") + kv.first;
    throw Error("unknown threshold '" + name + "' (expected one of: " + names + ")");
  }
  if (!std::isfinite(value)) throw Error("threshold '" + name + "' must be a finite number");
  *it->second = value;
}

std::vector<std::string> RuleThresholds::names() {
  RuleThresholds t;
  std::vector<std::string> out;
  for (const auto& kv : fields(t)) out.push_back(kv.first);
  return out;
}

double RuleThresholds::get(const std::string& name) const {
  RuleThresholds copy = *this;
  auto f = fields(copy);
  auto it = f.find(name);
  if (it == f.end()) throw Error("unknown threshold '" + name + "'");
  return *it->second;
}

nlohmann::json Flag::toJson() const {
  nlohmann::json j = {{"rule", rule},
                      {"metric", metric},
                      {"value", std::isfinite(value) ? nlohmann::json(value) : nlohmann::json()},
                      {"threshold", threshold},
                      {"kind", anomaly ? "anomaly" : "threshold"}};
  if (!where.empty()) j["where"] = where;
  return j;
}

nlohmann::json Recommendation::toJson() const {
  return {{"strategy", strategy},
          {"details", details},
          {"aqn_layers", aqnLayers},
          {"mixed_precision_layers", mixedPrecisionLayers},
          {"target_layers", targetLayers},
          {"problematic_fraction", problematicFraction},
          {"suggested_format", suggestedFormat}};
}

Recommendation recommend(const std::vector<int>& problematic, int numLayers, const std::map<int, double>& sqnrDb,
                         const RuleThresholds& t, const std::string& formatName) {
  Recommendation r;
  r.problematicFraction = numLayers > 0 ? static_cast<double>(problematic.size()) / numLayers : 0.0;
  const std::string pct = std::to_string(static_cast<int>(std::lround(100 * r.problematicFraction)));
  if (problematic.empty()) {
    r.strategy = "no_action";
    r.details.push_back("no layer crossed a threshold: " + formatName + " looks safe for this model and prompt set");
  } else if (r.problematicFraction < t.targetedFraction) {
    r.strategy = "targeted_mitigation";
    r.mixedPrecisionLayers = problematic;
    r.details.push_back(pct + "% of layers are problematic: keep them in higher precision (or target AQN at them)");
  } else if (r.problematicFraction < t.reconsiderFraction) {
    r.strategy = "mixed_approach";
    for (int l : problematic) {
      auto it = sqnrDb.find(l);
      if (it != sqnrDb.end() && it->second < t.mixedPrecisionSqnrDb)
        r.mixedPrecisionLayers.push_back(l);
      else
        r.aqnLayers.push_back(l);
    }
    r.details.push_back(pct + "% of layers are problematic: the worst (SQNR < " +
                        std::to_string(static_cast<int>(t.mixedPrecisionSqnrDb)) +
                        " dB) in higher precision, the others with targeted AQN");
  } else {
    r.strategy = "reconsider_quantization";
    r.mixedPrecisionLayers = problematic;
    const bool fp8 = formatName.rfind("mxfp8", 0) == 0;
    r.suggestedFormat = fp8 ? "bf16" : "mxfp8-e4m3";
    r.details.push_back(pct + "% of layers are problematic: " + formatName + " is too coarse for this model; try " +
                        r.suggestedFormat);
  }
  return r;
}

std::string ruleSetName(RuleSet r) { return r == RuleSet::Floor ? "floor" : "absolute"; }

RuleSet parseRuleSet(const std::string& name) {
  if (name == "floor") return RuleSet::Floor;
  if (name == "absolute" || name == "reference") return RuleSet::Absolute;
  throw Error("unknown rule set '" + name + "' (expected floor, or absolute = the research scripts' thresholds)");
}

Recommendation recommendTargets(const std::vector<int>& flaggedByHarm, int quantizedLayers, const RuleThresholds& t,
                                const std::string& formatName) {
  Recommendation r;
  const int n = std::max(quantizedLayers, 1);
  r.problematicFraction = static_cast<double>(flaggedByHarm.size()) / n;
  const size_t cap = static_cast<size_t>(std::max(1.0, std::ceil(t.maxTargetFraction * n - 1e-9)));
  const std::string count = std::to_string(flaggedByHarm.size()) + " of " + std::to_string(quantizedLayers);
  if (flaggedByHarm.empty()) {
    r.strategy = "no_action";
    r.details.push_back("no layer stands out against " + formatName +
                        "'s own noise floor or the other quantized layers: no target set");
    return r;
  }
  r.targetLayers.assign(flaggedByHarm.begin(),
                        flaggedByHarm.begin() + static_cast<long>(std::min(cap, flaggedByHarm.size())));
  r.aqnLayers = r.targetLayers;
  r.mixedPrecisionLayers = r.targetLayers;
  if (flaggedByHarm.size() <= cap) {
    r.strategy = "targeted_mitigation";
    r.details.push_back(count +
                        " quantized layers stand out: target them (higher precision or targeted AQN), "
                        "most harmful first");
  } else {
    r.strategy = "reconsider_quantization";
    const bool fp8 = formatName.rfind("mxfp8", 0) == 0;
    r.suggestedFormat = fp8 ? "bf16" : "mxfp8-e4m3";
    r.details.push_back(count + " quantized layers stand out, more than " +
                        std::to_string(static_cast<int>(std::lround(100 * t.maxTargetFraction))) + "%: try " +
                        r.suggestedFormat + "; if " + formatName + " stays, the " + std::to_string(cap) +
                        " most harmful are the target set");
  }
  return r;
}

namespace {

// Bad-direction robust z of `metric` over the quantized layers (NaN elsewhere).
std::vector<double> badZ(const std::vector<LayerMetrics>& layers, const char* metric, double sign, bool* any) {
  std::vector<double> vals;
  *any = false;
  for (const auto& lm : layers) {
    auto it = lm.values.find(metric);
    const bool use = lm.quantized && it != lm.values.end();
    vals.push_back(use ? it->second : kNaN);
    *any = *any || use;
  }
  auto z = robustZ(vals);
  for (auto& x : z) x *= sign;
  return z;
}

Verdict judgeFloor(const std::vector<LayerMetrics>& layers, const RuleThresholds& t, const std::string& formatName) {
  Verdict v;
  int quantized = 0;
  for (const auto& lm : layers) {
    LayerVerdict lv;
    lv.layer = lm.layer;
    lv.quantized = lm.quantized;
    lv.anomalyScore = kNaN;
    quantized += lm.quantized ? 1 : 0;
    v.layers.push_back(lv);
  }
  auto value = [&](size_t i, const char* metric) {
    auto it = layers[i].values.find(metric);
    return it == layers[i].values.end() ? kNaN : it->second;
  };
  auto where = [&](size_t i, const char* metric) {
    auto it = layers[i].where.find(metric);
    return it == layers[i].where.end() ? std::string() : it->second;
  };
  // floor_sqnr / floor_clipping: the layer's worst tensor beyond the floor by the threshold. outlier_X: one
  // tensor kind (e.g. "down_proj input") stands out against the same kind in the other quantized layers,
  // by robust z and by at least outlierMinFraction x the threshold over their median.
  for (const auto& rule : kExcessRules) {
    const double thr = t.get(rule.threshold);
    const std::string name = rule.metric, prefix = name + "@";
    auto reads = [&](const ThresholdRule& r) { return r.floorRules && name == r.input; };
    auto fr = std::find_if(thresholdRules().begin(), thresholdRules().end(), reads);
    if (fr != thresholdRules().end())
      for (size_t i = 0; i < layers.size(); ++i) {
        const double e = value(i, fr->input);
        if (layers[i].quantized && std::isfinite(e) && e > t.get(fr->threshold))
          v.layers[i].flags.push_back({fr->name, fr->input, e, t.get(fr->threshold), false, where(i, fr->input)});
      }
    std::set<std::string> kinds;
    for (const auto& lm : layers)
      for (const auto& [k, x] : lm.values)
        if (k.rfind(prefix, 0) == 0) kinds.insert(k);
    std::vector<double> bestZ(layers.size(), kNaN), bestE(layers.size(), kNaN);
    std::vector<std::string> bestKind(layers.size());
    for (const auto& kind : kinds) {
      bool any = false;
      auto z = badZ(layers, kind.c_str(), 1, &any);
      std::vector<double> peers;
      for (size_t i = 0; i < layers.size(); ++i)
        if (layers[i].quantized && std::isfinite(value(i, kind.c_str()))) peers.push_back(value(i, kind.c_str()));
      const double med = median(peers);
      for (size_t i = 0; i < layers.size(); ++i) {
        const double e = value(i, kind.c_str());
        if (!layers[i].quantized || !std::isfinite(z[i]) || z[i] <= t.anomalyZ || e - med <= t.outlierMinFraction * thr)
          continue;
        if (!(z[i] <= bestZ[i])) {
          bestZ[i] = z[i];
          bestE[i] = e;
          bestKind[i] = kind.substr(prefix.size());
        }
      }
    }
    for (size_t i = 0; i < layers.size(); ++i)
      if (std::isfinite(bestZ[i]))
        v.layers[i].flags.push_back({std::string("outlier_") + rule.suffix, rule.metric, bestE[i],
                                     t.outlierMinFraction * thr, false, bestKind[i]});
  }
  for (const auto& rule : thresholdRules()) {
    if (!rule.floorRules || rule.section == RuleSection::FloorExcess) continue;  // the excess rules ran above
    const bool kurtosis = std::string(rule.name) == "kurtosis_drop";
    for (size_t i = 0; i < layers.size(); ++i) {
      const double x = value(i, rule.input);
      if (!layers[i].quantized || !std::isfinite(x)) continue;
      double thr = t.get(rule.threshold);
      if (kurtosis) {  // kurtosis of x + independent noise n is kurtosis(x) / (1 + var n / var x)^2
        const double k = value(i, "kurtosis_bf16"), r0 = value(i, "noise_kurtosis_ratio");
        if (std::isfinite(k) && k < t.kurtosisMin) continue;
        if (std::isfinite(r0)) thr *= r0;
      }
      if (rule.below ? x < thr : x > thr) v.layers[i].flags.push_back({rule.name, rule.input, x, thr, false, ""});
    }
  }
  for (const auto& [metric, sign] : kFloorRanked) {
    bool any = false;
    auto z = badZ(layers, metric, sign, &any);
    if (!any) continue;
    for (size_t i = 0; i < layers.size(); ++i)
      if (std::isfinite(z[i]) && !(z[i] <= v.layers[i].anomalyScore)) {
        v.layers[i].anomalyScore = z[i];
        v.layers[i].anomalyMetric = metric;
      }
  }
  // Ranking: single-layer harm first (KL), the anomaly score where no harm was measured.
  std::vector<size_t> order;
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].quantized) order.push_back(i);
  auto key = [&](size_t i) {
    const double kl = value(i, "kl_single");
    const double a = v.layers[i].anomalyScore;
    return std::make_pair(std::isfinite(kl) ? kl : -1e300, std::isfinite(a) ? a : -1e300);
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) > key(b); });
  std::vector<int> flaggedByHarm;
  for (size_t i : order) {
    v.ranking.push_back(layers[i].layer);
    v.layers[i].problematic = !v.layers[i].flags.empty();
    if (v.layers[i].problematic) flaggedByHarm.push_back(layers[i].layer);
  }
  v.problematicLayers = flaggedByHarm;
  std::sort(v.problematicLayers.begin(), v.problematicLayers.end());
  v.recommendation = recommendTargets(flaggedByHarm, quantized, t, formatName);
  return v;
}

}  // namespace

Verdict judgeLayers(const std::vector<LayerMetrics>& layers, const RuleThresholds& t, const std::string& formatName,
                    RuleSet rules) {
  if (rules == RuleSet::Floor) return judgeFloor(layers, t, formatName);
  Verdict v;
  std::map<int, double> sqnr;
  for (const auto& lm : layers) {
    LayerVerdict lv;
    lv.layer = lm.layer;
    lv.quantized = lm.quantized;
    for (const auto& rule : thresholdRules()) {
      if (!lm.quantized) break;  // not quantized: not scored
      if (!rule.absoluteRules) continue;
      auto it = lm.values.find(rule.input);
      if (it == lm.values.end() || !std::isfinite(it->second)) continue;
      const double thr = t.get(rule.threshold);
      if (rule.below ? it->second < thr : it->second > thr)
        lv.flags.push_back({rule.name, rule.input, it->second, thr, false, ""});
    }
    lv.problematic = !lv.flags.empty();
    lv.anomalyScore = kNaN;
    if (lv.problematic) v.problematicLayers.push_back(lm.layer);
    auto s = lm.values.find("sqnr_db");
    if (s != lm.values.end()) sqnr[lm.layer] = s->second;
    v.layers.push_back(lv);
  }
  for (const auto& [metric, sign] : kRanked) {
    std::vector<double> vals;
    bool any = false;
    for (const auto& lm : layers) {
      auto it = lm.values.find(metric);
      vals.push_back(it == lm.values.end() || !lm.quantized ? kNaN : it->second);
      any = any || it != lm.values.end();
    }
    if (!any) continue;
    auto z = robustZ(vals);
    for (size_t i = 0; i < layers.size(); ++i) {
      const double bad = sign * z[i];
      if (std::isfinite(bad) && !(bad <= v.layers[i].anomalyScore)) {
        v.layers[i].anomalyScore = bad;
        v.layers[i].anomalyMetric = metric;
      }
    }
  }
  for (auto& lv : v.layers)
    if (std::isfinite(lv.anomalyScore) && lv.anomalyScore > t.anomalyZ) {
      auto it = std::find_if(layers.begin(), layers.end(), [&](auto& l) { return l.layer == lv.layer; });
      lv.flags.push_back({"anomaly", lv.anomalyMetric, it->values.at(lv.anomalyMetric), t.anomalyZ, true, ""});
    }
  std::vector<size_t> order(v.layers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto score = [&](size_t i) { return std::isfinite(v.layers[i].anomalyScore) ? v.layers[i].anomalyScore : -1e300; };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score(a) > score(b); });
  int quantized = 0;
  for (size_t i : order)
    if (v.layers[i].quantized) {
      v.ranking.push_back(v.layers[i].layer);
      ++quantized;
    }
  std::sort(v.problematicLayers.begin(), v.problematicLayers.end());
  v.recommendation = recommend(v.problematicLayers, quantized, sqnr, t, formatName);
  std::set<int> targets(v.recommendation.mixedPrecisionLayers.begin(), v.recommendation.mixedPrecisionLayers.end());
  targets.insert(v.recommendation.aqnLayers.begin(), v.recommendation.aqnLayers.end());
  v.recommendation.targetLayers.assign(targets.begin(), targets.end());
  return v;
}

}  // namespace srdd
