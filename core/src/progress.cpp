#include "srdd/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace srdd {

ProgressTracker::ProgressTracker(ProgressCallback callback, const CancelToken* cancel, long totalSteps, int numLayers)
    : callback_(std::move(callback)),
      cancel_(cancel),
      total_(totalSteps),
      numLayers_(numLayers),
      start_(std::chrono::steady_clock::now()) {}

void ProgressTracker::checkCancelled() const {
  if (cancel_) cancel_->throwIfCancelled();
}

double ProgressTracker::elapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressTracker::begin(const std::string& stage, int layer) {
  checkCancelled();
  stage_ = stage;
  layer_ = layer;
  report();
}

void ProgressTracker::done() {
  ++step_;
  checkCancelled();
}

void ProgressTracker::report() {
  if (!callback_) return;
  ProgressInfo p;
  p.stage = stage_;
  p.layer = layer_;
  p.numLayers = numLayers_;
  p.step = step_;
  p.totalSteps = total_;
  p.fraction = total_ > 0 ? std::min(1.0, static_cast<double>(step_) / static_cast<double>(total_)) : 0.0;
  p.elapsedS = elapsedSeconds();
  p.etaS = step_ > 0 ? p.elapsedS / static_cast<double>(step_) * static_cast<double>(std::max(0L, total_ - step_)) : -1;
  callback_(p);
}

std::string formatSeconds(double seconds) {
  if (seconds < 0 || !std::isfinite(seconds)) return "?";
  char buf[32];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", seconds);
  } else {
    const long s = std::lround(seconds);
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  }
  return buf;
}

}  // namespace srdd
