#include "srdd/runtime.h"

#include <ATen/Parallel.h>
#include <ATen/Context.h>

#include <dlfcn.h>
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

// OpenBLAS (Debian's LibTorch computes fp32 GEMMs with it) splits a product differently with another thread count,
// which changes the last bits of the result: a demo scan with OPENBLAS_NUM_THREADS=1 and =2 differed in its
// end-to-end KL. One OpenBLAS thread keeps results byte-identical for every SRDD_THREADS (the engine's own threads
// still run LibTorch's element-wise kernels); it cost 13 % of a default demo scan on 2 cores (10.0 s -> 11.3 s).
static void useOneBlasThread() {
  using SetThreads = void (*)(int);
  void* set = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  // In a process that loaded us locally (the Python module) LibTorch's BLAS is not in the global scope.
  for (const char* lib : {"libblas.so.3", "libopenblas.so.0"}) {
    if (set) break;
    if (void* handle = dlopen(lib, RTLD_NOW | RTLD_NOLOAD)) set = dlsym(handle, "openblas_set_num_threads");
  }
  if (set) reinterpret_cast<SetThreads>(set)(1);
}

void initRuntime() {
  static std::once_flag once;
  std::call_once(once, [] {
    useOneBlasThread();
    at::set_num_threads(defaultThreadCount().threads);
  });
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
