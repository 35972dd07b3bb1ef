#pragma once
// The engine side of the protocol, for `srdd serve` (docs/engine-protocol.md).
#include <string>

#include "srdd/engine.h"

namespace srdd::engine {

struct ServeOptions {
  // Test hook (`srdd serve --announce-protocol N`): announce, and require of clients, protocol N instead
  // of kProtocolVersion, so a test can provoke a version mismatch through any transport.
  int announceProtocol = kProtocolVersion;
  bool direct = false;        // run the jobs in this process instead of the per-user daemon
  std::string socketPath;     // the daemon's socket; empty: defaultDaemonSocket()
  int idleExitSeconds = 900;  // a daemon with no job and no client for this long exits
};

// Frames on stdin/stdout until the client sends "shutdown" or closes stdin. Direct: the jobs run here
// and are cancelled at the end. Otherwise the connection is relayed to the per-user daemon (started
// when none is listening), whose jobs outlive the connection. Returns the process exit code.
int serveStdio(const ServeOptions& options);

// The per-user daemon in the foreground: listens on the socket (in a 0700 directory), one session per
// client, the jobs in one queue whose events carry seq for replay. A second daemon on the same socket
// exits at once (0). Returns the exit code.
int runDaemon(const ServeOptions& options);

// $XDG_RUNTIME_DIR/srdd/engine-VERSION-COMMIT-STAMP.sock, else /tmp/srdd-$UID/engine-VERSION-COMMIT-STAMP.sock
// (STAMP: this executable's size and modification time): one daemon per user and build, also across rebuilds of
// one commit.
std::string defaultDaemonSocket();

}  // namespace srdd::engine
