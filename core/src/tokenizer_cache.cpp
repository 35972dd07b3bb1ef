// A binary cache of parsed tokenizers. Parsing the Qwen tokenizer.json (151k tokens, 151k merges) takes about
// a second, nearly all of it in the JSON parser and the string lookups that resolve each merge; the cache
// holds the resolved vocabulary and merge table, so loading is a few bulk reads.
//
// The cache file is named by the SHA-256 of the tokenizer.json bytes, so an edited file never meets a stale
// entry. It holds the tokenizer.json without its vocabulary and merges (the small settings, parsed by the very
// same code as the full file), the vocabulary as (id, token) pairs and the resolved merges. Any file that does
// not decode cleanly is ignored and rewritten: the cache can only make loading faster, never change a result.
//
// Where: $SRDD_TOKENIZER_CACHE, else $XDG_CACHE_HOME/srdd/tokenizers, else ~/.cache/srdd/tokenizers;
// SRDD_TOKENIZER_CACHE=off disables it.
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "srdd/safetensors.h"
#include "srdd/sha256.h"
#include "tokenizer_parts.h"

namespace srdd {

namespace {

using nlohmann::json;
using tokenizer_impl::BpeModel;

constexpr char kMagic[8] = {'S', 'R', 'D', 'D', 'T', 'O', 'K', '1'};
constexpr uint32_t kFormatVersion = 1;  // bump whenever what Impl holds, or how it is built, changes

// Little-endian fixed-width fields; every read is bounds-checked against the file.
struct Writer {
  std::string out;
  template <class T>
  void put(T v) {
    for (size_t i = 0; i < sizeof(T); ++i)
      out.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff));
  }
  void bytes(const std::string& s) {
    put<uint64_t>(s.size());
    out += s;
  }
};

struct Reader {
  const std::string& in;
  size_t pos = 0;
  void need(uint64_t n) const {
    if (n > in.size() - pos) throw std::runtime_error("truncated");
  }
  template <class T>
  T get() {
    need(sizeof(T));
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
      v |= static_cast<uint64_t>(static_cast<unsigned char>(in[pos + i])) << (8 * i);
    pos += sizeof(T);
    return static_cast<T>(v);
  }
  std::string bytes() {
    const auto n = get<uint64_t>();
    need(n);
    std::string s = in.substr(pos, n);
    pos += n;
    return s;
  }
};

// The tokenizer.json without the bulk (model.vocab, model.merges): what the cache stores as JSON.
json settingsOf(const std::string& jsonText) {
  json j = json::parse(jsonText);
  if (j.is_object() && j.contains("model") && j["model"].is_object()) {
    j["model"].erase("vocab");
    j["model"].erase("merges");
  }
  return j;
}

std::string encode(const std::string& digest, const json& settings, const BpeModel& bpe) {
  Writer w;
  w.out.append(kMagic, sizeof kMagic);
  w.put<uint32_t>(kFormatVersion);
  w.bytes(digest);
  w.bytes(settings.dump());
  w.put<uint64_t>(bpe.idToToken.size());
  for (const auto& [id, token] : bpe.idToToken) {
    w.put<uint32_t>(static_cast<uint32_t>(id));
    w.bytes(token);
  }
  const auto merges = bpe.mergeTable();
  w.put<uint64_t>(merges.size());
  for (const auto& m : merges) {
    w.put<uint32_t>(static_cast<uint32_t>(m.left));
    w.put<uint32_t>(static_cast<uint32_t>(m.right));
    w.put<uint32_t>(static_cast<uint32_t>(m.rank));
    w.put<uint32_t>(static_cast<uint32_t>(m.newId));
  }
  return w.out;
}

std::shared_ptr<Tokenizer::Impl> decode(const std::string& blob, const std::string& digest) {
  Reader r{blob};
  r.need(sizeof kMagic);
  if (std::memcmp(blob.data(), kMagic, sizeof kMagic) != 0) throw std::runtime_error("not a tokenizer cache");
  r.pos = sizeof kMagic;
  if (r.get<uint32_t>() != kFormatVersion) throw std::runtime_error("other format version");
  if (r.bytes() != digest) throw std::runtime_error("digest mismatch");
  const json settings = json::parse(r.bytes());
  auto fill = [&](const json&, BpeModel& bpe) {
    const auto tokens = r.get<uint64_t>();
    if (tokens > blob.size()) throw std::runtime_error("implausible vocabulary size");
    bpe.vocab.reserve(tokens);
    bpe.idToToken.reserve(tokens);
    for (uint64_t i = 0; i < tokens; ++i) {
      const int64_t id = r.get<uint32_t>();
      std::string token = r.bytes();
      bpe.vocab[token] = id;
      bpe.idToToken[id] = std::move(token);
    }
    const auto count = r.get<uint64_t>();
    if (count > blob.size()) throw std::runtime_error("implausible merge count");
    std::vector<BpeModel::Merge> merges(count);
    for (auto& m : merges) {
      m.left = r.get<uint32_t>();
      m.right = r.get<uint32_t>();
      m.rank = static_cast<int32_t>(r.get<uint32_t>());
      m.newId = r.get<uint32_t>();
      for (int64_t id : {m.left, m.right, m.newId}) {
        if (!bpe.idToToken.count(id)) throw std::runtime_error("merge with an unknown id");
      }
    }
    if (r.pos != blob.size()) throw std::runtime_error("trailing bytes");
    bpe.setMergeTable(merges);
  };
  return buildTokenizer(settings, fill);
}

std::string readWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string defaultTokenizerCacheDirectory() {
  if (const char* d = std::getenv("SRDD_TOKENIZER_CACHE")) return std::string(d) == "off" ? "" : d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/srdd/tokenizers";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/srdd/tokenizers";
  return "";
}

std::shared_ptr<Tokenizer::Impl> loadTokenizerCached(const std::string& jsonText, const std::string& dir) {
  if (dir.empty()) return parseTokenizerJson(jsonText);
  const std::string digest = sha256Hex(jsonText);
  const std::string path = dir + "/" + digest + ".bin";
  if (const std::string blob = readWhole(path); !blob.empty()) {
    try {
      return decode(blob, digest);
    } catch (const std::exception&) {
      // A damaged or outdated entry: parse the JSON and replace it below.
    }
  }
  auto impl = parseTokenizerJson(jsonText);
  try {
    std::filesystem::create_directories(dir);
    writeFileAtomically(path, encode(digest, settingsOf(jsonText), impl->bpe));
  } catch (const std::exception&) {
    // A read-only or full cache directory costs speed only.
  }
  return impl;
}

}  // namespace srdd
