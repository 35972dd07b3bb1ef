// The report's long CSV files (docs/report.md): one number per row, so that pandas reads them with read_csv and
// pivots as it likes. Doubles in their shortest round-trip form; undefined numbers (NaN) are left out.
#include <sstream>

#include "number_text.h"
#include "srdd/report.h"

namespace srdd::report {

namespace {
// A CSV field: quoted when it holds a comma, a quote or a line break.
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string layerName(int layer) { return layer < 0 ? std::string() : std::to_string(layer); }

class LongCsv {
 public:
  explicit LongCsv(const char* header) { out_ << header << "\n"; }
  void row(const std::vector<std::string>& keys, double value) {
    if (!std::isfinite(value)) return;
    for (const auto& k : keys) out_ << field(k) << ",";
    out_ << roundTripNumber(value) << "\n";
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};
}  // namespace

std::string layersCsv(const ScanResult& r) {
  LongCsv csv("layer,module,variant,metric,statistic,value");
  auto stats = [&](const std::string& layer, const std::string& module, const std::string& variant,
                   const std::map<std::string, Stat>& m) {
    for (const auto& [metric, s] : m) {
      csv.row({layer, module, variant, metric, "mean"}, s.mean);
      csv.row({layer, module, variant, metric, "std"}, s.stddev);
      csv.row({layer, module, variant, metric, "ci95_low"}, s.ciLow);
      csv.row({layer, module, variant, metric, "ci95_high"}, s.ciHigh);
      if (s.n > 0) csv.row({layer, module, variant, metric, "n"}, s.n);
    }
  };
  auto values = [&](const std::string& layer, const std::string& module, const std::string& variant,
                    const std::string& statistic, const std::map<std::string, double>& m) {
    for (const auto& [metric, v] : m) csv.row({layer, module, variant, metric, statistic}, v);
  };
  for (const auto& l : r.layers) {
    const std::string layer = std::to_string(l.layer);
    stats(layer, "", "bf16", l.bf16);
    stats(layer, "", "quantized", l.quantized);
    values(layer, "", "ratio", "value", l.ratio);
    values(layer, "", "difference", "value", l.difference);
    stats(layer, "", "sensitivity", l.sensitivity);
    values(layer, "", "harm", "value", l.harm);
    values(layer, "", "weights", "value", l.weights);
    for (const auto& t : l.quantizedTensors) {
      values(layer, t.module, "tensor_" + t.role, "measured", t.metrics);
      values(layer, t.module, "tensor_" + t.role, "floor", t.floor);
    }
  }
  for (const auto& w : r.weights) values(layerName(w.layer), w.module, "weight", "value", w.metrics);
  stats("", "", "end_to_end", r.endToEnd);
  return csv.text();
}

std::string flagsCsv(const ScanResult& r) {
  std::ostringstream out;
  out << "layer,rule,metric,value,threshold,where,kind\n";
  for (const auto& v : r.verdict.layers)
    for (const auto& f : v.flags)
      out << v.layer << "," << field(f.rule) << "," << field(f.metric) << "," << roundTripNumber(f.value) << ","
          << roundTripNumber(f.threshold) << "," << field(f.where) << "," << (f.anomaly ? "anomaly" : "threshold")
          << "\n";
  return out.str();
}

std::string aqnCsv(const aqn::ComparisonResult& r) {
  LongCsv csv("config,seed_index,seed,noise_layers,metric,value");
  for (const auto& run : r.runs) {
    std::string layers;
    for (int l : run.noiseLayers) layers += (layers.empty() ? "" : " ") + std::to_string(l);
    const std::vector<std::string> keys = {run.config, std::to_string(run.seedIndex), std::to_string(run.seed), layers};
    auto add = [&](const char* metric, double v) {
      auto k = keys;
      k.push_back(metric);
      csv.row(k, v);
    };
    add("eval_loss_quantized", run.evalLossQuantized);
    add("eval_loss_bf16", run.evalLossBf16);
    if (!run.trainLoss.empty()) add("final_train_loss", run.trainLoss.back());
    add("seconds", run.seconds);
  }
  return csv.text();
}

}  // namespace srdd::report
