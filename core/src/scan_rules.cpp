#include "srdd/scan_rules.h"

#include <algorithm>
#include <cmath>
#include <limits>

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
          {"anomaly_z", &t.anomalyZ}};
}

struct Rule {
  const char* name;
  const char* metric;
  double RuleThresholds::*threshold;
  bool below;  // fires when value < threshold (else value > threshold)
};
const Rule kRules[] = {
    {"gain_drop", "gain_ratio", &RuleThresholds::gainRatio, true},
    {"kurtosis_drop", "kurtosis_ratio", &RuleThresholds::kurtosisRatio, true},
    {"instability_increase", "instability_increase", &RuleThresholds::instabilityIncrease, false},
    {"low_sqnr", "sqnr_db", &RuleThresholds::sqnrDb, true},
    {"high_deadzone", "deadzone_ratio", &RuleThresholds::deadzone, false},
    {"high_clipping", "clipping_ratio", &RuleThresholds::clipping, false},
    {"high_rel_error", "relative_error", &RuleThresholds::relativeError, false},
};

// Metrics ranked by robust z, with the sign that makes "bad" positive.
const std::pair<const char*, double> kRanked[] = {{"gain_ratio", -1},     {"kurtosis_ratio", -1}, {"instability", 1},
                                                  {"sqnr_db", -1},        {"relative_error", 1},  {"kl_single", 1}};
}  // namespace

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

nlohmann::json Flag::toJson() const {
  return {{"rule", rule}, {"metric", metric}, {"value", std::isfinite(value) ? nlohmann::json(value) : nlohmann::json()},
          {"threshold", threshold}, {"kind", anomaly ? "anomaly" : "threshold"}};
}

nlohmann::json Recommendation::toJson() const {
  return {{"strategy", strategy},
          {"details", details},
          {"aqn_layers", aqnLayers},
          {"mixed_precision_layers", mixedPrecisionLayers},
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
      if (it != sqnrDb.end() && it->second < t.mixedPrecisionSqnrDb) r.mixedPrecisionLayers.push_back(l);
      else r.aqnLayers.push_back(l);
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

Verdict judgeLayers(const std::vector<LayerMetrics>& layers, const RuleThresholds& t, const std::string& formatName) {
  Verdict v;
  std::map<int, double> sqnr;
  for (const auto& lm : layers) {
    LayerVerdict lv;
    lv.layer = lm.layer;
    for (const auto& rule : kRules) {
      auto it = lm.values.find(rule.metric);
      if (it == lm.values.end() || !std::isfinite(it->second)) continue;
      const double thr = t.*(rule.threshold);
      if (rule.below ? it->second < thr : it->second > thr) lv.flags.push_back({rule.name, rule.metric, it->second, thr, false});
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
      vals.push_back(it == lm.values.end() ? kNaN : it->second);
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
      lv.flags.push_back({"anomaly", lv.anomalyMetric, it->values.at(lv.anomalyMetric), t.anomalyZ, true});
    }
  std::vector<size_t> order(v.layers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto score = [&](size_t i) { return std::isfinite(v.layers[i].anomalyScore) ? v.layers[i].anomalyScore : -1e300; };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score(a) > score(b); });
  for (size_t i : order) v.ranking.push_back(v.layers[i].layer);
  std::sort(v.problematicLayers.begin(), v.problematicLayers.end());
  v.recommendation = recommend(v.problematicLayers, static_cast<int>(layers.size()), sqnr, t, formatName);
  return v;
}

}  // namespace srdd
