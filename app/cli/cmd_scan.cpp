// `srdd scan`: SRDD scans of a model in BF16 and fake-quantized, per layer, with rules and a recommendation.
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>

#include "engine_cli.h"
#include "exit_codes.h"
#include "interrupt.h"
#include "command.h"
#include "model_options.h"
#include "scan_cli.h"
#include "srdd/error.h"
#include "srdd/safetensors.h"
#include "srdd/scan.h"
#include "srdd/scan_job.h"
#include "srdd/tokenizer.h"

namespace {

// The --threshold-NAME option of a rule threshold (srdd::RuleThresholds names, '_' written '-').
std::string thresholdOption(std::string name) {
  for (auto& c : name) c = c == '_' ? '-' : c;
  return name;
}

// --timestamp, else SOURCE_DATE_EPOCH (reproducible-builds convention), else now (empty).
std::string pinnedTimestamp(const srdd_cli::Parsed& opt) {
  if (auto t = opt.value("--timestamp")) return *t;
  if (const char* e = std::getenv("SOURCE_DATE_EPOCH")) {
    char* end = nullptr;
    long long s = std::strtoll(e, &end, 10);
    if (*e == '\0' || *end != '\0' || s < 0)
      throw srdd::Error("SOURCE_DATE_EPOCH='" + std::string(e) + "' is not a number of seconds");
    std::time_t t = static_cast<std::time_t>(s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
  }
  return "";
}

// The --threshold-NAME options given, by rule name (gain_ratio, ...).
std::map<std::string, double> thresholdOverrides(const srdd_cli::Parsed& opt) {
  std::map<std::string, double> overrides;
  for (const auto& name : srdd::RuleThresholds::names()) {
    const std::string o = "--threshold-" + thresholdOption(name);
    if (opt.value(o)) overrides[name] = opt.number(o, 0);
  }
  return overrides;
}

// The scan the options describe, as a request for an engine (paths are on the engine's host; no MODEL:
// the engine's demo model).
srdd::ScanRequest scanRequest(const srdd_cli::Parsed& opt) {
  srdd::ScanRequest r;
  r.modelDir = opt.value("MODEL", "");
  r.device = opt.value("--device", "cpu");
  r.dtype = opt.value("--dtype", "bf16");
  r.seed = static_cast<uint64_t>(opt.integer("--seed", 42));
  const auto plan = srdd_cli::quantPlan(opt, r.seed);  // validates the quantizer options here
  r.format = opt.value("--format", "mxfp4");
  r.scale = opt.value("--scale", "");
  r.rounding = opt.value("--rounding", "");
  r.block = opt.value("--block", "");
  r.reference = opt.flag("--reference");
  r.mode = opt.value("--mode", "w4a16");
  r.layers.assign(plan.layers.begin(), plan.layers.end());
  r.invertLayers = plan.invertLayers;
  r.lmHead = opt.flag("--lm-head");
  r.embeddings = opt.flag("--embeddings");
  r.scans.clear();
  for (auto k : srdd::parseScanKinds(opt.value("--scans", "default"))) r.scans.push_back(srdd::scanKindName(k));
  r.prompts = opt.value("--prompts", "");
  r.maxTokens = opt.integer("--max-tokens", 64);
  r.trials = static_cast<int>(opt.integer("--trials", 3));
  r.gainDraws = static_cast<int>(opt.integer("--gain-draws", 1));
  r.noiseScale = opt.number("--noise-scale", 0.1);
  r.dcShift = opt.number("--dc-shift", 50.0);
  r.batchSize = static_cast<int>(opt.integer("--batch", 64));
  r.thresholds = thresholdOverrides(opt);
  r.rules = opt.value("--rules", "floor");
  r.sensitivityText = opt.value("--sensitivity-text", "");
  r.sensitivityWindows = static_cast<int>(opt.integer("--sensitivity-windows", 32));
  r.sensitivityTokens = opt.integer("--sensitivity-tokens", 128);
  r.createdUtc = pinnedTimestamp(opt);
  return r;
}

// The local files of a scan (results JSON, CSV, legacy layouts), then on stdout the results JSON (--json)
// or the report (unless --no-report). `result` is the results document as written to --out.
void writeScanOutputs(const srdd_cli::Parsed& opt, const nlohmann::json& result, const srdd::ScanResult& parsed,
                      const std::string& out) {
  srdd::writeScanJsonFile(result, out);
  if (auto csv = opt.value("--csv")) srdd::writeScanCsv(parsed, *csv);
  if (auto f = opt.value("--legacy-experiment"))
    srdd::writeFileAtomically(*f, srdd::legacyExperimentJson(parsed).dump(2) + "\n");
  if (auto f = opt.value("--legacy-scanner"))
    srdd::writeFileAtomically(*f, srdd::legacyScannerJson(parsed).dump(2) + "\n");
  if (opt.flag("--json")) {
    std::cout << srdd::scanJsonText(result);
  } else if (!opt.flag("--no-report")) {
    std::cout << srdd::formatScanReport(parsed);
  }
}

int runScanOnEngine(const srdd_cli::Parsed& opt) {
  const srdd::ScanRequest request = scanRequest(opt);
  const std::string out = opt.value("--out", "srdd-scan.json");
  const auto start = std::chrono::steady_clock::now();
  auto engine = srdd_cli::connectEngine(*opt.value("--engine"));
  nlohmann::json result;
  try {
    result =
        srdd_cli::runEngineJob(engine, {{"type", "scan"}, {"request", request.toJson()}}, opt.flag("--quiet")).body;
  } catch (const srdd::Cancelled&) {
    std::cerr << "srdd scan: cancelled; nothing was written\n";
    return srdd_cli::kExitInterrupted;
  }
  result["provenance"]["engine"] = srdd_cli::engineProvenance(engine);
  writeScanOutputs(opt, result, srdd::scanResultFromJson(result), out);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "scan finished in " << srdd::formatSeconds(secs) << " on " << engine.engine->describe() << " ("
            << engine.hello.value("hostname", "?") << "); results: " << out << "\n";
  return 0;
}

int runScanCommand(const srdd_cli::Parsed& opt) {
  if (opt.value("--engine")) return runScanOnEngine(opt);
  const std::string dir = srdd_cli::modelDirectory(opt);

  srdd::ScanOptions so;
  so.seed = static_cast<uint64_t>(opt.integer("--seed", 42));
  so.plan = srdd_cli::quantPlan(opt, so.seed);
  so.scans = srdd::parseScanKinds(opt.value("--scans", "default"));
  so.instabilityTrials = static_cast<int>(opt.integer("--trials", 3));
  so.gainDraws = static_cast<int>(opt.integer("--gain-draws", 1));
  so.noiseScale = opt.number("--noise-scale", 0.1);
  so.dcShift = opt.number("--dc-shift", 50.0);
  so.batchSize = static_cast<int>(opt.integer("--batch", 64));
  for (const auto& [name, value] : thresholdOverrides(opt)) so.thresholds.set(name, value);
  so.rules = srdd::parseRuleSet(opt.value("--rules", "floor"));
  so.profile = opt.flag("--profile");
  so.validate();
  const std::string out = opt.value("--out", "srdd-scan.json");
  const std::string created = pinnedTimestamp(opt);

  auto tokenizer = srdd::Tokenizer::fromFile(opt.value("--tokenizer", dir + "/tokenizer.json"));
  std::string promptSpec = opt.value("--prompts", "");
  if (promptSpec.empty())
    promptSpec = std::filesystem::exists(dir + "/prompts.txt") ? dir + "/prompts.txt" : "builtin:scanner";
  auto prompts = srdd::loadPromptSet(promptSpec, tokenizer, opt.integer("--max-tokens", 64));
  const std::string sensText = opt.value("--sensitivity-text", srdd::defaultSensitivityText(dir));
  if (sensText != "prompts") {
    so.sensitivitySequences =
        srdd::loadSensitivityWindows(sensText, tokenizer, static_cast<int>(opt.integer("--sensitivity-windows", 32)),
                                     opt.integer("--sensitivity-tokens", 128));
    so.sensitivitySource = sensText;
  }

  const auto start = std::chrono::steady_clock::now();
  auto model = srdd_cli::loadModel(opt);
  const double loadSecs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const srdd::CancelToken* cancel = srdd_cli::cancelOnInterrupt();
  const auto progress = opt.flag("--quiet") ? srdd::ProgressCallback() : srdd_cli::stderrProgress();
  srdd::ScanResult result;
  try {
    result = srdd::runScan(*model, prompts, so, progress, cancel, created);
  } catch (const srdd::Cancelled&) {
    std::cerr << "srdd scan: cancelled; nothing was written\n";
    return srdd_cli::kExitInterrupted;
  }
  writeScanOutputs(opt, srdd::scanResultToJson(result), result, out);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (so.profile) {
    auto times = result.profile;
    times.insert(times.begin(), {"model load", loadSecs});
    std::cerr << "profile (wall time per stage, device-synchronized):\n" << srdd::formatStageTimes(times);
  }
  std::cerr << "scan finished in " << srdd::formatSeconds(secs) << " (model load included); results: " << out << "\n";
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  srdd_cli::declareModelOptions(d);
  d.group("Quantization");
  srdd_cli::declareQuantOptions(d);
  d.group("Scans");
  d.text("--scans", "--scans LIST",
         "gain,kurtosis,instability,dcgain,discrete,histogram,fidelity,weights,sensitivity,\n"
         "all or default (= all but dcgain, discrete, histogram)");
  d.text("--prompts", "--prompts P",
         "file (one prompt per line, or .jsonl with \"text\") or builtin:srdd|experiment|scanner\n"
         "(default: MODEL/prompts.txt if present, else builtin:scanner)",
         {srdd_cli::CompletionHint::Kind::File, {}});
  d.integer("--max-tokens", "--max-tokens N", "tokens kept per prompt (default 64)", 1);
  d.integer("--trials", "--trials N", "identical forwards for the instability scan (default 3)", 1);
  d.integer("--gain-draws", "--gain-draws N", "noise draws averaged by the gain scan (default 1)", 1);
  d.number("--noise-scale", "--noise-scale S", "gain-scan noise relative to the layer input's std (default 0.1)", 0);
  d.number("--dc-shift", "--dc-shift V", "constant added by the dcgain/discrete scans (default 50)");
  d.integer("--seed", "--seed N", "seed of the noise and of stochastic rounding (default 42)", 0);
  d.choice("--rules", "--rules R",
           "floor (default: excess over the format's noise floor, robust z across layers, ranking by\n"
           "single-layer harm) or absolute (the research scripts' fixed thresholds; also 'reference')",
           [](const std::string& v) { srdd::parseRuleSet(v); }, {"floor", "absolute", "reference"});
  d.file("--sensitivity-text", "--sensitivity-text F",
         "text for the sensitivity scan's KL and loss at every position (default\n"
         "MODEL/heldout.txt if present, else 'prompts' = the prompt set)");
  d.integer("--sensitivity-windows", "--sensitivity-windows N", "windows taken from that text (default 32)", 1);
  d.integer("--sensitivity-tokens", "--sensitivity-tokens T", "tokens per window (default 128)", 2);
  d.integer("--batch", "--batch N", "prompts per forward (default 64)", 1);
  auto* tokenizer = d.file("--tokenizer", "--tokenizer F", "tokenizer.json (default MODEL/tokenizer.json)");
  d.group("Output");
  d.file("--out", "--out FILE", "results JSON, schema srdd-scan/1 (default srdd-scan.json)");
  d.file("--csv", "--csv FILE", "also write a long-format CSV");
  d.file("--legacy-experiment", "--legacy-experiment FILE", "srdd_mxfp4_experiment.py JSON layout");
  d.file("--legacy-scanner", "--legacy-scanner FILE", "srdd_quant_scanner.py JSON layout");
  d.text("--timestamp", "--timestamp T", "pin provenance.created_utc (else $SOURCE_DATE_EPOCH, else now)");
  d.flag("--json", "print the results JSON (the --out document) on stdout instead of the table");
  d.flag("--quiet", "no progress on stderr");
  d.flag("--no-report", "no table on stdout");
  auto* profile = d.flag("--profile", "print wall time per stage to stderr (synchronizes the device after each)");
  srdd_cli::declareEngineOption(d);
  app.get_option("--engine")->excludes(tokenizer)->excludes(profile);
  d.group("Rule thresholds (docs/scans.md)");
  for (const auto& threshold : srdd::RuleThresholds::names()) {
    const std::string name = "--threshold-" + thresholdOption(threshold);
    d.number(name, name + " V", "override the rule threshold " + threshold);
  }
  return [&app] { return runScanCommand(srdd_cli::Parsed(app)); };
}

srdd_cli::Registrar reg({"scan", "SRDD scans in BF16 and quantized, per layer, with flags and a recommendation",
                         "srdd scan [MODEL] [OPTIONS]", "", define});

}  // namespace
