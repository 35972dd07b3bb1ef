#include "engine_cli.h"

#include "interrupt.h"
#include "scan_cli.h"
#include "srdd/error.h"

namespace srdd_cli {

void declareEngineOption(Declare& d) {
  d.text("--engine", "--engine CMD",
         "run the job on this engine: a command line that speaks the engine protocol, e.g. \"srdd serve --stdio\" "
         "or \"ssh gpu1 srdd serve --stdio\" (paths are on the engine's host; results are written here, with "
         "provenance.engine naming the engine and host)");
}

ConnectedEngine connectEngine(const std::string& spec) {
  ConnectedEngine c;
  c.engine = srdd::engine::makeEngine(spec);
  c.hello = c.engine->hello();
  return c;
}

srdd::engine::Event runEngineJob(ConnectedEngine& engine, const nlohmann::json& request, bool quiet) {
  const srdd::CancelToken* cancel = cancelOnInterrupt();
  const auto progress = quiet ? srdd::ProgressCallback() : stderrProgress();
  return srdd::engine::runJob(
      *engine.engine, request,
      [&](const srdd::engine::Event& e) {
        if (e.type == "progress" && progress) progress(srdd::engine::progressFromJson(e.body));
        if (e.type == "log" && !quiet) std::fprintf(stderr, "engine: %s\n", e.body.value("line", "").c_str());
      },
      cancel);
}

nlohmann::json engineProvenance(const ConnectedEngine& engine) {
  return {{"name", engine.engine->describe()},
          {"host", engine.hello.value("hostname", "")},
          {"engine_version", engine.hello.value("engine_version", "")},
          {"commit", engine.hello.value("commit", "")},
          {"torch_version", engine.hello.value("torch_version", "")}};
}

}  // namespace srdd_cli
