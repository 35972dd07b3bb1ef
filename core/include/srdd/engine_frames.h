#pragma once
// The engine protocol's frames (docs/engine-protocol.md): a 16-byte prefix (magic "SRDF", header length
// as u32 big-endian, payload length as u64 big-endian), a UTF-8 JSON object (the control header), then
// the optional binary payload. Sizes are checked against hard caps before any byte is buffered for them.
// Torch-free and Qt-free.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "srdd/engine.h"

namespace srdd::engine {

constexpr size_t kFramePrefixBytes = 16;
constexpr char kFrameMagic[4] = {'S', 'R', 'D', 'F'};

struct FrameLimits {
  uint32_t maxHeaderBytes = 16u << 20;    // 16 MiB of JSON
  uint64_t maxPayloadBytes = 1ull << 30;  // 1 GiB
  int maxJsonDepth = 64;                  // nesting of the control header
};

struct Frame {
  nlohmann::json header;  // always an object
  std::string payload;
};

// srdd::Error when the header is not an object or a part exceeds the limits.
std::string encodeFrame(const Frame& frame, const FrameLimits& limits = {});

// Splits a byte stream into frames, whatever the chunking. Malformed input (bad magic, a length over
// the caps, a header that is not a JSON object within the depth limit) is an srdd::Error that names the
// fault; after one the stream cannot be resynchronized and every later call repeats the error.
class FrameDecoder {
 public:
  explicit FrameDecoder(FrameLimits limits = {});
  void feed(const char* data, size_t size);
  void feed(const std::string& bytes) { feed(bytes.data(), bytes.size()); }
  std::optional<Frame> next();  // the next complete frame; nothing while more bytes are needed
  // At the end of the stream: srdd::Error ("truncated frame ...") when a frame is incomplete.
  void finish() const;
  size_t bufferedBytes() const { return buffer_.size() - start_; }

 private:
  [[noreturn]] void fail(const std::string& message);
  FrameLimits limits_;
  std::string buffer_;
  size_t start_ = 0;
  std::string error_;
};

// Whether j is an integer >= 0 (a job id, a seq): parsed JSON makes these unsigned, built JSON signed.
inline bool isNonNegativeInteger(const nlohmann::json& j) {
  return j.is_number_unsigned() || (j.is_number_integer() && j.get<int64_t>() >= 0);
}

// Events on the wire: header {type, job, seq, body} plus the event's payload. A body larger than 64 KiB
// travels as JSON text in the payload instead ("body_in_payload": true), keeping headers small.
Frame eventToFrame(const Event& event);
Event eventFromFrame(const Frame& frame);  // srdd::Error for a frame that is not an event

}  // namespace srdd::engine
