// `srdd serve --stdio`: one session on stdin/stdout, with the jobs in this process (--direct) or relayed
// to the per-user daemon (engine_daemon.cpp).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "engine_queue.h"
#include "engine_session.h"
#include "srdd/engine_serve.h"

namespace srdd::engine {

// Frames must be the only bytes on stdout: the frames get a private copy of it, and fd 1 itself is
// pointed at stderr, so that a stray print (ours or a library's) cannot corrupt the stream.
static int protectedStdout() {
  const int out = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);  // not inherited by a daemon we start
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
  return out;
}

static int serveDirect(const ServeOptions& options, int inFd, int outFd) {
  ::signal(SIGPIPE, SIG_IGN);
  JobQueue queue;
  SessionOptions session;
  session.announceProtocol = options.announceProtocol;
  session.engine = "srdd serve --stdio --direct";
  session.stopJobsAtEnd = true;
  const SessionEnd end = serveConnection(queue, inFd, outFd, session);
  return end == SessionEnd::Malformed ? 2 : 0;
}

int relayToDaemon(const ServeOptions& options, int outFd);  // engine_daemon.cpp

int serveStdio(const ServeOptions& options) {
  const int out = protectedStdout();
  return options.direct ? serveDirect(options, STDIN_FILENO, out) : relayToDaemon(options, out);
}

}  // namespace srdd::engine
