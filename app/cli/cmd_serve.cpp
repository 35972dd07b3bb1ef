// `srdd serve --stdio`: the engine protocol on stdin/stdout, for the desktop app and `--engine`.
#include "command.h"
#include "options.h"
#include "srdd/engine_serve.h"
#include "srdd/error.h"

namespace {

int runServe(const srdd_cli::Args& args) {
  const srdd_cli::Options opt(args, {"--announce-protocol", "--socket", "--idle-exit"}, {"--stdio", "--direct", "--daemon"});
  if (!opt.positional().empty()) throw srdd::Error("unexpected argument '" + opt.positional()[0] + "'");
  if (opt.flag("--stdio") == opt.flag("--daemon")) throw srdd::Error("say --stdio (frames on stdin/stdout) or --daemon");
  if (opt.flag("--daemon") && opt.flag("--direct")) throw srdd::Error("--direct is for --stdio");
  srdd::engine::ServeOptions o;
  o.announceProtocol = static_cast<int>(opt.integer("--announce-protocol", srdd::engine::kProtocolVersion));
  o.direct = opt.flag("--direct");
  o.socketPath = opt.value("--socket", "");
  o.idleExitSeconds = static_cast<int>(opt.integer("--idle-exit", o.idleExitSeconds));
  if (o.idleExitSeconds < 1) throw srdd::Error("--idle-exit must be at least 1 second");
  return opt.flag("--daemon") ? srdd::engine::runDaemon(o) : srdd::engine::serveStdio(o);
}

const srdd_cli::Registrar reg(
    {"serve", "the engine protocol on stdin/stdout (for the desktop app and --engine)",
     "Usage: srdd serve --stdio [--direct] [--socket PATH]    |    srdd serve --daemon [--socket PATH]\n"
     "Reads request frames on stdin and writes event frames on stdout (docs/engine-protocol.md) until the client\n"
     "sends \"shutdown\" or closes stdin. Diagnostics go to stderr.\n"
     "  --stdio          frames on stdin/stdout, relayed to this user's engine daemon (started when none runs),\n"
     "                   so jobs survive a dropped connection and a client can reattach to them\n"
     "  --direct         with --stdio: run the jobs in this process instead (cancelled when the connection ends)\n"
     "  --daemon         be the daemon, in the foreground: a unix socket in a 0700 directory\n"
     "  --socket PATH    the daemon's socket (default $XDG_RUNTIME_DIR/srdd/engine-VERSION-COMMIT.sock,\n"
     "                   else /tmp/srdd-$UID/...)\n"
     "  --idle-exit S    the daemon exits after S seconds without jobs or clients (default 900)\n"
     "  --announce-protocol N   test hook: announce and require protocol N\n",
     runServe});

}  // namespace
