// The pre-tokenizer regexes of GPT-2, Qwen2 and Llama-3, hand-written over code points. Each function
// below reproduces Oniguruma's semantics for one pattern: alternatives are tried in order at the
// current position and the first that matches wins (leftmost-first, not longest), with greedy
// quantifiers backtracking as the regex engine would.
#include <algorithm>

#include "srdd/error.h"
#include "tokenizer_parts.h"
#include "unicode_text.h"

namespace srdd::tokenizer_impl {

namespace {

using unicode::isLetter;
using unicode::isNumber;
using unicode::isWhiteSpace;

struct Cursor {
  const std::u32string& s;
  size_t n;
  bool at(size_t i, char32_t c) const { return i < n && s[i] == c; }
  bool letter(size_t i) const { return i < n && isLetter(s[i]); }
  bool number(size_t i) const { return i < n && isNumber(s[i]); }
  bool space(size_t i) const { return i < n && isWhiteSpace(s[i]); }
  bool crlf(size_t i) const { return i < n && (s[i] == '\r' || s[i] == '\n'); }
  bool other(size_t i) const { return i < n && !isWhiteSpace(s[i]) && !isLetter(s[i]) && !isNumber(s[i]); }
  template <class Pred>
  size_t run(size_t i, Pred p) const {
    while (p(i)) ++i;
    return i;
  }
};

// 's|'t|'re|'ve|'m|'ll|'d, optionally case-insensitive (Oniguruma folds U+017F LONG S to 's').
size_t contraction(const Cursor& c, size_t i, bool ignoreCase) {
  if (!c.at(i, '\'') || i + 1 >= c.n) return 0;
  auto is = [&](size_t k, char lower) {
    if (k >= c.n) return false;
    char32_t ch = c.s[k];
    if (ch == static_cast<char32_t>(lower)) return true;
    if (!ignoreCase) return false;
    return ch == static_cast<char32_t>(lower - 'a' + 'A') || (lower == 's' && ch == 0x17F);
  };
  if (is(i + 1, 's') || is(i + 1, 't')) return 2;
  if ((is(i + 1, 'r') || is(i + 1, 'v')) && is(i + 2, 'e')) return 3;
  if (is(i + 1, 'm')) return 2;
  if (is(i + 1, 'l') && is(i + 2, 'l')) return 3;
  if (is(i + 1, 'd')) return 2;
  return 0;
}

// Shared tail of the Qwen2 / Llama-3 pattern after the \p{N} alternative.
size_t qwenTail(const Cursor& c, size_t i) {
  auto other = [&](size_t k) { return c.other(k); };
  auto crlf = [&](size_t k) { return c.crlf(k); };
  auto space = [&](size_t k) { return c.space(k); };
  // " ?[^\s\p{L}\p{N}]+[\r\n]*"
  size_t start = (c.at(i, ' ') && c.other(i + 1)) ? i + 1 : i;
  if (c.other(start)) return c.run(c.run(start, other), crlf) - i;
  if (!c.space(i)) return 0;
  size_t wsEnd = c.run(i, space);
  // "\s*[\r\n]+": the whitespace run up to and including its last CR or LF.
  for (size_t k = wsEnd; k > i; --k) {
    if (c.crlf(k - 1)) return k - i;
  }
  // "\s+(?!\S)": the whole run at the end of the text, else the run less its last character.
  if (wsEnd == c.n) return wsEnd - i;
  if (wsEnd - i >= 2) return wsEnd - i - 1;
  return wsEnd - i;  // "\s+"
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}|
// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
size_t matchQwen(const Cursor& c, size_t i, size_t maxDigits) {
  if (size_t k = contraction(c, i, true)) return k;
  auto letter = [&](size_t k) { return c.letter(k); };
  if (!c.crlf(i) && !c.letter(i) && !c.number(i) && c.letter(i + 1)) return c.run(i + 1, letter) - i;
  if (c.letter(i)) return c.run(i, letter) - i;
  if (c.number(i)) {
    size_t k = i + 1;
    while (k - i < maxDigits && c.number(k)) ++k;
    return k - i;
  }
  return qwenTail(c, i);
}

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
size_t matchGpt2(const Cursor& c, size_t i) {
  if (size_t k = contraction(c, i, false)) return k;
  auto letter = [&](size_t k) { return c.letter(k); };
  auto number = [&](size_t k) { return c.number(k); };
  auto other = [&](size_t k) { return c.other(k); };
  auto space = [&](size_t k) { return c.space(k); };
  size_t start = c.at(i, ' ') ? i + 1 : i;
  if (c.letter(start)) return c.run(start, letter) - i;
  if (c.letter(i)) return c.run(i, letter) - i;
  if (c.number(start)) return c.run(start, number) - i;
  if (c.number(i)) return c.run(i, number) - i;
  if (c.other(start)) return c.run(start, other) - i;
  if (c.other(i)) return c.run(i, other) - i;
  size_t wsEnd = c.run(i, space);
  if (wsEnd == c.n || wsEnd - i < 2) return wsEnd - i;
  return wsEnd - i - 1;
}

}  // namespace

void splitPattern(const std::u32string& text, SplitPattern pattern, std::vector<std::u32string>& out) {
  Cursor c{text, text.size()};
  for (size_t i = 0; i < c.n;) {
    size_t len =
        pattern == SplitPattern::Gpt2 ? matchGpt2(c, i) : matchQwen(c, i, pattern == SplitPattern::Llama3 ? 3 : 1);
    len = std::max<size_t>(len, 1);  // every position matches one alternative; guard regardless
    out.emplace_back(text, i, len);
    i += len;
  }
}

}  // namespace srdd::tokenizer_impl
