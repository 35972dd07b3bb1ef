// The AQN run directory: config.json check for resuming, finished runs, atomic writes.
#include "srdd/aqn_rundir.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "json_depth.h"
#include "srdd/error.h"
#include "srdd/fault_point.h"
#include "srdd/safetensors.h"

namespace fs = std::filesystem;

namespace srdd::aqn::rundir {

namespace {

const char* kConfigSchema = "srdd-aqn-config/1";

nlohmann::json readJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  checkJsonFileDepth(text.str(), path);
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception&) {
    throw Error(path + ": is not valid JSON");
  }
}

// Temporary files of AtomicFileWriter (".NAME.tmp.XXXXXX") left behind by a killed process, in the places
// this code writes: RUNDIR and RUNDIR/runs/*.
void removeStaleTemporaries(const fs::path& dir) {
  static const std::regex temp(R"(^\.(config|comparison|metrics|result)\.jsonl?\.tmp\.[A-Za-z0-9]{6}$)");
  std::vector<fs::path> places = {dir};
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir / "runs", ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    if (it->is_directory()) places.push_back(it->path());
  for (const auto& place : places)
    for (auto it = fs::directory_iterator(place, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
      if (it->is_regular_file() && std::regex_match(it->path().filename().string(), temp)) fs::remove(it->path(), ec);
}

bool isEmptyButLock(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename() != kLockFileName) return false;
  return true;
}

std::string firstDifference(const nlohmann::json& before, const nlohmann::json& now) {
  const auto patch = nlohmann::json::diff(before, now);
  if (patch.empty()) return "";
  const auto& op = patch.front();
  const std::string path = op.value("path", "");
  std::string text = path + " (" + op.value("op", "") + ")";
  try {
    const nlohmann::json::json_pointer ptr(path);
    if (before.contains(ptr) && now.contains(ptr))
      text = path + ": " + before.at(ptr).dump() + " -> " + now.at(ptr).dump();
  } catch (const nlohmann::json::exception&) {
  }
  return text;
}

}  // namespace

std::string runName(const std::string& config, int seedIndex) { return config + "-seed" + std::to_string(seedIndex); }

std::string runPath(const std::string& dir, const std::string& config, int seedIndex) {
  return (fs::path(dir) / "runs" / runName(config, seedIndex)).string();
}

void createDirectory(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir) && !fs::is_directory(dir)) throw Error(dir + ": exists and is not a directory");
  fs::create_directories(dir, ec);
  if (ec) throw Error(dir + ": cannot create the run directory (" + ec.message() + ")");
}

void prepare(const std::string& dir, const nlohmann::json& config, bool force) {
  std::error_code ec;
  createDirectory(dir);
  const std::string configPath = (fs::path(dir) / "config.json").string();
  removeStaleTemporaries(dir);
  // Never adopt (or, with --force, clean) a directory that this code did not make.
  if (!fs::exists(configPath) && !isEmptyButLock(dir))
    throw Error(dir + ": is not empty and holds no AQN config.json; choose a new or empty run directory");
  if (fs::exists(configPath)) {
    const auto existing = readJsonFile(configPath);
    if (existing.value("schema", "") != kConfigSchema)
      throw Error(configPath + ": is not an AQN run configuration (schema " + kConfigSchema + ")");
    if (!force) {
      for (const char* key : {"settings", "model_files", "data_files"}) {
        const auto before = existing.value(key, nlohmann::json()), now = config.value(key, nlohmann::json());
        if (before != now)
          throw Error(configPath + ": the run directory holds other settings (" + firstDifference(before, now) +
                      "); use a new --out directory, or --force to discard its runs");
      }
      return;
    }
    fs::remove_all(fs::path(dir) / "runs", ec);
    fs::remove(fs::path(dir) / "comparison.json", ec);
  }
  nlohmann::json j = config;
  j["schema"] = kConfigSchema;
  writeFileAtomically(configPath, j.dump(2) + "\n");
}

std::optional<RunResult> readFinished(const std::string& dir, const std::string& config, int seedIndex) {
  const std::string path = runPath(dir, config, seedIndex) + "/result.json";
  if (!fs::exists(path)) return std::nullopt;
  const auto j = readJsonFile(path);
  RunResult r;
  try {
    r = RunResult::fromJson(j);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what() + " (delete it to rerun this run)");
  }
  if (r.config != config || r.seedIndex != seedIndex)
    throw Error(path + ": holds run " + runName(r.config, r.seedIndex) + ", not " + runName(config, seedIndex));
  return r;
}

void writeRun(const std::string& dir, const RunResult& r, const std::vector<nlohmann::json>& metrics) {
  const fs::path path = runPath(dir, r.config, r.seedIndex);
  createDirectory(path.string());
  std::string lines;
  for (const auto& m : metrics) lines += m.dump() + "\n";
  writeFileAtomically((path / "metrics.jsonl").string(), lines);
  faultPoint("aqn.run-files");
  writeFileAtomically((path / "result.json").string(), r.toJson().dump(2) + "\n");
}

}  // namespace srdd::aqn::rundir
