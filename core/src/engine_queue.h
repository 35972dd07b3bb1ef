#pragma once
// The engine's job queue (internal): long jobs (scan, aqn, eval) run one at a time on a worker thread, quick
// ones (info, list_dir, hf_cache) on another so they never wait behind a long one; every event of every job
// goes into one log with a strictly increasing seq, and listeners receive the log in order, from a
// dispatcher thread, starting after any seq they name (which is how a reconnecting client replays).
// Used by the in-process engine, `srdd serve` and the per-user daemon.
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "srdd/engine.h"

namespace srdd::engine {

class JobQueue {
 public:
  JobQueue();
  ~JobQueue();  // cancels every job, waits for the running one to stop, delivers the pending events
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  // Queues request as job `id` and logs "accepted"; a request with an unknown type, or an id that is 0
  // or already in use, is logged as that job's "error" instead. Never throws for a bad request.
  void submit(uint64_t id, const nlohmann::json& request);
  // A queued job ends at once ("cancelled"); a running one is asked to stop; others are ignored.
  void cancel(uint64_t id);
  void cancelAll();
  // Waits until no job is queued or running; false on timeout.
  bool waitIdle(int timeoutMs);
  // Logs an engine-level event (job 0), e.g. an error about a malformed frame.
  void post(const std::string& type, const nlohmann::json& body);

  // The listener gets every logged event with seq > afterSeq, in order, on the dispatcher thread.
  // Returns a handle for unlisten, which waits until the listener is no longer being called (unless
  // called from the listener itself).
  uint64_t listen(std::function<void(const Event&)> listener, uint64_t afterSeq = 0);
  void unlisten(uint64_t handle);

  uint64_t lastSeq() const;
  bool busy() const;  // a job is queued or running

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace srdd::engine
