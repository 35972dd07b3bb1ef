// Peak CUDA memory for the AQN benchmark. The only engine file that includes c10/cuda headers, and
// only in CUDA builds (SRDD_HAVE_CUDA); elsewhere it reports -1.
#include "srdd/aqn.h"

#ifdef SRDD_HAVE_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace srdd::aqn {

int64_t cudaPeakMemoryBytes(int deviceIndex) {
#ifdef SRDD_HAVE_CUDA
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(deviceIndex));
  return stats.allocated_bytes[0].peak;  // index 0: StatType::AGGREGATE (all pools)
#else
  (void)deviceIndex;
  return -1;
#endif
}

void cudaResetPeakMemory(int deviceIndex) {
#ifdef SRDD_HAVE_CUDA
  c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(deviceIndex));
#else
  (void)deviceIndex;
#endif
}

}  // namespace srdd::aqn
