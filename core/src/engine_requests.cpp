// The engine's request handlers: scan, aqn, eval, info, list_dir, hf_cache (docs/engine-protocol.md).
#include "engine_requests.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "srdd/aqn.h"
#include "srdd/engine.h"
#include "srdd/error.h"
#include "srdd/evaluation.h"
#include "srdd/hf_hub.h"
#include "srdd/model.h"
#include "srdd/model_summary.h"
#include "srdd/runtime.h"
#include "srdd/tokenizer.h"

namespace srdd::engine {

namespace fs = std::filesystem;

namespace {

using Json = nlohmann::json;

// The fields each request type takes besides "type".
const std::map<std::string, std::set<std::string>>& requestFields() {
  static const std::map<std::string, std::set<std::string>> fields = {
      {"scan", {"request"}},
      {"aqn", {"settings", "run_dir", "force", "created_utc"}},
      {"eval", {"model", "text", "device", "dtype", "max_tokens", "batch", "per_line", "tokenizer"}},
      {"info", {"model"}},
      {"list_dir", {"path", "hidden"}},
      {"hf_cache", {}},
  };
  return fields;
}

template <typename T>
T field(const Json& r, const char* key, T fallback) {
  const auto it = r.find(key);
  if (it == r.end() || it->is_null()) return fallback;
  try {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (!it->is_number_integer()) throw Error("expected an integer");
    }
    return it->template get<T>();
  } catch (const std::exception& e) {
    throw Error(r.value("type", std::string("request")) + " request: field '" + key + "': " + e.what());
  }
}

std::string readWholeFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(p.string() + ": cannot read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Json runScan(const Json& r, JobContext& ctx) {
  if (!r.contains("request")) throw Error("scan request: no 'request' (a ScanRequest JSON)");
  ScanRequest request = ScanRequest::fromJson(r.at("request"));
  request.modelDir = resolveModelDirectory(request.modelDir);  // "": this host's demo model
  if (ctx.log)
    ctx.log("scan of " + request.modelDir + " on " + request.device + ": " + request.quantizationDescription());
  if (!ctx.scanJob) throw Error("scan request: internal error: the job queue gave no scan job");
  return ctx.scanJob->run(request, ctx.progress, ctx.cancel);
}

// Every file of a finished comparison, by path relative to the run directory, so that a client can keep
// a byte-identical local copy.
Json runDirectoryFiles(const fs::path& dir) {
  Json files = Json::object();
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name.size() < 5 || name.find(".tmp") != std::string::npos) continue;
    const std::string ext = e.path().extension().string();
    if (ext == ".json" || ext == ".jsonl")
      files[fs::relative(e.path(), dir).generic_string()] = readWholeFile(e.path());
  }
  return files;
}

Json runAqn(const Json& r, JobContext& ctx) {
  if (!r.contains("settings")) throw Error("aqn request: no 'settings' (ComparisonSettings JSON)");
  const auto settings = aqn::ComparisonSettings::fromJson(r.at("settings"));
  const std::string runDir = field<std::string>(r, "run_dir", "");
  if (runDir.empty()) throw Error("aqn request: no 'run_dir' (the run directory on the engine host)");
  if (ctx.log) ctx.log("AQN comparison in " + runDir);
  const auto result = aqn::runComparison(settings, runDir, ctx.progress, ctx.cancel, field<bool>(r, "force", false),
                                         field<std::string>(r, "created_utc", ""));
  return {{"comparison", result.toJson()},
          {"run_dir", fs::absolute(runDir).lexically_normal().string()},
          {"files", runDirectoryFiles(runDir)}};
}

Json runEval(const Json& r, JobContext& ctx) {
  const std::string dir = resolveModelDirectory(field<std::string>(r, "model", ""));
  std::string textPath = field<std::string>(r, "text", "");
  if (textPath.empty()) textPath = defaultModelDirectory() + "/heldout.txt";
  std::string tokPath = field<std::string>(r, "tokenizer", "");
  if (tokPath.empty()) tokPath = dir + "/tokenizer.json";
  const int64_t maxTokens = field<int64_t>(r, "max_tokens", 256);
  const int batch = field<int>(r, "batch", 8);
  const LoadOptions lo{field<std::string>(r, "device", "cpu"), field<std::string>(r, "dtype", "bf16")};
  parseDtype(lo.dtype);
  auto tokenizer = Tokenizer::fromFile(tokPath);
  const auto texts = readTexts(textPath, field<bool>(r, "per_line", false));
  const auto windows = tokenizeIntoWindows(tokenizer, texts, maxTokens);
  if (windows.empty()) throw Error(textPath + ": too short: no window of two or more tokens");
  if (ctx.cancel) ctx.cancel->throwIfCancelled();
  auto model = Model::load(dir, lo);
  if (ctx.cancel) ctx.cancel->throwIfCancelled();
  if (ctx.progress) {
    ProgressInfo p;
    p.stage = "evaluating";
    ctx.progress(p);
  }
  const auto loss = evaluateLoss(*model, windows, batch);
  return {{"model", dir},
          {"text", textPath},
          {"sequences", windows.size()},
          {"tokens", loss.tokens},
          {"token_weighted_loss", loss.tokenWeightedLoss},
          {"mean_sequence_loss", loss.meanLoss},
          {"perplexity", loss.perplexity},
          {"dtype", dtypeName(model->dtype())}};
}

Json runInfo(const Json& r) {
  const std::string model = field<std::string>(r, "model", "");
  if (model.empty()) throw Error("info request: no 'model' directory");
  return modelSummaryToJson(summarizeModel(resolveModelDirectory(model)));
}

bool isModelDirectory(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p / "config.json", ec);
}

std::string homeDirectory() {
  const char* home = std::getenv("HOME");
  return home && *home ? home : "/";
}

Json listDirectory(const Json& r) {
  std::string path = field<std::string>(r, "path", "");
  if (path.empty()) path = homeDirectory();
  const bool hidden = field<bool>(r, "hidden", false);
  std::error_code ec;
  const fs::path dir = fs::canonical(path, ec);
  if (ec || !fs::is_directory(dir)) throw Error("list_dir: '" + path + "' is not a directory");
  Json entries = Json::array();
  fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw Error("list_dir: cannot read '" + dir.string() + "': " + ec.message());
  std::vector<Json> rows;
  for (const auto& e : it) {
    const std::string name = e.path().filename().string();
    if (!hidden && !name.empty() && name[0] == '.') continue;
    std::error_code ec2;
    const bool isDir = e.is_directory(ec2);
    Json row = {{"name", name}, {"kind", isDir ? "dir" : (e.is_regular_file(ec2) ? "file" : "other")}};
    if (isDir) row["model"] = isModelDirectory(e.path());
    if (!isDir) row["size"] = e.is_regular_file(ec2) ? static_cast<int64_t>(e.file_size(ec2)) : 0;
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const Json& a, const Json& b) {
    if ((a["kind"] == "dir") != (b["kind"] == "dir")) return a["kind"] == "dir";
    return a["name"].get<std::string>() < b["name"].get<std::string>();
  });
  for (auto& row : rows) entries.push_back(std::move(row));
  return {{"path", dir.string()},
          {"parent", dir.parent_path().string()},
          {"model", isModelDirectory(dir)},
          {"entries", entries}};
}

// Every snapshot in the Hugging Face cache that holds a config.json.
Json listHfCache() {
  const std::string cache = hfHubCacheDirectory();
  Json models = Json::array();
  for (const auto& s : listHubSnapshots(cache))
    models.push_back({{"repo", s.repo}, {"revision", s.revision}, {"path", s.path}});
  return {{"cache_dir", cache}, {"models", models}};
}

}  // namespace

std::vector<std::string> requestTypes() {
  std::vector<std::string> types;
  for (const auto& [type, fields] : requestFields()) types.push_back(type);
  return types;
}

void checkRequest(const Json& request) {
  if (!request.is_object()) throw Error("request: expected a JSON object");
  const auto t = request.find("type");
  if (t == request.end() || !t->is_string())
    throw Error("request: no \"type\" (one of scan, aqn, eval, info, list_dir, hf_cache)");
  const std::string type = t->get<std::string>();
  const auto fields = requestFields().find(type);
  if (fields == requestFields().end()) {
    std::string known;
    for (const auto& k : requestTypes()) known += (known.empty() ? "" : ", ") + k;
    throw Error("unknown request type '" + type + "' (known: " + known + ")");
  }
  for (const auto& item : request.items())
    if (item.key() != "type" && !fields->second.count(item.key()))
      throw Error(type + " request: unknown field '" + item.key() + "'");
}

Json runRequest(const Json& request, JobContext& ctx) {
  checkRequest(request);
  const std::string type = request["type"];
  if (type == "scan") return runScan(request, ctx);
  if (type == "aqn") return runAqn(request, ctx);
  if (type == "eval") return runEval(request, ctx);
  if (type == "info") return runInfo(request);
  if (type == "list_dir") return listDirectory(request);
  return listHfCache();
}

}  // namespace srdd::engine
