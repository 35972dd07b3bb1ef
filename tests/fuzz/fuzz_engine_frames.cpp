// Fuzzes the engine protocol's frame decoder and event reader. The first input byte picks the chunk size the
// stream is fed in (frames must decode the same whatever the chunking); every decoded frame is read as an
// event, and must re-encode and decode again to the same frame. The bodies that front ends and the engine read
// from frames (progress, engine info, scan requests, AQN settings) go through their readers too.
#include "fuzz_support.h"

#include <algorithm>

#include "srdd/aqn.h"
#include "srdd/engine_frames.h"
#include "srdd/error.h"
#include "srdd/model_summary.h"
#include "srdd/scan_job.h"

namespace engine = srdd::engine;

namespace {

template <typename Read>
void tryRead(Read read) {
  try {
    read();
  } catch (const srdd::Error&) {
  }
}

// Requests are frame headers ({type, job, request | settings | ...}); events carry their fields in the body.
void readFields(const std::string& type, const nlohmann::json& j) {
  if (!j.is_object()) return;
  if (type == "progress") tryRead([&] { (void)engine::progressFromJson(j); });
  if (type == "result") tryRead([&] { (void)srdd::modelSummaryFromJson(j); });
  const auto request = j.find("request"), settings = j.find("settings");
  if (request != j.end()) tryRead([&] { (void)srdd::ScanRequest::fromJson(*request); });
  if (settings != j.end()) tryRead([&] { (void)srdd::aqn::ComparisonSettings::fromJson(*settings); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 64;
  const char* bytes = reinterpret_cast<const char*>(data + 1);
  const size_t n = size - 1;
  // Small limits let the fuzzer reach the caps with small inputs.
  engine::FrameLimits limits;
  limits.maxHeaderBytes = 4096;
  limits.maxPayloadBytes = 8192;
  limits.maxJsonDepth = 16;
  engine::FrameDecoder decoder(limits);
  try {
    for (size_t at = 0; at < n; at += chunk) {
      decoder.feed(bytes + at, std::min(chunk, n - at));
      while (auto frame = decoder.next()) {
        try {
          const auto type = frame->header.find("type");
          readFields(type != frame->header.end() && type->is_string() ? type->get<std::string>() : "", frame->header);
          const engine::Event e = engine::eventFromFrame(*frame);
          readFields(e.type, e.body);
        } catch (const srdd::Error&) {
        }
        engine::FrameDecoder again(limits);
        again.feed(engine::encodeFrame(*frame, limits));
        const auto back = again.next();
        // Compared as text: a number beyond double range (1e400) decodes as inf, which any encoder writes as null.
        if (!back || back->header.dump() != frame->header.dump() || back->payload != frame->payload) __builtin_trap();
      }
    }
    decoder.finish();
  } catch (const srdd::Error&) {
  }
  return 0;
}
