#pragma once
// Shared by the engine tests (in-process, serve, ssh, daemon): small and long scan requests of the demo
// model, and a thread-safe collector of one job's events. Torch-free.
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "srdd/engine.h"
#include "srdd/scan_job.h"
#include "test_support.h"

namespace engine_test {

constexpr const char* kTimestamp = "2026-01-01T00:00:00Z";

// A scan of the demo model that takes a second or two: SCANS over the 5-prompt built-in set, 16 tokens.
inline nlohmann::json smallScan(const std::vector<std::string>& scans = {"gain", "kurtosis"}) {
  srdd::ScanRequest r;
  r.modelDir = srdd_test::demoModelDir().toStdString();
  r.scans = scans;
  r.prompts = "builtin:srdd";
  r.maxTokens = 16;
  r.createdUtc = kTimestamp;
  return {{"type", "scan"}, {"request", r.toJson()}};
}

// A scan long enough to be cancelled in the middle (every scan, many trials).
inline nlohmann::json longScan() {
  nlohmann::json r = smallScan();
  r["request"]["scans"] = srdd::scanNames();
  r["request"]["trials"] = 50;
  r["request"]["max_tokens"] = 64;
  return r;
}

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every event of one job, collected from the engine's thread.
struct Collector {
  std::mutex m;
  std::condition_variable cv;
  std::vector<srdd::engine::Event> events;
  srdd::engine::EventHandler handler() {
    return [this](const srdd::engine::Event& e) {
      std::lock_guard<std::mutex> lock(m);
      events.push_back(e);
      cv.notify_all();
    };
  }
  // Waits (up to `ms`) until pred holds for the events so far.
  bool waitFor(const std::function<bool(const std::vector<srdd::engine::Event>&)>& pred, int ms = 120000) {
    std::unique_lock<std::mutex> lock(m);
    return cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return pred(events); });
  }
  bool waitFinal(int ms = 120000) {
    return waitFor([](const auto& ev) { return !ev.empty() && ev.back().isFinal(); }, ms);
  }
  std::vector<srdd::engine::Event> snapshot() {
    std::lock_guard<std::mutex> lock(m);
    return events;
  }
  srdd::engine::Event last() {
    std::lock_guard<std::mutex> lock(m);
    return events.back();
  }
};

inline bool hasLayerProgress(const std::vector<srdd::engine::Event>& ev) {
  for (const auto& e : ev)
    if (e.type == "progress" && e.body.value("layer", -1) >= 0) return true;
  return false;
}

// Starts a long scan on ENGINE, cancels it once layer progress arrives, and checks that the job ends
// "cancelled" within a second and the engine still answers. Returns what failed, or "" when all held.
inline std::string cancelWithinASecond(srdd::engine::Engine& engine) {
  Collector c;
  const uint64_t id = engine.submit(longScan(), c.handler());
  if (!c.waitFor(hasLayerProgress)) return "no layer progress before the cancel";
  const auto start = std::chrono::steady_clock::now();
  engine.cancel(id);
  if (!c.waitFinal(5000)) return "no final event within 5 s of the cancel";
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (c.last().type != "cancelled") return "final event is '" + c.last().type + "', not 'cancelled'";
  if (seconds >= 1.0) return "cancel took " + std::to_string(seconds) + " s";
  if (srdd::engine::runJob(engine, {{"type", "hf_cache"}}).type != "result") return "engine unusable after the cancel";
  return "";
}

}  // namespace engine_test
