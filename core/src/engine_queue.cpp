#include "engine_queue.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine_requests.h"
#include "srdd/error.h"
#include "srdd/scan_job.h"

namespace srdd::engine {

namespace {
// Events kept for replay. A day-long AQN run logs a few events per training step, far below this. Results
// can be megabytes (a scan of a 28-layer model), so the log keeps the last kMaxLoggedResults of them and
// drops everything older than the oldest kept one.
constexpr size_t kMaxLoggedEvents = 1000000;
constexpr size_t kMaxLoggedResults = 64;
// Progress of one job is logged at most this often, except when its stage changes.
constexpr auto kProgressInterval = std::chrono::milliseconds(100);
}  // namespace

struct JobQueue::Impl {
  struct Job {
    uint64_t id;
    nlohmann::json request;
  };
  struct Listener {
    std::function<void(const Event&)> fn;
    uint64_t next;  // the seq it gets next
  };

  mutable std::mutex m;
  // Two lanes, each one job at a time in submission order: long jobs (scan, aqn, eval) and quick ones
  // (info, list_dir, hf_cache), so that browsing models never waits behind an hours-long AQN run.
  struct Lane {
    std::deque<Job> queued;
    uint64_t runningId = 0;
    CancelToken* runningCancel = nullptr;
    std::thread worker;
    bool idle() const { return runningId == 0 && queued.empty(); }
  };
  std::condition_variable workCv, dispatchCv, deliveredCv, idleCv;
  Lane lanes[2];
  std::set<uint64_t> usedIds;
  std::deque<std::shared_ptr<const Event>> log;
  uint64_t seq = 0;
  size_t loggedResults = 0;
  std::map<uint64_t, Listener> listeners;
  uint64_t nextHandle = 1, delivering = 0;
  bool stopping = false, workerDone = false;
  std::thread::id dispatcherThread;
  std::thread dispatcher;
  ScanJob scanJob;

  // Logs one event; the caller holds m.
  void append(const std::string& type, uint64_t job, nlohmann::json body) {
    auto e = std::make_shared<Event>();
    e->type = type;
    e->job = job;
    e->seq = ++seq;
    e->body = std::move(body);
    if (e->type == "result") ++loggedResults;
    log.push_back(std::move(e));
    while (log.size() > kMaxLoggedEvents || loggedResults > kMaxLoggedResults) {
      if (log.front()->type == "result") --loggedResults;
      log.pop_front();
    }
    dispatchCv.notify_all();
  }

  void emit(const std::string& type, uint64_t job, nlohmann::json body) {
    std::lock_guard<std::mutex> lock(m);
    append(type, job, std::move(body));
  }

  static bool isQuick(const nlohmann::json& request) {
    const std::string type = request.value("type", "");
    return type == "info" || type == "list_dir" || type == "hf_cache";
  }

  bool idle() const { return lanes[0].idle() && lanes[1].idle(); }

  // Ends the queued jobs and asks the running ones to stop; the caller holds m.
  void cancelEverything() {
    for (auto& lane : lanes) {
      for (const auto& job : lane.queued) append("cancelled", job.id, nlohmann::json::object());
      lane.queued.clear();
      if (lane.runningCancel) lane.runningCancel->cancel();
    }
    idleCv.notify_all();
  }

  void runWorker(Lane& lane) {
    std::unique_lock<std::mutex> lock(m);
    while (true) {
      workCv.wait(lock, [&] { return stopping || !lane.queued.empty(); });
      if (stopping) return;
      Job job = std::move(lane.queued.front());
      lane.queued.pop_front();
      CancelToken cancel;
      lane.runningId = job.id;
      lane.runningCancel = &cancel;
      lock.unlock();
      runJob(job, cancel);
      lock.lock();
      lane.runningId = 0;
      lane.runningCancel = nullptr;
      idleCv.notify_all();
    }
  }

  void runJob(const Job& job, CancelToken& cancel) {
    std::string lastStage;
    auto lastTime = std::chrono::steady_clock::time_point();
    JobContext ctx;
    ctx.cancel = &cancel;
    ctx.scanJob = &scanJob;
    ctx.progress = [&](const ProgressInfo& p) {
      const auto now = std::chrono::steady_clock::now();
      if (p.stage == lastStage && now - lastTime < kProgressInterval && p.fraction < 1) return;
      lastStage = p.stage;
      lastTime = now;
      emit("progress", job.id, progressToJson(p));
    };
    ctx.log = [&](const std::string& line) { emit("log", job.id, {{"line", line}}); };
    try {
      nlohmann::json body = runRequest(job.request, ctx);
      emit("result", job.id, std::move(body));
    } catch (const Cancelled&) {
      emit("cancelled", job.id, nlohmann::json::object());
    } catch (const Error& e) {
      emit("error", job.id, {{"message", e.what()}});
    } catch (const std::exception& e) {
      std::string msg = e.what();
      emit("error", job.id, {{"message", "internal error: " + msg.substr(0, msg.find('\n'))}});
    } catch (...) {
      emit("error", job.id, {{"message", "internal error (unknown exception)"}});
    }
  }

  void runDispatcher() {
    std::unique_lock<std::mutex> lock(m);
    dispatcherThread = std::this_thread::get_id();
    while (true) {
      bool delivered = false;
      for (auto& [handle, l] : listeners) {
        if (l.next > seq) continue;
        if (log.empty()) {
          l.next = seq + 1;
          continue;
        }
        if (l.next < log.front()->seq) l.next = log.front()->seq;  // trimmed: nothing older to replay
        const auto event = log[l.next - log.front()->seq];
        ++l.next;
        const auto fn = l.fn;
        delivering = handle;
        lock.unlock();
        try {
          fn(*event);
        } catch (...) {  // a listener's failure is its own; the engine keeps delivering to the others
        }
        lock.lock();
        delivering = 0;
        deliveredCv.notify_all();
        delivered = true;
        break;  // the map may have changed while unlocked
      }
      if (delivered) continue;
      if (workerDone) break;
      dispatchCv.wait(lock);
    }
  }
};

JobQueue::JobQueue() : impl_(std::make_unique<Impl>()) {
  for (auto& lane : impl_->lanes) lane.worker = std::thread([this, &lane] { impl_->runWorker(lane); });
  impl_->dispatcher = std::thread([this] { impl_->runDispatcher(); });
}

JobQueue::~JobQueue() {
  {
    std::lock_guard<std::mutex> lock(impl_->m);
    impl_->stopping = true;
    impl_->cancelEverything();
    impl_->workCv.notify_all();
  }
  for (auto& lane : impl_->lanes) lane.worker.join();
  {
    std::lock_guard<std::mutex> lock(impl_->m);
    impl_->workerDone = true;  // no event can follow: the dispatcher ends once it has delivered the log
    impl_->dispatchCv.notify_all();
  }
  impl_->dispatcher.join();
}

void JobQueue::submit(uint64_t id, const nlohmann::json& request) {
  std::lock_guard<std::mutex> lock(impl_->m);
  if (id == 0) {
    impl_->append("error", 0, {{"message", "request without a job id (ids start at 1)"}});
    return;
  }
  if (!impl_->usedIds.insert(id).second) {
    impl_->append("error", id, {{"message", "job id " + std::to_string(id) + " is already in use"}});
    return;
  }
  try {
    checkRequest(request);
  } catch (const Error& e) {
    impl_->append("error", id, {{"message", e.what()}});
    return;
  }
  auto& lane = impl_->lanes[Impl::isQuick(request) ? 1 : 0];
  lane.queued.push_back({id, request});
  impl_->append("accepted", id,
                {{"type", request["type"]}, {"queued", lane.queued.size() - 1 + (lane.runningId ? 1 : 0)}});
  impl_->workCv.notify_all();
}

void JobQueue::cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(impl_->m);
  for (auto& lane : impl_->lanes) {
    if (lane.runningId == id && lane.runningCancel) {
      lane.runningCancel->cancel();
      return;
    }
    for (auto it = lane.queued.begin(); it != lane.queued.end(); ++it)
      if (it->id == id) {
        lane.queued.erase(it);
        impl_->append("cancelled", id, nlohmann::json::object());
        impl_->idleCv.notify_all();
        return;
      }
  }
}

void JobQueue::cancelAll() {
  std::lock_guard<std::mutex> lock(impl_->m);
  impl_->cancelEverything();
}

bool JobQueue::waitIdle(int timeoutMs) {
  std::unique_lock<std::mutex> lock(impl_->m);
  return impl_->idleCv.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return impl_->idle(); });
}

void JobQueue::post(const std::string& type, const nlohmann::json& body) { impl_->emit(type, 0, body); }

uint64_t JobQueue::listen(std::function<void(const Event&)> listener, uint64_t afterSeq) {
  std::lock_guard<std::mutex> lock(impl_->m);
  const uint64_t handle = impl_->nextHandle++;
  impl_->listeners[handle] = {std::move(listener), afterSeq + 1};
  impl_->dispatchCv.notify_all();
  return handle;
}

void JobQueue::unlisten(uint64_t handle) {
  std::unique_lock<std::mutex> lock(impl_->m);
  impl_->listeners.erase(handle);
  if (std::this_thread::get_id() == impl_->dispatcherThread) return;
  impl_->deliveredCv.wait(lock, [&] { return impl_->delivering != handle; });
}

uint64_t JobQueue::lastSeq() const {
  std::lock_guard<std::mutex> lock(impl_->m);
  return impl_->seq;
}

bool JobQueue::busy() const {
  std::lock_guard<std::mutex> lock(impl_->m);
  return !impl_->idle();
}

}  // namespace srdd::engine
