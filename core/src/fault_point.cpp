#include "srdd/fault_point.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

namespace srdd {

namespace {
struct KillAt {
  std::string name;
  long count = 1;
};
KillAt parseKillAt() {
  KillAt k;
  const char* s = std::getenv("SRDD_KILL_AT");
  if (!s || !*s) return k;
  k.name = s;
  if (const auto colon = k.name.rfind(':'); colon != std::string::npos) {
    k.count = std::strtol(k.name.c_str() + colon + 1, nullptr, 10);
    k.name.resize(colon);
  }
  return k;
}
}  // namespace

void faultPoint(const char* name) {
  static const KillAt killAt = parseKillAt();
  static std::atomic<long> reached{0};
  if (killAt.name.empty() || killAt.name != name) return;
  if (++reached == killAt.count) std::raise(SIGKILL);
}

}  // namespace srdd
