#pragma once
// One client connection of `srdd serve` or of the per-user daemon (internal): request frames in, event
// frames out (docs/engine-protocol.md). Outgoing frames go through a writer thread, so a slow client
// never stalls the engine's dispatcher or the other connections.
#include <cstdint>
#include <memory>
#include <string>

#include "engine_queue.h"

namespace srdd::engine {

struct SessionOptions {
  int announceProtocol = kProtocolVersion;    // test hook: announce (and require) another version
  std::string engine = "srdd serve --stdio";  // the hello's "engine" field
  bool daemon = false;                        // jobs outlive the connection
  // true: from the hello on, the connection gets every logged event (a fresh `serve --direct`). false
  // (daemon): it gets the events after "attach" {after_seq}, or those after its first job's submission.
  bool replayAll = true;
  bool stopJobsAtEnd = false;  // cancel the jobs and send their final events before returning
};

enum class SessionEnd { EndOfInput, Shutdown, Malformed, WriteFailed };

// Reads request frames from inFd and answers on outFd until the input ends, the client sends
// "shutdown", or the input is malformed (answered with an error event first). Jobs keep running
// when it returns; the connection's listener is removed and its pending frames are flushed.
SessionEnd serveConnection(JobQueue& queue, int inFd, int outFd, const SessionOptions& options);

}  // namespace srdd::engine
