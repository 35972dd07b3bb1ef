// The handshake body: what this engine is and what it can run on. The GPU names and memory come from
// the CUDA runtime API, so only CUDA builds include its header.
#include <unistd.h>

#include <ATen/Context.h>

#include <fstream>
#include <string>

#include "engine_requests.h"
#include "srdd/engine.h"
#include "srdd/version.h"

#ifdef SRDD_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace srdd::engine {

namespace {

std::string hostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string cpuModelName() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      std::string name = line.substr(line.find(':') + 1);
      return name.substr(name.find_first_not_of(' '));
    }
  return "CPU";
}

int64_t physicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<int64_t>(pages) * size : 0;
}

}  // namespace

nlohmann::json localHello() {
  nlohmann::json devices = nlohmann::json::array();
  devices.push_back({{"device", "cpu"}, {"name", cpuModelName()}, {"memory_bytes", physicalMemoryBytes()}});
#ifdef SRDD_HAVE_CUDA
  if (at::hasCUDA())
    for (int i = 0; i < static_cast<int>(at::getNumGPUs()); ++i) {
      cudaDeviceProp p{};
      if (cudaGetDeviceProperties(&p, i) != cudaSuccess) continue;
      devices.push_back({{"device", "cuda:" + std::to_string(i)},
                         {"name", std::string(p.name)},
                         {"memory_bytes", static_cast<int64_t>(p.totalGlobalMem)}});
    }
#endif
#ifdef SRDD_HAVE_CUDA
  const bool cudaKernels = true;
#else
  const bool cudaKernels = false;
#endif
  return {{"engine_version", versionString()},
          {"commit", gitCommit()},
          {"protocol_version", kProtocolVersion},
          {"torch_version", torchVersionString()},
          {"cuda_kernels", cudaKernels},
          {"devices", devices},
          {"hostname", hostName()},
          {"pid", static_cast<int64_t>(getpid())}};
}

}  // namespace srdd::engine
