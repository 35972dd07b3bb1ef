// The per-user engine daemon (`srdd serve --daemon`) and the relay that `srdd serve --stdio` becomes when
// it attaches to one: jobs survive the connection that submitted them.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <list>
#include <mutex>
#include <thread>

#include "engine_queue.h"
#include "engine_session.h"
#include "srdd/engine_serve.h"
#include "srdd/error.h"
#include "srdd/runtime.h"
#include "srdd/version.h"

extern char** environ;

namespace srdd::engine {

namespace fs = std::filesystem;

namespace {

std::string errnoText() { return std::strerror(errno); }

sockaddr_un socketAddress(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) throw Error("daemon socket path '" + path + "' is too long for a unix socket");
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

// The socket's directory exists, belongs to this user and nobody else may enter it (0700).
void prepareDirectory(const std::string& socketPath) {
  const std::string dir = fs::path(socketPath).parent_path().string();
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw Error("cannot create '" + dir + "': " + errnoText());
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) throw Error("cannot inspect '" + dir + "': " + errnoText());
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::getuid())
    throw Error("'" + dir + "' is not a directory owned by this user; refusing to put the engine socket there");
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0)
    throw Error("cannot restrict '" + dir + "' to this user: " + errnoText());
}

int connectTo(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const sockaddr_un a = socketAddress(path);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string selfExecutable() {
  std::string p = executablePath();
  if (p.empty()) throw Error("cannot find this program's path (/proc/self/exe is unreadable)");
  return p;
}

// Starts `srdd serve --daemon` detached from this session (own session, no terminal, stderr to a log).
void startDaemon(const ServeOptions& options, const std::string& socketPath) {
  const std::string exe = selfExecutable(), log = socketPath + ".log";
  std::vector<std::string> argv = {
      exe, "serve", "--daemon", "--socket", socketPath, "--idle-exit", std::to_string(options.idleExitSeconds)};
  if (options.announceProtocol != kProtocolVersion) {
    argv.push_back("--announce-protocol");
    argv.push_back(std::to_string(options.announceProtocol));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid;
  const int rc = ::posix_spawn(&pid, exe.c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw Error("cannot start the engine daemon: " + std::string(std::strerror(rc)));
  // Not waited for: it outlives this process (init reaps it).
}

// Copies bytes from one descriptor to another until EOF or an error; then half-closes the target.
void pump(int from, int to, bool toIsSocket) {
  char buf[64 * 1024];
  while (true) {
    const ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(to, buf + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return;
      done += w;
    }
  }
  if (toIsSocket) ::shutdown(to, SHUT_WR);
}

}  // namespace

// The build of this program: its file's size and modification time. Version and commit alone are the same for
// every rebuild of a working tree, and a rebuilt `srdd` then talked to the daemon of the previous build.
static std::string buildStamp() {
  struct stat st {};
  const std::string exe = executablePath();
  if (exe.empty() || ::stat(exe.c_str(), &st) != 0) return "0";
  char text[40];
  std::snprintf(text, sizeof text, "%llx%09ld",
                static_cast<unsigned long long>(st.st_size) ^ static_cast<unsigned long long>(st.st_mtim.tv_sec),
                st.st_mtim.tv_nsec);
  return text;
}

std::string defaultDaemonSocket() {
  const std::string name = "engine-" + versionString() + "-" + gitCommit() + "-" + buildStamp() + ".sock";
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x && fs::is_directory(x))
    return std::string(x) + "/srdd/" + name;
  return "/tmp/srdd-" + std::to_string(::getuid()) + "/" + name;
}

int runDaemon(const ServeOptions& options) {
  ::signal(SIGPIPE, SIG_IGN);
  const std::string path = options.socketPath.empty() ? defaultDaemonSocket() : options.socketPath;
  prepareDirectory(path);
  const std::string lockPath = path + ".lock";
  const int lock = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0) throw Error("cannot open '" + lockPath + "': " + errnoText());
  if (::flock(lock, LOCK_EX | LOCK_NB) != 0) return 0;  // another daemon serves this socket
  ::unlink(path.c_str());  // a stale socket of a daemon that died (we hold the lock, so none is alive)
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_un a = socketAddress(path);
  const mode_t old = ::umask(077);
  const int bound = ::bind(listener, reinterpret_cast<const sockaddr*>(&a), sizeof a);
  ::umask(old);
  if (bound != 0 || ::listen(listener, 16) != 0) throw Error("cannot listen on '" + path + "': " + errnoText());
  std::cerr << "srdd engine daemon " << ::getpid() << " listening on " << path << std::endl;

  JobQueue queue;
  SessionOptions session;
  session.announceProtocol = options.announceProtocol;
  session.engine = "srdd serve (daemon " + path + ")";
  session.daemon = true;
  session.replayAll = false;
  std::atomic<int> clients{0};
  std::list<std::thread> threads;
  auto idleSince = std::chrono::steady_clock::now();
  while (true) {
    pollfd p{listener, POLLIN, 0};
    const int ready = ::poll(&p, 1, 500);
    if (ready > 0) {
      const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        ++clients;
        threads.emplace_back([&queue, &session, &clients, fd] {
          serveConnection(queue, fd, fd, session);
          ::close(fd);
          --clients;
        });
      }
    }
    if (clients.load() > 0 || queue.busy()) idleSince = std::chrono::steady_clock::now();
    if (std::chrono::steady_clock::now() - idleSince > std::chrono::seconds(options.idleExitSeconds)) break;
  }
  ::unlink(path.c_str());
  ::close(listener);
  for (auto& t : threads) t.join();
  std::cerr << "srdd engine daemon " << ::getpid() << ": idle for " << options.idleExitSeconds << " s, exiting"
            << std::endl;
  return 0;
}

// `srdd serve --stdio` without --direct: a byte relay between stdio and the daemon's socket.
int relayToDaemon(const ServeOptions& options, int outFd) {
  ::signal(SIGPIPE, SIG_IGN);
  const std::string path = options.socketPath.empty() ? defaultDaemonSocket() : options.socketPath;
  prepareDirectory(path);
  int fd = connectTo(path);
  if (fd < 0) {
    startDaemon(options, path);
    for (int i = 0; i < 300 && fd < 0; ++i) {  // up to 30 s: the daemon loads LibTorch first
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      fd = connectTo(path);
    }
    if (fd < 0) throw Error("the engine daemon did not start listening on '" + path + "' (see " + path + ".log)");
  }
  std::thread up([fd] { pump(STDIN_FILENO, fd, true); });
  pump(fd, outFd, false);  // ends when the daemon closes the connection
  ::close(outFd);
  ::shutdown(fd, SHUT_RDWR);
  up.detach();  // blocked on our stdin; the process exits now
  return 0;
}

}  // namespace srdd::engine
