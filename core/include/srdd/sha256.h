#pragma once
// SHA-256 (FIPS 180-4) for provenance digests. Torch-free.
#include <string>

namespace srdd {
std::string sha256Hex(const std::string& bytes);
std::string sha256File(const std::string& path);  // srdd::Error naming the file when unreadable
}  // namespace srdd
