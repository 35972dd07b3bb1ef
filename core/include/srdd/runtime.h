#pragma once
#include <string>

namespace srdd {
// Sets LibTorch's intra-op thread count to the machine's cores (LibTorch defaults to 1 on some
// hosts) unless OMP_NUM_THREADS or SRDD_THREADS says otherwise. Safe to call more than once.
void initRuntime();
// Parses "cpu", "cuda", "cuda:N"; throws srdd::Error naming the value when unknown or unavailable.
// Returned as a string-free description for headers that must stay torch-free.
std::string normalizeDeviceName(const std::string& name);
// The bundled demo model: $SRDD_DEMO_MODEL if set, else resources/demo-model of the source tree.
std::string defaultModelDirectory();
// The source tree this binary was built from (what `srdd engine install` copies to a GPU host).
std::string sourceDirectory();
// The current UTC time as "2026-11-25T22:20:25Z" (provenance timestamps).
std::string utcTimestamp();
}  // namespace srdd
