#pragma once
// The engine side of the protocol, for `srdd serve` (docs/engine-protocol.md).
#include <string>

#include "srdd/engine.h"

namespace srdd::engine {

struct ServeOptions {
  // Test hook (`srdd serve --announce-protocol N`): announce, and require of clients, protocol N instead
  // of kProtocolVersion, so a test can provoke a version mismatch through any transport.
  int announceProtocol = kProtocolVersion;
  bool direct = true;         // run the jobs in this process instead of the per-user daemon
};

// Frames on stdin/stdout until the client sends "shutdown" or closes stdin. Direct: the jobs run here
// and are cancelled at the end. Otherwise the connection is relayed to the per-user daemon (started
// when none is listening), whose jobs outlive the connection. Returns the process exit code.
int serveStdio(const ServeOptions& options);

}  // namespace srdd::engine
