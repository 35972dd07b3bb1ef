#pragma once
// `--engine "COMMAND LINE"` for the commands that run jobs (scan, aqn, eval, info): the job goes to that
// engine (docs/engine-protocol.md), its progress to stderr, and its results come back to be written here.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "srdd/engine.h"

namespace srdd_cli {

inline const char* kEngineOptionUsage =
    "  --engine CMD     run the job on this engine: a command line that speaks the engine protocol, e.g.\n"
    "                   \"srdd serve --stdio\" or \"ssh gpu1 srdd serve --stdio\" (paths are on the engine's host;\n"
    "                   results are written here, with provenance.engine naming the engine and host)\n";

struct ConnectedEngine {
  std::unique_ptr<srdd::engine::Engine> engine;
  nlohmann::json hello;
};
ConnectedEngine connectEngine(const std::string& spec);  // srdd::Error when it cannot be reached

// Runs the request to its end: progress lines on stderr unless quiet; Ctrl-C cancels the job (srdd::Cancelled).
srdd::engine::Event runEngineJob(ConnectedEngine& engine, const nlohmann::json& request, bool quiet);

// {"name": the engine's command line, "host", "engine_version", "commit", "torch_version"} for provenance.
nlohmann::json engineProvenance(const ConnectedEngine& engine);

}  // namespace srdd_cli
