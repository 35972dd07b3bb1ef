// AQN settings: names, JSON, validation, layer lists and the configurations' layer sets.
#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <sstream>

#include "srdd/aqn.h"
#include "srdd/error.h"
#include "srdd/layer_list.h"
#include "srdd/model.h"
#include "srdd/quantized_forward.h"

namespace srdd::aqn {

namespace {

template <class T>
void read(const nlohmann::json& j, const char* key, T& out, const char* where) {
  if (!j.contains(key)) return;
  try {
    out = j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(std::string("AQN settings: ") + where + "." + key + " has the wrong type");
  }
}

void requireObject(const nlohmann::json& j, const char* where) {
  if (!j.is_object()) throw Error(std::string("AQN settings: ") + where + " is not a JSON object");
}

void check(bool ok, const std::string& message) {
  if (!ok) throw Error("AQN settings: " + message);
}

bool finiteNonNegative(double v) { return std::isfinite(v) && v >= 0; }

bool validConfigName(const std::string& n) {
  if (n.empty()) return false;
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

}  // namespace

std::string noiseTargetName(NoiseTarget t) { return t == NoiseTarget::Norms ? "norms" : "linears"; }

NoiseTarget parseNoiseTarget(const std::string& name) {
  if (name == "norms" || name == "rmsnorm") return NoiseTarget::Norms;
  if (name == "linears" || name == "linear") return NoiseTarget::Linears;
  throw Error("unknown AQN noise target '" + name + "' (expected norms or linears)");
}

std::string noiseScaleName(NoiseScale s) {
  switch (s) {
    case NoiseScale::Absolute: return "absolute";
    case NoiseScale::Relative: return "relative";
    case NoiseScale::RelativeRms: return "relative-rms";
  }
  return "?";
}

NoiseScale parseNoiseScale(const std::string& name) {
  for (auto s : {NoiseScale::Absolute, NoiseScale::Relative, NoiseScale::RelativeRms})
    if (noiseScaleName(s) == name) return s;
  throw Error("unknown AQN noise scale '" + name + "' (expected absolute, relative or relative-rms)");
}

std::string protocolName(Protocol p) { return p == Protocol::Training ? "training" : "reference"; }

Protocol parseProtocol(const std::string& name) {
  if (name == "training") return Protocol::Training;
  if (name == "reference") return Protocol::Reference;
  throw Error("unknown AQN protocol '" + name + "' (expected training or reference)");
}

std::vector<std::string> builtinConfigNames() { return {"baseline", "global", "targeted", "healthy", "bf16-aqn"}; }

std::vector<std::string> noisePresetNames() { return {"default", "qerl"}; }

NoiseSettings noisePreset(const std::string& name) {
  NoiseSettings n;
  if (name == "default") return n;
  if (name == "qerl") {
    n.target = NoiseTarget::Norms;
    n.scale = NoiseScale::Absolute;
    n.schedule = Schedule::qerl(1e-2, 5e-4, 10);
    return n;
  }
  throw Error("unknown AQN noise preset '" + name + "' (expected default or qerl)");
}

std::string matchingNoisePreset(const NoiseSettings& n) {
  for (const auto& name : noisePresetNames())
    if (noisePreset(name).toJson() == n.toJson()) return name;
  return "custom";
}

// ---- JSON ----

nlohmann::json NoiseSettings::toJson() const {
  return {{"target", noiseTargetName(target)}, {"scale", noiseScaleName(scale)}, {"schedule", schedule.toJson()}};
}

NoiseSettings NoiseSettings::fromJson(const nlohmann::json& j) {
  requireObject(j, "noise");
  NoiseSettings n;
  std::string target = noiseTargetName(n.target), scale = noiseScaleName(n.scale);
  read(j, "target", target, "noise");
  read(j, "scale", scale, "noise");
  n.target = parseNoiseTarget(target);
  n.scale = parseNoiseScale(scale);
  if (j.contains("schedule")) n.schedule = Schedule::fromJson(j.at("schedule"));
  return n;
}

nlohmann::json TrainSettings::toJson() const {
  return {{"steps", steps},
          {"batch_size", batchSize},
          {"seq_length", seqLength},
          {"learning_rate", learningRate},
          {"lr_warmup_steps", lrWarmupSteps},
          {"weight_decay", weightDecay},
          {"grad_clip", gradClip},
          {"trainable", trainable},
          {"quantize_training", quantizeTraining},
          {"quantization", quantization.empty() ? QuantizationPlan().toJson() : quantization},
          {"optimizer", {{"name", "adamw"}, {"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}}},
          {"master_weights", "fp32"}};
}

TrainSettings TrainSettings::fromJson(const nlohmann::json& j) {
  requireObject(j, "train");
  TrainSettings t;
  read(j, "steps", t.steps, "train");
  read(j, "batch_size", t.batchSize, "train");
  read(j, "seq_length", t.seqLength, "train");
  read(j, "learning_rate", t.learningRate, "train");
  read(j, "lr_warmup_steps", t.lrWarmupSteps, "train");
  read(j, "weight_decay", t.weightDecay, "train");
  read(j, "grad_clip", t.gradClip, "train");
  read(j, "trainable", t.trainable, "train");
  read(j, "quantize_training", t.quantizeTraining, "train");
  if (j.contains("quantization")) t.quantization = j.at("quantization");
  return t;
}

nlohmann::json DataSettings::toJson() const {
  return {{"train", trainPath},
          {"eval", evalPath},
          {"eval_seq_length", evalSeqLength},
          {"eval_tokens", evalTokens},
          {"eval_batch_size", evalBatchSize}};
}

DataSettings DataSettings::fromJson(const nlohmann::json& j) {
  requireObject(j, "data");
  DataSettings d;
  read(j, "train", d.trainPath, "data");
  read(j, "eval", d.evalPath, "data");
  read(j, "eval_seq_length", d.evalSeqLength, "data");
  read(j, "eval_tokens", d.evalTokens, "data");
  read(j, "eval_batch_size", d.evalBatchSize, "data");
  return d;
}

nlohmann::json ReferenceSettings::toJson() const {
  return {{"gamma", gamma}, {"prompts", prompts}, {"max_tokens", maxTokens}, {"research_quantizer", researchQuantizer}};
}

ReferenceSettings ReferenceSettings::fromJson(const nlohmann::json& j) {
  requireObject(j, "reference");
  ReferenceSettings r;
  read(j, "gamma", r.gamma, "reference");
  read(j, "prompts", r.prompts, "reference");
  read(j, "max_tokens", r.maxTokens, "reference");
  read(j, "research_quantizer", r.researchQuantizer, "reference");
  return r;
}

nlohmann::json ComparisonSettings::toJson() const {
  nlohmann::json custom_ = nlohmann::json::object();
  for (const auto& [name, layers] : custom) custom_[name] = layers;
  nlohmann::json j = {
      {"model", modelDirectory}, {"device", device},       {"dtype", dtype},    {"protocol", protocolName(protocol)},
      {"targets", targets},      {"configs", configs},     {"custom", custom_}, {"seeds", seeds},
      {"base_seed", baseSeed},   {"noise", noise.toJson()}};
  if (protocol == Protocol::Training) {
    j["train"] = train.toJson();
    j["data"] = data.toJson();
  } else {
    j["reference"] = reference.toJson();
  }
  return j;
}

ComparisonSettings ComparisonSettings::fromJson(const nlohmann::json& j) {
  requireObject(j, "settings");
  ComparisonSettings s;
  read(j, "model", s.modelDirectory, "settings");
  read(j, "device", s.device, "settings");
  read(j, "dtype", s.dtype, "settings");
  std::string protocol = protocolName(s.protocol);
  read(j, "protocol", protocol, "settings");
  s.protocol = parseProtocol(protocol);
  if (j.contains("targets") && j["targets"].is_string())  // the layer-list grammar, e.g. "0-2,5"
    s.targets = parseLayerList(j["targets"].get<std::string>(), -1, "AQN settings: targets");
  else
    read(j, "targets", s.targets, "settings");
  read(j, "configs", s.configs, "settings");
  read(j, "custom", s.custom, "settings");
  read(j, "seeds", s.seeds, "settings");
  read(j, "base_seed", s.baseSeed, "settings");
  if (j.contains("noise")) s.noise = NoiseSettings::fromJson(j.at("noise"));
  if (j.contains("train")) s.train = TrainSettings::fromJson(j.at("train"));
  if (j.contains("data")) s.data = DataSettings::fromJson(j.at("data"));
  if (j.contains("reference")) s.reference = ReferenceSettings::fromJson(j.at("reference"));
  return s;
}

// ---- validation ----

void ComparisonSettings::validate(int numLayers) const {
  validateDtypeOption(dtype);
  check(seeds >= 2, "seeds = " + std::to_string(seeds) + " (the statistics need at least 2 runs per configuration)");
  check(!configs.empty(), "no configuration to run");
  std::set<std::string> seen;
  const auto builtins = builtinConfigNames();
  for (const auto& [name, layers] : custom) {
    check(validConfigName(name), "custom configuration name '" + name + "' (use letters, digits, '_', '-', '.')");
    check(std::find(builtins.begin(), builtins.end(), name) == builtins.end(),
          "custom configuration '" + name + "' has the name of a built-in configuration");
    check(!layers.empty(), "custom configuration '" + name + "' has no layer");
  }
  for (const auto& c : configs) {
    const bool known = std::find(builtins.begin(), builtins.end(), c) != builtins.end() || custom.count(c);
    if (!known) {
      std::string valid;
      for (const auto& b : builtins) valid += b + ", ";
      for (const auto& [name, layers] : custom) valid += name + ", ";
      throw Error("AQN settings: unknown configuration '" + c + "' (expected " + valid.substr(0, valid.size() - 2) +
                  ")");
    }
    check(seen.insert(c).second, "configuration '" + c + "' is listed twice");
    if (c == "bf16-aqn" && protocol != Protocol::Training)
      throw Error("AQN settings: the bf16-aqn configuration needs the training protocol");
    if ((c == "targeted" || c == "healthy") && targets.empty())
      throw Error("AQN settings: the " + c + " configuration needs target layers (--targets)");
  }
  auto checkLayers = [&](const std::vector<int>& layers, const std::string& what) {
    for (int l : layers)
      if (l < 0 || (numLayers >= 0 && l >= numLayers))
        throw Error("AQN settings: " + what + " layer " + std::to_string(l) + " is outside the model's " +
                    (numLayers >= 0 ? std::to_string(numLayers) + " layers (0-" + std::to_string(numLayers - 1) + ")"
                                    : std::string("layers")));
  };
  checkLayers(targets, "target");
  for (const auto& [name, layers] : custom) checkLayers(layers, "custom configuration '" + name + "'");
  noise.schedule.validate();

  if (protocol == Protocol::Reference) {
    check(std::isfinite(reference.gamma) && reference.gamma >= 0, "reference gamma must be a finite number >= 0");
    check(reference.maxTokens >= 2, "reference max_tokens must be at least 2");
    return;
  }
  check(train.steps >= 1, "steps = " + std::to_string(train.steps) + " (need at least 1)");
  check(train.batchSize >= 1, "batch size = " + std::to_string(train.batchSize) + " (need at least 1)");
  check(train.seqLength >= 2, "sequence length = " + std::to_string(train.seqLength) + " (need at least 2)");
  check(finiteNonNegative(train.learningRate), "learning rate must be a finite number >= 0");
  check(train.lrWarmupSteps >= 0, "learning-rate warm-up steps must be >= 0");
  check(finiteNonNegative(train.weightDecay), "weight decay must be a finite number >= 0");
  check(finiteNonNegative(train.gradClip), "gradient clip must be a finite number >= 0 (0 = off)");
  check(!train.trainable.empty(), "the trainable parameter set is empty");
  if (train.trainable != "all" && train.trainable != "norms") {
    std::stringstream ss(train.trainable);
    std::string pattern;
    while (std::getline(ss, pattern, ',')) {
      try {
        std::regex re(pattern);
      } catch (const std::regex_error&) {
        throw Error("AQN settings: trainable pattern '" + pattern + "' is not a valid regular expression");
      }
    }
  }
  QuantizationPlan plan =
      train.quantization.empty() ? QuantizationPlan() : QuantizationPlan::fromJson(train.quantization);
  plan.validate(numLayers);
  if (train.quantizeTraining)
    check(plan.mode == QuantizationPlan::Mode::W4A16,
          "training quantization must be w4a16 (weights, straight-through gradient); " + quantModeName(plan.mode) +
              " quantizes activations, which have no straight-through gradient here");
  check(data.evalSeqLength >= 2, "evaluation window length must be at least 2 tokens");
  check(data.evalTokens >= 0, "evaluation token budget must be >= 0 (0 = all)");
  check(data.evalBatchSize >= 1, "evaluation batch size must be at least 1");
}

std::vector<ConfigSpec> resolveConfigs(const ComparisonSettings& s, int numLayers) {
  s.validate(numLayers);
  std::vector<ConfigSpec> out;
  const std::set<int> targets(s.targets.begin(), s.targets.end());
  for (const auto& name : s.configs) {
    ConfigSpec c{name, {}};
    if (name == "global" || name == "bf16-aqn") {
      for (int l = 0; l < numLayers; ++l) c.noiseLayers.push_back(l);
      c.quantizeTraining = name == "global";
    } else if (name == "targeted") {
      c.noiseLayers.assign(targets.begin(), targets.end());
    } else if (name == "healthy") {
      for (int l = 0; l < numLayers; ++l)
        if (!targets.count(l)) c.noiseLayers.push_back(l);
      if (c.noiseLayers.empty())
        throw Error("AQN settings: the healthy configuration is empty because every layer is a target");
    } else if (name != "baseline") {
      const auto& layers = s.custom.at(name);
      c.noiseLayers.assign(layers.begin(), layers.end());
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace srdd::aqn
