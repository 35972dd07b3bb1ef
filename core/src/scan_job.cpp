// The torch-free scan facade (scan_job.h): requests, their validation and JSON, and the cached-model job.
#include "srdd/scan_job.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "srdd/error.h"
#include "srdd/layer_list.h"
#include "srdd/model.h"
#include "srdd/runtime.h"
#include "srdd/safetensors.h"
#include "srdd/scan.h"
#include "srdd/tokenizer.h"

namespace srdd {

namespace fs = std::filesystem;

std::vector<std::string> scanNames() {
  std::vector<std::string> names;
  for (ScanKind k : parseScanKinds("all")) names.push_back(scanKindName(k));
  return names;
}

std::vector<std::string> defaultScanNames() {
  std::vector<std::string> names;
  for (ScanKind k : defaultScanKinds()) names.push_back(scanKindName(k));
  return names;
}

std::vector<std::string> quantModeNames() {
  std::vector<std::string> names;
  for (auto m : {QuantizationPlan::Mode::W4A16, QuantizationPlan::Mode::W16A4, QuantizationPlan::Mode::W4A4,
                 QuantizationPlan::Mode::Residual})
    names.push_back(quantModeName(m));
  return names;
}

std::vector<std::string> blockShapeChoices(const std::string& format) {
  const std::string n = std::to_string(parseQuantSpec(format).blockSize);
  return {"1x" + n, n + "x" + n};
}

std::vector<std::string> builtinPromptSetNames() { return {"scanner", "srdd", "experiment"}; }

std::vector<std::string> dtypeNames() { return {"auto", "bf16", "fp16", "fp32"}; }

std::vector<std::string> availableDevices() {
  std::vector<std::string> devices = {"cpu"};
  if (at::hasCUDA())
    for (size_t i = 0; i < at::getNumGPUs(); ++i) devices.push_back("cuda:" + std::to_string(i));
  return devices;
}

void setEngineThreads(int n) {
  if (n < 1) throw Error("engine threads must be at least 1, got " + std::to_string(n));
  initRuntime();  // first, so that its defaults never override this later
  at::set_num_threads(n);
}

int engineThreads() {
  initRuntime();
  return at::get_num_threads();
}

// ---- ScanRequest ----

namespace {

constexpr const char* kRequestSchema = "srdd-scan-request/1";

std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ",") + i;
  return s;
}

QuantizationPlan planOf(const ScanRequest& r) {
  QuantizationPlan plan;
  plan.spec = parseQuantSpec(r.format);
  if (!r.scale.empty()) plan.spec.scale = parseScaleRule(r.scale);
  if (!r.rounding.empty()) plan.spec.rounding = parseRounding(r.rounding);
  if (!r.block.empty()) plan.spec.block = parseBlockShape(r.block, &plan.spec.blockSize);
  plan.spec.reference = r.reference;
  plan.spec.seed = r.seed;
  plan.mode = parseQuantMode(r.mode);
  plan.layers = std::set<int>(r.layers.begin(), r.layers.end());
  plan.invertLayers = r.invertLayers;
  plan.includeLmHead = r.lmHead;
  plan.includeEmbeddings = r.embeddings;
  plan.validate();
  return plan;
}

ScanOptions optionsOf(const ScanRequest& r) {
  ScanOptions o;
  o.seed = r.seed;
  o.plan = planOf(r);
  if (r.scans.empty()) throw Error("scan request: no scan selected");
  o.scans = parseScanKinds(joined(r.scans));
  o.instabilityTrials = r.trials;
  o.gainDraws = r.gainDraws;
  o.noiseScale = r.noiseScale;
  o.dcShift = r.dcShift;
  o.batchSize = r.batchSize;
  for (const auto& [name, value] : r.thresholds) o.thresholds.set(name, value);
  o.rules = parseRuleSet(r.rules);
  o.validate();
  return o;
}

// The first line of a LibTorch message (the rest is a C++ backtrace).
std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

std::string ScanRequest::resolvedPrompts() const {
  if (!prompts.empty()) return prompts;
  return fs::is_regular_file(fs::path(modelDir) / "prompts.txt") ? (fs::path(modelDir) / "prompts.txt").string()
                                                                 : "builtin:scanner";
}

std::string ScanRequest::resolvedSensitivityText() const {
  return sensitivityText.empty() ? defaultSensitivityText(modelDir) : sensitivityText;
}

std::string ScanRequest::quantizationDescription() const { return planOf(*this).describe(); }

void ScanRequest::validate() const {
  if (modelDir.empty()) throw Error("scan request: no model directory given");
  if (!fs::is_directory(modelDir)) throw Error("model directory '" + modelDir + "' does not exist");
  if (!fs::is_regular_file(fs::path(modelDir) / "config.json"))
    throw Error(modelDir + ": no config.json (not a Hugging Face model directory)");
  if (!fs::is_regular_file(fs::path(modelDir) / "tokenizer.json"))
    throw Error(modelDir + ": no tokenizer.json (the scan tokenizes its prompts with it)");
  normalizeDeviceName(device);
  validateDtypeOption(dtype);
  optionsOf(*this);
  const std::string p = resolvedPrompts();
  if (p.rfind("builtin:", 0) == 0)
    builtinPrompts(p.substr(8));
  else if (!fs::is_regular_file(p))
    throw Error("prompt file '" + p + "' does not exist");
  if (maxTokens < 1) throw Error("scan request: max tokens must be at least 1, got " + std::to_string(maxTokens));
  const std::string sens = resolvedSensitivityText();
  if (sens != "prompts" && !fs::is_regular_file(sens)) throw Error("sensitivity text '" + sens + "' does not exist");
  if (sensitivityWindows < 1) throw Error("scan request: sensitivity windows must be at least 1");
  if (sensitivityTokens < 2) throw Error("scan request: sensitivity tokens must be at least 2");
}

nlohmann::json ScanRequest::toJson() const {
  return {{"schema", kRequestSchema},
          {"model_dir", modelDir},
          {"device", device},
          {"dtype", dtype},
          {"format", format},
          {"scale", scale},
          {"rounding", rounding},
          {"block", block},
          {"reference", reference},
          {"mode", mode},
          {"layers", layers},
          {"invert_layers", invertLayers},
          {"lm_head", lmHead},
          {"embeddings", embeddings},
          {"scans", scans},
          {"prompts", prompts},
          {"max_tokens", maxTokens},
          {"seed", seed},
          {"trials", trials},
          {"gain_draws", gainDraws},
          {"noise_scale", noiseScale},
          {"dc_shift", dcShift},
          {"batch_size", batchSize},
          {"thresholds", thresholds},
          {"created_utc", createdUtc},
          {"rules", rules},
          {"sensitivity_text", sensitivityText},
          {"sensitivity_windows", sensitivityWindows},
          {"sensitivity_tokens", sensitivityTokens}};
}

namespace {

// Reads j[key] into out when present; a wrong type becomes an srdd::Error naming the field.
template <typename T>
void read(const nlohmann::json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end()) return;
  try {
    if constexpr (std::is_same_v<T, uint64_t>) {
      if (!it->is_number_integer() || (!it->is_number_unsigned() && it->template get<int64_t>() < 0))
        throw Error("expected a non-negative integer");
    } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (!it->is_number_integer()) throw Error("expected an integer");
    }
    out = it->template get<T>();
  } catch (const std::exception& e) {
    throw Error(std::string("scan request JSON: field '") + key + "': " + e.what());
  }
}

}  // namespace

ScanRequest ScanRequest::fromJson(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("scan request JSON: expected an object");
  if (j.contains("schema") && j["schema"] != kRequestSchema)
    throw Error("scan request JSON: schema " + j["schema"].dump() + " is not " + kRequestSchema);
  const nlohmann::json known = ScanRequest().toJson();
  for (const auto& item : j.items())
    if (!known.contains(item.key())) throw Error("scan request JSON: unknown field '" + item.key() + "'");
  ScanRequest r;
  read(j, "model_dir", r.modelDir);
  read(j, "device", r.device);
  read(j, "dtype", r.dtype);
  read(j, "format", r.format);
  read(j, "scale", r.scale);
  read(j, "rounding", r.rounding);
  read(j, "block", r.block);
  read(j, "reference", r.reference);
  read(j, "mode", r.mode);
  if (j.contains("layers") && j["layers"].is_string()) {  // the layer-list grammar: "0-5", "all-but 3"
    const auto sel = parseLayerSelection(j["layers"].get<std::string>(), "scan request JSON: layers");
    r.layers.assign(sel.listed.begin(), sel.listed.end());
    r.invertLayers = sel.all && !sel.listed.empty();
    if (j.value("invert_layers", false))
      throw Error("scan request JSON: invert_layers with a layers string; write \"all-but LIST\" instead");
  } else {
    read(j, "layers", r.layers);
    read(j, "invert_layers", r.invertLayers);
  }
  read(j, "lm_head", r.lmHead);
  read(j, "embeddings", r.embeddings);
  read(j, "scans", r.scans);
  read(j, "prompts", r.prompts);
  read(j, "max_tokens", r.maxTokens);
  read(j, "seed", r.seed);
  read(j, "trials", r.trials);
  read(j, "gain_draws", r.gainDraws);
  read(j, "noise_scale", r.noiseScale);
  read(j, "dc_shift", r.dcShift);
  read(j, "batch_size", r.batchSize);
  read(j, "thresholds", r.thresholds);
  read(j, "created_utc", r.createdUtc);
  read(j, "rules", r.rules);
  read(j, "sensitivity_text", r.sensitivityText);
  read(j, "sensitivity_windows", r.sensitivityWindows);
  read(j, "sensitivity_tokens", r.sensitivityTokens);
  return r;
}

std::string scanReportText(const nlohmann::json& scan) { return formatScanReport(scanResultFromJson(scan)); }

std::string scanJsonText(const nlohmann::json& scan) { return scan.dump(1) + "\n"; }

void writeScanJsonFile(const nlohmann::json& scan, const std::string& path) {
  writeFileAtomically(path, scanJsonText(scan));
}

// ---- ScanJob ----

struct ScanJob::Impl {
  std::timed_mutex running;  // held for a whole run
  mutable std::mutex state;  // guards the fields below
  std::string key;
  std::shared_ptr<Model> model;
  std::shared_ptr<Tokenizer> tokenizer;
  int loads = 0;
};

namespace {

// What identifies a loaded model: where it is, how it was loaded, and the files it came from.
std::string modelKey(const ScanRequest& r) {
  std::ostringstream key;
  key << fs::canonical(r.modelDir).string() << '|' << normalizeDeviceName(r.device) << '|' << r.dtype;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(r.modelDir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() &&
        (e.path().extension() == ".safetensors" || name == "config.json" || name == "tokenizer.json"))
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    key << '|' << f.filename().string() << ':' << fs::file_size(f) << ':'
        << fs::last_write_time(f).time_since_epoch().count();
  return key.str();
}

void reportStage(const ProgressCallback& progress, const std::string& stage) {
  if (!progress) return;
  ProgressInfo p;
  p.stage = stage;
  progress(p);
}

}  // namespace

ScanJob::ScanJob() : impl_(std::make_unique<Impl>()) {}
ScanJob::~ScanJob() = default;

bool ScanJob::hasModelFor(const ScanRequest& request) const {
  try {
    const std::string key = modelKey(request);
    std::lock_guard<std::mutex> lock(impl_->state);
    return impl_->model && impl_->key == key;
  } catch (const std::exception&) {
    return false;
  }
}

int ScanJob::modelLoads() const {
  std::lock_guard<std::mutex> lock(impl_->state);
  return impl_->loads;
}

nlohmann::json ScanJob::run(const ScanRequest& request, const ProgressCallback& progress, const CancelToken* cancel) {
  auto checkCancelled = [cancel] {
    if (cancel) cancel->throwIfCancelled();
  };
  try {
    request.validate();
    const ScanOptions options = optionsOf(request);
    std::unique_lock<std::timed_mutex> running(impl_->running, std::defer_lock);
    if (!running.try_lock()) {
      reportStage(progress, "waiting for the previous scan to stop");
      while (!running.try_lock_for(std::chrono::milliseconds(20))) checkCancelled();
    }
    checkCancelled();
    const std::string key = modelKey(request);
    std::shared_ptr<Model> model;
    std::shared_ptr<Tokenizer> tokenizer;
    {
      std::lock_guard<std::mutex> lock(impl_->state);
      if (impl_->key == key) {
        model = impl_->model;
        tokenizer = impl_->tokenizer;
      } else {  // free the old model before loading the next (two 1.5B models need not fit at once)
        impl_->key.clear();
        impl_->model.reset();
        impl_->tokenizer.reset();
      }
    }
    if (!model) {
      reportStage(progress, "loading model");
      tokenizer =
          std::make_shared<Tokenizer>(Tokenizer::fromFile((fs::path(request.modelDir) / "tokenizer.json").string()));
      model = Model::load(request.modelDir, {request.device, request.dtype});
      std::lock_guard<std::mutex> lock(impl_->state);
      impl_->key = key;
      impl_->model = model;
      impl_->tokenizer = tokenizer;
      ++impl_->loads;
    }
    checkCancelled();
    reportStage(progress, "tokenizing prompts");
    const PromptSet prompts = loadPromptSet(request.resolvedPrompts(), *tokenizer, request.maxTokens);
    ScanOptions withText = options;
    const std::string sens = request.resolvedSensitivityText();
    if (sens != "prompts") {
      withText.sensitivitySequences =
          loadSensitivityWindows(sens, *tokenizer, request.sensitivityWindows, request.sensitivityTokens);
      withText.sensitivitySource = sens;
    }
    return scanResultToJson(runScan(*model, prompts, withText, progress, cancel, request.createdUtc));
  } catch (const Error&) {
    throw;  // srdd::Error and srdd::Cancelled already say what went wrong
  } catch (const c10::Error& e) {
    throw Error(request.modelDir + ": scan failed in LibTorch: " + firstLine(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw Error(request.modelDir + ": scan failed: " + firstLine(e.what()));
  }
}

}  // namespace srdd
