#include "srdd/engine_install.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>

#include <filesystem>

#include "srdd/engine.h"
#include "srdd/error.h"
#include "srdd/version.h"

extern char** environ;

namespace srdd::engine {

namespace fs = std::filesystem;

namespace {

std::string remoteDirOf(const InstallOptions& o) {
  return o.remoteDir.empty() ? "srdd-" + versionString() : o.remoteDir;
}

// The local half of the pipeline: a gzipped tar of the source on stdout; in a git checkout, the commit this
// srdd was built from (so the host builds the same version), else HEAD.
std::string archiveCommand(const std::string& source) {
  const std::string q = joinCommandLine({source});
  if (fs::exists(fs::path(source) / ".git"))
    return "git -C " + q + " archive --format=tar.gz " +
           (gitCommit() == "unknown" ? "HEAD" : joinCommandLine({gitCommit()}));
  return "tar -C " + q + " --exclude='./build*' --exclude=./.git -czf - .";
}

}  // namespace

std::string installedSrddPath(const InstallOptions& options) { return remoteDirOf(options) + "/build-gpu/app/srdd"; }

void installEngine(const SshTarget& target, const InstallOptions& options,
                   const std::function<void(const std::string&)>& log, const CancelToken* cancel) {
  if (options.sourceDir.empty() || !fs::is_directory(options.sourceDir))
    throw Error("engine install: source directory '" + options.sourceDir + "' does not exist");
  const std::string dir = joinCommandLine({remoteDirOf(options)});
  // The remote half: unpack into the directory and build there; the commit travels as SRDD_GIT_COMMIT
  // because the unpacked tree has no .git.
  const std::string script =
      "set -e; mkdir -p " + dir + "; tar -xzf - -C " + dir + "; cd " + dir +
      "; echo \"srdd engine install: unpacked into $(pwd)\"; export SRDD_GIT_COMMIT=" + joinCommandLine({gitCommit()}) +
      "; " + options.buildCommand;
  SshTarget t = target;
  t.remoteSrdd = "sh";
  t.serveArgs = {"-c", script};
  const std::string pipeline = "set -o pipefail 2>/dev/null; " + archiveCommand(options.sourceDir) + " | " +
                               joinCommandLine(sshEngineArgv(t)) + " 2>&1";
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw Error("engine install: cannot create a pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  std::vector<std::string> argv = {"bash", "-c", pipeline};
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid;
  const int rc = ::posix_spawnp(&pid, "bash", &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    throw Error("engine install: cannot start bash");
  }
  std::string partial, last;
  char buf[4096];
  bool cancelled = false;
  while (true) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 200) == 0) {
      if (cancel && cancel->cancelled() && !cancelled) {
        ::kill(-pid, SIGTERM);
        cancelled = true;
      }
      continue;
    }
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = partial.find('\n')) != std::string::npos;) {
      last = partial.substr(0, nl);
      if (log) log(last);
      partial.erase(0, nl + 1);
    }
  }
  if (!partial.empty()) {
    last = partial;
    if (log) log(partial);
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (cancelled) throw Cancelled();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error("engine install on " + target.host + " failed (exit status " +
                std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) + ")" +
                (last.empty() ? "" : ": " + last));
}

}  // namespace srdd::engine
