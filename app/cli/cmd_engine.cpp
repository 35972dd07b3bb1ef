// `srdd engine`: manage engines on other hosts: `install` builds this version on a GPU host over ssh,
// `hello` shows what an engine reports (versions, devices, host).
#include <iostream>

#include "command.h"
#include "cli_options.h"
#include "help_format.h"
#include "srdd/engine.h"
#include "srdd/engine_install.h"
#include "srdd/engine_ssh.h"
#include "srdd/error.h"
#include "srdd/runtime.h"

namespace {

int install(const srdd_cli::Parsed& opt) {
  srdd::engine::InstallOptions io;
  io.sourceDir = opt.value("--source", srdd::sourceDirectory());
  io.remoteDir = opt.value("--remote-dir", "");
  io.buildCommand = opt.value("--build-command", io.buildCommand);
  for (const std::string& host : opt.values("HOST")) {
    srdd::engine::SshTarget t;
    t.host = host;
    t.user = opt.value("--user", "");
    t.port = static_cast<int>(opt.integer("--port", 0));
    t.wrapper = opt.value("--wrapper", "");
    t.sshOptions = srdd::engine::splitCommandLine(opt.value("--ssh-options", ""));
    std::cerr << "srdd engine install: " << t.host << "\n";
    srdd::engine::installEngine(t, io,
                                [&](const std::string& line) { std::cout << t.host << ": " << line << std::endl; });
    t.remoteSrdd = srdd::engine::installedSrddPath(io);
    std::cout << "engine for " << t.host << ": --engine "
              << srdd::engine::joinCommandLine({srdd::engine::joinCommandLine(srdd::engine::sshEngineArgv(t))}) << "\n";
  }
  return 0;
}

int hello(const srdd_cli::Parsed& opt) {
  auto engine = srdd::engine::makeEngine(*opt.value("--engine"));
  std::cout << engine->hello().dump(2) << "\n";
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  CLI::App* installApp = srdd_cli::addSubcommand(
      app, "install", "build this version on GPU hosts over ssh", "srdd engine install [OPTIONS] HOST...",
      "Copies this version's source (git archive of HEAD, else a tarball of the tree) to each HOST over ssh, unpacks "
      "it "
      "and runs packaging/build-gpu.sh there, streaming the build log. Then prints the --engine command line that uses "
      "the new build.");
  srdd_cli::Declare i(*installApp);
  i.positional("HOST", "the hosts to install on", true, {}, /*many=*/true);
  i.text("--user", "--user U", "ssh user");
  i.integer("--port", "--port P", "ssh port", 1, 65535);
  i.text("--wrapper", "--wrapper CMD", "run inside this on the host, e.g. \"docker exec -i CONTAINER\"");
  i.text("--ssh-options", "--ssh-options STR",
         "extra ssh arguments, split like a shell (e.g. \"-i ~/.ssh/gpu -J bastion\")");
  i.text("--remote-dir", "--remote-dir DIR",
         "where the source goes on the host (default srdd-VERSION in the remote home)");
  i.text("--build-command", "--build-command C", "run in the remote directory instead of packaging/build-gpu.sh");
  i.directory("--source", "--source DIR", "the tree to copy (default: the one this srdd was built from)");
  CLI::App* helloApp = srdd_cli::addSubcommand(
      app, "hello", "print an engine's handshake as JSON", "srdd engine hello --engine CMD",
      "Prints the engine's handshake as JSON (engine and protocol versions, LibTorch, devices, host).");
  srdd_cli::Declare h(*helloApp);
  h.text("--engine", "--engine CMD", "the engine's command line, e.g. \"ssh gpu1 srdd serve --stdio\" (required)")
      ->required();
  app.require_subcommand(1);
  return [installApp, helloApp] {
    return installApp->parsed() ? install(srdd_cli::Parsed(*installApp)) : hello(srdd_cli::Parsed(*helloApp));
  };
}

const srdd_cli::Registrar reg({"engine", "install the engine on a GPU host over ssh; show an engine's handshake",
                               "srdd engine install [OPTIONS] HOST...\nsrdd engine hello --engine CMD", "", define});

}  // namespace
