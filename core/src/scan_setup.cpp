// Scan options, scan names, prompt sets and model digests.
#include <algorithm>
#include <cmath>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <tuple>
#include <sstream>

#include "srdd/error.h"
#include "srdd/evaluation.h"
#include "srdd/scan.h"
#include "srdd/safetensors.h"
#include "srdd/sha256.h"
#include "srdd/tokenizer.h"

namespace srdd {

namespace {
const ScanKind kAllKinds[] = {ScanKind::Instability, ScanKind::Gain,     ScanKind::Kurtosis,
                              ScanKind::DcGain,      ScanKind::Discrete, ScanKind::Histogram,
                              ScanKind::Fidelity,    ScanKind::Weights,  ScanKind::Sensitivity};
}

std::string scanKindName(ScanKind kind) {
  switch (kind) {
    case ScanKind::Instability: return "instability";
    case ScanKind::Gain: return "gain";
    case ScanKind::Kurtosis: return "kurtosis";
    case ScanKind::DcGain: return "dcgain";
    case ScanKind::Discrete: return "discrete";
    case ScanKind::Histogram: return "histogram";
    case ScanKind::Fidelity: return "fidelity";
    case ScanKind::Weights: return "weights";
    case ScanKind::Sensitivity: return "sensitivity";
  }
  return "?";
}

std::set<ScanKind> defaultScanKinds() {
  return {ScanKind::Instability, ScanKind::Gain,    ScanKind::Kurtosis,
          ScanKind::Fidelity,    ScanKind::Weights, ScanKind::Sensitivity};
}

std::set<ScanKind> parseScanKinds(const std::string& list) {
  std::set<ScanKind> kinds;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == "all") {
      kinds.insert(std::begin(kAllKinds), std::end(kAllKinds));
      continue;
    }
    if (item == "default") {
      auto d = defaultScanKinds();
      kinds.insert(d.begin(), d.end());
      continue;
    }
    bool found = false;
    for (auto k : kAllKinds)
      if (scanKindName(k) == item) {
        kinds.insert(k);
        found = true;
      }
    if (!found)
      throw Error("--scans: unknown scan '" + item +
                  "' (expected instability, gain, kurtosis, dcgain, discrete, histogram, fidelity, weights, "
                  "sensitivity, all or default)");
  }
  if (kinds.empty()) throw Error("--scans: no scan named");
  return kinds;
}

void ScanOptions::validate() const {
  if (instabilityTrials < 2)
    throw Error("scan option trials must be at least 2, got " + std::to_string(instabilityTrials));
  if (gainDraws < 1) throw Error("scan option gain-draws must be at least 1, got " + std::to_string(gainDraws));
  if (!(noiseScale > 0) || !std::isfinite(noiseScale)) throw Error("scan option noise-scale must be a positive number");
  if (!(dcShift > 0) || !std::isfinite(dcShift)) throw Error("scan option dc-shift must be a positive number");
  if (!(discreteFactor > 0) || !(discreteFactor < 1)) throw Error("scan option discrete-factor must be in (0, 1)");
  if (batchSize < 1) throw Error("scan option batch must be at least 1, got " + std::to_string(batchSize));
  if (scans.empty()) throw Error("scan options: no scan selected");
}

nlohmann::json ScanOptions::toJson() const {
  std::vector<std::string> names;
  for (auto k : scans) names.push_back(scanKindName(k));
  return {{"quantization", plan.toJson()},
          {"quantization_description", plan.describe()},
          {"scans", names},
          {"instability_trials", instabilityTrials},
          {"gain_draws", gainDraws},
          {"noise_scale", noiseScale},
          {"dc_shift", dcShift},
          {"discrete_factor", discreteFactor},
          {"seed", seed},
          {"batch_size", batchSize},
          {"thresholds", thresholds.toJson()},
          {"rules", ruleSetName(rules)},
          {"sensitivity",
           {{"source", sensitivitySequences.empty() ? std::string("prompts") : sensitivitySource},
            {"sequences", sensitivitySequences.size()},
            {"token_counts", [&] {
               std::vector<int64_t> n;
               for (const auto& q : sensitivitySequences) n.push_back(static_cast<int64_t>(q.size()));
               return n;
             }()}}}};
}

std::vector<std::string> builtinPrompts(const std::string& name) {
  if (name == "srdd")
    return {"What is 2 + 2? Answer:", "The capital of France is", "def fibonacci(n):", "Water boils at",
            "Explain photosynthesis in one sentence:"};
  std::vector<std::string> exp = {"The capital of France is", "Machine learning is a subset of",
                                  "The answer to 2 + 2 is", "Python is a programming language that",
                                  "Water freezes at a temperature of"};
  if (name == "experiment") return exp;
  if (name == "scanner") {
    exp.insert(exp.end(),
               {"The sun rises in the", "Neural networks are inspired by", "In mathematics, pi is approximately"});
    return exp;
  }
  throw Error("unknown built-in prompt set '" + name +
              "' (expected builtin:srdd, builtin:experiment or builtin:scanner)");
}

PromptSet loadPromptSet(const std::string& spec, const Tokenizer& tokenizer, int64_t maxTokens) {
  if (maxTokens < 1) throw Error("--max-tokens must be at least 1, got " + std::to_string(maxTokens));
  PromptSet p;
  p.source = spec;
  p.maxTokens = maxTokens;
  p.texts = spec.rfind("builtin:", 0) == 0 ? builtinPrompts(spec.substr(8)) : readTexts(spec, /*perLine=*/true);
  for (size_t i = 0; i < p.texts.size(); ++i) {
    auto ids = tokenizer.encode(p.texts[i]);
    if (ids.empty()) throw Error(spec + ": prompt " + std::to_string(i + 1) + " encodes to no token");
    if (static_cast<int64_t>(ids.size()) > maxTokens) ids.resize(static_cast<size_t>(maxTokens));
    p.tokens.push_back(std::move(ids));
  }
  return p;
}

std::vector<std::vector<int64_t>> loadSensitivityWindows(const std::string& file, const Tokenizer& tokenizer, int count,
                                                         int64_t windowTokens) {
  if (count < 1) throw Error("sensitivity windows: the count must be at least 1, got " + std::to_string(count));
  if (windowTokens < 2)
    throw Error("sensitivity windows: a window needs at least 2 tokens, got " + std::to_string(windowTokens));
  auto windows = tokenizeIntoWindows(tokenizer, readTexts(file, /*perLine=*/false), windowTokens);
  std::vector<std::vector<int64_t>> full;
  for (auto& w : windows)
    if (static_cast<int64_t>(w.size()) == windowTokens && static_cast<int>(full.size()) < count)
      full.push_back(std::move(w));
  if (full.empty())
    throw Error(file + ": too short for one sensitivity window of " + std::to_string(windowTokens) + " tokens");
  return full;
}

std::string defaultSensitivityText(const std::string& modelDir) {
  const std::string p = modelDir + "/heldout.txt";
  return std::filesystem::is_regular_file(p) ? p : "prompts";
}

namespace {
// Where digests of model files persist between runs: $SRDD_DIGEST_CACHE, else $XDG_CACHE_HOME/srdd/sha256,
// else ~/.cache/srdd/sha256; "" (SRDD_DIGEST_CACHE=off) keeps them for this process only.
std::string digestCacheDir() {
  if (const char* d = std::getenv("SRDD_DIGEST_CACHE")) return std::string(d) == "off" ? "" : d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/srdd/sha256";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/srdd/sha256";
  return "";
}

// Digests are keyed by (canonical path, inode, size, modification time in ns), like make and rsync judge
// a file unchanged, so repeated scans of one checkpoint hash its multi-GB weight files once per change.
std::string cachedSha256(const std::string& path) {
  namespace fs = std::filesystem;
  static std::mutex mutex;
  static std::map<std::string, std::string> memory;
  struct stat st {};
  std::error_code ec;
  const std::string canonical = fs::weakly_canonical(path, ec).string();
  if (ec || ::stat(path.c_str(), &st) != 0) return sha256File(path);  // sha256File names the file and the fault
  const std::string key =
      sha256Hex(canonical + "\n" + std::to_string(st.st_ino) + "\n" + std::to_string(st.st_size) + "\n" +
                std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec));
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = memory.find(key); it != memory.end()) return it->second;
  }
  const std::string dir = digestCacheDir();
  std::string digest;
  if (!dir.empty()) {
    std::ifstream in(dir + "/" + key);
    std::getline(in, digest);
    if (digest.size() != 64 || digest.find_first_not_of("0123456789abcdef") != std::string::npos) digest.clear();
  }
  if (digest.empty()) {
    digest = sha256File(path);
    if (!dir.empty()) {
      try {  // a cache: an unwritable one only costs the next run a rehash
        fs::create_directories(dir, ec);
        writeFileAtomically(dir + "/" + key, digest + "\n");
      } catch (const Error&) {
      }
    }
  }
  std::lock_guard<std::mutex> lock(mutex);
  memory[key] = digest;
  return digest;
}
}  // namespace

nlohmann::json modelFileDigests(const std::string& directory, bool hash) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(directory, ec)) {
    const std::string n = e.path().filename().string();
    const std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".safetensors" || n == "config.json" || n == "model.safetensors.index.json"))
      names.push_back(n);
  }
  if (ec) throw Error(directory + ": cannot list the model directory (" + ec.message() + ")");
  std::sort(names.begin(), names.end());
  // Shards are hashed in parallel (one thread per file: SHA-256 of one file is sequential).
  std::vector<std::future<std::string>> digests;
  for (const auto& n : names)
    digests.push_back(std::async(hash ? std::launch::async : std::launch::deferred,
                                 [path = directory + "/" + n] { return cachedSha256(path); }));
  nlohmann::json files = nlohmann::json::array();
  for (size_t i = 0; i < names.size(); ++i) {
    nlohmann::json f = {{"name", names[i]}, {"bytes", fs::file_size(directory + "/" + names[i])}};
    if (hash) f["sha256"] = digests[i].get();
    files.push_back(f);
  }
  return files;
}

}  // namespace srdd
