#pragma once
// Helpers shared by the checkpoint-layer tests (test_safetensors, test_checkpoint, test_ckpt_cli).
#include <cstdint>
#include <fstream>
#include <functional>
#include <string>

#include "srdd/error.h"

namespace ckpt_test {

inline void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A safetensors file with exactly this header text (no padding added) and data area.
inline std::string safetensorsBytes(const std::string& header, const std::string& data, uint64_t headerLength) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((headerLength >> (8 * i)) & 0xff);
  return out + header + data;
}
inline std::string safetensorsBytes(const std::string& header, const std::string& data) {
  return safetensorsBytes(header, data, header.size());
}

// The srdd::Error message `f` throws, or "" if it throws nothing.
inline std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const srdd::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace ckpt_test

// Asserts that `expr` throws srdd::Error with a one-line message naming `file` and containing `fault`.
#define EXPECT_SRDD_ERROR(expr, file, fault)                                                                \
  do {                                                                                                      \
    const std::string m_ = ckpt_test::errorOf([&] { (void)(expr); });                                       \
    QVERIFY2(!m_.empty(), "expected srdd::Error, nothing was thrown: " #expr);                              \
    QVERIFY2(m_.find(std::string(file)) != std::string::npos, ("message lacks the file: " + m_).c_str());   \
    QVERIFY2(m_.find(std::string(fault)) != std::string::npos, ("message lacks the fault: " + m_).c_str()); \
    QVERIFY2(m_.find('\n') == std::string::npos, ("message is not one line: " + m_).c_str());               \
  } while (0)
