#pragma once
// Byte-level BPE tokenizer (GPT-2 / Qwen2 family) read from a Hugging Face tokenizer.json, encoding
// and decoding exactly like the `tokenizers` library. Depends on the C++ standard library and
// nlohmann/json only (no ICU, no regex engine): the Unicode tables are generated into the source.
//
// Supported tokenizer.json pieces (anything else is rejected with an srdd::Error naming it):
//   normalizer     null, NFC, or a Sequence of those
//   pre_tokenizer  Split with the Qwen2, Llama-3 or GPT-2 regex ("Isolated", not inverted), ByteLevel
//                  (add_prefix_space, use_regex with the GPT-2 pattern), or a Sequence of those
//   model          BPE (vocab, merges as "a b" strings or ["a","b"] pairs, unk_token, fuse_unk,
//                  ignore_merges); no dropout, byte_fallback or subword prefix/suffix
//   decoder        ByteLevel
//   post_processor ignored: encode() is HF's encode(text, add_special_tokens=False)
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace srdd {

// $SRDD_TOKENIZER_CACHE ("off" = none), else $XDG_CACHE_HOME/srdd/tokenizers, else ~/.cache/srdd/tokenizers.
std::string defaultTokenizerCacheDirectory();

class Tokenizer {
 public:
  // Throws srdd::Error naming the file for a missing/unreadable file, bad JSON, a model that is not
  // BPE, an unsupported normalizer/pre-tokenizer/decoder, merges that reference unknown tokens, ...
  // Loads through the binary cache that defaultTokenizerCacheDirectory() names.
  static Tokenizer fromFile(const std::string& tokenizerJsonPath);
  // The same with the cache in CACHE_DIR ("" = parse the JSON, no cache): callers that pick the cache
  // themselves pass it here rather than changing the environment of a process with running threads.
  static Tokenizer fromFile(const std::string& tokenizerJsonPath, const std::string& cacheDir);

  // HF tokenizer.encode(text, add_special_tokens=False). Added tokens are matched first on the raw
  // text (those flagged "normalized" on the normalized text), honouring lstrip/rstrip/single_word.
  // Invalid UTF-8 input throws srdd::Error.
  std::vector<int64_t> encode(const std::string& utf8Text) const;
  // HF tokenizer.decode(ids, skip_special_tokens). Invalid UTF-8 in the decoded bytes becomes
  // U+FFFD like Rust's from_utf8_lossy. An id outside the vocabulary throws srdd::Error (HF drops it).
  std::string decode(const std::vector<int64_t>& ids, bool skipSpecialTokens = false) const;

  // Number of distinct tokens, added tokens included (HF get_vocab_size(with_added_tokens=True)).
  int64_t vocabSize() const;
  std::optional<int64_t> tokenToId(const std::string& token) const;
  std::string idToToken(int64_t id) const;  // throws srdd::Error for an unknown id
  // Rule: the first of "<|endoftext|>", "<|im_end|>", "</s>" that the vocabulary holds. For Qwen2
  // chat models the generation config's eos (<|im_end|>) may differ; callers that know it prefer it.
  std::optional<int64_t> eosId() const;
  // Rule: the first of "<|endoftext|>", "<|pad|>", "<pad>" that the vocabulary holds (Qwen2 pads with
  // <|endoftext|>).
  std::optional<int64_t> padId() const;

  struct Impl;

 private:
  explicit Tokenizer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

// Building blocks, exposed for tests and diagnostics.
namespace tokenizer_detail {
enum class SplitPattern { Qwen2, Llama3, Gpt2 };
std::string nfc(const std::string& utf8);  // throws srdd::Error on invalid UTF-8
// Pieces of the pre-tokenizer regex split ("Isolated": every match is one piece).
std::vector<std::string> splitPreTokens(const std::string& utf8, SplitPattern pattern);
// GPT-2's bytes_to_unicode(): the UTF-8 text of the character that stands for each byte.
const std::array<std::string, 256>& byteToUnicode();
}  // namespace tokenizer_detail

}  // namespace srdd
