#pragma once
// AQN (QeRL "adaptive quantization noise") training runs and their comparison across layer sets.
// Torch-free public API (the GUI builds on it). Semantics, defaults and the JSON layouts: docs/aqn.md.
//
// A run fine-tunes the model (fp32 master weights, AdamW) with a fake-quantized training forward
// (W4A16 MXFP4 with a straight-through estimator by default). At every step, fresh Gaussian noise
// drawn in fp32 is added to the target parameters of the noise layers for that step's forward only.
// After training, the held-out loss is measured with the quantized forward and in BF16 (the model's
// dtype, no quantization). A comparison runs several configurations (layer sets) with the same seeds.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "srdd/progress.h"
#include "srdd/statistics.h"

namespace srdd::aqn {

enum class NoiseTarget { Norms, Linears };
// Absolute: w + σ·ε (QeRL). Relative: w + σ·|w|·ε (elementwise). RelativeRms: w + σ·rms(w)·ε.
enum class NoiseScale { Absolute, Relative, RelativeRms };
std::string noiseTargetName(NoiseTarget t);             // "norms", "linears"
NoiseTarget parseNoiseTarget(const std::string& name);  // srdd::Error listing the valid names
std::string noiseScaleName(NoiseScale s);               // "absolute", "relative", "relative-rms"
NoiseScale parseNoiseScale(const std::string& name);

// σ per training step: a warm-up at σ = 0, then `levels` equal stretches whose σ decays geometrically
// from sigmaStart to sigmaEnd. QeRL's (sigma_start, sigma_end, num_stages = N) is levels = N - 1 with a
// warm-up of 1/N of the run (see qerl()). levels = 1 is a constant sigmaStart (sigmaEnd is not used).
struct Schedule {
  double sigmaStart = 0.05;
  double sigmaEnd = 0.0005;
  int levels = 9;
  double warmupFraction = 0.1;

  static Schedule qerl(double sigmaStart, double sigmaEnd, int numStages);  // srdd::Error for numStages < 2
  // srdd::Error (naming the field) for non-finite or negative values, sigmaStart = 0, sigmaEnd = 0 or
  // sigmaEnd > sigmaStart with levels >= 2, levels < 1, warmupFraction outside [0, 1).
  void validate() const;
  std::vector<double> levelValues() const;  // the `levels` σ values, sigmaStart first
  // σ at step (0-based) of a run of totalSteps; steps >= totalSteps get the last level.
  double sigmaAt(long step, long totalSteps) const;
  std::vector<double> sigmaPerStep(long totalSteps) const;
  nlohmann::json toJson() const;
  static Schedule fromJson(const nlohmann::json& j);  // srdd::Error naming the bad field
};

struct NoiseSettings {
  NoiseTarget target = NoiseTarget::Norms;  // both RMSNorm weights of a noise layer, or its 7 linear weights
  NoiseScale scale = NoiseScale::Absolute;
  Schedule schedule;
  nlohmann::json toJson() const;
  static NoiseSettings fromJson(const nlohmann::json& j);
};

struct TrainSettings {
  int steps = 24;
  int batchSize = 4;   // windows per step
  int seqLength = 64;  // tokens per window
  double learningRate = 5e-5;
  int lrWarmupSteps = 0;     // linear warm-up from 0, then constant
  double weightDecay = 0.0;  // decoupled (AdamW), matrices only (not norms, biases)
  double gradClip = 1.0;     // max global gradient norm; 0 = off
  // "all", "norms", or comma-separated regular expressions (ECMAScript, searched in the Hugging Face
  // parameter names); a parameter is trainable when any matches.
  std::string trainable = "all";
  bool quantizeTraining = true;  // fake-quantized training forward (STE); false: plain forward
  // A QuantizationPlan as JSON (see quantized_forward.h); an empty object is W4A16 MXFP4 on every
  // decoder layer. Training needs a w4a16 plan; the final quantized evaluation uses the same plan.
  nlohmann::json quantization = nlohmann::json::object();
  nlohmann::json toJson() const;
  static TrainSettings fromJson(const nlohmann::json& j);
};

struct DataSettings {
  std::string trainPath;    // plain text (whole file) or .jsonl ("text" per line); empty: MODEL/aqn-train.txt
  std::string evalPath;     // the same formats; empty: MODEL/heldout.txt
  int evalSeqLength = 256;  // held-out windows
  long evalTokens = 4096;   // keep the first windows up to this many tokens; 0 = all
  int evalBatchSize = 8;
  nlohmann::json toJson() const;
  static DataSettings fromJson(const nlohmann::json& j);
};

enum class Protocol {
  Training,   // AQN training runs (this engine's method)
  Reference,  // the research scripts' quick protocol: inference-time activation noise, NOT AQN training
};
std::string protocolName(Protocol p);  // "training", "reference"
Protocol parseProtocol(const std::string& name);

// The research scripts' protocol (reference §3.6): no training; at every decoder layer's output
// h <- h + N(0,1)·gamma·|h| (noise layers only), then h <- MXFP4(h); loss = unweighted mean over prompts.
struct ReferenceSettings {
  double gamma = 0.01;
  std::string prompts = "builtin:experiment";  // "builtin:NAME" or a file, see scan.h loadPromptSet
  int maxTokens = 64;
  bool researchQuantizer = true;  // the scripts' MXFP4 numerics (QuantSpec::reference)
  nlohmann::json toJson() const;
  static ReferenceSettings fromJson(const nlohmann::json& j);
};

// Built-in configuration names: baseline (no noise), global (all layers), targeted (the targets),
// healthy (all layers but the targets), bf16-aqn (noise on all layers, trained WITHOUT fake quantization:
// the "BF16 + AQN" arm, training protocol only). Custom configurations name their own layer lists.
std::vector<std::string> builtinConfigNames();

// Noise presets: "default" (this engine's defaults: norms, absolute, 0.05 -> 0.0005, QeRL's 10 stages) and
// "qerl" (QeRL-faithful: both RMSNorm weights of each layer, absolute σ, 10 stages, 1e-2 -> 5e-4).
std::vector<std::string> noisePresetNames();
NoiseSettings noisePreset(const std::string& name);       // srdd::Error listing the names
std::string matchingNoisePreset(const NoiseSettings& n);  // the preset these settings equal, or "custom"

struct ComparisonSettings {
  std::string modelDirectory;  // empty: the bundled demo model
  std::string device = "cpu";
  std::string dtype = "auto";  // auto = the checkpoint's dtype
  Protocol protocol = Protocol::Training;
  std::vector<int> targets;  // decoder layers of "targeted" / excluded by "healthy"
  std::vector<std::string> configs = {"baseline", "global", "targeted", "healthy"};
  std::map<std::string, std::vector<int>> custom;  // name -> noise layers
  int seeds = 5;                                   // seed k uses baseSeed + k, in every configuration
  uint64_t baseSeed = 42;
  TrainSettings train;
  NoiseSettings noise;
  DataSettings data;
  ReferenceSettings reference;

  // srdd::Error naming the bad option; numLayers < 0 skips the layer-range checks.
  void validate(int numLayers = -1) const;
  nlohmann::json toJson() const;
  static ComparisonSettings fromJson(const nlohmann::json& j);
};

struct ConfigSpec {
  std::string name;
  std::vector<int> noiseLayers;  // empty: no noise
  bool quantizeTraining = true;  // false for bf16-aqn: the training forward is not fake-quantized
};
// The configurations in settings order with their layer sets; srdd::Error for an unknown name, a
// targeted/healthy configuration without targets, or a layer outside [0, numLayers).
std::vector<ConfigSpec> resolveConfigs(const ComparisonSettings& s, int numLayers);

struct RunResult {
  std::string config;
  int seedIndex = 0;
  uint64_t seed = 0;
  std::vector<int> noiseLayers;
  std::vector<double> trainLoss;  // per step (training protocol)
  std::vector<double> sigma;      // per step
  std::vector<double> gradNorm;   // per step, before clipping
  double evalLossQuantized = 0;   // held-out loss, quantized forward (reference: noise + quantization)
  double evalLossBf16 = 0;        // held-out loss, model dtype without quantization (reference: NaN)
  double seconds = 0;
  nlohmann::json toJson() const;
  static RunResult fromJson(const nlohmann::json& j);  // srdd::Error for a malformed document
};

struct ConfigSummary {
  std::string name;
  std::vector<int> noiseLayers;
  std::vector<double> lossesQuantized, lossesBf16;  // per seed, seed order
  stats::Summary quantized, bf16;                   // bf16 unset (n = 0) in the reference protocol
};

// a vs b on the final quantized held-out loss (lower is better). Runs are paired by seed.
struct ConfigTest {
  std::string a, b;
  double meanDifference = 0;  // mean(a) - mean(b)
  stats::TTest welch, paired, student;
  double cohensD = 0;        // pooled sd
  double pairedDz = 0;       // mean / sd of the per-seed differences
  stats::Interval pairedCi;  // 95 % CI of the mean per-seed difference
  double holmP = 1;          // the paired p, Holm-adjusted over every test of the comparison without error
  bool significant = false;  // holmP < alpha (0.05)
  double mdeLoss = 0;        // minimum detectable difference in loss units: power.mdeDz · sd of the differences
  std::string error;         // non-empty when the tests are undefined (e.g. no spread at all)
};

// The seeds' power: the smallest paired effect d_z that the two-sided paired t-test with `pairs` seeds
// detects with probability `power` at level `alpha` (exact noncentral t).
struct PowerSummary {
  double alpha = 0.05, power = 0.8;
  int pairs = 0;
  double mdeDz = 0;
};

// The research plan's success criterion, "SRDD-guided AQN lower loss than Global AQN, p < 0.05": the paired
// two-sided t-test of targeted vs global on the quantized held-out loss (the one pre-specified primary test,
// so its p is not adjusted; the Holm-adjusted p is reported beside it).
struct PrimaryAnswer {
  bool available = false;  // false without targeted and global configurations, or when the test is undefined
  bool yes = false;        // targeted's mean loss is lower and p < alpha
  std::string line;  // the one-line answer, e.g. "SRDD-guided AQN lower loss than Global AQN, p < 0.05? no — ..."
};

struct ComparisonResult {
  nlohmann::json provenance;  // model files, app version and commit, device, dtype, created_utc
  ComparisonSettings settings;
  std::vector<double> sigmaPerStep;
  double initialLossQuantized = 0, initialLossBf16 = 0;  // the model before any run
  std::vector<RunResult> runs;                           // config order, then seed order
  std::vector<ConfigSummary> configs;
  std::vector<ConfigTest> tests;  // targeted vs global, global vs bf16-aqn, then each configuration vs baseline
  PowerSummary power;
  PrimaryAnswer primary;
  nlohmann::json toJson() const;  // schema "srdd-aqn/1"
};

// Runs (or resumes) a comparison in runDir: config.json, runs/<config>-seed<k>/{metrics.jsonl,result.json},
// comparison.json, each written atomically. Finished runs found in runDir are kept, not rerun; a
// runDir whose config.json holds other settings is an srdd::Error unless `force` (which discards its
// runs). progress reports config, seed, step and ETA; cancel is checked between steps and makes the
// call throw srdd::Cancelled, leaving the finished runs and no result.json for the unfinished one.
// createdUtc pins provenance.created_utc (empty: now).
ComparisonResult runComparison(const ComparisonSettings& settings, const std::string& runDir,
                               const ProgressCallback& progress = {}, const CancelToken* cancel = nullptr,
                               bool force = false, const std::string& createdUtc = "");

// Statistics of a set of finished runs (used by runComparison; exposed for the results view).
std::vector<ConfigSummary> summarizeConfigs(const std::vector<ConfigSpec>& configs, const std::vector<RunResult>& runs,
                                            bool withBf16);
std::vector<ConfigTest> compareConfigs(const std::vector<ConfigSummary>& configs);
PowerSummary seedPower(const std::vector<ConfigSummary>& configs);  // pairs = the fewest seeds of a configuration
PrimaryAnswer primaryAnswer(const std::vector<ConfigTest>& tests);
// Fills configs, tests, power and primary from runs and the configurations' layer sets.
void computeStatistics(ComparisonResult& r, const std::vector<ConfigSpec>& specs);

ComparisonResult readComparison(const std::string& path);  // srdd::Error naming the file
// The same from a parsed srdd-aqn/1 document (e.g. an engine event); statistics are recomputed from the runs.
ComparisonResult comparisonFromJson(const nlohmann::json& j);
// A readable table: configurations (mean ± sd, CI) and the tests.
std::string formatComparison(const ComparisonResult& r);

// Peak GPU memory allocated on a CUDA device since the last reset, in bytes; -1 without CUDA support.
int64_t cudaPeakMemoryBytes(int deviceIndex);
void cudaResetPeakMemory(int deviceIndex);  // no-op without CUDA support

}  // namespace srdd::aqn
