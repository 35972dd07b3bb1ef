#pragma once
// Numbers as CSV text: the shortest decimal that parses back to the same double (std::to_chars), so CSV and JSON
// agree to the bit; empty for NaN and infinities. Used by every CSV writer of the engine.
#include <charconv>
#include <cmath>
#include <string>

namespace srdd {

inline std::string roundTripNumber(double v) {
  if (!std::isfinite(v)) return std::string();
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

}  // namespace srdd
