// What every front end shares on top of an Engine: choosing one from a spec, running a job to its end,
// and the progress event's fields.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "srdd/engine.h"
#include "srdd/error.h"

namespace srdd::engine {

nlohmann::json progressToJson(const ProgressInfo& p) {
  return {{"stage", p.stage},
          {"layer", p.layer},
          {"num_layers", p.numLayers},
          {"step", p.step},
          {"total_steps", p.totalSteps},
          {"fraction", p.fraction},
          {"elapsed_s", p.elapsedS},
          {"eta_s", p.etaS}};
}

ProgressInfo progressFromJson(const nlohmann::json& body) {
  ProgressInfo p;
  p.stage = body.value("stage", "");
  p.layer = body.value("layer", -1);
  p.numLayers = body.value("num_layers", 0);
  p.step = body.value("step", 0L);
  p.totalSteps = body.value("total_steps", 0L);
  p.fraction = body.value("fraction", 0.0);
  p.elapsedS = body.value("elapsed_s", 0.0);
  p.etaS = body.value("eta_s", -1.0);
  return p;
}

Event runJob(Engine& engine, const nlohmann::json& request, const EventHandler& onEvent, const CancelToken* cancel) {
  struct Inbox {
    std::mutex m;
    std::condition_variable cv;
    std::deque<Event> events;
  };
  auto inbox = std::make_shared<Inbox>();  // outlives this call if the engine delivers late
  const uint64_t id = engine.submit(request, [inbox](const Event& e) {
    std::lock_guard<std::mutex> lock(inbox->m);
    inbox->events.push_back(e);
    inbox->cv.notify_all();
  });
  bool cancelSent = false;
  while (true) {
    if (cancel && cancel->cancelled() && !cancelSent) {
      engine.cancel(id);
      cancelSent = true;
    }
    Event e;
    {
      std::unique_lock<std::mutex> lock(inbox->m);
      if (!inbox->cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return !inbox->events.empty(); })) continue;
      e = std::move(inbox->events.front());
      inbox->events.pop_front();
    }
    if (!e.isFinal()) {
      if (onEvent) onEvent(e);
      continue;
    }
    if (e.type == "cancelled") throw Cancelled();
    if (e.type == "error") {
      const auto m = e.body.find("message");
      throw Error(m != e.body.end() && m->is_string() ? m->get<std::string>()
                                                      : "the engine reported an error: " + e.body.dump());
    }
    return e;
  }
}

std::unique_ptr<Engine> makeEngine(const std::string& spec) {
  if (spec.empty() || spec == "in-process") return makeInProcessEngine();
  const auto argv = splitCommandLine(spec);
  if (argv.empty()) return makeInProcessEngine();
  return makeProcessEngine(argv);
}

}  // namespace srdd::engine
