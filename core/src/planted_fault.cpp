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
  for (auto k :
       {PlantedFault::Kind::WeightOutliers, PlantedFault::Kind::ActivationChannel, PlantedFault::Kind::QkScale})
    if (plantedFaultKindName(k) == s) return k;
  throw Error("unknown fault '" + s + "' (expected weight-outliers, activation-channel or qk-scale)");
}

nlohmann::json PlantedFault::toJson() const {
  nlohmann::json j = {{"fault", plantedFaultKindName(kind)}, {"layer", layer}, {"seed", seed}};
  if (kind == Kind::WeightOutliers) {
    j["module"] = module;
    j["channels"] = perRow;
    j["factor"] = factor;
  } else if (kind == Kind::ActivationChannel) {
    j["channel"] = channel;
    j["norm"] = norm;
    j["factor"] = factor;
  }
  j["function_preserving"] = true;
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

// `count` distinct indices in [0, n), seeded.
std::vector<int64_t> pick(int64_t n, int count, uint64_t seed) {
  if (count < 1 || count > n) throw Error("plant: the channel count must be in [1, " + std::to_string(n) + "]");
  at::Generator gen = at::detail::createCPUGenerator(seed);
  at::Tensor idx = at::argsort(at::rand({n}, gen), int64_t{0}, false).narrow(0, 0, count).contiguous();
  return std::vector<int64_t>(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + count);
}

// x[index along dim] *= s, in fp32, back in x's dtype.
void scaleSlices(at::Tensor& x, int64_t dim, const std::vector<int64_t>& index, double s) {
  at::Tensor y = x.to(at::kFloat).clone();
  for (int64_t i : index) y.select(dim, i).mul_(s);
  x = y.to(x.scalar_type());
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
      // Function-preserving: the weight's input columns feeding from a few channels are multiplied by the
      // factor and the linear map producing those channels is divided by it (SwiGLU is linear in up_proj,
      // attention is linear in v_proj), so every row of the weight holds a few elements ~factor x its RMS.
      if (!(f.factor > 0)) throw Error("plant: the factor must be positive");
      if (f.module == "down_proj") {
        const auto cols = pick(cfg.intermediateSize, f.perRow, f.seed);
        scaleSlices(need(p + "mlp.down_proj.weight"), 1, cols, f.factor);
        scaleSlices(need(p + "mlp.up_proj.weight"), 0, cols, 1.0 / f.factor);
      } else if (f.module == "o_proj") {
        const auto ch = pick(cfg.numKvHeads * cfg.headDim, f.perRow, f.seed);
        scaleSlices(need(p + "self_attn.v_proj.weight"), 0, ch, 1.0 / f.factor);
        if (t.count(p + "self_attn.v_proj.bias")) scaleSlices(t[p + "self_attn.v_proj.bias"], 0, ch, 1.0 / f.factor);
        const int64_t group = cfg.numHeads / cfg.numKvHeads;
        std::vector<int64_t> cols;  // every query head of the KV head reads the scaled value channel
        for (int64_t c : ch)
          for (int64_t g = 0; g < group; ++g)
            cols.push_back(((c / cfg.headDim) * group + g) * cfg.headDim + c % cfg.headDim);
        scaleSlices(need(p + "self_attn.o_proj.weight"), 1, cols, f.factor);
      } else {
        moduleTensor(f.layer, f.module);  // names an unknown module
        throw Error("plant: weight-outliers supports down_proj and o_proj (function-preserving), not " + f.module);
      }
      break;
    }
    case PlantedFault::Kind::ActivationChannel: {
      if (f.channel < 0 || f.channel >= cfg.hiddenSize)
        throw Error("plant: channel " + std::to_string(f.channel) + " is outside the hidden size " +
                    std::to_string(cfg.hiddenSize));
      if (!(f.factor > 0)) throw Error("plant: the factor must be positive");
      const bool mlp = f.norm == "post_attention";
      if (!mlp && f.norm != "input") throw Error("plant: norm must be input or post_attention, not " + f.norm);
      const std::string normName = p + (mlp ? "post_attention_layernorm.weight" : "input_layernorm.weight");
      scaleSlices(need(normName), 0, {f.channel}, f.factor);
      for (const char* m : mlp ? std::vector<const char*>{"mlp.gate_proj", "mlp.up_proj"}
                               : std::vector<const char*>{"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"})
        scaleSlices(need(p + m + ".weight"), 1, {f.channel}, 1.0 / f.factor);
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
