// The in-process engine: the job queue in this process, its events routed to each job's handler.
#include <map>
#include <mutex>

#include "engine_queue.h"
#include "engine_requests.h"
#include "srdd/engine.h"
#include "srdd/error.h"

namespace srdd::engine {

namespace {

class InProcessEngine : public Engine {
 public:
  InProcessEngine() {
    queue_.listen([this](const Event& e) { route(e); });
  }
  nlohmann::json hello() override {
    auto h = localHello();
    h["engine"] = describe();
    return h;
  }

  uint64_t submit(const nlohmann::json& request, EventHandler handler) override {
    uint64_t id;
    {
      std::lock_guard<std::mutex> lock(m_);
      id = nextId_++;
      handlers_[id] = std::move(handler);
    }
    queue_.submit(id, request);
    return id;
  }

  void cancel(uint64_t job) override { queue_.cancel(job); }

  std::string describe() const override { return "in-process"; }

 private:
  void route(const Event& e) {
    EventHandler handler;
    {
      std::lock_guard<std::mutex> lock(m_);
      const auto it = handlers_.find(e.job);
      if (it == handlers_.end()) return;
      handler = it->second;
      if (e.isFinal()) handlers_.erase(it);
    }
    if (handler) handler(e);
  }

  std::mutex m_;
  std::map<uint64_t, EventHandler> handlers_;
  uint64_t nextId_ = 1;
  // Last, so it is destroyed first: its destructor ends the jobs and delivers their final events
  // through route() while the handlers still exist.
  JobQueue queue_;
};

}  // namespace

std::unique_ptr<Engine> makeInProcessEngine() { return std::make_unique<InProcessEngine>(); }

}  // namespace srdd::engine
