#include "srdd/planted_fault.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <map>

#include "srdd/checkpoint.h"
#include "srdd/error.h"
#include "srdd/safetensors.h"

namespace srdd {

namespace fs = std::filesystem;

std::string plantedFaultKindName(PlantedFault::Kind k) {
  switch (k) {
    case PlantedFault::Kind::WeightOutliers: return "weight-outliers";
    case PlantedFault::Kind::ActivationChannel: return "activation-channel";
    case PlantedFault::Kind::QkScale: return "qk-scale";
  }
  return "?";
}

PlantedFault::Kind parsePlantedFaultKind(const std::string& s) {
  for (auto k : {PlantedFault::Kind::WeightOutliers, PlantedFault::Kind::ActivationChannel, PlantedFault::Kind::QkScale})
    if (plantedFaultKindName(k) == s) return k;
  throw Error("unknown fault '" + s + "' (expected weight-outliers, activation-channel or qk-scale)");
}

nlohmann::json PlantedFault::toJson() const {
  nlohmann::json j = {{"fault", plantedFaultKindName(kind)}, {"layer", layer}, {"seed", seed}};
  if (kind == Kind::WeightOutliers) {
    j["module"] = module;
    j["per_row"] = perRow;
    j["factor_min"] = factorMin;
    j["factor_max"] = factorMax;
  } else if (kind == Kind::ActivationChannel) {
    j["channel"] = channel;
    j["factor"] = factor;
  }
  j["function_preserving"] = kind != Kind::WeightOutliers;
  return j;
}

namespace {

std::string prefix(int layer) { return "model.layers." + std::to_string(layer) + "."; }

std::string moduleTensor(int layer, const std::string& module) {
  const bool attn = module == "q_proj" || module == "k_proj" || module == "v_proj" || module == "o_proj";
  const bool mlp = module == "gate_proj" || module == "up_proj" || module == "down_proj";
  if (!attn && !mlp) throw Error("plant: unknown module '" + module + "' (expected q_proj, ..., down_proj)");
  return prefix(layer) + (attn ? "self_attn." : "mlp.") + module + ".weight";
}

// Every row: perRow distinct columns set to sign · U(lo, hi) · (the row's RMS before planting).
at::Tensor withOutliers(const at::Tensor& w, const PlantedFault& f) {
  at::Tensor x = w.to(at::kFloat).clone();
  const int64_t rows = x.size(0), cols = x.size(1);
  if (f.perRow < 1 || f.perRow > cols) throw Error("plant: per-row count must be in [1, " + std::to_string(cols) + "]");
  if (!(f.factorMin > 0) || f.factorMax < f.factorMin) throw Error("plant: factors must satisfy 0 < min <= max");
  at::Generator gen = at::detail::createCPUGenerator(f.seed);
  at::Tensor rms = x.pow(2).mean(1).sqrt();
  at::Tensor cols_ = at::argsort(at::rand({rows, cols}, gen), int64_t{1}, false).narrow(1, 0, f.perRow);
  at::Tensor mag = at::rand({rows, f.perRow}, gen) * (f.factorMax - f.factorMin) + f.factorMin;
  at::Tensor sign = at::rand({rows, f.perRow}, gen).lt(0.5).to(at::kFloat) * -2.0 + 1.0;
  x.scatter_(1, cols_, sign * mag * rms.unsqueeze(1));
  return x.to(w.scalar_type());
}

}  // namespace

void plantFault(const std::string& modelDir, const std::string& outDir, const PlantedFault& f) {
  Checkpoint ck = Checkpoint::open(modelDir);
  const auto& cfg = ck.config();
  if (f.layer < 0 || f.layer >= cfg.numLayers)
    throw Error("plant: layer " + std::to_string(f.layer) + " is outside the model's " + std::to_string(cfg.numLayers) +
                " layers");
  std::error_code ec;
  if (fs::exists(outDir) && fs::equivalent(modelDir, outDir, ec)) throw Error("plant: OUT must differ from MODEL");
  std::map<std::string, at::Tensor> t;
  for (const auto& name : ck.tensorNames()) t[name] = ck.tensor(name).clone();
  auto need = [&](const std::string& name) -> at::Tensor& {
    auto it = t.find(name);
    if (it == t.end()) throw Error(modelDir + ": plant: the checkpoint has no tensor " + name);
    return it->second;
  };
  auto scaled = [](const at::Tensor& x, double s) { return (x.to(at::kFloat) * s).to(x.scalar_type()); };
  const std::string p = prefix(f.layer);
  switch (f.kind) {
    case PlantedFault::Kind::WeightOutliers: {
      at::Tensor& w = need(moduleTensor(f.layer, f.module));
      w = withOutliers(w, f);
      break;
    }
    case PlantedFault::Kind::ActivationChannel: {
      if (f.channel < 0 || f.channel >= cfg.hiddenSize)
        throw Error("plant: channel " + std::to_string(f.channel) + " is outside the hidden size " +
                    std::to_string(cfg.hiddenSize));
      if (!(f.factor > 0)) throw Error("plant: the factor must be positive");
      at::Tensor& norm = need(p + "input_layernorm.weight");
      norm = norm.to(at::kFloat).clone();
      norm[f.channel] *= f.factor;
      norm = norm.to(ck.tensor(p + "input_layernorm.weight").scalar_type());
      for (const char* m : {"q_proj", "k_proj", "v_proj"}) {
        at::Tensor& w = need(p + "self_attn." + m + ".weight");
        at::Tensor x = w.to(at::kFloat).clone();
        x.select(1, f.channel).div_(f.factor);
        w = x.to(w.scalar_type());
      }
      break;
    }
    case PlantedFault::Kind::QkScale:
      for (const auto& [m, s] : {std::pair<const char*, double>{"q_proj", 2.0}, {"k_proj", 0.5}})
        for (const char* part : {".weight", ".bias"}) {
          const std::string name = p + "self_attn." + m + part;
          if (t.count(name)) t[name] = scaled(t[name], s);
        }
      break;
  }
  fs::create_directories(outDir);
  for (const auto& e : fs::directory_iterator(modelDir)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || e.path().extension() == ".safetensors" || name == "model.safetensors.index.json" ||
        name == "planted.json")
      continue;
    fs::copy_file(e.path(), fs::path(outDir) / name, fs::copy_options::overwrite_existing);
  }
  for (const auto& e : fs::directory_iterator(outDir))  // a sharded copy from an earlier run would shadow ours
    if (e.path().filename().string().rfind("model-", 0) == 0 || e.path().filename() == "model.safetensors.index.json")
      fs::remove(e.path());
  std::vector<std::pair<std::string, at::Tensor>> tensors(t.begin(), t.end());
  writeSafetensors((fs::path(outDir) / "model.safetensors").string(), tensors, {{"format", "pt"}});
  nlohmann::json info = f.toJson();
  info["source"] = fs::absolute(modelDir).string();
  writeFileAtomically((fs::path(outDir) / "planted.json").string(), info.dump(2) + "\n");
}

}  // namespace srdd
