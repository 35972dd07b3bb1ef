#include "json_depth.h"

#include "srdd/error.h"

namespace srdd {

bool jsonNestsDeeperThan(const char* p, size_t n, int maxDepth) {
  int depth = 0;
  bool inString = false, escaped = false;
  for (size_t i = 0; i < n; ++i) {
    const char c = p[i];
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > maxDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

void checkJsonFileDepth(const std::string& text, const std::string& where) {
  if (jsonNestsDeeperThan(text, kMaxJsonFileDepth))
    throw Error((where.empty() ? "" : where + ": ") + "JSON nests deeper than " + std::to_string(kMaxJsonFileDepth) +
                " levels");
}

}  // namespace srdd
