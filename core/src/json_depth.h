#pragma once
// A nesting limit for JSON text from files and the engine protocol. nlohmann::json parses any depth, but
// copying or dumping a value recurses once per level, so a file of a hundred thousand '[' would overflow the
// stack in the reader that copies it (found by tests/fuzz): readers check the text before parsing it.
#include <cstddef>
#include <string>

namespace srdd {

constexpr int kMaxJsonFileDepth = 128;  // real config, tokenizer, results and run files nest fewer than 10 levels

// Whether arrays/objects in the JSON text nest deeper than maxDepth (brackets inside strings do not count).
bool jsonNestsDeeperThan(const char* text, size_t size, int maxDepth);
inline bool jsonNestsDeeperThan(const std::string& text, int maxDepth) {
  return jsonNestsDeeperThan(text.data(), text.size(), maxDepth);
}
// srdd::Error "WHERE: JSON nests deeper than 128 levels" (without "WHERE: " when it is empty) if the text does.
void checkJsonFileDepth(const std::string& text, const std::string& where);

}  // namespace srdd
