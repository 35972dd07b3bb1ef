// `srdd serve --stdio`: the engine protocol on stdin/stdout, for the desktop app and `--engine`.
#include "command.h"
#include "cli_options.h"
#include "srdd/engine_serve.h"
#include "srdd/error.h"

namespace {

int runServe(const srdd_cli::Parsed& opt) {
  if (opt.flag("--stdio") == opt.flag("--daemon"))
    throw srdd_cli::UsageError("say --stdio (frames on stdin/stdout) or --daemon");
  srdd::engine::ServeOptions o;
  o.announceProtocol = static_cast<int>(opt.integer("--announce-protocol", srdd::engine::kProtocolVersion));
  o.direct = opt.flag("--direct");
  o.socketPath = opt.value("--socket", "");
  o.idleExitSeconds = static_cast<int>(opt.integer("--idle-exit", o.idleExitSeconds));
  return opt.flag("--daemon") ? srdd::engine::runDaemon(o) : srdd::engine::serveStdio(o);
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  auto* stdio = d.flag("--stdio",
                       "frames on stdin/stdout, relayed to this user's engine daemon (started when none runs),\n"
                       "so jobs survive a dropped connection and a client can reattach to them");
  d.flag("--direct", "with --stdio: run the jobs in this process instead (cancelled when the connection ends)")
      ->needs(stdio);
  d.flag("--daemon", "be the daemon, in the foreground: a unix socket in a 0700 directory")->excludes(stdio);
  d.file("--socket", "--socket PATH",
         "the daemon's socket (default $XDG_RUNTIME_DIR/srdd/engine-VERSION-COMMIT.sock, else /tmp/srdd-$UID/...)");
  d.integer("--idle-exit", "--idle-exit S", "the daemon exits after S seconds without jobs or clients (default 900)",
            1);
  d.integer("--announce-protocol", "--announce-protocol N", "test hook: announce and require protocol N");
  return [&app] { return runServe(srdd_cli::Parsed(app)); };
}

const srdd_cli::Registrar reg(
    {"serve", "the engine protocol on stdin/stdout (for the desktop app and --engine)",
     "srdd serve --stdio [--direct] [--socket PATH]\nsrdd serve --daemon [--socket PATH]",
     "Reads request frames on stdin and writes event frames on stdout (docs/engine-protocol.md) until the client sends "
     "\"shutdown\" or closes stdin. Diagnostics go to stderr.",
     define});

}  // namespace
