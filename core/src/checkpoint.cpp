#include "srdd/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "json_depth.h"
#include "srdd/error.h"

namespace fs = std::filesystem;

namespace srdd {
namespace {

const std::set<std::string> kLoadableDtypes = {"BF16", "F16", "F32"};

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Old Llama conversions carry RoPE's inverse frequencies as a buffer; the model recomputes them.
bool isIgnorableBuffer(const std::string& name) {
  const std::string suffix = ".rotary_emb.inv_freq";
  return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Pickle checkpoints are refused without being opened: unpickling can execute arbitrary code.
void refusePickle(const fs::path& dir) {
  static const std::set<std::string> pickleExtensions = {".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"};
  std::error_code ec;
  std::vector<std::string> found;
  for (const auto& item : fs::directory_iterator(dir, ec)) {
    if (pickleExtensions.count(item.path().extension().string())) found.push_back(item.path().filename().string());
  }
  if (found.empty()) return;
  std::sort(found.begin(), found.end());
  throw Error((dir / found.front()).string() +
              ": pickle checkpoints are refused because loading them can execute arbitrary code; convert the model to "
              "safetensors first (transformers: save_pretrained(out, safe_serialization=True))");
}

std::string readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// model.safetensors.index.json: {"metadata": {...}, "weight_map": {tensor name: shard file name}}.
std::map<std::string, std::string> readWeightMap(const fs::path& indexPath) {
  const std::string src = indexPath.string();
  const std::string text = readText(indexPath);
  checkJsonFileDepth(text, src);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(src + ": index is not valid JSON (" + jsonErrorText(e) + ")");
  }
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object()) {
    throw Error(src + ": index has no \"weight_map\" object");
  }
  std::map<std::string, std::string> map;
  for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
    if (!it.value().is_string()) throw Error(src + ": weight_map entry for '" + it.key() + "' is not a file name");
    const std::string file = it.value().get<std::string>();
    if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..") {
      throw Error(src + ": weight_map entry for '" + it.key() + "' names '" + file +
                  "', which is not a file in the model directory");
    }
    map[it.key()] = file;
  }
  if (map.empty()) throw Error(src + ": weight_map is empty");
  return map;
}

}  // namespace

std::map<std::string, std::vector<int64_t>> expectedTensorShapes(const ModelConfig& config) {
  std::map<std::string, std::vector<int64_t>> out;
  for (auto& [name, shape] : config.tensorLayout()) out[name] = shape;
  return out;
}

Checkpoint Checkpoint::open(const std::string& directory) {
  const fs::path dir(directory);
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw Error(directory + ": model directory does not exist");
  if (!fs::is_directory(dir, ec))
    throw Error(directory + ": not a directory (expected a Hugging Face model directory)");

  const fs::path single = dir / "model.safetensors", index = dir / "model.safetensors.index.json";
  const bool haveSingle = fs::exists(single, ec), haveIndex = fs::exists(index, ec);
  if (!haveSingle && !haveIndex) {
    refusePickle(dir);
    throw Error(directory + ": no model.safetensors or model.safetensors.index.json in the model directory");
  }
  const fs::path configPath = dir / "config.json";
  if (!fs::exists(configPath, ec))
    throw Error(configPath.string() + ": missing (the model directory needs a config.json)");

  Checkpoint c;
  c.directory_ = directory;
  c.config_ = ModelConfig::fromFile(configPath.string());
  // Like transformers, a single model.safetensors takes precedence over an index.
  const std::string source = haveSingle ? single.string() : index.string();
  if (haveSingle) {
    auto file = SafetensorsFile::open(single.string());
    c.files_.push_back(file);
    for (const auto& e : file->entries()) c.where_[e.name] = file;
  } else {
    const auto weightMap = readWeightMap(index);
    std::map<std::string, std::shared_ptr<SafetensorsFile>> shards;
    for (const auto& [name, shardName] : weightMap) {
      auto& shard = shards[shardName];
      if (!shard) {
        const fs::path shardPath = dir / shardName;
        if (!fs::exists(shardPath, ec)) {
          throw Error(source + ": shard '" + shardName + "' (holding '" + name + "') does not exist in " + directory);
        }
        shard = SafetensorsFile::open(shardPath.string());
        c.files_.push_back(shard);
      }
      if (!shard->find(name))
        throw Error(source + ": lists tensor '" + name + "' in " + shard->path() + ", which does not hold it");
      c.where_[name] = shard;
    }
    for (const auto& file : c.files_) {
      for (const auto& e : file->entries()) {
        if (!weightMap.count(e.name))
          throw Error(file->path() + ": holds tensor '" + e.name + "', which " + source + " does not list");
      }
    }
  }
  for (auto it = c.where_.begin(); it != c.where_.end();) {
    it = isIgnorableBuffer(it->first) ? c.where_.erase(it) : std::next(it);
  }

  const ModelConfig& cfg = c.config_;
  auto expected = expectedTensorShapes(cfg);
  if (cfg.tieWordEmbeddings && c.has("lm_head.weight")) expected["lm_head.weight"] = {cfg.vocabSize, cfg.hiddenSize};
  const std::string what = cfg.architecture + " with " + std::to_string(cfg.numLayers) + " layers";
  for (const auto& [name, file] : c.where_) {
    auto exp = expected.find(name);
    if (exp == expected.end()) {
      throw Error(file->path() + ": unexpected tensor '" + name + "' (not part of a " + what + " per config.json)");
    }
    const TensorEntry* e = file->find(name);
    if (!kLoadableDtypes.count(e->dtype)) {
      throw Error(file->path() + ": tensor '" + name + "' has unsupported dtype " + e->dtype +
                  " (supported: BF16, F16, F32)");
    }
    if (e->shape != exp->second) {
      throw Error(file->path() + ": tensor '" + name + "' has shape " + shapeText(e->shape) +
                  " but config.json implies " + shapeText(exp->second));
    }
  }
  size_t missing = 0;
  std::string firstMissing;
  for (const auto& [name, shape] : cfg.tensorLayout()) {
    if (!c.has(name) && missing++ == 0) firstMissing = name + "' (shape " + shapeText(shape) + ")";
  }
  if (missing > 0) {
    throw Error(source + ": missing tensor '" + firstMissing +
                (missing > 1 ? " and " + std::to_string(missing - 1) + " more" : "") + " needed by a " + what);
  }
  return c;
}

std::vector<std::string> Checkpoint::tensorNames() const {
  std::vector<std::string> names;
  for (const auto& kv : where_) names.push_back(kv.first);
  return names;
}

const TensorEntry& Checkpoint::entry(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end()) throw Error(directory_ + ": checkpoint has no tensor '" + name + "'");
  return *it->second->find(name);
}

at::Tensor Checkpoint::tensor(const std::string& name) const {
  entry(name);
  return where_.at(name)->tensor(name);
}

std::string Checkpoint::dtypeOf(const std::string& name) const { return entry(name).dtype; }
std::vector<int64_t> Checkpoint::shapeOf(const std::string& name) const { return entry(name).shape; }

std::string Checkpoint::fileOf(const std::string& name) const {
  entry(name);
  return fs::path(where_.at(name)->path()).filename().string();
}

std::vector<std::string> Checkpoint::files() const {
  std::vector<std::string> out;
  for (const auto& f : files_) out.push_back(f->path());
  return out;
}

uint64_t Checkpoint::bytesOnDisk() const {
  uint64_t total = 0;
  for (const auto& f : files_) total += f->fileSize();
  return total;
}

}  // namespace srdd
