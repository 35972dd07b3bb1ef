// srdd::Tokenizer: encode/decode pipeline (added tokens -> NFC -> pre-tokenizer -> byte-level BPE).
#include "srdd/tokenizer.h"

#include <fstream>
#include <sstream>

#include "srdd/error.h"
#include "tokenizer_parts.h"
#include "unicode_text.h"

namespace srdd {

namespace tokenizer_detail {

std::string nfc(const std::string& utf8) {
  bool ascii = true;
  for (unsigned char c : utf8) ascii = ascii && c < 0x80;
  if (ascii) return utf8;  // quick check: ASCII is always in NFC
  std::vector<char32_t> cps;
  size_t bad = 0;
  if (!unicode::decodeUtf8(utf8, cps, bad)) {
    throw Error("text is not valid UTF-8 (ill-formed sequence at byte " + std::to_string(bad) + ")");
  }
  std::vector<char32_t> out = unicode::nfc(cps);
  return unicode::encodeUtf8(out, 0, out.size());
}

std::vector<std::string> splitPreTokens(const std::string& utf8, SplitPattern pattern) {
  std::vector<char32_t> cps;
  size_t bad = 0;
  if (!unicode::decodeUtf8(utf8, cps, bad)) {
    throw Error("text is not valid UTF-8 (ill-formed sequence at byte " + std::to_string(bad) + ")");
  }
  std::vector<std::u32string> pieces;
  tokenizer_impl::splitPattern(std::u32string(cps.begin(), cps.end()), pattern, pieces);
  std::vector<std::string> out;
  for (const auto& p : pieces) {
    std::string s;
    for (char32_t c : p) unicode::appendUtf8(s, c);
    out.push_back(std::move(s));
  }
  return out;
}

const std::array<std::string, 256>& byteToUnicode() {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      unicode::appendUtf8(t[b], printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + n++));
    }
    return t;
  }();
  return table;
}

}  // namespace tokenizer_detail

Tokenizer Tokenizer::fromFile(const std::string& path) { return fromFile(path, defaultTokenizerCacheDirectory()); }

Tokenizer Tokenizer::fromFile(const std::string& path, const std::string& cacheDir) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open tokenizer file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error(path + ": cannot read tokenizer file");
  try {
    return Tokenizer(loadTokenizerCached(text.str(), cacheDir));
  } catch (const std::exception& e) {
    throw Error(path + ": " + e.what());
  }
}

void Tokenizer::Impl::encodePlain(const std::string& normalized, std::vector<int64_t>& out) const {
  std::vector<char32_t> cps;
  size_t bad = 0;
  unicode::decodeUtf8(normalized, cps, bad);  // already validated
  std::vector<std::u32string> pieces{std::u32string(cps.begin(), cps.end())}, next;
  for (const auto& step : preTokenizer) {
    next.clear();
    for (auto& p : pieces) {
      if (p.empty()) continue;  // HF drops empty splits
      if (step.kind == tokenizer_impl::PreTokenizerStep::Split) {
        tokenizer_impl::splitPattern(p, step.pattern, next);
        continue;
      }
      if (step.addPrefixSpace && p[0] != U' ') p.insert(p.begin(), U' ');
      if (step.useRegex)
        tokenizer_impl::splitPattern(p, tokenizer_impl::SplitPattern::Gpt2, next);
      else
        next.push_back(std::move(p));
    }
    pieces.swap(next);
  }
  std::string bytes;
  for (const auto& p : pieces) {
    bytes.clear();
    for (char32_t c : p) unicode::appendUtf8(bytes, c);
    bpe.tokenize(bytes, out);
  }
}

std::vector<int64_t> Tokenizer::encode(const std::string& text) const {
  std::vector<char32_t> cps;
  size_t bad = 0;
  if (!unicode::decodeUtf8(text, cps, bad)) {
    throw Error("tokenizer input is not valid UTF-8 (ill-formed sequence at byte " + std::to_string(bad) + ")");
  }
  using Matcher = tokenizer_impl::AddedTokenMatcher;
  auto splitAdded = [](const Matcher& m, const std::string& s) {
    return m.empty() ? std::vector<Matcher::Piece>{{0, s.size(), -1}} : m.split(s);
  };
  std::vector<int64_t> ids;
  for (const auto& raw : splitAdded(impl_->rawMatcher, text)) {
    if (raw.id >= 0) {
      ids.push_back(raw.id);
      continue;
    }
    std::string piece = text.substr(raw.begin, raw.end - raw.begin);
    if (impl_->nfc) piece = tokenizer_detail::nfc(piece);
    for (const auto& p : splitAdded(impl_->normalizedMatcher, piece)) {
      if (p.id >= 0)
        ids.push_back(p.id);
      else
        impl_->encodePlain(piece.substr(p.begin, p.end - p.begin), ids);
    }
  }
  return ids;
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const {
  std::string bytes;
  for (int64_t id : ids) {
    auto added = impl_->addedTokens.find(id);
    if (added != impl_->addedTokens.end() && skipSpecialTokens && added->second.special) continue;
    const std::string token = idToToken(id);
    // ByteLevel decoder: a token whose every character is a byte character becomes those bytes,
    // any other token (e.g. an added token with a space) is taken verbatim.
    std::string tokenBytes;
    bool allBytes = true;
    for (size_t i = 0; i < token.size() && allBytes;) {
      size_t len = 1;
      while (i + len < token.size() && (static_cast<unsigned char>(token[i + len]) & 0xC0) == 0x80) ++len;
      auto it = impl_->charToByte.find(token.substr(i, len));
      if (it == impl_->charToByte.end())
        allBytes = false;
      else
        tokenBytes += static_cast<char>(it->second);
      i += len;
    }
    bytes += allBytes ? tokenBytes : token;
  }
  return unicode::utf8Lossy(bytes);
}

int64_t Tokenizer::vocabSize() const {
  int64_t n = static_cast<int64_t>(impl_->bpe.vocab.size());
  for (const auto& [content, id] : impl_->addedIds) n += impl_->bpe.vocab.count(content) ? 0 : 1;
  return n;
}

std::optional<int64_t> Tokenizer::tokenToId(const std::string& token) const {
  if (auto it = impl_->addedIds.find(token); it != impl_->addedIds.end()) return it->second;
  if (auto it = impl_->bpe.vocab.find(token); it != impl_->bpe.vocab.end()) return it->second;
  return std::nullopt;
}

std::string Tokenizer::idToToken(int64_t id) const {
  if (auto it = impl_->addedTokens.find(id); it != impl_->addedTokens.end()) return it->second.content;
  if (auto it = impl_->bpe.idToToken.find(id); it != impl_->bpe.idToToken.end()) return it->second;
  throw Error("token id " + std::to_string(id) + " is not in the tokenizer vocabulary");
}

std::optional<int64_t> Tokenizer::eosId() const {
  for (const char* t : {"<|endoftext|>", "<|im_end|>", "</s>"}) {
    if (auto id = tokenToId(t)) return id;
  }
  return std::nullopt;
}

std::optional<int64_t> Tokenizer::padId() const {
  for (const char* t : {"<|endoftext|>", "<|pad|>", "<pad>"}) {
    if (auto id = tokenToId(t)) return id;
  }
  return std::nullopt;
}

}  // namespace srdd
