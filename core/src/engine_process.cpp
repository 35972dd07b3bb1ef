// The child-process engine: a command (`srdd serve --stdio`, or the same behind ssh / docker exec)
// started with pipes on its stdin, stdout and stderr; frames both ways, a reader thread for events.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "srdd/engine.h"
#include "srdd/engine_frames.h"
#include "srdd/error.h"
#include "srdd/version.h"

extern char** environ;

namespace srdd::engine {

namespace {

using Json = nlohmann::json;

int helloTimeoutSeconds() {
  const char* v = std::getenv("SRDD_ENGINE_HELLO_TIMEOUT");
  const int s = v ? std::atoi(v) : 0;
  return s > 0 ? s : 120;
}

std::string errnoText(int e) { return std::string(std::strerror(e)); }

class ProcessEngine : public Engine {
 public:
  explicit ProcessEngine(std::vector<std::string> argv) : argv_(std::move(argv)) {
    if (argv_.empty() || argv_[0].empty()) throw Error("engine: empty command line");
    std::random_device rd;  // ids unlikely to collide with another client's jobs in a shared daemon
    nextId_ = ((static_cast<uint64_t>(rd()) & 0x7fffff) << 24) + 1;
    spawnChild();
    reader_ = std::thread([this] { readEvents(); });
  }

  ~ProcessEngine() override {
    {
      std::lock_guard<std::mutex> lock(m_);
      closing_ = true;
      cv_.notify_all();
    }
    try {
      sendFrame({{"type", "shutdown"}});
    } catch (const Error&) {
    }
    {
      std::lock_guard<std::mutex> lock(writeM_);
      closeFd(toChild_);
    }
    {
      std::unique_lock<std::mutex> lock(m_);
      if (!cv_.wait_for(lock, std::chrono::seconds(5), [&] { return readerDone_; })) {
        lock.unlock();
        ::kill(-pid_, SIGTERM);
        lock.lock();
        if (!cv_.wait_for(lock, std::chrono::seconds(3), [&] { return readerDone_; })) {
          lock.unlock();
          ::kill(-pid_, SIGKILL);
        }
      }
    }
    reader_.join();
    if (!reaped_) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == 0) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
      }
    }
    errReader_.join();
    closeFd(fromChild_);
    closeFd(errFromChild_);
  }

  Json hello() override {
    ensureHello();
    std::lock_guard<std::mutex> lock(m_);
    Json h = *hello_;
    h["engine"] = describe();
    if (hello_->contains("engine")) h["served_by"] = (*hello_)["engine"];
    return h;
  }

  uint64_t submit(const Json& request, EventHandler handler) override {
    ensureHello();
    if (!request.is_object()) {  // the engine would answer this too, but a frame header must be an object
      Event e{"error", 0, 0, {{"message", "request: expected a JSON object"}}, ""};
      if (handler) handler(e);
      return 0;
    }
    uint64_t id;
    {
      std::lock_guard<std::mutex> lock(m_);
      if (dead_) throw Error(deathMessage_);
      id = nextId_++;
      handlers_[id] = std::move(handler);
    }
    Json frame = request;
    frame["job"] = id;
    {
      std::lock_guard<std::mutex> lock(m_);
      unaccepted_[id] = frame;
    }
    try {
      sendFrame(frame);
    } catch (const Error&) {
      std::lock_guard<std::mutex> lock(m_);
      handlers_.erase(id);
      unaccepted_.erase(id);
      throw;
    }
    return id;
  }

  void cancel(uint64_t job) override {
    try {
      sendFrame({{"type", "cancel"}, {"job", job}});
    } catch (const Error&) {  // gone: its jobs end with error events anyway
    }
  }

  std::string describe() const override { return joinCommandLine(argv_); }

 private:
  static void closeFd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  // Starts the command with fresh pipes and its stderr reader.
  void spawnChild() {
    static std::once_flag ignorePipe;  // a write to a dead child must fail with EPIPE, not kill us
    std::call_once(ignorePipe, [] { ::signal(SIGPIPE, SIG_IGN); });
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
      throw Error("engine: cannot create pipes: " + errnoText(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group: a Ctrl-C in the terminal reaches this client (which cancels the job), not
    // the connection. Default signal dispositions, whatever this process ignores.
    sigset_t defaults, none;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    std::vector<char*> args;
    for (auto& a : argv_) args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid_, argv_[0].c_str(), &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    toChild_ = in[1];
    fromChild_ = out[0];
    errFromChild_ = err[0];
    if (rc != 0) {
      closeFd(toChild_);
      closeFd(fromChild_);
      closeFd(errFromChild_);
      throw Error("engine: cannot start '" + argv_[0] + "': " + errnoText(rc));
    }
    {
      std::lock_guard<std::mutex> lock(m_);
      stderrDone_ = false;
      reaped_ = false;
    }
    errReader_ = std::thread([this] { readStderr(); });
  }

  void sendFrame(const Json& header) {
    const std::string bytes = encodeFrame({header, ""});
    std::lock_guard<std::mutex> lock(writeM_);
    if (toChild_ < 0) throw Error(deathMessageNow());
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(toChild_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw Error(deathMessageNow());
      done += static_cast<size_t>(n);
    }
  }

  std::string deathMessageNow() {
    std::lock_guard<std::mutex> lock(m_);
    return dead_ ? deathMessage_ : "engine '" + describe() + "': its input is closed";
  }

  void ensureHello() {
    std::unique_lock<std::mutex> lock(m_);
    if (hello_) return;
    if (!helloSent_) {
      helloSent_ = true;
      lock.unlock();
      try {
        sendFrame({{"type", "hello"}, {"protocol_version", kProtocolVersion}});
      } catch (const Error&) {  // the reader reports why the engine is gone
      }
      lock.lock();
    }
    const bool answered = cv_.wait_for(lock, std::chrono::seconds(helloTimeoutSeconds()),
                                       [&] { return hello_ || !helloError_.empty() || dead_; });
    if (hello_) {
      const int theirs = hello_->value("protocol_version", -1);
      if (theirs == kProtocolVersion) return;
      const std::string message = "protocol version mismatch: this client (srdd " + versionString() +
                                  ") speaks protocol " + std::to_string(kProtocolVersion) + ", the engine '" +
                                  describe() + "' (srdd " + hello_->value("engine_version", std::string("?")) +
                                  ") speaks protocol " + std::to_string(theirs);
      hello_.reset();
      helloError_ = message;
      throw Error(message);
    }
    if (!helloError_.empty()) throw Error(helloError_);
    if (dead_) throw Error(deathMessage_);
    if (!answered)
      throw Error("engine '" + describe() + "': no handshake within " + std::to_string(helloTimeoutSeconds()) +
                  " s (is it `srdd serve --stdio`?)");
  }

  void readEvents() {
    while (true) {
      const std::string failure = readUntilClosed();
      const std::string status = waitForExit();
      {
        std::unique_lock<std::mutex> lock(m_);
        cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stderrDone_; });  // its last words
      }
      std::string message = failure;
      if (message.empty()) {
        message = "engine '" + describe() + "' " + status;
        const std::string why = stderrTail();
        if (!why.empty()) message += ": " + why;
      }
      if (failure.empty() && reconnect()) continue;
      fail(message);
      return;
    }
  }

  // Reads and dispatches events until the child's output ends; the protocol fault, if that ended it.
  std::string readUntilClosed() {
    FrameDecoder decoder;
    char buf[64 * 1024];
    while (true) {
      const ssize_t n = ::read(fromChild_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      try {
        if (n <= 0) {
          decoder.finish();
          return "";
        }
        decoder.feed(buf, static_cast<size_t>(n));
        while (auto frame = decoder.next()) dispatch(eventFromFrame(*frame));
      } catch (const std::exception& e) {  // a malformed frame, or an event with fields of the wrong type
        ::kill(-pid_, SIGTERM);
        return std::string("engine '") + describe() + "' broke the protocol: " + e.what();
      }
    }
  }

  // A daemon engine keeps running jobs when the connection drops: start the command again, hello, and
  // "attach" after the last event seen, so the daemon replays what was missed. A few tries with growing
  // pauses (a network that comes back, a laptop that wakes up); false when the jobs cannot be reached.
  bool reconnect() {
    {
      std::lock_guard<std::mutex> lock(m_);
      if (closing_ || handlers_.empty() || !hello_ || !hello_->value("daemon", false)) return false;
      if (reconnects_ >= kReconnectDelaysMs.size()) return false;
    }
    const int delay = kReconnectDelaysMs[reconnects_++];
    {
      std::unique_lock<std::mutex> lock(m_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(delay), [&] { return closing_; })) return false;
    }
    if (!reaped_) {
      ::kill(-pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    errReader_.join();
    {
      std::lock_guard<std::mutex> lock(writeM_);
      closeFd(toChild_);
    }
    closeFd(fromChild_);
    closeFd(errFromChild_);
    try {
      spawnChild();
      uint64_t after;
      {
        std::lock_guard<std::mutex> lock(m_);
        after = maxSeq_;
        attachedLastSeq_.reset();
      }
      sendFrame({{"type", "hello"}, {"protocol_version", kProtocolVersion}});
      sendFrame({{"type", "attach"}, {"after_seq", after}});
    } catch (const Error&) {  // the new child is gone too: the next read ends at once and tries again
    }
    return true;
  }

  // "exited with code N" / "was killed by signal N" / "closed its output", waiting up to 2 s.
  std::string waitForExit() {
    for (int i = 0; i < 100; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        std::lock_guard<std::mutex> lock(m_);
        reaped_ = true;
        if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
        if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "closed its output";
  }

  void dispatch(const Event& e) {
    EventHandler handler;
    std::vector<Json> resend;
    {
      std::lock_guard<std::mutex> lock(m_);
      if (e.job == 0) {
        if (e.type == "hello") {
          hello_ = e.body;
        } else if (e.type == "attached") {
          reconnects_ = 0;
          attachedLastSeq_ = e.body.value("last_seq", uint64_t(0));
          resend = dueResends();
        } else if (e.type == "error") {
          helloError_ = e.body.value("message", std::string("engine error"));
        }
        cv_.notify_all();
      } else {
        if (e.seq != 0 && e.seq <= maxSeq_) return;  // already seen (a replay overlapping the live stream)
        maxSeq_ = std::max(maxSeq_, e.seq);
        unaccepted_.erase(e.job);
        resend = dueResends();
        const auto it = handlers_.find(e.job);
        if (it != handlers_.end()) {  // else another client's job (shared daemon) or one already ended
          handler = it->second;
          if (e.isFinal()) handlers_.erase(it);
        }
      }
    }
    for (const auto& frame : resend) {
      try {
        sendFrame(frame);
      } catch (const Error&) {
      }
    }
    deliver(handler, e);
  }

  // A handler's exception is its own business: it must not be taken for a broken connection.
  static void deliver(const EventHandler& handler, const Event& e) {
    if (!handler) return;
    try {
      handler(e);
    } catch (...) {
    }
  }

  // After a reattach has replayed everything up to the daemon's last event: the jobs it never saw (their
  // submission was lost with the connection) are submitted again. The caller holds m_.
  std::vector<Json> dueResends() {
    std::vector<Json> frames;
    if (!attachedLastSeq_ || maxSeq_ < *attachedLastSeq_) return frames;
    for (const auto& [id, frame] : unaccepted_) frames.push_back(frame);
    attachedLastSeq_.reset();
    return frames;
  }

  // The connection is gone: every job still waiting gets an error event.
  void fail(const std::string& message) {
    std::map<uint64_t, EventHandler> pending;
    {
      std::lock_guard<std::mutex> lock(m_);
      dead_ = true;
      deathMessage_ = message;
      readerDone_ = true;
      pending.swap(handlers_);
      cv_.notify_all();
    }
    for (auto& [id, handler] : pending) {
      deliver(handler, Event{"error", id, 0, {{"message", message}, {"code", "engine_lost"}}, ""});
    }
  }

  void readStderr() {
    char buf[4096];
    std::string partial;
    while (true) {
      const ssize_t n = ::read(errFromChild_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      partial.append(buf, static_cast<size_t>(n));
      for (size_t nl; (nl = partial.find('\n')) != std::string::npos;) {
        addStderrLine(partial.substr(0, nl));
        partial.erase(0, nl + 1);
      }
    }
    if (!partial.empty()) addStderrLine(partial);
    std::lock_guard<std::mutex> lock(m_);
    stderrDone_ = true;
    cv_.notify_all();
  }

  void addStderrLine(const std::string& line) {
    std::lock_guard<std::mutex> lock(m_);
    if (line.empty()) return;
    stderrLines_.push_back(line.substr(0, 500));
    while (stderrLines_.size() > 20) stderrLines_.pop_front();
  }

  // The last line the engine wrote to stderr (ssh's "Permission denied", a shell's "not found", ...).
  std::string stderrTail() {
    std::lock_guard<std::mutex> lock(m_);
    return stderrLines_.empty() ? "" : stderrLines_.back();
  }

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int toChild_ = -1, fromChild_ = -1, errFromChild_ = -1;
  std::thread reader_, errReader_;
  std::mutex m_, writeM_;
  std::condition_variable cv_;
  std::map<uint64_t, EventHandler> handlers_;
  std::optional<Json> hello_;
  std::string helloError_, deathMessage_;
  bool helloSent_ = false, dead_ = false, readerDone_ = false, stderrDone_ = false, reaped_ = false, closing_ = false;
  std::map<uint64_t, Json> unaccepted_;      // submitted, no event seen yet
  uint64_t maxSeq_ = 0;                      // the last event seen, for "attach"
  std::optional<uint64_t> attachedLastSeq_;  // the daemon's last seq when it confirmed an attach
  size_t reconnects_ = 0;
  static constexpr std::array<int, 8> kReconnectDelaysMs = {200, 500, 1000, 2000, 4000, 8000, 15000, 30000};
  std::deque<std::string> stderrLines_;
  uint64_t nextId_ = 1;
};

}  // namespace

std::unique_ptr<Engine> makeProcessEngine(const std::vector<std::string>& argv) {
  return std::make_unique<ProcessEngine>(argv);
}

}  // namespace srdd::engine
