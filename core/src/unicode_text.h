#pragma once
// UTF-8 coding, the character classes the pre-tokenizer needs, and NFC normalization.
#include <cstdint>
#include <string>
#include <vector>

namespace srdd::unicode {

// Strict UTF-8 decoding (no overlongs, surrogates or values above U+10FFFF). Returns false on the
// first ill-formed sequence and sets errorOffset to its byte offset.
bool decodeUtf8(const std::string& s, std::vector<char32_t>& out, size_t& errorOffset);
void appendUtf8(std::string& out, char32_t cp);
std::string encodeUtf8(const std::vector<char32_t>& cps, size_t begin, size_t end);
// Like Rust's String::from_utf8_lossy: each maximal ill-formed subpart becomes one U+FFFD.
std::string utf8Lossy(const std::string& bytes);

bool isLetter(char32_t cp);      // \p{L}
bool isNumber(char32_t cp);      // \p{N}
bool isWhiteSpace(char32_t cp);  // \s in Oniguruma, char::is_whitespace in Rust
bool isWordChar(char32_t cp);    // \w in Rust's regex crate (HF's single_word test)
uint8_t combiningClass(char32_t cp);

std::vector<char32_t> nfc(const std::vector<char32_t>& cps);

}  // namespace srdd::unicode
