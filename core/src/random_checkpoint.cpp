#include "srdd/random_checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "srdd/error.h"
#include "srdd/safetensors.h"

namespace fs = std::filesystem;

namespace srdd {
namespace {

// A stable per-tensor seed: FNV-1a of the name, mixed with the user's seed by splitmix64's finaliser.
uint64_t tensorSeed(const std::string& name, uint64_t seed) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : name) h = (h ^ ch) * 1099511628211ull;
  uint64_t z = h ^ (seed + 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string shardName(int i, int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "model-%05d-of-%05d.safetensors", i + 1, n);
  return buf;
}

// Assigns tensors to shards of roughly equal bytes, in model order, with no shard left empty.
std::vector<int> assignShards(const std::vector<uint64_t>& bytes, int shards) {
  uint64_t total = 0;
  for (uint64_t b : bytes) total += b;
  std::vector<int> assign(bytes.size());
  int k = 0;
  uint64_t cum = 0;
  size_t inShard = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const bool forced = bytes.size() - i == static_cast<size_t>(shards - 1 - k);
    if (inShard > 0 && k < shards - 1 && (cum >= total / shards * (k + 1) || forced)) {
      ++k;
      inShard = 0;
    }
    assign[i] = k;
    cum += bytes[i];
    ++inShard;
  }
  return assign;
}

const char* kMarker = "srdd_random_seed";  // safetensors / index metadata key that marks our own files

bool writtenByMakeRandom(const fs::path& p) {
  try {
    if (p.extension() == ".json") {
      std::ifstream in(p);
      const auto j = nlohmann::json::parse(in);
      return j.contains("metadata") && j["metadata"].is_object() && j["metadata"].contains(kMarker);
    }
    return SafetensorsFile::open(p.string())->metadata().count(kMarker) > 0;
  } catch (const std::exception&) {
    return false;
  }
}

// Weight files of the other layout would shadow or confuse the new checkpoint, so they are removed, but only
// when an earlier writeRandomCheckpoint wrote them: real model weights are never deleted or overwritten.
void removeStaleWeightFiles(const fs::path& dir) {
  static const std::regex shardPattern(R"(model-\d{5}-of-\d{5}\.safetensors)");
  std::vector<fs::path> stale;
  for (const auto& item : fs::directory_iterator(dir)) {
    const std::string name = item.path().filename().string();
    if (name == "model.safetensors" || name == "model.safetensors.index.json" || std::regex_match(name, shardPattern)) {
      if (!writtenByMakeRandom(item.path())) {
        throw Error(item.path().string() +
                    ": the output directory holds model weights that make-random did not write; "
                    "refusing to replace them (choose another directory)");
      }
      stale.push_back(item.path());
    }
  }
  for (const auto& p : stale) {
    std::error_code ec;
    if (!fs::remove(p, ec) || ec) throw Error(p.string() + ": cannot remove stale weight file: " + ec.message());
  }
}

}  // namespace

at::Tensor randomTensor(const std::string& name, const std::vector<int64_t>& shape, at::ScalarType dtype,
                        uint64_t seed) {
  const auto options = at::TensorOptions().dtype(dtype);
  if (endsWith(name, ".bias")) return at::zeros(shape, options);
  if (shape.size() == 1) return at::ones(shape, options);  // RMSNorm weights
  at::Generator gen = at::detail::createCPUGenerator(tensorSeed(name, seed));
  return at::empty(shape, at::kFloat).normal_(0.0, 0.02, gen).to(dtype);
}

void writeRandomCheckpoint(const ModelConfig& config, const std::string& directory, at::ScalarType dtype, uint64_t seed,
                           int shards) {
  config.validate("model config for " + directory);
  if (dtype != at::kBFloat16 && dtype != at::kHalf && dtype != at::kFloat) {
    throw Error(directory + ": random checkpoints are written in BF16, F16 or F32, not " + c10::toString(dtype));
  }
  const TensorLayout layout = config.tensorLayout();
  if (shards < 1 || static_cast<size_t>(shards) > layout.size() || shards > 99999) {
    throw Error(directory + ": cannot split " + std::to_string(layout.size()) + " tensors into " +
                std::to_string(shards) + " shards");
  }
  const fs::path dir(directory);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) throw Error(directory + ": cannot create the output directory: " + ec.message());
  removeStaleWeightFiles(dir);

  const size_t elemSize = c10::elementSize(dtype);
  std::vector<uint64_t> bytes;
  for (const auto& t : layout) {
    uint64_t n = elemSize;
    for (int64_t d : t.second) n *= static_cast<uint64_t>(d);
    bytes.push_back(n);
  }
  const std::vector<int> assign = assignShards(bytes, shards);
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {kMarker, std::to_string(seed)}};
  nlohmann::json weightMap = nlohmann::json::object();
  uint64_t totalBytes = 0;
  for (int s = 0; s < shards; ++s) {
    const std::string fileName = shards == 1 ? "model.safetensors" : shardName(s, shards);
    std::vector<SafetensorsWriter::Spec> specs;
    for (size_t i = 0; i < layout.size(); ++i) {
      if (assign[i] != s) continue;
      specs.push_back({layout[i].first, dtype, layout[i].second});
      weightMap[layout[i].first] = fileName;
      totalBytes += bytes[i];
    }
    SafetensorsWriter writer((dir / fileName).string(), specs, metadata);
    for (const auto& spec : specs) writer.add(randomTensor(spec.name, spec.shape, dtype, seed));
    writer.commit();
  }
  if (shards > 1) {
    const nlohmann::json index = {{"metadata", {{"total_size", totalBytes}, {kMarker, std::to_string(seed)}}},
                                  {"weight_map", weightMap}};
    writeFileAtomically((dir / "model.safetensors.index.json").string(), index.dump(2) + "\n");
  }
  ModelConfig out = config;
  out.torchDtype = dtype == at::kBFloat16 ? "bfloat16" : dtype == at::kHalf ? "float16" : "float32";
  writeFileAtomically((dir / "config.json").string(), out.toJson().dump(2) + "\n");
}

}  // namespace srdd
