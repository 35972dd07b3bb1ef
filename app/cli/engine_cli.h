#pragma once
// `--engine "COMMAND LINE"` for the commands that run jobs (scan, aqn, eval, info): the job goes to that
// engine (docs/engine-protocol.md), its progress to stderr, and its results come back to be written here.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_options.h"
#include "srdd/engine.h"

namespace srdd_cli {

void declareEngineOption(Declare& d);  // --engine CMD

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
