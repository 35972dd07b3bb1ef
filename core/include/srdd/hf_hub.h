#pragma once
// Models from the local Hugging Face hub cache, by id ("Qwen/Qwen2.5-1.5B-Instruct", "ORG/NAME@REV").
// Torch-free. Nothing is ever downloaded: an id that is not in the cache is an error that names the id,
// the cache directory searched and the revisions found there.
#include <optional>
#include <string>
#include <vector>

namespace srdd {

// huggingface_hub's rules: $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
// ~/.cache/huggingface/hub.
std::string hfHubCacheDirectory();

struct HubModelId {
  std::string repo;      // "ORG/NAME"
  std::string revision;  // a branch or tag under refs/, or a commit (a snapshots/ folder); empty: "main"
};
// "ORG/NAME" or "ORG/NAME@REV" with the hub's characters (letters, digits, '-', '_', '.'); nullopt for
// anything else, e.g. "/abs/path", "./dir", "a/b/c".
std::optional<HubModelId> parseHubModelId(const std::string& text);

// The snapshot directory of ID in CACHE_DIR: models--ORG--NAME/refs/REV names the commit whose
// snapshots/COMMIT folder is returned. srdd::Error when the repository, the revision or its config.json
// is missing.
std::string resolveHubModel(const HubModelId& id, const std::string& cacheDir);

struct HubSnapshot {
  std::string repo, revision, path;
};
// Every snapshot in CACHE_DIR that holds a config.json, by repository then revision; empty when the
// cache does not exist.
std::vector<HubSnapshot> listHubSnapshots(const std::string& cacheDir);

// The one place a model given by the user becomes a directory: empty means the bundled demo model, an
// existing path stays as it is, a hub id is looked up in hfHubCacheDirectory(); anything else is returned
// unchanged for the caller's "no such model directory" error.
std::string resolveModelDirectory(const std::string& pathOrId);

}  // namespace srdd
