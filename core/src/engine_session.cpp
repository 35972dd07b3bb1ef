#include "engine_session.h"

#include <errno.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "engine_requests.h"
#include "srdd/engine_frames.h"
#include "srdd/error.h"

namespace srdd::engine {

namespace {

// Frames to one client, written in order by their own thread.
class Writer {
 public:
  explicit Writer(int fd) : fd_(fd), thread_([this] { run(); }) {}
  ~Writer() {
    {
      std::unique_lock<std::mutex> lock(m_);
      // Give the client a moment to take the last frames (final events, the shutdown reply).
      flushed_.wait_for(lock, std::chrono::seconds(10), [&] { return queue_.empty() || failed_; });
      stop_ = true;
      cv_.notify_all();
    }
    thread_.join();
  }
  void send(const Event& e) { sendBytes(encodeFrame(eventToFrame(e))); }
  void sendBytes(std::string bytes) {
    std::lock_guard<std::mutex> lock(m_);
    if (failed_) return;
    queue_.push_back(std::move(bytes));
    cv_.notify_all();
  }
  bool failed() const {
    std::lock_guard<std::mutex> lock(m_);
    return failed_;
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(m_);
    while (true) {
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      std::string bytes = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      const bool ok = writeAll(bytes);
      lock.lock();
      if (!ok) {
        failed_ = true;
        queue_.clear();
      }
      if (queue_.empty()) flushed_.notify_all();
    }
  }
  bool writeAll(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  const int fd_;
  mutable std::mutex m_;
  std::condition_variable cv_, flushed_;
  std::deque<std::string> queue_;
  bool stop_ = false, failed_ = false;
  std::thread thread_;
};

class Connection {
 public:
  Connection(JobQueue& queue, int outFd, const SessionOptions& options)
      : queue_(queue), writer_(outFd), options_(options) {}
  ~Connection() {
    if (listener_) queue_.unlisten(listener_);
  }

  void reply(const std::string& type, nlohmann::json body) {
    Event e;
    e.type = type;
    e.body = std::move(body);
    writer_.send(e);  // connection-level: job 0, seq 0, not logged
  }
  void error(const std::string& message, const std::string& code, uint64_t job = 0) {
    Event e;
    e.type = "error";
    e.job = job;
    e.body = {{"message", message}, {"code", code}};
    writer_.send(e);
  }

  // Returns false when the client asked to shut down.
  bool handle(const Frame& frame) {
    const auto& h = frame.header;
    const std::string type = h.value("type", "");
    if (type == "hello") {
      hello(h);
      return true;
    }
    if (!helloDone_) {
      error("the first request must be \"hello\" with this client's protocol_version", "no_hello");
      return true;
    }
    if (type == "shutdown") return false;  // "bye" follows in serveConnection
    if (type == "attach") {
      const auto after = h.find("after_seq");
      if (after == h.end() || !isNonNegativeInteger(*after)) {
        error("attach: \"after_seq\" must be a non-negative integer", "bad_request");
        return true;
      }
      listenFrom(after->get<uint64_t>());
      reply("attached", {{"after_seq", *after}, {"last_seq", queue_.lastSeq()}, {"busy", queue_.busy()}});
      return true;
    }
    const auto job = h.find("job");
    if (job == h.end() || !isNonNegativeInteger(*job) || job->get<uint64_t>() == 0) {
      error(type.empty() ? "request frame without a \"type\""
                         : type + " request without a \"job\" id (a positive integer)",
            "bad_request");
      return true;
    }
    if (type == "cancel") {
      queue_.cancel(*job);
      return true;
    }
    nlohmann::json request = h;
    request.erase("job");
    if (!listener_) listenFrom(queue_.lastSeq());
    queue_.submit(*job, request);  // an unknown type or field becomes that job's error event
    return true;
  }

  bool writeFailed() const { return writer_.failed(); }

  // Cancels every job and waits (bounded) until their final events are on their way to the client.
  void stopJobs() {
    queue_.cancelAll();
    queue_.waitIdle(30000);
    const uint64_t last = queue_.lastSeq();
    for (int i = 0; i < 500 && delivered_.load() < last && listener_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

 private:
  void hello(const nlohmann::json& h) {
    const auto v = h.find("protocol_version");
    nlohmann::json body = localHello();
    body["protocol_version"] = options_.announceProtocol;
    body["engine"] = options_.engine;
    body["daemon"] = options_.daemon;
    body["last_seq"] = queue_.lastSeq();
    if (v == h.end() || !v->is_number_integer() || v->get<int>() != options_.announceProtocol) {
      const std::string client = v == h.end() ? "none" : v->dump();
      error("protocol version mismatch: the client speaks protocol " + client + ", the engine (srdd " +
                body.value("engine_version", "?") + " on " + body.value("hostname", "?") + ") speaks protocol " +
                std::to_string(options_.announceProtocol),
            "protocol_version");
      return;
    }
    reply("hello", body);
    if (!helloDone_ && options_.replayAll) listenFrom(0);
    helloDone_ = true;
  }

  void listenFrom(uint64_t afterSeq) {
    if (listener_) queue_.unlisten(listener_);
    listener_ = queue_.listen(
        [this](const Event& e) {
          writer_.send(e);
          delivered_.store(e.seq);
        },
        afterSeq);
  }

  JobQueue& queue_;
  Writer writer_;
  SessionOptions options_;
  bool helloDone_ = false;
  uint64_t listener_ = 0;
  std::atomic<uint64_t> delivered_{0};
};

SessionEnd readRequests(Connection& connection, int inFd) {
  FrameDecoder decoder;
  char buf[64 * 1024];
  while (true) {
    const ssize_t n = ::read(inFd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    try {
      if (n <= 0) {
        decoder.finish();
        return SessionEnd::EndOfInput;
      }
      decoder.feed(buf, static_cast<size_t>(n));
      while (auto frame = decoder.next()) {
        try {
          if (!connection.handle(*frame)) return SessionEnd::Shutdown;
        } catch (const std::exception& e) {  // e.g. a field of the wrong JSON type
          connection.error(std::string("bad request: ") + e.what(), "bad_request");
        }
      }
    } catch (const Error& e) {
      connection.error(e.what(), "malformed_frame");
      return SessionEnd::Malformed;
    }
    if (connection.writeFailed()) return SessionEnd::WriteFailed;
  }
}

}  // namespace

SessionEnd serveConnection(JobQueue& queue, int inFd, int outFd, const SessionOptions& options) {
  Connection connection(queue, outFd, options);
  const SessionEnd end = readRequests(connection, inFd);
  if (options.stopJobsAtEnd) connection.stopJobs();
  if (end == SessionEnd::Shutdown) connection.reply("bye", nlohmann::json::object());  // the last frame
  return end;
}

}  // namespace srdd::engine
