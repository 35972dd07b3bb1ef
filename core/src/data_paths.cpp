// Where the bundled data is: next to an installed program, else in the source tree (runtime.h).
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "srdd/runtime.h"

namespace srdd {

namespace fs = std::filesystem;

std::string executablePath() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.string();
}

namespace {
// <bindir>/<SRDD_INSTALL_DATA_FROM_BIN>/srdd/demo-model, e.g. /usr/bin/../share/srdd/demo-model.
fs::path installedDemoModel() {
  const fs::path exe = executablePath();
  if (exe.empty()) return {};
  return (exe.parent_path() / SRDD_INSTALL_DATA_FROM_BIN / "srdd" / "demo-model").lexically_normal();
}
}  // namespace

std::string defaultModelDirectory() {
  if (const char* s = std::getenv("SRDD_DEMO_MODEL"); s && *s) return s;
  const fs::path installed = installedDemoModel();
  std::error_code ec;
  if (!installed.empty() && fs::is_regular_file(installed / "config.json", ec)) return installed.string();
  return std::string(SRDD_SOURCE_DIR) + "/resources/demo-model";
}

std::string sourceDirectory() { return SRDD_SOURCE_DIR; }

}  // namespace srdd
