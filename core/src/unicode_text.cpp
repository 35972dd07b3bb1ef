#include "unicode_text.h"

#include <algorithm>

#include "unicode_tables.h"

namespace srdd::unicode {

namespace {

// Length of the well-formed UTF-8 prefix of s[i..] that forms (part of) one character, following
// Unicode's "maximal subpart" rule. Returns the full length when the character is complete.
struct Utf8Step {
  size_t consumed;
  bool complete;
  char32_t cp;
};

Utf8Step utf8Step(const unsigned char* s, size_t n) {
  unsigned char b0 = s[0];
  if (b0 < 0x80) return {1, true, b0};
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  char32_t cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {1, false, 0};
  }
  size_t i = 1;
  for (; i <= need; ++i) {
    if (i >= n) return {i, false, 0};
    unsigned char b = s[i];
    if (b < lo || b > hi) return {i, false, 0};
    lo = 0x80;
    hi = 0xBF;
    cp = (cp << 6) | (b & 0x3F);
  }
  return {i, true, cp};
}

bool inRanges(const CodeRange* r, size_t n, char32_t cp) {
  const CodeRange* end = r + n;
  const CodeRange* it = std::upper_bound(r, end, cp, [](char32_t c, const CodeRange& x) { return c < x.lo; });
  return it != r && cp <= (it - 1)->hi;
}

// Hangul syllable constants (Unicode 3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

const Decomposition* findDecomposition(char32_t cp) {
  const Decomposition* end = kDecompositions + kDecompositionsSize;
  const Decomposition* it =
      std::lower_bound(kDecompositions, end, cp, [](const Decomposition& d, char32_t c) { return d.cp < c; });
  return (it != end && it->cp == cp) ? it : nullptr;
}

void decomposeInto(char32_t cp, std::vector<char32_t>& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    char32_t s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount) out.push_back(kTBase + s % kTCount);
    return;
  }
  const Decomposition* d = cp >= 0xC0 ? findDecomposition(cp) : nullptr;
  if (!d) {
    out.push_back(cp);
    return;
  }
  decomposeInto(d->first, out);
  if (d->second) decomposeInto(d->second, out);
}

char32_t compose(char32_t a, char32_t b) {
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount) {
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  }
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase && b < kTBase + kTCount) {
    return a + (b - kTBase);
  }
  const Composition* end = kCompositions + kCompositionsSize;
  const Composition* it =
      std::lower_bound(kCompositions, end, std::make_pair(a, b), [](const Composition& c, auto key) {
        return c.first < key.first || (c.first == key.first && c.second < key.second);
      });
  return (it != end && it->first == a && it->second == b) ? it->composite : 0;
}

}  // namespace

bool decodeUtf8(const std::string& s, std::vector<char32_t>& out, size_t& errorOffset) {
  out.clear();
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size();) {
    Utf8Step st = utf8Step(p + i, s.size() - i);
    if (!st.complete) {
      errorOffset = i;
      return false;
    }
    out.push_back(st.cp);
    i += st.consumed;
  }
  return true;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string encodeUtf8(const std::vector<char32_t>& cps, size_t begin, size_t end) {
  std::string out;
  out.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) appendUtf8(out, cps[i]);
  return out;
}

std::string utf8Lossy(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t i = 0; i < bytes.size();) {
    Utf8Step st = utf8Step(p + i, bytes.size() - i);
    if (st.complete)
      out.append(bytes, i, st.consumed);
    else
      out += "\xEF\xBF\xBD";
    i += st.consumed;
  }
  return out;
}

bool isLetter(char32_t cp) {
  if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  return inRanges(kLetterRanges, kLetterRangesSize, cp);
}

bool isNumber(char32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  return inRanges(kNumberRanges, kNumberRangesSize, cp);
}

bool isWhiteSpace(char32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
  return inRanges(kWhiteSpaceRanges, kWhiteSpaceRangesSize, cp);
}

bool isWordChar(char32_t cp) {
  if (cp < 0x80) return cp == '_' || isLetter(cp) || isNumber(cp);
  return inRanges(kWordRanges, kWordRangesSize, cp);
}

uint8_t combiningClass(char32_t cp) {
  if (cp < 0x300) return 0;
  const CccRange* end = kCombiningClasses + kCombiningClassesSize;
  const CccRange* it =
      std::upper_bound(kCombiningClasses, end, cp, [](char32_t c, const CccRange& r) { return c < r.lo; });
  return (it != kCombiningClasses && cp <= (it - 1)->hi) ? (it - 1)->ccc : 0;
}

std::vector<char32_t> nfc(const std::vector<char32_t>& cps) {
  if (std::all_of(cps.begin(), cps.end(), [](char32_t c) { return c < 0x80; })) return cps;
  // Canonical decomposition.
  std::vector<char32_t> d;
  d.reserve(cps.size() + 8);
  for (char32_t cp : cps) decomposeInto(cp, d);
  // Canonical ordering: stable sort of each run of non-starters by combining class.
  std::vector<uint8_t> ccc(d.size());
  for (size_t i = 0; i < d.size(); ++i) ccc[i] = combiningClass(d[i]);
  for (size_t i = 0; i < d.size();) {
    if (!ccc[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < d.size() && ccc[j]) ++j;
    for (size_t a = i + 1; a < j; ++a) {  // insertion sort keeps equal classes in order
      for (size_t b = a; b > i && ccc[b - 1] > ccc[b]; --b) {
        std::swap(ccc[b - 1], ccc[b]);
        std::swap(d[b - 1], d[b]);
      }
    }
    i = j;
  }
  // Canonical composition (Unicode sample algorithm): a character combines with the last starter
  // unless a character of the same or higher class, or a starter, stands between them.
  if (d.empty()) return d;
  size_t starterPos = 0, out = 1;
  int lastClass = ccc[0] ? 256 : 0;
  for (size_t i = 1; i < d.size(); ++i) {
    char32_t ch = d[i];
    int cls = ccc[i];
    char32_t composite = (lastClass < cls || lastClass == 0) ? compose(d[starterPos], ch) : 0;
    if (composite && (lastClass < cls || lastClass == 0)) {
      d[starterPos] = composite;
      continue;
    }
    if (cls == 0) starterPos = out;
    lastClass = cls;
    d[out++] = ch;
  }
  d.resize(out);
  return d;
}

}  // namespace srdd::unicode
