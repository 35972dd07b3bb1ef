#pragma once
#include <string>

namespace srdd {
std::string versionString();       // e.g. "0.1.0"
std::string gitCommit();           // short hash the build was made from, or "unknown"
std::string torchVersionString();  // LibTorch version, plus CUDA version when compiled with it
std::string buildDescription();    // one line: version, commit, LibTorch, CUDA
}  // namespace srdd
