#pragma once
// The SRDD scan engine: per-layer diagnostics of a model in BF16 and in a fake-quantized form, run in
// one job over a prompt set, aggregated over prompts, compared per layer and judged by the rules.
// Scan definitions, defaults and healthy ranges: docs/scans.md. JSON schema "srdd-scan/1": same file.
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "srdd/progress.h"
#include "srdd/quantized_forward.h"
#include "srdd/scan_result.h"
#include "srdd/scan_rules.h"
#include "srdd/scan_stats.h"

namespace srdd {

class Model;
class Tokenizer;

enum class ScanKind { Instability, Gain, Kurtosis, DcGain, Discrete, Histogram, Fidelity, Weights, Sensitivity };
std::string scanKindName(ScanKind kind);  // "instability", "gain", ..., "sensitivity"
// Comma-separated names, "all" or "default" (everything but dcgain, discrete, histogram); srdd::Error
// naming an unknown entry.
std::set<ScanKind> parseScanKinds(const std::string& list);
std::set<ScanKind> defaultScanKinds();

struct ScanOptions {
  QuantizationPlan plan;  // the quantized model; default W4A16 MXFP4 on every layer
  std::set<ScanKind> scans = defaultScanKinds();
  int instabilityTrials = 3;  // identical forwards compared by the instability scan (>= 2)
  int gainDraws = 1;          // noise draws averaged by the gain scan
  double noiseScale = 0.1;    // gain: noise std relative to the prompt's layer-input std
  double dcShift = 50.0;      // dcgain / discrete: constant added to every layer-input element
  double discreteFactor = 0.85;
  uint64_t seed = 42;
  int batchSize = 64;  // prompts per forward
  RuleThresholds thresholds;
  RuleSet rules = RuleSet::Floor;  // floor (default) or absolute (the research scripts' thresholds)
  // The sensitivity scan's sequences (e.g. held-out text windows, loadSensitivityWindows); empty = the prompts.
  std::vector<std::vector<int64_t>> sensitivitySequences;
  std::string sensitivitySource;  // where they came from, for the results ("prompts" when empty)
  // Applied before the quantization hooks in both variants, e.g. a fault simulator (validation mode,
  // tests). Not owned; not serialized.
  ForwardHooks* extraHooks = nullptr;
  // Time every stage (device-synchronized at stage ends, which costs a little) into ScanResult::profile.
  // Not serialized.
  bool profile = false;
  // Put the sha256 of the model files into the provenance (cached per process by path, size and mtime).
  // Off: names and sizes only. Not serialized.
  bool hashModelFiles = true;
  void validate() const;  // srdd::Error naming the bad option
  nlohmann::json toJson() const;
};

// Built-in sets from the research scripts: "srdd" (§2.0, 5 prompts), "experiment" (§3.3, 5),
// "scanner" (§4.1, 8). srdd::Error listing the names otherwise.
std::vector<std::string> builtinPrompts(const std::string& name);
// `spec` is "builtin:NAME" or a file (one prompt per non-empty line, or .jsonl with a "text" field).
PromptSet loadPromptSet(const std::string& spec, const Tokenizer& tokenizer, int64_t maxTokens);
// The sensitivity scan's text: `file` read as one text, cut into consecutive windows of `windowTokens`
// tokens, the first `count` of them. srdd::Error naming the file when it is missing or too short for one window.
std::vector<std::vector<int64_t>> loadSensitivityWindows(const std::string& file, const Tokenizer& tokenizer, int count,
                                                         int64_t windowTokens);
// MODEL/heldout.txt when present, else "prompts" (use the prompt set).
std::string defaultSensitivityText(const std::string& modelDir);

// Runs the scans. progress (optional) gets stage, layer and ETA; cancel (optional) is checked between
// layers and trials and makes the call throw srdd::Cancelled. Provenance is filled from the model; its
// created_utc is the current time unless `createdUtc` pins it (see docs/scans.md, reproducibility).
ScanResult runScan(const Model& model, const PromptSet& prompts, const ScanOptions& options,
                   const ProgressCallback& progress = {}, const CancelToken* cancel = nullptr,
                   const std::string& createdUtc = "");

// Waits for the device's queued work (a no-op on the CPU), so that a wall-clock timer is honest.
void synchronizeDevice(const at::Device& device);
// Wall seconds per named stage, accumulated; the device is synchronized before a stage's time is read.
class StageProfiler {
 public:
  StageProfiler(bool enabled, at::Device device) : enabled_(enabled), device_(device) {}
  bool enabled() const { return enabled_; }
  void begin(const std::string& stage);  // ends the running stage, if any
  void end();
  const std::vector<std::pair<std::string, double>>& totals() const { return totals_; }

 private:
  bool enabled_;
  at::Device device_;
  std::string stage_;
  double start_ = 0;
  std::vector<std::pair<std::string, double>> totals_;
};
// "  stage   1.234 s" lines, then a total line.
std::string formatStageTimes(const std::vector<std::pair<std::string, double>>& times);

}  // namespace srdd
