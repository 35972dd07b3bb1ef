// `srdd serve --stdio`: the engine protocol on stdin/stdout, for the desktop app and `--engine`.
#include "command.h"
#include "options.h"
#include "srdd/engine_serve.h"
#include "srdd/error.h"

namespace {

int runServe(const srdd_cli::Args& args) {
  const srdd_cli::Options opt(args, {"--announce-protocol"}, {"--stdio", "--direct"});
  if (!opt.positional().empty()) throw srdd::Error("unexpected argument '" + opt.positional()[0] + "'");
  if (!opt.flag("--stdio")) throw srdd::Error("say --stdio (the only transport: frames on stdin/stdout)");
  srdd::engine::ServeOptions o;
  o.announceProtocol = static_cast<int>(opt.integer("--announce-protocol", srdd::engine::kProtocolVersion));
  return srdd::engine::serveStdio(o);
}

const srdd_cli::Registrar reg({"serve", "the engine protocol on stdin/stdout (for the desktop app and --engine)",
                               "Usage: srdd serve --stdio [--direct]\n"
                               "Reads request frames on stdin and writes event frames on stdout (docs/engine-protocol.md)\n"
                               "until the client sends \"shutdown\" or closes stdin. Diagnostics go to stderr.\n"
                               "  --stdio          frames on stdin/stdout\n"
                               "  --direct         run the jobs in this process (cancelled when the connection ends)\n"
                               "  --announce-protocol N   test hook: announce and require protocol N\n",
                               runServe});

}  // namespace
