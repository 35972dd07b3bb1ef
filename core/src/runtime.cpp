#include "srdd/runtime.h"

#include <ATen/Parallel.h>
#include <ATen/Context.h>

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>

#include "srdd/error.h"

namespace srdd {

namespace {
int positiveEnv(const char* name) {
  const char* s = std::getenv(name);
  if (!s || !*s) return 0;
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  return (*end == '\0' && v > 0 && v < 100000) ? static_cast<int>(v) : 0;
}
}  // namespace

int affinityCpuCount() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

ThreadChoice defaultThreadCount() {
  for (const char* name : {"SRDD_THREADS", "OMP_NUM_THREADS", "SLURM_CPUS_PER_TASK"})
    if (int n = positiveEnv(name)) return {n, name};
  return {affinityCpuCount(), "cpu affinity"};
}

bool passiveWaitingHelps(int threads, double loadAverage, int cpus) {
  // On an idle machine spinning is what makes short parallel regions fast (demo scan, 16 idle cores: 3.4-3.7 s
  // spinning, 5.9-6.2 s passive), so passive waiting is chosen only when other work already occupies cores.
  return threads >= 2 && loadAverage >= 0.5 * cpus;
}

void preferPassiveOpenMpWaiting(char** argv) {
  double load = 0;
  if (std::getenv("OMP_WAIT_POLICY") || getloadavg(&load, 1) != 1 ||
      !passiveWaitingHelps(defaultThreadCount().threads, load, affinityCpuCount()))
    return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", argv);  // only returns on failure: then run on as we are
}

void initRuntime() {
  static std::once_flag once;
  std::call_once(once, [] { at::set_num_threads(defaultThreadCount().threads); });
}

std::string normalizeDeviceName(const std::string& name) {
  if (name == "cpu") return "cpu";
  if (name == "auto") return at::hasCUDA() ? "cuda:0" : "cpu";
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!at::hasCUDA())
      throw Error("device '" + name +
                  "' requested, but this build of LibTorch has no CUDA support or no GPU is visible");
    return name == "cuda" ? "cuda:0" : name;
  }
  throw Error("unknown device '" + name + "' (expected cpu, cuda, cuda:N or auto)");
}

std::string utcTimestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace srdd
