// ScanResult <-> JSON ("srdd-scan/1"), CSV, and the research scripts' JSON layouts.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "json_depth.h"
#include "number_text.h"
#include "srdd/error.h"
#include "srdd/safetensors.h"
#include "srdd/scan.h"
#include "srdd/scan_job.h"

namespace srdd {

namespace {
const char* kSchema = "srdd-scan/1";

nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }
double numOr(const nlohmann::json& j, double fallback = std::nan("")) {
  return j.is_number() ? j.get<double>() : fallback;
}

nlohmann::json statMap(const std::map<std::string, Stat>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, s] : m) j[k] = s.toJson();
  return j;
}
nlohmann::json numMap(const std::map<std::string, double>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = num(v);
  return j;
}
std::map<std::string, Stat> statMapFrom(const nlohmann::json& j) {
  std::map<std::string, Stat> m;
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) m[it.key()] = Stat::fromJson(it.value());
  return m;
}
std::map<std::string, double> numMapFrom(const nlohmann::json& j) {
  std::map<std::string, double> m;
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) m[it.key()] = numOr(it.value());
  return m;
}
double mean(const std::map<std::string, Stat>& m, const std::string& k, double fallback) {
  auto it = m.find(k);
  return it == m.end() || !std::isfinite(it->second.mean) ? fallback : it->second.mean;
}
}  // namespace

nlohmann::json scanResultToJson(const ScanResult& r) {
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const auto& l = r.layers[i];
    nlohmann::json j = {{"layer", l.layer},
                        {"bf16", statMap(l.bf16)},
                        {"quantized", statMap(l.quantized)},
                        {"ratio", numMap(l.ratio)},
                        {"difference", numMap(l.difference)},
                        {"sensitivity", statMap(l.sensitivity)},
                        {"weights", numMap(l.weights)},
                        {"layer_quantized", l.layerQuantized}};
    if (!l.quantizedTensors.empty()) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& t : l.quantizedTensors)
        rows.push_back(
            {{"module", t.module}, {"role", t.role}, {"metrics", numMap(t.metrics)}, {"floor", numMap(t.floor)}});
      j["quantized_tensors"] = rows;
    }
    if (!l.harm.empty()) j["harm"] = numMap(l.harm);
    if (i < r.verdict.layers.size()) {
      const auto& v = r.verdict.layers[i];
      nlohmann::json flags = nlohmann::json::array();
      for (const auto& f : v.flags) flags.push_back(f.toJson());
      j["flags"] = flags;
      j["problematic"] = v.problematic;
      j["anomaly"] = {{"score", num(v.anomalyScore)}, {"metric", v.anomalyMetric}};
    }
    layers.push_back(j);
  }
  nlohmann::json weights = nlohmann::json::array();
  for (const auto& w : r.weights)
    weights.push_back({{"layer", w.layer}, {"module", w.module}, {"shape", w.shape}, {"metrics", numMap(w.metrics)}});
  // Floor rules rank by single-layer harm: the entry's score is then the layer's kl_single.
  const bool byHarm = r.ruleSet() == RuleSet::Floor;
  nlohmann::json ranking = nlohmann::json::array();
  for (int l : r.verdict.ranking)
    for (size_t i = 0; i < r.verdict.layers.size(); ++i) {
      const auto& v = r.verdict.layers[i];
      if (v.layer != l) continue;
      const double kl = i < r.layers.size() ? mean(r.layers[i].sensitivity, "kl_single", NAN) : NAN;
      if (byHarm && std::isfinite(kl))
        ranking.push_back({{"layer", l},
                           {"score", kl},
                           {"metric", "kl_single"},
                           {"anomaly_score", num(v.anomalyScore)},
                           {"anomaly_metric", v.anomalyMetric}});
      else
        ranking.push_back({{"layer", l}, {"score", num(v.anomalyScore)}, {"metric", v.anomalyMetric}});
    }
  std::vector<int64_t> tokenCounts;
  for (const auto& t : r.prompts.tokens) tokenCounts.push_back(static_cast<int64_t>(t.size()));
  return {{"schema", kSchema},
          {"provenance", r.provenance},
          {"parameters", r.parameters},
          {"prompts",
           {{"source", r.prompts.source},
            {"max_tokens", r.prompts.maxTokens},
            {"count", r.prompts.texts.size()},
            {"texts", r.prompts.texts},
            {"token_counts", tokenCounts},
            {"token_ids", r.prompts.tokens}}},
          {"end_to_end", statMap(r.endToEnd)},
          {"layers", layers},
          {"weights", weights},
          {"verdict",
           {{"problematic_layers", r.verdict.problematicLayers},
            {"ranking", ranking},
            {"recommendation", r.verdict.recommendation.toJson()}}}};
}

ScanResult scanResultFromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("schema"))
    throw Error(std::string("not a scan result (no \"schema\"; expected \"") + kSchema + "\")");
  if (j["schema"] != kSchema)
    throw Error("not a scan result: schema " + j["schema"].dump() + " (expected \"" + kSchema + "\")");
  ScanResult r;
  try {
    r.provenance = j.at("provenance");
    r.parameters = j.at("parameters");
    const auto& p = j.at("prompts");
    r.prompts.source = p.value("source", "");
    r.prompts.maxTokens = p.value("max_tokens", 0);
    r.prompts.texts = p.at("texts").get<std::vector<std::string>>();
    r.prompts.tokens = p.value("token_ids", std::vector<std::vector<int64_t>>{});
    r.endToEnd = statMapFrom(j.value("end_to_end", nlohmann::json()));
    for (const auto& l : j.at("layers")) {
      LayerScanResult lr;
      lr.layer = l.at("layer").get<int>();
      lr.bf16 = statMapFrom(l.value("bf16", nlohmann::json()));
      lr.quantized = statMapFrom(l.value("quantized", nlohmann::json()));
      lr.ratio = numMapFrom(l.value("ratio", nlohmann::json()));
      lr.difference = numMapFrom(l.value("difference", nlohmann::json()));
      lr.sensitivity = statMapFrom(l.value("sensitivity", nlohmann::json()));
      lr.weights = numMapFrom(l.value("weights", nlohmann::json()));
      lr.layerQuantized = l.value("layer_quantized", true);
      for (const auto& t : l.value("quantized_tensors", nlohmann::json::array()))
        lr.quantizedTensors.push_back({t.at("module").get<std::string>(), t.at("role").get<std::string>(),
                                       numMapFrom(t.at("metrics")), numMapFrom(t.at("floor"))});
      lr.harm = numMapFrom(l.value("harm", nlohmann::json()));
      r.layers.push_back(lr);
    }
    for (size_t i = 1; i < r.layers.size(); ++i)
      for (size_t k = 0; k < i; ++k)
        if (r.layers[k].layer == r.layers[i].layer)
          throw Error("scan result: layer " + std::to_string(r.layers[i].layer) + " appears twice in \"layers\"");
    for (const auto& w : j.value("weights", nlohmann::json::array()))
      r.weights.push_back({w.at("layer").get<int>(), w.at("module").get<std::string>(),
                           w.at("shape").get<std::vector<int64_t>>(), numMapFrom(w.at("metrics"))});
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("scan result: missing or malformed field (") + jsonErrorText(e) + ")");
  }
  // The verdict is recomputed from the stored numbers and thresholds (it is a pure function of them).
  std::string format = r.parameters.value("quantization", nlohmann::json::object())
                           .value("spec", nlohmann::json::object())
                           .value("format", "mxfp4");
  r.verdict = judgeLayers(r.ruleInputs(), r.thresholds(), format, r.ruleSet());
  return r;
}

RuleSet ScanResult::ruleSet() const {
  const auto it = parameters.find("rules");
  if (it == parameters.end() || !it->is_string()) return RuleSet::Absolute;  // written before the floor rules
  return parseRuleSet(it->get<std::string>());
}

RuleThresholds ScanResult::thresholds() const {
  return RuleThresholds::fromJson(parameters.value("thresholds", nlohmann::json::object()));
}

ScanResult readScanResult(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the scan result");
  std::stringstream text;
  text << in.rdbuf();
  checkJsonFileDepth(text.str(), path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON (" + jsonErrorText(e) + ")");
  }
  try {
    return scanResultFromJson(j);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

void writeScanJson(const ScanResult& r, const std::string& path) {
  writeFileAtomically(path, scanJsonText(scanResultToJson(r)));
}

void writeScanCsv(const ScanResult& r, const std::string& path) {
  std::ostringstream out;
  out << "layer,module,section,metric,mean,ci95_low,ci95_high,n\n";
  const auto cell = roundTripNumber;  // CSV and JSON agree to the bit
  auto stats = [&](int layer, const char* section, const std::map<std::string, Stat>& m) {
    for (const auto& [k, s] : m)
      out << layer << ",," << section << "," << k << "," << cell(s.mean) << "," << cell(s.ciLow) << ","
          << cell(s.ciHigh) << "," << s.n << "\n";
  };
  auto values = [&](int layer, const std::string& module, const char* section, const std::map<std::string, double>& m) {
    for (const auto& [k, v] : m)
      out << layer << "," << module << "," << section << "," << k << "," << cell(v) << ",,,\n";
  };
  for (const auto& l : r.layers) {
    stats(l.layer, "bf16", l.bf16);
    stats(l.layer, "quantized", l.quantized);
    values(l.layer, "", "ratio", l.ratio);
    values(l.layer, "", "difference", l.difference);
    stats(l.layer, "sensitivity", l.sensitivity);
    values(l.layer, "", "weights", l.weights);
  }
  for (const auto& w : r.weights) values(w.layer, w.module, "weight", w.metrics);
  stats(-1, "end_to_end", r.endToEnd);
  writeFileAtomically(path, out.str());
}

nlohmann::json legacyExperimentJson(const ScanResult& r) {
  auto side = [&](bool quant, const char* lossKey) {
    nlohmann::json gains = nlohmann::json::object(), kurt = nlohmann::json::object(), inst = nlohmann::json::object();
    for (const auto& l : r.layers) {
      const auto& m = quant ? l.quantized : l.bf16;
      const std::string k = std::to_string(l.layer);
      if (m.count("gain")) gains[k] = num(mean(m, "gain", 1.0));
      if (m.count("kurtosis")) kurt[k] = num(mean(m, "kurtosis", 3500.0));
      if (m.count("instability")) inst[k] = num(mean(m, "instability", 0.0));
    }
    return nlohmann::json{
        {"gains", gains}, {"kurtosis", kurt}, {"instability", inst}, {"loss", num(mean(r.endToEnd, lossKey, NAN))}};
  };
  // The research script's three rules (§3.5), whatever rules the scan itself was judged with.
  const Verdict research = judgeLayers(r.ruleInputs(), r.thresholds(), "mxfp4", RuleSet::Absolute);
  std::vector<int> problematic;
  for (const auto& v : research.layers)
    for (const auto& f : v.flags)
      if (f.rule == "gain_drop" || f.rule == "kurtosis_drop" || f.rule == "instability_increase") {
        problematic.push_back(v.layer);
        break;
      }
  const auto spec =
      r.parameters.value("quantization", nlohmann::json::object()).value("spec", nlohmann::json::object());
  return {{"config",
           {{"model_path", r.provenance.value("model", nlohmann::json::object()).value("path", "")},
            {"quant_type", spec.value("format", "mxfp4")},
            {"num_layers", r.layers.size()}}},
          {"comparison", {{"bf16", side(false, "loss_bf16")}, {"mxfp4", side(true, "loss_quantized")}}},
          {"problematic_layers", problematic},
          {"aqn_results", nlohmann::json::object()},
          {"timestamp", r.provenance.value("created_utc", "")}};
}

nlohmann::json legacyScannerJson(const ScanResult& r) {
  const RuleThresholds t = r.thresholds();
  nlohmann::json perLayer = nlohmann::json::array();
  std::vector<int> problematic;
  std::map<int, double> sqnr;
  std::map<std::string, std::vector<double>> columns;
  // The scanner's issues are the absolute rules on the BF16 output's fidelity (§4.3), whatever rules the scan
  // itself was judged with; its "high_saturation" is our per-block clipping rule.
  const Verdict research = judgeLayers(r.ruleInputs(), t, "mxfp4", RuleSet::Absolute);
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const auto& l = r.layers[i];
    auto g = [&](const char* k) { return mean(l.bf16, k, NAN); };
    const double s = g("sqnr_db"), dz = g("deadzone_ratio"), sat = g("global_max_level_ratio"),
                 re = g("relative_error");
    std::vector<std::string> issues;
    for (const auto& f : research.layers[i].flags) {
      const ThresholdRule* rule = thresholdRuleFor(RuleSet::Absolute, RuleSection::Bf16, f.metric);
      if (!f.anomaly && rule) issues.push_back(f.rule == "high_clipping" ? "high_saturation" : f.rule);
    }
    if (!issues.empty()) problematic.push_back(l.layer);
    sqnr[l.layer] = s;
    columns["sqnr_db"].push_back(s);
    columns["deadzone_ratio"].push_back(dz);
    columns["saturation_ratio"].push_back(sat);
    columns["relative_error"].push_back(re);
    perLayer.push_back({{"layer_id", l.layer},
                        {"sqnr_db", num(s)},
                        {"deadzone_ratio", num(dz)},
                        {"saturation_ratio", num(sat)},
                        {"relative_error", num(re)},
                        {"mean_abs_error", num(g("mean_abs_error"))},
                        {"max_abs_error", num(g("max_abs_error"))},
                        {"output_norm", num(g("norm"))},
                        {"is_problematic", !issues.empty()},
                        {"issues", issues}});
  }
  nlohmann::json statistics = nlohmann::json::object();
  for (const auto& [k, v] : columns) {
    double lo = INFINITY, hi = -INFINITY, sum = 0, ss = 0;
    for (double x : v) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
      sum += x;
    }
    const double m = v.empty() ? NAN : sum / v.size();
    for (double x : v) ss += (x - m) * (x - m);
    statistics[k] = {
        {"min", num(lo)}, {"max", num(hi)}, {"mean", num(m)}, {"std", num(v.empty() ? NAN : std::sqrt(ss / v.size()))}};
  }
  const auto spec =
      r.parameters.value("quantization", nlohmann::json::object()).value("spec", nlohmann::json::object());
  const std::string format = spec.value("format", "mxfp4");
  Recommendation rec = recommend(problematic, static_cast<int>(r.layers.size()), sqnr, t, format);
  const int n = static_cast<int>(r.layers.size()), p = static_cast<int>(problematic.size());
  return {{"config",
           {{"model_path", r.provenance.value("model", nlohmann::json::object()).value("path", "")},
            {"quant_type", format},
            {"num_layers", n},
            {"thresholds",
             {{"sqnr_db", t.sqnrDb},
              {"deadzone", t.deadzone},
              {"saturation", t.clipping},
              {"relative_error", t.relativeError}}}}},
          {"report",
           {{"summary",
             {{"total_layers", n},
              {"problematic_layers", p},
              {"healthy_layers", n - p},
              {"problematic_layer_ids", problematic}}},
            {"statistics", statistics},
            {"per_layer", perLayer}}},
          {"recommendations",
           {{"strategy", rec.strategy},
            {"details", rec.details},
            {"aqn_layers", rec.aqnLayers},
            {"mixed_precision_layers", rec.mixedPrecisionLayers}}},
          {"timestamp", r.provenance.value("created_utc", "")}};
}

}  // namespace srdd
