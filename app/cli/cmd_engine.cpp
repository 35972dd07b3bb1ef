// `srdd engine`: manage engines on other hosts: `install` builds this version on a GPU host over ssh,
// `hello` shows what an engine reports (versions, devices, host).
#include <iostream>

#include "command.h"
#include "options.h"
#include "srdd/engine.h"
#include "srdd/engine_install.h"
#include "srdd/engine_ssh.h"
#include "srdd/error.h"
#include "srdd/runtime.h"

namespace {

const char* kUsage =
    "Usage: srdd engine install [OPTIONS] HOST...\n"
    "       srdd engine hello --engine CMD\n"
    "install: copies this version's source (git archive of HEAD, else a tarball of the tree) to each HOST over\n"
    "ssh, unpacks it and runs packaging/build-gpu.sh there, streaming the build log. Then prints the --engine\n"
    "command line that uses the new build.\n"
    "  --user U           ssh user;  --port P: ssh port\n"
    "  --wrapper CMD      run inside this on the host, e.g. \"docker exec -i CONTAINER\"\n"
    "  --ssh-options STR  extra ssh arguments, split like a shell (e.g. \"-i ~/.ssh/gpu -J bastion\")\n"
    "  --remote-dir DIR   where the source goes on the host (default srdd-VERSION in the remote home)\n"
    "  --build-command C  run in the remote directory instead of packaging/build-gpu.sh\n"
    "  --source DIR       the tree to copy (default: the one this srdd was built from)\n"
    "hello: prints the engine's handshake as JSON (engine and protocol versions, LibTorch, devices, host).";

int install(const srdd_cli::Options& opt) {
  if (opt.positional().size() < 2) throw srdd::Error("engine install: no HOST");
  srdd::engine::InstallOptions io;
  io.sourceDir = opt.value("--source", srdd::sourceDirectory());
  io.remoteDir = opt.value("--remote-dir", "");
  io.buildCommand = opt.value("--build-command", io.buildCommand);
  for (size_t i = 1; i < opt.positional().size(); ++i) {
    srdd::engine::SshTarget t;
    t.host = opt.positional()[i];
    t.user = opt.value("--user", "");
    t.port = static_cast<int>(opt.integer("--port", 0));
    t.wrapper = opt.value("--wrapper", "");
    t.sshOptions = srdd::engine::splitCommandLine(opt.value("--ssh-options", ""));
    std::cerr << "srdd engine install: " << t.host << "\n";
    srdd::engine::installEngine(t, io, [&](const std::string& line) { std::cout << t.host << ": " << line << std::endl; });
    t.remoteSrdd = srdd::engine::installedSrddPath(io);
    std::cout << "engine for " << t.host << ": --engine "
              << srdd::engine::joinCommandLine({srdd::engine::joinCommandLine(srdd::engine::sshEngineArgv(t))}) << "\n";
  }
  return 0;
}

int hello(const srdd_cli::Options& opt) {
  auto engine = srdd::engine::makeEngine(opt.required("--engine"));
  std::cout << engine->hello().dump(2) << "\n";
  return 0;
}

int run(const srdd_cli::Args& args) {
  const srdd_cli::Options opt(args, {"--user", "--port", "--wrapper", "--ssh-options", "--remote-dir", "--build-command",
                                     "--source", "--engine"},
                              {});
  const std::string action = opt.positional(0, "an action (install or hello)");
  if (action == "install") return install(opt);
  if (action == "hello") return hello(opt);
  throw srdd::Error("engine: unknown action '" + action + "' (install or hello)");
}

const srdd_cli::Registrar reg({"engine", "install the engine on a GPU host over ssh; show an engine's handshake", kUsage, run});

}  // namespace
