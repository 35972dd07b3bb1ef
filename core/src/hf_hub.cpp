#include "srdd/hf_hub.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "srdd/error.h"
#include "srdd/runtime.h"

namespace srdd {

namespace fs = std::filesystem;

namespace {

std::string environment(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool isHubNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

// One part of ORG/NAME as the hub allows it: its characters, no leading '-' or '.', no "--" or "..".
bool isHubNamePart(const std::string& s) {
  if (s.empty() || s.size() > 96 || s[0] == '-' || s[0] == '.') return false;
  if (s.find("--") != std::string::npos || s.find("..") != std::string::npos) return false;
  return std::all_of(s.begin(), s.end(), isHubNameChar);
}

// A branch, tag ("v1.0", "pr/3") or commit: hub characters and '/', never a way out of refs/.
bool isRevision(const std::string& s) {
  if (s.empty() || s[0] == '/' || s.back() == '/' || s.find("..") != std::string::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return isHubNameChar(c) || c == '/'; });
}

std::string repoFolderName(const std::string& repo) {
  std::string name = "models--" + repo;
  name.replace(name.find('/'), 1, "--");
  return name;
}

bool isModelDirectory(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p / "config.json", ec);
}

std::string firstWord(const fs::path& file) {
  std::ifstream in(file);
  std::string word;
  in >> word;
  return word;
}

// "main -> 1a2b…, pr/1 -> 3c4d…; snapshots 1a2b…, 3c4d…", or "none" for a repository folder with neither.
std::string revisionsFound(const fs::path& repoDir) {
  std::vector<std::string> refs, snapshots;
  std::error_code ec;
  if (fs::is_directory(repoDir / "refs", ec))
    for (const auto& e : fs::recursive_directory_iterator(repoDir / "refs", ec))
      if (e.is_regular_file(ec))
        refs.push_back(fs::relative(e.path(), repoDir / "refs").generic_string() + " -> " + firstWord(e.path()));
  if (fs::is_directory(repoDir / "snapshots", ec))
    for (const auto& e : fs::directory_iterator(repoDir / "snapshots", ec))
      if (e.is_directory(ec)) snapshots.push_back(e.path().filename().string());
  std::sort(refs.begin(), refs.end());
  std::sort(snapshots.begin(), snapshots.end());
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  if (refs.empty() && snapshots.empty()) return "none";
  std::string out = refs.empty() ? "no refs" : join(refs);
  return out + "; snapshots " + (snapshots.empty() ? "none" : join(snapshots));
}

std::string idText(const HubModelId& id) { return id.revision.empty() ? id.repo : id.repo + "@" + id.revision; }

}  // namespace

std::string hfHubCacheDirectory() {
  if (const std::string c = environment("HF_HUB_CACHE"); !c.empty()) return c;
  if (const std::string h = environment("HF_HOME"); !h.empty()) return h + "/hub";
  if (const std::string x = environment("XDG_CACHE_HOME"); !x.empty()) return x + "/huggingface/hub";
  const std::string home = environment("HOME");
  return (home.empty() ? std::string("/") : home) + "/.cache/huggingface/hub";
}

std::optional<HubModelId> parseHubModelId(const std::string& text) {
  const size_t at = text.find('@');
  const std::string repo = text.substr(0, at);
  const size_t slash = repo.find('/');
  if (slash == std::string::npos || !isHubNamePart(repo.substr(0, slash)) || !isHubNamePart(repo.substr(slash + 1)))
    return std::nullopt;
  HubModelId id{repo, at == std::string::npos ? "" : text.substr(at + 1)};
  if (at != std::string::npos && !isRevision(id.revision)) return std::nullopt;
  return id;
}

std::string resolveHubModel(const HubModelId& id, const std::string& cacheDir) {
  const fs::path repoDir = fs::path(cacheDir) / repoFolderName(id.repo);
  std::error_code ec;
  if (!fs::is_directory(repoDir, ec)) {
    const std::string why = fs::is_directory(cacheDir, ec) ? "no " + repoDir.filename().string() + " there"
                                                           : "the cache directory does not exist";
    throw Error("Hugging Face model '" + idText(id) + "' is not in the local cache " + cacheDir + " (" + why +
                "; SRDD never downloads: fetch it first, e.g. `huggingface-cli download " + id.repo + "`)");
  }
  const std::string revision = id.revision.empty() ? "main" : id.revision;
  std::string commit;
  if (fs::is_regular_file(repoDir / "refs" / revision, ec))
    commit = firstWord(repoDir / "refs" / revision);
  else if (fs::is_directory(repoDir / "snapshots" / revision, ec))
    commit = revision;
  const fs::path snapshot = repoDir / "snapshots" / commit;
  if (commit.empty() || !fs::is_directory(snapshot, ec))
    throw Error("Hugging Face model '" + idText(id) + "': no snapshot for revision '" + revision + "' in " +
                repoDir.string() + " (revisions found: " + revisionsFound(repoDir) + ")");
  if (!isModelDirectory(snapshot))
    throw Error(snapshot.string() + ": no config.json (an incomplete download of '" + id.repo + "'?)");
  return snapshot.string();
}

std::vector<HubSnapshot> listHubSnapshots(const std::string& cacheDir) {
  std::vector<HubSnapshot> found;
  std::error_code ec;
  if (!fs::is_directory(cacheDir, ec)) return found;
  std::vector<fs::path> repos;
  for (const auto& e : fs::directory_iterator(cacheDir, fs::directory_options::skip_permission_denied, ec))
    if (e.path().filename().string().rfind("models--", 0) == 0) repos.push_back(e.path());
  std::sort(repos.begin(), repos.end());
  for (const auto& repo : repos) {
    std::string name = repo.filename().string().substr(8);
    if (const size_t p = name.find("--"); p != std::string::npos) name.replace(p, 2, "/");
    std::vector<fs::path> snapshots;
    for (const auto& snap : fs::directory_iterator(repo / "snapshots", ec))
      if (isModelDirectory(snap.path())) snapshots.push_back(snap.path());
    std::sort(snapshots.begin(), snapshots.end());
    for (const auto& snap : snapshots) found.push_back({name, snap.filename().string(), snap.string()});
  }
  return found;
}

std::string resolveModelDirectory(const std::string& pathOrId) {
  if (pathOrId.empty()) return defaultModelDirectory();
  std::error_code ec;
  if (fs::exists(pathOrId, ec)) return pathOrId;
  if (const auto id = parseHubModelId(pathOrId)) return resolveHubModel(*id, hfHubCacheDirectory());
  return pathOrId;
}

}  // namespace srdd
