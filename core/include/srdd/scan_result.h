#pragma once
// The results of a scan (schema "srdd-scan/1", docs/scans.md) as plain values, and their readers and
// writers. Torch-free, so front ends (the desktop app, a remote-engine client) use the engine's own types.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "srdd/scan_rules.h"
#include "srdd/stat.h"

namespace srdd {

// Prompts as texts and token ids (each truncated to maxTokens).
struct PromptSet {
  std::string source;  // "builtin:scanner", a file path, ...
  std::vector<std::string> texts;
  std::vector<std::vector<int64_t>> tokens;
  int64_t maxTokens = 0;
};

struct WeightFidelityRow {
  int layer = -1;      // -1: lm_head
  std::string module;  // q_proj, ..., down_proj, lm_head
  std::vector<int64_t> shape;
  std::map<std::string, double> metrics;  // Fidelity::toMap()
};

// One tensor the quantized pass fake-quantized (what the mode quantizes): its measured fidelity and the
// format's noise floor for it (srdd/scan_floor.h). Activations are pooled over the real tokens of all prompts.
struct QuantizedTensorRow {
  std::string module;  // q_proj, ..., down_proj; "layer" for the residual stream (mode residual)
  std::string role;    // "weight", "input" (q_proj input = the one q/k/v share, gate_proj = gate/up) or "output"
  std::map<std::string, double> metrics, floor;  // Fidelity::toMap() keys
};

struct LayerScanResult {
  int layer = 0;
  bool layerQuantized = true;  // whether the plan quantizes this layer (JSON "layer_quantized"); only those are scored
  std::map<std::string, Stat> bf16, quantized;       // metric -> statistic over prompts
  std::map<std::string, double> ratio;               // quantized mean / bf16 mean (1 when bf16 <= 0)
  std::map<std::string, double> difference;          // quantized mean - bf16 mean
  std::map<std::string, Stat> sensitivity;           // kl_single, dloss_single, kl_all_but, dloss_all_but
  std::map<std::string, double> weights;             // this layer's linear weights pooled (W4A16 view)
  std::vector<QuantizedTensorRow> quantizedTensors;  // JSON "quantized_tensors"
  // One-layer quantization harm pooled over every scored token: kl_single_median, kl_single_q99,
  // top1_single (share of tokens whose argmax is unchanged), tokens. JSON "harm".
  std::map<std::string, double> harm;
};

struct ScanResult {
  nlohmann::json provenance;  // model, files + sha256, build, device, dtype, created_utc
  nlohmann::json parameters;  // ScanOptions::toJson()
  PromptSet prompts;
  std::vector<LayerScanResult> layers;
  std::vector<WeightFidelityRow> weights;
  std::map<std::string, Stat> endToEnd;  // loss_bf16, loss_quantized, loss_change, kl
  Verdict verdict;
  // With ScanOptions::profile: wall seconds per stage, in first-run order (not serialized).
  std::vector<std::pair<std::string, double>> profile;
  std::vector<LayerMetrics> ruleInputs() const;  // the numbers judgeLayers reads
  // The rule set and thresholds the verdict is judged with (parameters.rules, parameters.thresholds; files
  // written before the floor rules: absolute). srdd::Error for an unknown rule set or threshold.
  RuleSet ruleSet() const;
  RuleThresholds thresholds() const;
};

// Serialization (scan_io.cpp). Every file is written atomically.
nlohmann::json scanResultToJson(const ScanResult& r);
ScanResult scanResultFromJson(const nlohmann::json& j);  // srdd::Error for another schema
ScanResult readScanResult(const std::string& path);      // srdd::Error naming the file
void writeScanJson(const ScanResult& r, const std::string& path);
void writeScanCsv(const ScanResult& r, const std::string& path);
// The research scripts' layouts: srdd_mxfp4_experiment.py (§3.7) and srdd_quant_scanner.py (§4.5).
nlohmann::json legacyExperimentJson(const ScanResult& r);
nlohmann::json legacyScannerJson(const ScanResult& r);
// A readable per-layer table with flags and the recommendation (`srdd report`).
std::string formatScanReport(const ScanResult& r);
// That table's cells as text (the same rounding): columns layer, gain bf16, ..., KL 1-layer, flags (last; "-" for
// none), one row per layer. The proposal report (srdd/report.h) shows it too.
struct ScanReportTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};
ScanReportTable scanReportTable(const ScanResult& r);

// Names, sizes and (with `hash`) sha256 of the model directory's config.json and weight files, for
// provenance. Digests are cached for the process by (canonical path, size, mtime).
nlohmann::json modelFileDigests(const std::string& directory, bool hash = true);

}  // namespace srdd
