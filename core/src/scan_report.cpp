// formatScanReport: the per-layer table printed by `srdd report`.
#include <cmath>
#include <cstdio>
#include <iterator>
#include <sstream>

#include "srdd/scan.h"

namespace srdd {

namespace {
std::string fmt(double v, const char* f = "%.3g") {
  if (!std::isfinite(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
double meanOf(const std::map<std::string, Stat>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? NAN : it->second.mean;
}
double valueOf(const std::map<std::string, double>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? NAN : it->second;
}
std::string pad(const std::string& s, size_t w) { return s.size() >= w ? s + " " : std::string(w - s.size(), ' ') + s; }
}  // namespace

ScanReportTable scanReportTable(const ScanResult& r) {
  // Floor rules: the worst quantized tensor's excess over the format's floor; absolute rules: the offline
  // fidelity of the BF16 layer output the research scanner reads.
  const bool floor = r.ruleSet() == RuleSet::Floor;
  const std::vector<LayerMetrics> inputs = r.ruleInputs();
  ScanReportTable t;
  t.columns = {"layer",
               "gain bf16",
               "gain q",
               "ratio",
               "kurt bf16",
               "kurt q",
               "ratio",
               "instab q",
               floor ? "dSQNR dB" : "SQNR dB",
               floor ? "+dead %" : "dead %",
               floor ? "+clip %" : "clip %",
               floor ? "+rel.err" : "rel.err",
               "W SQNR",
               "KL 1-layer",
               "flags"};
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const auto& l = r.layers[i];
    auto fid = [&](const char* bf16Key, const char* excessKey) {
      return floor ? valueOf(inputs[i].values, excessKey) : meanOf(l.bf16, bf16Key);
    };
    std::string flags;
    if (i < r.verdict.layers.size())
      for (const auto& f : r.verdict.layers[i].flags)
        flags += (flags.empty() ? "" : ", ") + f.rule + (f.anomaly ? "(" + f.metric + ")" : "") + "=" + fmt(f.value) +
                 (f.where.empty() ? "" : " [" + f.where + "]");
    if (!l.layerQuantized) flags = "not quantized";
    t.rows.push_back({std::to_string(l.layer), fmt(meanOf(l.bf16, "gain")), fmt(meanOf(l.quantized, "gain")),
                      fmt(valueOf(l.ratio, "gain"), "%.3f"), fmt(meanOf(l.bf16, "kurtosis")),
                      fmt(meanOf(l.quantized, "kurtosis")), fmt(valueOf(l.ratio, "kurtosis"), "%.3f"),
                      fmt(meanOf(l.quantized, "instability")), fmt(fid("sqnr_db", "excess_sqnr_db"), "%.1f"),
                      fmt(100 * fid("deadzone_ratio", "excess_deadzone_ratio"), "%.2f"),
                      fmt(100 * fid("clipping_ratio", "excess_clipping_ratio"), "%.2f"),
                      fmt(fid("relative_error", "excess_relative_error"), "%.3f"),
                      fmt(valueOf(l.weights, "sqnr_db"), "%.1f"), fmt(meanOf(l.sensitivity, "kl_single")),
                      flags.empty() ? "-" : flags});
  }
  return t;
}

std::string formatScanReport(const ScanResult& r) {
  std::ostringstream o;
  const auto model = r.provenance.value("model", nlohmann::json::object());
  o << "model      " << model.value("path", "?") << "\n";
  o << "quantized  " << r.parameters.value("quantization_description", "?") << "\n";
  o << "prompts    " << r.prompts.texts.size() << " from " << r.prompts.source << " (max " << r.prompts.maxTokens
    << " tokens each)\n";
  o << "created    " << r.provenance.value("created_utc", "?") << " on " << r.provenance.value("device", "?") << " ("
    << r.provenance.value("dtype", "?") << ")\n\n";
  const ScanReportTable table = scanReportTable(r);
  const size_t widths[] = {5, 10, 8, 7, 10, 9, 7, 9, 9, 8, 8, 9, 7, 11};
  const size_t numeric = std::size(widths);  // every column but the flags
  for (size_t c = 0; c < numeric; ++c) o << pad(table.columns[c], widths[c]);
  o << "  flags\n";
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < numeric; ++c) o << pad(row[c], widths[c]);
    o << "  " << row[numeric] << "\n";
  }
  auto e2e = [&](const char* k) {
    auto it = r.endToEnd.find(k);
    if (it == r.endToEnd.end()) return std::string("-");
    return fmt(it->second.mean, "%.4f") + " [" + fmt(it->second.ciLow, "%.4f") + ", " + fmt(it->second.ciHigh, "%.4f") +
           "]";
  };
  o << "\nend to end (mean [95% CI] over prompts): loss bf16 " << e2e("loss_bf16") << ", quantized "
    << e2e("loss_quantized") << ", change " << e2e("loss_change") << ", KL " << e2e("kl") << "\n";
  const auto& rec = r.verdict.recommendation;
  o << "problematic layers: ";
  if (r.verdict.problematicLayers.empty()) o << "none";
  for (size_t i = 0; i < r.verdict.problematicLayers.size(); ++i)
    o << (i ? ", " : "") << r.verdict.problematicLayers[i];
  o << "\nranking (most harmful first): ";
  for (size_t i = 0; i < r.verdict.ranking.size(); ++i) o << (i ? ", " : "") << r.verdict.ranking[i];
  o << "\ntarget set: ";
  if (rec.targetLayers.empty()) o << "none";
  for (size_t i = 0; i < rec.targetLayers.size(); ++i) o << (i ? ", " : "") << rec.targetLayers[i];
  o << "\nrecommendation: " << rec.strategy;
  for (const auto& d : rec.details) o << " - " << d;
  o << "\n";
  return o.str();
}

}  // namespace srdd
