#pragma once
// Progress reporting (stage, layer, ETA) and cooperative cancellation for long engine jobs. Torch-free.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "srdd/error.h"

namespace srdd {

// Thrown by a job whose CancelToken was set. A cancelled job writes no result file.
class Cancelled : public Error {
 public:
  Cancelled() : Error("cancelled") {}
};

// Set from any thread; the job checks it between layers and trials.
class CancelToken {
 public:
  void cancel() { flag_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_.load(std::memory_order_relaxed); }
  void throwIfCancelled() const {
    if (cancelled()) throw Cancelled();
  }

 private:
  std::atomic<bool> flag_{false};
};

struct ProgressInfo {
  std::string stage;  // e.g. "gain (quantized)"
  int layer = -1;     // decoder layer being processed, -1 when not per layer
  int numLayers = 0;
  long step = 0;  // completed work units
  long totalSteps = 0;
  double fraction = 0;  // step / totalSteps
  double elapsedS = 0;
  double etaS = -1;  // remaining seconds estimated from the average unit so far; -1 before the first
};
using ProgressCallback = std::function<void(const ProgressInfo&)>;

// Counts work units, reports each to the callback with an ETA, and checks the cancel token.
class ProgressTracker {
 public:
  ProgressTracker(ProgressCallback callback, const CancelToken* cancel, long totalSteps, int numLayers);
  void setTotal(long totalSteps) { total_ = totalSteps; }
  // Checks cancellation (throws Cancelled), then reports that a unit of `stage` at `layer` begins.
  void begin(const std::string& stage, int layer = -1);
  // Marks one unit done (and checks cancellation).
  void done();
  void checkCancelled() const;
  double elapsedSeconds() const;

 private:
  void report();
  ProgressCallback callback_;
  const CancelToken* cancel_;
  long total_, step_ = 0;
  int numLayers_;
  std::string stage_;
  int layer_ = -1;
  std::chrono::steady_clock::time_point start_;
};

// "1m05s"-style text for an ETA in seconds (negative: "?").
std::string formatSeconds(double seconds);

}  // namespace srdd
