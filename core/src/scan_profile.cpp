// Device synchronization and per-stage wall times for `--profile` and the benchmarks.
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "srdd/scan.h"

namespace srdd {

namespace {
double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

void synchronizeDevice(const at::Device& device) {
  // Reading back a value queued behind all earlier work waits for it (the current stream).
  if (!device.is_cpu()) at::zeros({1}, at::TensorOptions().device(device)).item<float>();
}

void StageProfiler::begin(const std::string& stage) {
  if (!enabled_) return;
  end();
  stage_ = stage;
  start_ = nowSeconds();
}

void StageProfiler::end() {
  if (!enabled_ || stage_.empty()) return;
  synchronizeDevice(device_);
  const double dt = nowSeconds() - start_;
  auto it = std::find_if(totals_.begin(), totals_.end(), [&](const auto& p) { return p.first == stage_; });
  if (it == totals_.end())
    totals_.emplace_back(stage_, dt);
  else
    it->second += dt;
  stage_.clear();
}

std::string formatStageTimes(const std::vector<std::pair<std::string, double>>& times) {
  std::string out;
  double total = 0;
  char line[256];
  for (const auto& [name, secs] : times) {
    std::snprintf(line, sizeof line, "  %-40s %9.3f s\n", name.c_str(), secs);
    out += line;
    total += secs;
  }
  std::snprintf(line, sizeof line, "  %-40s %9.3f s\n", "total", total);
  return out + line;
}

}  // namespace srdd
