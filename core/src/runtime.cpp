#include "srdd/runtime.h"

#include <ATen/Parallel.h>
#include <ATen/Context.h>

#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>

#include "srdd/error.h"

namespace srdd {

void initRuntime() {
  static std::once_flag once;
  std::call_once(once, [] {
    int threads = 0;
    if (const char* s = std::getenv("SRDD_THREADS")) threads = std::atoi(s);
    if (threads <= 0 && std::getenv("OMP_NUM_THREADS") == nullptr) threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads > 0) at::set_num_threads(threads);
  });
}

std::string normalizeDeviceName(const std::string& name) {
  if (name == "cpu") return "cpu";
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!at::hasCUDA()) throw Error("device '" + name + "' requested, but this build of LibTorch has no CUDA support or no GPU is visible");
    return name == "cuda" ? "cuda:0" : name;
  }
  throw Error("unknown device '" + name + "' (expected cpu, cuda or cuda:N)");
}

std::string defaultModelDirectory() {
  if (const char* s = std::getenv("SRDD_DEMO_MODEL"); s && *s) return s;
  return std::string(SRDD_SOURCE_DIR) + "/resources/demo-model";
}

std::string sourceDirectory() { return SRDD_SOURCE_DIR; }

std::string utcTimestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace srdd
