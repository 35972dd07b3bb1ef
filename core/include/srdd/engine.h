#pragma once
// The engine interface that every front end (the srdd CLI's --engine, the desktop app) talks to. One job
// protocol (docs/engine-protocol.md), three transports behind it: in-process (threads in this process),
// a local child process speaking frames on its stdin/stdout (`srdd serve --stdio`), and the same child
// started through ssh (optionally wrapped, e.g. `docker exec -i CONTAINER`). Torch-free and Qt-free.
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "srdd/progress.h"

namespace srdd::engine {

constexpr int kProtocolVersion = 1;

// One event of a job (or of the engine itself: job 0). Every job ends with exactly one final event.
struct Event {
  std::string type;     // "accepted", "progress", "log", "result", "error", "cancelled"
  uint64_t job = 0;     // the request id the client gave; 0 for engine-level events
  uint64_t seq = 0;     // per engine connection/daemon, strictly increasing; replay resumes after one
  nlohmann::json body;  // type-specific fields (docs/engine-protocol.md)
  std::string payload;  // optional binary payload (e.g. the exact bytes of a results JSON)
  bool isFinal() const { return type == "result" || type == "error" || type == "cancelled"; }
};
using EventHandler = std::function<void(const Event&)>;

// Requests are JSON objects with a "type": "scan" {request: ScanRequest JSON}, "aqn" {settings, run_dir,
// force}, "eval", "info" {model}, "list_dir" {path}, "hf_cache", ... (docs/engine-protocol.md).
class Engine {
 public:
  virtual ~Engine() = default;
  // The handshake: engine/protocol/LibTorch versions, devices (name, memory), CUDA kernels, host.
  // srdd::Error (one line, naming both versions on a protocol mismatch) when the engine cannot be reached.
  virtual nlohmann::json hello() = 0;
  // Queues a job and returns its id at once. The handler is called from an engine thread for each of the
  // job's events, the last one final. srdd::Error when the engine is gone.
  virtual uint64_t submit(const nlohmann::json& request, EventHandler handler) = 0;
  // Asks a job to stop; its final event ("cancelled", or "result" when it had already finished) follows.
  virtual void cancel(uint64_t job) = 0;
  // In words, for status bars and provenance: "in-process", "process /opt/srdd/bin/srdd", "ssh gpu1".
  virtual std::string describe() const = 0;
};

// "" or "in-process": this process. Anything else is a command line (split like a POSIX shell, no
// expansion) started as a child that speaks the protocol on stdio, e.g. "ssh gpu1 srdd serve --stdio".
std::unique_ptr<Engine> makeEngine(const std::string& spec);
std::unique_ptr<Engine> makeInProcessEngine();
std::unique_ptr<Engine> makeProcessEngine(const std::vector<std::string>& argv);

// Submits a request and blocks until its final event; returns that event when it is a "result", throws
// srdd::Cancelled for "cancelled" and srdd::Error (the engine's message) for "error". Progress and log
// events go to onEvent; setting `cancel` sends a cancel request.
Event runJob(Engine& engine, const nlohmann::json& request, const EventHandler& onEvent = {},
             const CancelToken* cancel = nullptr);

}  // namespace srdd::engine
