// The engine protocol's frame codec: hand-built frames (byte layout from the spec, not from the encoder),
// every kind of bad input, and a fixed-seed fuzz loop of thousands of random, mutated, truncated and
// re-chunked streams that must each decode or fail with an srdd::Error, never crash or hang.
#include "srdd/engine_frames.h"
#include "srdd/error.h"

#include <random>

#include <QtTest/QtTest>

#include "test_support.h"

namespace {

using nlohmann::json;
using srdd::engine::Frame;
using srdd::engine::FrameDecoder;
using srdd::engine::FrameLimits;

// The frame layout written out by hand: "SRDF", u32 BE header length, u64 BE payload length.
std::string handFrame(const std::string& header, const std::string& payload) {
  std::string s = "SRDF";
  const uint32_t h = static_cast<uint32_t>(header.size());
  const uint64_t p = payload.size();
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((h >> (8 * i)) & 0xff));
  for (int i = 7; i >= 0; --i) s.push_back(static_cast<char>((p >> (8 * i)) & 0xff));
  return s + header + payload;
}

std::string prefix(uint32_t headerBytes, uint64_t payloadBytes) {
  std::string s = "SRDF";
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((headerBytes >> (8 * i)) & 0xff));
  for (int i = 7; i >= 0; --i) s.push_back(static_cast<char>((payloadBytes >> (8 * i)) & 0xff));
  return s;
}

// Decodes a whole stream, fed in the given chunk sizes (cycled); returns the frames and the error (empty if
// none), including the end-of-stream check.
struct Decoded {
  std::vector<Frame> frames;
  std::string error;
};
Decoded decodeAll(const std::string& bytes, const std::vector<size_t>& chunks = {1 << 20}, FrameLimits limits = {}) {
  Decoded d;
  FrameDecoder decoder(limits);
  try {
    size_t pos = 0, c = 0;
    while (pos < bytes.size()) {
      const size_t n = std::min(bytes.size() - pos, std::max<size_t>(1, chunks[c++ % chunks.size()]));
      decoder.feed(bytes.data() + pos, n);
      pos += n;
      while (auto f = decoder.next()) d.frames.push_back(std::move(*f));
    }
    decoder.finish();
  } catch (const srdd::Error& e) {
    d.error = e.what();
  }
  return d;
}

// An error without the preview of the offending bytes (which shows what had arrived so far).
std::string verdict(const std::string& error) { return error.substr(0, error.find(": '")); }

}  // namespace

class TestEngineFrames : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void encoderWritesTheDocumentedLayout() {
    const Frame f{json{{"type", "hello"}, {"protocol_version", 1}}, std::string("\x00\x01\xff", 3)};
    const std::string header = R"({"protocol_version":1,"type":"hello"})";  // nlohmann sorts keys
    QCOMPARE(srdd::engine::encodeFrame(f), handFrame(header, std::string("\x00\x01\xff", 3)));
    const std::string bytes = handFrame(header, "");
    QCOMPARE(bytes.substr(0, 16), std::string("SRDF\0\0\0\x25\0\0\0\0\0\0\0\0", 16));  // 0x25 = 37 header bytes
  }

  void handBuiltFramesDecode() {
    const std::string stream = handFrame(R"({"type":"scan","id":7})", "") +
                               handFrame(R"({"a":[1,2,{"b":null}]})", "PAYLOAD") +
                               handFrame(R"({"x":"\u00e9"})", std::string(1000, '\0'));
    for (const std::vector<size_t>& chunks : {std::vector<size_t>{1}, {2, 3}, {16}, {17}, {1 << 20}}) {
      const auto d = decodeAll(stream, chunks);
      QVERIFY2(d.error.empty(), d.error.c_str());
      QCOMPARE(d.frames.size(), size_t(3));
      QCOMPARE(d.frames[0].header, (json{{"type", "scan"}, {"id", 7}}));
      QCOMPARE(d.frames[1].payload, std::string("PAYLOAD"));
      QCOMPARE(d.frames[1].header.at("a").at(2).at("b"), json(nullptr));
      QCOMPARE(d.frames[2].header.at("x").get<std::string>(), std::string("\xc3\xa9"));
      QCOMPARE(d.frames[2].payload, std::string(1000, '\0'));
    }
  }

  void badInputIsAnError_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    auto add = [](const char* name, const std::string& b, const char* e) {
      QTest::newRow(name) << QByteArray(b.data(), static_cast<int>(b.size())) << QString(e);
    };
    add("text instead of frames", "bash: srdd: command not found\n", "bad magic");
    add("wrong magic", "SRDX" + std::string(12, '\0'), "bad magic");
    add("empty header", prefix(0, 0), "empty header");
    add("oversize header", prefix(0xffffffffu, 0), "oversize frame: header of 4294967295 bytes");
    add("oversize payload", prefix(2, ~0ull), "oversize frame: payload of 18446744073709551615 bytes");
    add("header not JSON", handFrame("{nope", ""), "not valid JSON");
    add("header an array", handFrame("[1,2]", ""), "not a JSON object");
    add("header a number", handFrame("42", ""), "not a JSON object");
    add("header invalid UTF-8", handFrame("{\"a\":\"\xff\xfe\"}", ""), "not valid JSON");
    add("header nested too deep", handFrame(std::string(100000, '[') + std::string(100000, ']'), ""), "nests deeper");
    add("truncated prefix", std::string("SRDF\0\0", 6), "truncated frame: the stream ended after 6 bytes");
    add("truncated header", handFrame(R"({"type":"x"})", "").substr(0, 20), "ended after 20 of 28 bytes");
    add("truncated payload", handFrame("{}", "0123456789").substr(0, 25), "ended after 25 of 28 bytes");
    add("garbage after a good frame", handFrame("{}", "") + "XYZ", "bad magic");
  }
  void badInputIsAnError() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    const auto d = decodeAll(bytes.toStdString(), {1});
    QVERIFY2(d.error.find(expected.toStdString()) != std::string::npos, d.error.c_str());
    QVERIFY(d.error.find('\n') == std::string::npos);
    const auto whole = decodeAll(bytes.toStdString());
    QCOMPARE(verdict(whole.error), verdict(d.error));  // the chunking never changes the verdict
  }

  // A length over the cap fails as soon as the 16 prefix bytes are in, before any byte of the frame body
  // is buffered; and the decoder stays failed.
  void oversizeFailsBeforeBuffering() {
    FrameLimits small;
    small.maxHeaderBytes = 100;
    small.maxPayloadBytes = 1000;
    FrameDecoder d(small);
    d.feed(prefix(50, 1001));
    QVERIFY(srdd_test::errorOf([&] { d.next(); }).contains("payload of 1001 bytes exceeds the limit of 1000"));
    QCOMPARE(d.bufferedBytes(), size_t(0));
    QVERIFY(srdd_test::errorOf([&] { d.feed(handFrame("{}", "")); }).contains("payload of 1001"));
    QVERIFY(srdd_test::errorOf([&] { d.next(); }).contains("payload of 1001"));
    FrameDecoder ok(small);
    ok.feed(handFrame(std::string("{\"a\":\"") + std::string(92, 'x') + "\"}", std::string(1000, 'p')));
    QVERIFY(ok.next().has_value());
    FrameDecoder over(small);
    over.feed(handFrame(std::string("{\"a\":\"") + std::string(93, 'x') + "\"}", ""));
    QVERIFY(srdd_test::errorOf([&] { over.next(); }).contains("header of 101 bytes"));
    QVERIFY(srdd_test::errorOf([&] {
              srdd::engine::encodeFrame({json{{"a", std::string(200, 'x')}}, ""}, small);
            }).contains("exceeds the limit of 100"));
    QVERIFY(srdd_test::errorOf([&] { srdd::engine::encodeFrame({json::array(), ""}); }).contains("JSON object"));
  }

  void eventsRoundTrip() {
    srdd::engine::Event small{"progress", 3, 17, json{{"stage", "gain"}, {"fraction", 0.25}}, ""};
    srdd::engine::Event withPayload{"result", 4, 18, json{{"schema", "x"}}, std::string("\x00\x01", 2)};
    json big = json::object();
    for (int i = 0; i < 20000; ++i) big["k" + std::to_string(i)] = 1.0 / (i + 3);  // > 64 KiB of JSON
    srdd::engine::Event large{"result", 5, 19, big, ""};
    for (const auto* e : {&small, &withPayload, &large}) {
      const auto f = srdd::engine::eventToFrame(*e);
      QCOMPARE(f.header.value("body_in_payload", false), e == &large);
      const auto d = decodeAll(srdd::engine::encodeFrame(f), {7, 4096});
      QVERIFY2(d.error.empty(), d.error.c_str());
      const auto back = srdd::engine::eventFromFrame(d.frames.at(0));
      QCOMPARE(back.type, e->type);
      QCOMPARE(back.job, e->job);
      QCOMPARE(back.seq, e->seq);
      QCOMPARE(back.body, e->body);
      QCOMPARE(back.body.dump(1), e->body.dump(1));  // doubles survive the text round trip exactly
      QCOMPARE(back.payload, e->payload);
    }
    for (const json& h : {json{{"job", 1}, {"seq", 1}}, json{{"type", "x"}, {"job", -1}, {"seq", 1}},
                          json{{"type", "x"}, {"job", 1}}, json{{"type", 5}, {"job", 1}, {"seq", 1}}})
      QVERIFY(!srdd_test::errorOf([&] { srdd::engine::eventFromFrame({h, ""}); }).isEmpty());
    QVERIFY(srdd_test::errorOf([&] {
              srdd::engine::eventFromFrame(
                  {json{{"type", "x"}, {"job", 1}, {"seq", 1}, {"body_in_payload", true}}, "{oops"});
            }).contains("payload"));
  }

  // Thousands of random, mutated, truncated and re-chunked inputs: each either decodes into frames that
  // re-encode to a prefix of the input, or fails with an srdd::Error; the same input always gets the same
  // verdict whatever the chunking.
  void fuzz() {
    std::mt19937_64 rng(20261203);
    auto uniform = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    std::vector<std::string> seeds;
    for (int i = 0; i < 20; ++i) {
      json h = {{"type", i % 2 ? "progress" : "scan"}, {"job", i}, {"seq", i * 3}};
      if (i % 3 == 0)
        h["body"] = {{"stage", std::string(uniform(50), 'a')}, {"values", json::array({1, 2.5, "x", nullptr})}};
      std::string payload(uniform(i % 4 == 0 ? 3000 : 20), '\0');
      for (auto& c : payload) c = static_cast<char>(rng());
      seeds.push_back(srdd::engine::encodeFrame({h, payload}));
    }
    FrameLimits limits;
    limits.maxHeaderBytes = 1 << 16;
    limits.maxPayloadBytes = 1 << 16;
    int decodedOk = 0, failed = 0;
    for (int iteration = 0; iteration < 6000; ++iteration) {
      std::string input;
      const int kind = iteration % 6;
      if (kind == 0) {  // random bytes
        input.resize(uniform(200));
        for (auto& c : input) c = static_cast<char>(rng());
      } else if (kind == 1) {  // random bytes behind a valid magic, so the lengths and JSON are exercised
        input = "SRDF";
        for (size_t n = uniform(100); n > 0; --n)
          input.push_back(static_cast<char>(rng() % 4 == 0 ? rng() % 3 : rng()));
      } else {  // valid streams, then mutated
        for (size_t n = 1 + uniform(4); n > 0; --n) input += seeds[uniform(seeds.size())];
        if (kind == 2) {  // flip bits
          for (size_t n = 1 + uniform(4); n > 0; --n)
            input[uniform(input.size())] ^= static_cast<char>(1 << uniform(8));
        } else if (kind == 3) {  // truncate
          input.resize(uniform(input.size()));
        } else if (kind == 4) {  // insert or delete bytes
          const size_t at = uniform(input.size());
          if (rng() % 2)
            input.insert(at, std::string(1 + uniform(5), static_cast<char>(rng())));
          else
            input.erase(at, 1 + uniform(5));
        }  // kind 5: left intact
      }
      std::vector<size_t> chunks;
      for (int i = 0; i < 5; ++i) chunks.push_back(1 + uniform(64));
      const auto a = decodeAll(input, chunks, limits);
      const auto b = decodeAll(input, {1 << 20}, limits);
      QCOMPARE(verdict(a.error), verdict(b.error));
      QCOMPARE(a.frames.size(), b.frames.size());
      std::string reencoded;
      for (const auto& f : a.frames) reencoded += srdd::engine::encodeFrame(f, limits);
      if (a.error.empty()) {
        ++decodedOk;
        // Whole input decoded: its frames must re-encode to it when the JSON was in canonical form.
        if (kind == 5) QCOMPARE(reencoded, input);
      } else {
        ++failed;
        QVERIFY(!a.error.empty() && a.error.find('\n') == std::string::npos);
      }
      if (kind == 5) QVERIFY2(a.error.empty(), a.error.c_str());
      if (kind == 3 && !a.error.empty() && input.size() > 0)
        QVERIFY2(a.error.find("truncated") != std::string::npos, a.error.c_str());
    }
    QVERIFY(decodedOk > 1000);
    QVERIFY(failed > 2000);
  }
};

QTEST_GUILESS_MAIN(TestEngineFrames)
#include "test_engine_frames.moc"
