#pragma once
// Making the bad-input catalogue's files (docs/reliability.md): byte-level edits of a copy of the demo
// model's safetensors and JSON files. Shared by the CLI catalogue (tests/core/test_bad_input_catalogue.cpp)
// and the GUI's (tests/gui/test_bad_input_gui.cpp). Torch-free: nlohmann/json and the standard library.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace bad_input {

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
inline void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// model.safetensors split into its JSON header and data area, and written back (header padded to 8 bytes).
struct Safetensors {
  nlohmann::json header;
  std::string data;
  static Safetensors read(const std::string& path) {
    const std::string b = readFile(path);
    uint64_t n = 0;
    std::memcpy(&n, b.data(), 8);
    return {nlohmann::json::parse(b.substr(8, n)), b.substr(8 + n)};
  }
  void write(const std::string& path) const {
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' ');
    uint64_t n = h.size();
    writeFile(path, std::string(reinterpret_cast<const char*>(&n), 8) + h + data);
  }
};

inline void editHeader(const std::string& model, const std::function<void(nlohmann::json&)>& edit) {
  auto st = Safetensors::read(model + "/model.safetensors");
  edit(st.header);
  st.write(model + "/model.safetensors");
}
inline void editJson(const std::string& path, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = nlohmann::json::parse(readFile(path));
  edit(j);
  writeFile(path, j.dump(1));
}
// Keeps the first SIZE bytes (SIZE < 0: drops the last -SIZE bytes).
inline void truncateTo(const std::string& path, int64_t size) {
  const std::string b = readFile(path);
  writeFile(path, b.substr(0, size < 0 ? b.size() + size : size));
}
// Overwrites the 8-byte header length with N.
inline void setHeaderLength(const std::string& path, uint64_t n) {
  std::string b = readFile(path);
  std::memcpy(&b[0], &n, 8);
  writeFile(path, b);
}
// Overwrites one bf16 element of a tensor with the given bit pattern (0x7fc0 = NaN, 0x7f80 = +Inf).
inline void setBf16(const std::string& model, const std::string& tensor, int64_t index, uint16_t bits) {
  auto st = Safetensors::read(model + "/model.safetensors");
  const int64_t at = st.header[tensor]["data_offsets"][0].get<int64_t>() + 2 * index;
  std::memcpy(&st.data[at], &bits, 2);
  st.write(model + "/model.safetensors");
}

}  // namespace bad_input
