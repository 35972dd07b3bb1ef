#pragma once
#include <string>

namespace srdd {
// The engine's default thread count and where it came from: SRDD_THREADS, else OMP_NUM_THREADS, else
// SLURM_CPUS_PER_TASK, else the CPUs this process may run on (sched_getaffinity, so `taskset` and cgroup
// cpusets are honoured; hardware_concurrency would count the whole node).
struct ThreadChoice {
  int threads = 1;
  std::string source;  // "SRDD_THREADS", "OMP_NUM_THREADS", "SLURM_CPUS_PER_TASK" or "cpu affinity"
};
ThreadChoice defaultThreadCount();
int affinityCpuCount();
// Sets LibTorch's intra-op thread count to defaultThreadCount(). Safe to call more than once.
void initRuntime();
// Call first in main(). LibTorch's OpenMP threads spin while they wait for work, which on a busy machine takes
// the cores from the thread that has work: a 2-thread CPU scan of the demo model took 45-49 s against 16-20 s
// with one thread (2 cores, load 18). OpenMP reads OMP_WAIT_POLICY only when it is loaded, before main, so
// when more than one thread will run, the machine is busy (1-minute load average at least half the usable
// CPUs) and the user has not chosen a policy, this re-executes the program once with OMP_WAIT_POLICY=PASSIVE
// (then 14-16 s). Returns normally when nothing is to be done or exec fails.
void preferPassiveOpenMpWaiting(char** argv);
// The rule it applies: several threads, and a 1-minute load average of at least half the usable CPUs.
bool passiveWaitingHelps(int threads, double loadAverage, int cpus);
// Parses "cpu", "cuda", "cuda:N" and "auto" (cuda:0 when a GPU is visible, else cpu); throws srdd::Error naming the
// value when unknown or unavailable. Returned as a string-free description for headers that must stay torch-free.
std::string normalizeDeviceName(const std::string& name);
// The bundled demo model: $SRDD_DEMO_MODEL if set, else share/srdd/demo-model of the installation this
// program runs from (found from its own path, so an unpacked package works anywhere), else
// resources/demo-model of the source tree it was built from. (data_paths.cpp, torch-free)
std::string defaultModelDirectory();
// This program's own path (from /proc/self/exe); empty when it cannot be read. (data_paths.cpp)
std::string executablePath();
// The source tree this binary was built from (what `srdd engine install` copies to a GPU host).
std::string sourceDirectory();
// The current UTC time as "2026-11-25T22:20:25Z" (provenance timestamps).
std::string utcTimestamp();
}  // namespace srdd
