// Added-token matching as in HF tokenizers' AddedVocabulary::find_matches: Aho-Corasick with
// leftmost-longest semantics over the bytes, then single_word / lstrip / rstrip adjustments.
#include <algorithm>

#include "tokenizer_parts.h"
#include "unicode_text.h"

namespace srdd::tokenizer_impl {

namespace {

// Decodes the character that ends at `end` (text is valid UTF-8).
char32_t charBefore(const std::string& text, size_t end, size_t& begin) {
  begin = end - 1;
  while (begin > 0 && (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80) --begin;
  std::vector<char32_t> cps;
  size_t err;
  unicode::decodeUtf8(text.substr(begin, end - begin), cps, err);
  return cps.empty() ? 0 : cps[0];
}

char32_t charAt(const std::string& text, size_t pos, size_t& end) {
  end = pos + 1;
  while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  std::vector<char32_t> cps;
  size_t err;
  unicode::decodeUtf8(text.substr(pos, end - pos), cps, err);
  return cps.empty() ? 0 : cps[0];
}

}  // namespace

void AddedTokenMatcher::build(std::vector<AddedToken> tokens) {
  tokens_ = std::move(tokens);
  trie_.assign(1, Node{});
  std::fill(std::begin(firstByte_), std::end(firstByte_), false);
  for (size_t t = 0; t < tokens_.size(); ++t) {
    const std::string& s = tokens_[t].content;
    if (s.empty()) continue;
    firstByte_[static_cast<unsigned char>(s[0])] = true;
    int32_t node = 0;
    for (unsigned char b : s) {
      auto it = trie_[node].next.find(b);
      if (it == trie_[node].next.end()) {
        trie_.push_back(Node{});
        int32_t child = static_cast<int32_t>(trie_.size() - 1);
        trie_[node].next[b] = child;
        node = child;
      } else {
        node = it->second;
      }
    }
    if (trie_[node].token < 0) trie_[node].token = static_cast<int32_t>(t);
  }
}

std::vector<AddedTokenMatcher::Piece> AddedTokenMatcher::split(const std::string& text) const {
  std::vector<Piece> pieces;
  size_t startOffset = 0;
  for (size_t p = 0; p < text.size();) {
    if (!firstByte_[static_cast<unsigned char>(text[p])]) {
      ++p;
      continue;
    }
    int32_t node = 0, best = -1;
    size_t bestEnd = 0;
    for (size_t k = p; k < text.size(); ++k) {
      auto it = trie_[node].next.find(static_cast<unsigned char>(text[k]));
      if (it == trie_[node].next.end()) break;
      node = it->second;
      if (trie_[node].token >= 0) {
        best = trie_[node].token;
        bestEnd = k + 1;
      }
    }
    if (best < 0) {
      ++p;
      continue;
    }
    const AddedToken& tok = tokens_[best];
    size_t start = p, stop = bestEnd;
    p = bestEnd;  // a discarded match still consumes its text, as Aho-Corasick's find_iter does
    if (tok.singleWord) {
      size_t dummy;
      bool startSpace = start == 0 || !unicode::isWordChar(charBefore(text, start, dummy));
      bool stopSpace = stop == text.size() || !unicode::isWordChar(charAt(text, stop, dummy));
      if (!startSpace || !stopSpace) continue;
    }
    if (tok.lstrip) {
      size_t newStart = start;
      while (newStart > 0) {
        size_t b;
        if (!unicode::isWhiteSpace(charBefore(text, newStart, b))) break;
        newStart = b;
      }
      start = std::max(newStart, startOffset);
    }
    if (tok.rstrip) {
      while (stop < text.size()) {
        size_t e;
        if (!unicode::isWhiteSpace(charAt(text, stop, e))) break;
        stop = e;
      }
    }
    if (startOffset < start) pieces.push_back({startOffset, start, -1});
    pieces.push_back({start, stop, tok.id});
    startOffset = stop;
  }
  if (startOffset < text.size()) pieces.push_back({startOffset, text.size(), -1});
  return pieces;
}

}  // namespace srdd::tokenizer_impl
