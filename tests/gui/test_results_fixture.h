#pragma once
// Real scan results for the results-view tests: `srdd scan` on the bundled demo model, and a small hand-written
// "srdd-scan/1" document whose numbers are chosen so that the expected views can be derived by hand.
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace results_test {

// Runs `srdd scan DEMO --out PATH EXTRA...` with a pinned timestamp; returns the CLI's output on failure.
inline QString runDemoScan(const QString& path, const QStringList& extra, bool* ok) {
  QProcess p;
  auto env = QProcessEnvironment::systemEnvironment();
  env.insert("OMP_NUM_THREADS", "1");  // two OpenMP threads on a busy 2-core box are much slower
  p.setProcessEnvironment(env);
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(srdd_test::cliPath(), QStringList{"scan", srdd_test::demoModelDir(), "--out", path, "--timestamp",
                                            "2026-01-01T00:00:00Z", "--quiet", "--no-report"} +
                                    extra);
  *ok = p.waitForFinished(600000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
  return QString::fromUtf8(p.readAll());
}

inline nlohmann::json stat(double mean, double lo, double hi) {
  return {{"mean", mean}, {"std", 0.5}, {"ci95", {lo, hi}}, {"n", 4}, {"values", {mean, mean, mean, mean}}};
}

// Three layers numbered 2, 10, 1 (file order) with gain 9.5 / 10.25 / 100 (BF16) and 9 / 10.25 / 50 (quantized),
// so numeric and text order differ; weights for q_proj and k_proj. The engine's rules (the reader recomputes
// the verdict) make layer 1 problematic (gain ratio 0.5 < 0.9, and a robust-z anomaly) and layer 10 (BF16
// SQNR 18 < 20 dB); 2 of 3 is below the fixture's reconsider_fraction 0.7, so the advice is mixed_approach
// with both layers for AQN (neither is below 15 dB). The stored verdict below is what those rules give.
inline nlohmann::json handMadeScan() {
  const int layerIds[] = {2, 10, 1};
  const double gainB[] = {9.5, 10.25, 100}, gainQ[] = {9, 10.25, 50};
  const double sqnr[] = {21, 18, 25};
  nlohmann::json layers = nlohmann::json::array(), weights = nlohmann::json::array();
  for (int i = 0; i < 3; ++i) {
    nlohmann::json l = {
        {"layer", layerIds[i]},
        {"bf16", {{"gain", stat(gainB[i], gainB[i] - 1, gainB[i] + 1)}, {"sqnr_db", stat(sqnr[i], sqnr[i], sqnr[i])}}},
        {"quantized",
         {{"gain", stat(gainQ[i], gainQ[i] - 2, gainQ[i] + 2)},
          {"sqnr_db", stat(sqnr[i] + 1, sqnr[i], sqnr[i] + 2)},
          {"drift_sqnr_db", stat(30 - i, 29 - i, 31 - i)}}},
        {"ratio", {{"gain", gainQ[i] / gainB[i]}, {"sqnr_db", (sqnr[i] + 1) / sqnr[i]}}},
        {"difference", {{"gain", gainQ[i] - gainB[i]}, {"sqnr_db", 1.0}}},
        {"sensitivity", {{"kl_single", stat(0.01 * (i + 1), 0.005, 0.05)}}},
        {"weights", {{"sqnr_db", 18.0 + i}}},
        {"flags", nlohmann::json::array()},
        {"problematic", false},
        {"anomaly", {{"score", 1.5 * i}, {"metric", "gain_ratio"}}}};
    if (layerIds[i] == 10) {
      l["flags"] = {
          {{"rule", "low_sqnr"}, {"metric", "sqnr_db"}, {"value", 18.0}, {"threshold", 20.0}, {"kind", "threshold"}}};
      l["problematic"] = true;
      l["anomaly"] = {{"score", 1 / 1.4826}, {"metric", "sqnr_db"}};
    } else if (layerIds[i] == 1) {
      l["flags"] = {
          {{"rule", "gain_drop"}, {"metric", "gain_ratio"}, {"value", 0.5}, {"threshold", 0.9}, {"kind", "threshold"}},
          {{"rule", "anomaly"}, {"metric", "gain_ratio"}, {"value", 0.5}, {"threshold", 3.5}, {"kind", "anomaly"}}};
      l["problematic"] = true;
      l["anomaly"] = {{"score", (9 / 9.5 - 0.5) / (1.4826 * (1 - 9 / 9.5))}, {"metric", "gain_ratio"}};
    } else {
      l["anomaly"] = {{"score", 0.0}, {"metric", "gain_ratio"}};
    }
    layers.push_back(l);
    weights.push_back({{"layer", layerIds[i]},
                       {"module", "q_proj"},
                       {"shape", {8, 8}},
                       {"metrics", {{"sqnr_db", 10.0 + i}, {"deadzone_ratio", 0.01 * i}}}});
    weights.push_back({{"layer", layerIds[i]},
                       {"module", "k_proj"},
                       {"shape", {4, 8}},
                       {"metrics", {{"sqnr_db", 20.0 + i}, {"deadzone_ratio", nullptr}}}});
  }
  return {{"schema", "srdd-scan/1"},
          {"provenance",
           {{"model", {{"path", "/models/hand-made"}, {"num_layers", 11}}},
            {"device", "cpu"},
            {"dtype", "bf16"},
            {"app", {{"version", "9.9"}, {"git_commit", "abc"}}},
            {"libtorch", "x"},
            {"created_utc", "2026-01-02T00:00:00Z"}}},
          {"parameters",
           {{"quantization", {{"mode", "w4a16"}, {"spec", {{"format", "mxfp4"}}}}},
            {"quantization_description", "w4a16 mxfp4"},
            {"scans", {"gain", "fidelity"}},
            {"seed", 7},
            {"thresholds", {{"sqnr_db", 20.0}, {"gain_ratio", 0.9}, {"reconsider_fraction", 0.7}}}}},
          {"prompts", {{"source", "builtin:srdd"}, {"max_tokens", 64}, {"count", 4}, {"texts", {"a", "b", "c", "d"}}}},
          {"end_to_end", {{"kl", stat(0.1, 0.05, 0.15)}}},
          {"layers", layers},
          {"weights", weights},
          {"verdict",
           {{"problematic_layers", {1, 10}},
            {"ranking",
             {{{"layer", 1}, {"score", layers[2]["anomaly"]["score"]}, {"metric", "gain_ratio"}},
              {{"layer", 10}, {"score", layers[1]["anomaly"]["score"]}, {"metric", "sqnr_db"}},
              {{"layer", 2}, {"score", 0.0}, {"metric", "gain_ratio"}}}},
            {"recommendation",
             {{"strategy", "mixed_approach"},
              {"details", {"67% of layers are problematic"}},
              {"aqn_layers", {1, 10}},
              {"mixed_precision_layers", nlohmann::json::array()},
              {"problematic_fraction", 2.0 / 3},
              {"suggested_format", ""}}}}}};
}

}  // namespace results_test
