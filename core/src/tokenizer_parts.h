#pragma once
// Internal pieces of srdd::Tokenizer (see srdd/tokenizer.h): the regex-free pre-tokenizer splitter,
// the BPE model and the added-token matcher.
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "srdd/tokenizer.h"

namespace srdd::tokenizer_impl {

using tokenizer_detail::SplitPattern;

// Appends the pieces of `text` under the pattern, with "Isolated" behaviour (every match is a piece;
// the patterns supported match at every position, so the pieces tile the text).
void splitPattern(const std::u32string& text, SplitPattern pattern, std::vector<std::u32string>& out);

// Byte-level BPE over the UTF-8 bytes of one pre-token. Thread-safe.
class BpeModel {
 public:
  std::unordered_map<std::string, int64_t> vocab;  // byte-level token text -> id
  std::unordered_map<int64_t, std::string> idToToken;
  std::optional<int64_t> unkId;
  bool fuseUnk = false;
  bool ignoreMerges = false;

  // Merges in rank order; throws std::runtime_error naming the offending merge.
  void setMerges(const std::vector<std::pair<std::string, std::string>>& merges);
  // The resolved merge table, (left id, right id) -> rank and merged id, for the binary tokenizer cache.
  struct Merge {
    int64_t left, right;
    int32_t rank;
    int64_t newId;
  };
  std::vector<Merge> mergeTable() const;
  void setMergeTable(const std::vector<Merge>& merges);  // ids must be in the vocabulary (the caller checks)
  void tokenize(const std::string& bytes, std::vector<int64_t>& out) const;

 private:
  struct MergeInfo {
    int32_t rank;
    int64_t newId;
  };
  std::unordered_map<uint64_t, MergeInfo> merges_;  // (left id, right id) -> merge
  int64_t byteIds_[256];                            // id of each byte's character, -1 if absent
  mutable std::mutex cacheMutex_;
  mutable std::unordered_map<std::string, std::vector<int64_t>> cache_;
  void mergeWord(const std::string& bytes, std::vector<int64_t>& out) const;
  void indexBytes();
};

struct AddedToken {
  std::string content;
  int64_t id = -1;
  bool special = false, lstrip = false, rstrip = false, singleWord = false, normalized = false;
};

// Leftmost-longest matching of added tokens with HF's lstrip/rstrip/single_word handling.
class AddedTokenMatcher {
 public:
  struct Piece {
    size_t begin, end;
    int64_t id;
  };                                           // byte range; id -1 for ordinary text
  void build(std::vector<AddedToken> tokens);  // contents already normalized where flagged
  std::vector<Piece> split(const std::string& text) const;
  bool empty() const { return tokens_.empty(); }

 private:
  struct Node {
    std::unordered_map<unsigned char, int32_t> next;
    int32_t token = -1;
  };
  std::vector<AddedToken> tokens_;
  std::vector<Node> trie_;
  bool firstByte_[256] = {};
};

struct PreTokenizerStep {
  enum Kind { Split, ByteLevel } kind;
  SplitPattern pattern;  // Split; ByteLevel with useRegex uses Gpt2
  bool addPrefixSpace = false, useRegex = false;
};

}  // namespace srdd::tokenizer_impl

namespace srdd {

struct Tokenizer::Impl {
  bool nfc = false;
  std::vector<tokenizer_impl::PreTokenizerStep> preTokenizer;  // Splits, then one final ByteLevel
  tokenizer_impl::BpeModel bpe;
  std::unordered_map<std::string, int64_t> addedIds;                    // content -> id
  std::unordered_map<int64_t, tokenizer_impl::AddedToken> addedTokens;  // id -> token
  tokenizer_impl::AddedTokenMatcher rawMatcher;                         // tokens with normalized == false
  tokenizer_impl::AddedTokenMatcher normalizedMatcher;                  // normalized == true, matched after NFC
  std::unordered_map<std::string, unsigned char> charToByte;            // inverse of byteToUnicode()

  // Normalized text without added tokens -> pre-tokens -> BPE ids.
  void encodePlain(const std::string& normalizedUtf8, std::vector<int64_t>& out) const;
};

// Parses a tokenizer.json document; throws std::runtime_error without the file name.
std::shared_ptr<Tokenizer::Impl> parseTokenizerJson(const std::string& jsonText);
// Builds the tokenizer from a tokenizer.json document whose model vocab and merges `fillBpe` supplies
// (from the document itself, or from the binary cache, which stores the document without them).
std::shared_ptr<Tokenizer::Impl> buildTokenizer(
    const nlohmann::json& document,
    const std::function<void(const nlohmann::json& model, tokenizer_impl::BpeModel&)>& fillBpe);
// tokenizer.json text -> tokenizer, through the binary cache in CACHE_DIR ("" = none; tokenizer_cache.cpp).
std::shared_ptr<Tokenizer::Impl> loadTokenizerCached(const std::string& jsonText, const std::string& cacheDir);

}  // namespace srdd
