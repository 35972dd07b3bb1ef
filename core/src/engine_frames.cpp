#include "srdd/engine_frames.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "json_depth.h"
#include "srdd/error.h"

namespace srdd::engine {

namespace {

constexpr size_t kInlineBodyBytes = 64 * 1024;

void putBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t getBigEndian(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// The first bytes of unexpected input, printable, for the error message (e.g. a shell's banner).
std::string preview(const char* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n && i < 40; ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c >= 32 && c < 127) {
      s.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      s += hex;
    }
  }
  return s;
}

}  // namespace

std::string encodeFrame(const Frame& frame, const FrameLimits& limits) {
  if (!frame.header.is_object()) throw Error("frame header must be a JSON object");
  const std::string header = frame.header.dump();
  if (header.size() > limits.maxHeaderBytes)
    throw Error("frame header of " + std::to_string(header.size()) + " bytes exceeds the limit of " +
                std::to_string(limits.maxHeaderBytes));
  if (frame.payload.size() > limits.maxPayloadBytes)
    throw Error("frame payload of " + std::to_string(frame.payload.size()) + " bytes exceeds the limit of " +
                std::to_string(limits.maxPayloadBytes));
  std::string out(kFrameMagic, sizeof kFrameMagic);
  putBigEndian(out, header.size(), 4);
  putBigEndian(out, frame.payload.size(), 8);
  out.reserve(out.size() + header.size() + frame.payload.size());
  out += header;
  out += frame.payload;
  return out;
}

FrameDecoder::FrameDecoder(FrameLimits limits) : limits_(limits) {}

void FrameDecoder::fail(const std::string& message) {
  error_ = message;
  buffer_.clear();
  start_ = 0;
  throw Error(error_);
}

void FrameDecoder::feed(const char* data, size_t size) {
  if (!error_.empty()) throw Error(error_);
  if (start_ > 0 && start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  buffer_.append(data, size);
}

std::optional<Frame> FrameDecoder::next() {
  if (!error_.empty()) throw Error(error_);
  const size_t available = buffer_.size() - start_;
  const char* p = buffer_.data() + start_;
  // Check each prefix field as soon as its bytes are here, so bad input fails early.
  const size_t magicBytes = std::min(available, sizeof kFrameMagic);
  if (std::memcmp(p, kFrameMagic, magicBytes) != 0)
    fail("malformed frame: bad magic (not the engine protocol): '" + preview(p, available) + "'");
  if (available < kFramePrefixBytes) return std::nullopt;
  const uint64_t headerBytes = getBigEndian(p + 4, 4), payloadBytes = getBigEndian(p + 8, 8);
  if (headerBytes == 0) fail("malformed frame: empty header");
  if (headerBytes > limits_.maxHeaderBytes)
    fail("oversize frame: header of " + std::to_string(headerBytes) + " bytes exceeds the limit of " +
         std::to_string(limits_.maxHeaderBytes));
  if (payloadBytes > limits_.maxPayloadBytes)
    fail("oversize frame: payload of " + std::to_string(payloadBytes) + " bytes exceeds the limit of " +
         std::to_string(limits_.maxPayloadBytes));
  if (available - kFramePrefixBytes < headerBytes + payloadBytes) return std::nullopt;
  const char* h = p + kFramePrefixBytes;
  // Checked before parsing, so that a header of a million '[' cannot exhaust anything.
  if (jsonNestsDeeperThan(h, headerBytes, limits_.maxJsonDepth))
    fail("malformed frame: header nests deeper than " + std::to_string(limits_.maxJsonDepth) + " levels");
  Frame frame;
  frame.header = nlohmann::json::parse(h, h + headerBytes, nullptr, false);
  if (frame.header.is_discarded()) fail("malformed frame: header is not valid JSON");
  if (!frame.header.is_object()) fail("malformed frame: header is not a JSON object");
  frame.payload.assign(h + headerBytes, payloadBytes);
  start_ += kFramePrefixBytes + headerBytes + payloadBytes;
  if (start_ > (1u << 20) && start_ * 2 > buffer_.size()) {  // keep the buffer from growing without bound
    buffer_.erase(0, start_);
    start_ = 0;
  }
  return frame;
}

void FrameDecoder::finish() const {
  if (!error_.empty()) throw Error(error_);
  const size_t available = buffer_.size() - start_;
  if (available == 0) return;
  if (available < kFramePrefixBytes)
    throw Error("truncated frame: the stream ended after " + std::to_string(available) + " bytes of a frame prefix");
  const char* p = buffer_.data() + start_;
  const uint64_t total = kFramePrefixBytes + getBigEndian(p + 4, 4) + getBigEndian(p + 8, 8);
  throw Error("truncated frame: the stream ended after " + std::to_string(available) + " of " + std::to_string(total) +
              " bytes");
}

Frame eventToFrame(const Event& event) {
  Frame f;
  f.header = {{"type", event.type}, {"job", event.job}, {"seq", event.seq}};
  if (event.payload.empty()) {
    std::string text = event.body.dump();
    if (text.size() > kInlineBodyBytes) {
      f.header["body_in_payload"] = true;
      f.payload = std::move(text);
      return f;
    }
  }
  f.header["body"] = event.body;
  f.payload = event.payload;
  return f;
}

Event eventFromFrame(const Frame& frame) {
  const auto& h = frame.header;
  const auto type = h.find("type"), job = h.find("job"), seq = h.find("seq");
  if (type == h.end() || !type->is_string()) throw Error("malformed event: no \"type\"");
  if (job == h.end() || !isNonNegativeInteger(*job)) throw Error("malformed event: no unsigned \"job\"");
  if (seq == h.end() || !isNonNegativeInteger(*seq)) throw Error("malformed event: no unsigned \"seq\"");
  Event e;
  e.type = type->get<std::string>();
  e.job = job->get<uint64_t>();
  e.seq = seq->get<uint64_t>();
  const auto inPayload = h.find("body_in_payload");
  if (inPayload != h.end() && !inPayload->is_boolean())
    throw Error("malformed event: \"body_in_payload\" is not true or false");
  if (inPayload != h.end() && inPayload->get<bool>()) {
    if (jsonNestsDeeperThan(frame.payload, FrameLimits().maxJsonDepth))
      throw Error("malformed event: its JSON body nests too deeply");
    e.body = nlohmann::json::parse(frame.payload, nullptr, false);
    if (e.body.is_discarded()) throw Error("malformed event: its payload is not the JSON body it claims to be");
  } else {
    e.body = h.value("body", nlohmann::json::object());
    e.payload = frame.payload;
  }
  return e;
}

}  // namespace srdd::engine
