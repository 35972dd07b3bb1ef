#include "srdd/version.h"

#include <torch/version.h>

namespace srdd {
std::string versionString() { return SRDD_VERSION; }
std::string gitCommit() { return SRDD_GIT_COMMIT; }
std::string torchVersionString() {
  std::string v = TORCH_VERSION;
#ifdef SRDD_HAVE_CUDA
  v += " (CUDA kernels compiled)";
#endif
  return v;
}
std::string buildDescription() {
  return "srdd " + versionString() + " (commit " + gitCommit() + ", LibTorch " + torchVersionString() + ")";
}
}  // namespace srdd
