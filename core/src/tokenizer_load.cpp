// Reading tokenizer.json into Tokenizer::Impl. Errors are std::runtime_error; fromFile adds the path.
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "json_depth.h"
#include "srdd/error.h"
#include "tokenizer_parts.h"

namespace srdd {

namespace {

using nlohmann::json;
using tokenizer_impl::AddedToken;
using tokenizer_impl::PreTokenizerStep;
using tokenizer_impl::SplitPattern;

[[noreturn]] void fail(const std::string& msg) { throw std::runtime_error(msg); }

std::string typeOf(const json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) fail(where + " has no \"type\"");
  return j["type"].get<std::string>();
}

bool boolField(const json& j, const char* key, bool fallback, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_boolean()) fail(where + " field \"" + key + "\" is not a boolean");
  return j[key].get<bool>();
}

void parseNormalizer(const json& j, Tokenizer::Impl& impl) {
  if (j.is_null()) return;
  std::string type = typeOf(j, "normalizer");
  if (type == "NFC") {
    impl.nfc = true;
  } else if (type == "Sequence" && j.contains("normalizers") && j["normalizers"].is_array()) {
    for (const auto& n : j["normalizers"]) parseNormalizer(n, impl);
  } else {
    fail("unsupported normalizer \"" + type + "\" (supported: NFC, Sequence of NFC)");
  }
}

SplitPattern knownPattern(const std::string& regex) {
  static const std::string qwen2 =
      R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
  static const std::string llama3 =
      R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
  static const std::string gpt2 = R"re('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)re";
  if (regex == qwen2) return SplitPattern::Qwen2;
  if (regex == llama3) return SplitPattern::Llama3;
  if (regex == gpt2) return SplitPattern::Gpt2;
  fail("unsupported pre-tokenizer Split pattern \"" + regex + "\" (supported: the Qwen2, Llama-3 and GPT-2 patterns)");
}

void parsePreTokenizer(const json& j, Tokenizer::Impl& impl) {
  std::string type = typeOf(j, "pre_tokenizer");
  if (type == "Sequence" && j.contains("pretokenizers") && j["pretokenizers"].is_array()) {
    for (const auto& p : j["pretokenizers"]) parsePreTokenizer(p, impl);
    return;
  }
  if (!impl.preTokenizer.empty() && impl.preTokenizer.back().kind == PreTokenizerStep::ByteLevel) {
    fail("unsupported pre-tokenizer \"" + type + "\" after ByteLevel (ByteLevel must come last)");
  }
  PreTokenizerStep step{PreTokenizerStep::ByteLevel, SplitPattern::Gpt2};
  if (type == "ByteLevel") {
    step.addPrefixSpace = boolField(j, "add_prefix_space", true, "ByteLevel pre-tokenizer");
    step.useRegex = boolField(j, "use_regex", true, "ByteLevel pre-tokenizer");
  } else if (type == "Split") {
    step.kind = PreTokenizerStep::Split;
    if (!j.contains("pattern") || !j["pattern"].is_object()) fail("Split pre-tokenizer has no \"pattern\"");
    const json& pat = j["pattern"];
    if (!pat.contains("Regex") || !pat["Regex"].is_string()) {
      fail("unsupported Split pre-tokenizer pattern " + pat.dump() + " (only {\"Regex\": ...} patterns)");
    }
    step.pattern = knownPattern(pat["Regex"].get<std::string>());
    std::string behavior = j.value("behavior", std::string("?"));
    if (behavior != "Isolated") fail("unsupported Split pre-tokenizer behavior \"" + behavior + "\" (only Isolated)");
    if (boolField(j, "invert", false, "Split pre-tokenizer")) fail("unsupported Split pre-tokenizer with invert=true");
  } else {
    fail("unsupported pre-tokenizer \"" + type + "\" (supported: Split, ByteLevel, Sequence)");
  }
  impl.preTokenizer.push_back(step);
}

std::vector<std::pair<std::string, std::string>> parseMerges(const json& merges) {
  if (!merges.is_array()) fail("model \"merges\" is not an array");
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const json& m = merges[i];
    if (m.is_string()) {
      const std::string line = m.get<std::string>();
      if (line.rfind("#version", 0) == 0) continue;
      size_t sp = line.find(' ');
      if (sp == std::string::npos || line.find(' ', sp + 1) != std::string::npos) {
        fail("merge #" + std::to_string(i) + " \"" + line + "\" is not two tokens separated by one space");
      }
      out.emplace_back(line.substr(0, sp), line.substr(sp + 1));
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      out.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    } else {
      fail("merge #" + std::to_string(i) + " is neither \"a b\" nor [\"a\", \"b\"]");
    }
  }
  return out;
}

void fillBpeFromJson(const json& m, tokenizer_impl::BpeModel& bpe) {
  if (!m.contains("vocab") || !m["vocab"].is_object()) fail("BPE model has no \"vocab\" object");
  if (!m.contains("merges")) fail("BPE model has no \"merges\"");
  for (const auto& [token, id] : m["vocab"].items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX) {
      fail("vocab entry \"" + token + "\" has no valid id");
    }
    bpe.vocab[token] = id.get<int64_t>();
    bpe.idToToken[id.get<int64_t>()] = token;
  }
  bpe.setMerges(parseMerges(m["merges"]));
}

using BpeFiller = std::function<void(const json&, tokenizer_impl::BpeModel&)>;

void parseModel(const json& m, Tokenizer::Impl& impl, const BpeFiller& fillBpe) {
  if (!m.is_object()) fail("no \"model\" object");
  if (m.contains("type")) {
    std::string type = typeOf(m, "model");
    if (type != "BPE") fail("model type \"" + type + "\" is not BPE");
  }
  if (m.contains("dropout") && !m["dropout"].is_null() &&
      !(m["dropout"].is_number() && m["dropout"].get<double>() == 0.0)) {
    fail("unsupported BPE dropout (must be null)");
  }
  if (boolField(m, "byte_fallback", false, "model")) fail("unsupported BPE byte_fallback=true");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (m.contains(key) && !m[key].is_null() && !(m[key].is_string() && m[key].get<std::string>().empty())) {
      fail(std::string("unsupported BPE ") + key);
    }
  }
  auto& bpe = impl.bpe;
  fillBpe(m, bpe);
  if (m.contains("unk_token") && !m["unk_token"].is_null()) {
    if (!m["unk_token"].is_string()) fail("model \"unk_token\" is not a string");
    std::string unk = m["unk_token"].get<std::string>();
    auto it = bpe.vocab.find(unk);
    if (it == bpe.vocab.end()) fail("unk_token \"" + unk + "\" is not in the vocabulary");
    bpe.unkId = it->second;
  }
  bpe.fuseUnk = boolField(m, "fuse_unk", false, "model");
  bpe.ignoreMerges = boolField(m, "ignore_merges", false, "model");
}

// Ids are assigned like HF's AddedVocabulary::add_tokens: an existing token keeps its id, a new one
// takes the next id after the model vocabulary and the added tokens so far.
void parseAddedTokens(const json& list, Tokenizer::Impl& impl) {
  if (list.is_null()) return;
  if (!list.is_array()) fail("\"added_tokens\" is not an array");
  const int64_t modelSize = static_cast<int64_t>(impl.bpe.vocab.size());
  int64_t maxAdded = -1;
  std::vector<AddedToken> raw, normalized;
  for (const auto& t : list) {
    if (!t.is_object() || !t.contains("content") || !t["content"].is_string()) fail("added token without \"content\"");
    AddedToken tok;
    tok.content = t["content"].get<std::string>();
    const std::string where = "added token \"" + tok.content + "\"";
    tok.special = boolField(t, "special", false, where);
    tok.lstrip = boolField(t, "lstrip", false, where);
    tok.rstrip = boolField(t, "rstrip", false, where);
    tok.singleWord = boolField(t, "single_word", false, where);
    tok.normalized = boolField(t, "normalized", !tok.special, where);
    if (tok.content.empty()) continue;
    if (auto it = impl.addedIds.find(tok.content); it != impl.addedIds.end()) {
      tok.id = it->second;
    } else if (auto v = impl.bpe.vocab.find(tok.content); v != impl.bpe.vocab.end()) {
      tok.id = v->second;
    } else {
      tok.id = (maxAdded >= modelSize || modelSize == 0) ? maxAdded + 1 : modelSize;
    }
    maxAdded = std::max(maxAdded, tok.id);
    impl.addedIds[tok.content] = tok.id;
    impl.addedTokens[tok.id] = tok;
  }
  for (const auto& [id, tok] : impl.addedTokens) {
    if (!tok.normalized) {
      raw.push_back(tok);
    } else {
      AddedToken n = tok;
      if (impl.nfc) n.content = tokenizer_detail::nfc(n.content);
      normalized.push_back(n);
    }
  }
  impl.rawMatcher.build(std::move(raw));
  impl.normalizedMatcher.build(std::move(normalized));
}

}  // namespace

std::shared_ptr<Tokenizer::Impl> parseTokenizerJson(const std::string& jsonText) {
  checkJsonFileDepth(jsonText, "");  // fromFile adds the path
  json j;
  try {
    j = json::parse(jsonText);
  } catch (const json::exception& e) {
    fail(std::string("not valid JSON: ") + jsonErrorText(e));
  }
  return buildTokenizer(j, fillBpeFromJson);
}

std::shared_ptr<Tokenizer::Impl> buildTokenizer(const json& j, const BpeFiller& fillBpe) {
  if (!j.is_object()) fail("not a tokenizer.json object");
  auto impl = std::make_shared<Tokenizer::Impl>();
  try {
    parseNormalizer(j.value("normalizer", json()), *impl);
    if (!j.contains("pre_tokenizer") || j["pre_tokenizer"].is_null()) fail("no pre_tokenizer (ByteLevel is required)");
    parsePreTokenizer(j["pre_tokenizer"], *impl);
    if (impl->preTokenizer.empty() || impl->preTokenizer.back().kind != PreTokenizerStep::ByteLevel) {
      fail("pre_tokenizer does not end with ByteLevel (only byte-level BPE is supported)");
    }
    const json decoder = j.value("decoder", json());
    std::string decoderType = decoder.is_null() ? "none" : typeOf(decoder, "decoder");
    if (decoderType != "ByteLevel") fail("unsupported decoder \"" + decoderType + "\" (only ByteLevel)");
    parseModel(j.value("model", json()), *impl, fillBpe);
    parseAddedTokens(j.value("added_tokens", json()), *impl);
  } catch (const json::exception& e) {
    fail(std::string("unexpected structure: ") + e.what());
  }
  const auto& byteChars = tokenizer_detail::byteToUnicode();
  for (int b = 0; b < 256; ++b) impl->charToByte[byteChars[b]] = static_cast<unsigned char>(b);
  return impl;
}

}  // namespace srdd
