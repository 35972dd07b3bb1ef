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

// Requests are JSON objects with a "type" (docs/engine-protocol.md lists every field):
//   "scan"     {request: ScanRequest JSON}                     result: the srdd-scan/1 document
//   "aqn"      {settings: ComparisonSettings JSON, run_dir, force, created_utc}
//                                                              result: {comparison, run_dir, files}
//   "eval"     {model, text, device, dtype, max_tokens, batch, per_line, tokenizer}   result: `srdd eval --json`
//   "info"     {model}                                         result: modelSummaryToJson (`srdd info --json`)
//   "list_dir" {path}                                          result: {path, parent, entries: [...]}
//   "hf_cache" {}                                              result: {cache_dir, models: [...]}
// Unknown types or fields give an "error" event; the engine stays usable.
std::vector<std::string> requestTypes();
class Engine {
 public:
  virtual ~Engine() = default;
  // The handshake: {engine_version, commit, protocol_version, torch_version, cuda_kernels (bool),
  // devices: [{device: "cpu"|"cuda:N", name, memory_bytes}], hostname, engine (describe())}.
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

// The fields of a progress event's body and back (stage, layer, num_layers, step, total_steps, fraction,
// elapsed_s, eta_s).
nlohmann::json progressToJson(const ProgressInfo& p);
ProgressInfo progressFromJson(const nlohmann::json& body);

// Splits a command line into words like a POSIX shell, without any expansion: blanks separate words,
// '...' is literal, "..." keeps blanks and takes \\ \" \$ \` as escapes, \ outside quotes escapes the next
// character. srdd::Error for an unterminated quote or a trailing backslash.
std::vector<std::string> splitCommandLine(const std::string& line);
// The inverse: words quoted where needed ('...'), so that splitCommandLine (or a shell) gives them back.
std::string joinCommandLine(const std::vector<std::string>& argv);

// Submits a request and blocks until its final event; returns that event when it is a "result", throws
// srdd::Cancelled for "cancelled" and srdd::Error (the engine's message) for "error". Progress and log
// events go to onEvent; setting `cancel` sends a cancel request.
Event runJob(Engine& engine, const nlohmann::json& request, const EventHandler& onEvent = {},
             const CancelToken* cancel = nullptr);

}  // namespace srdd::engine
