#include "test_support.h"

#include <QtGlobal>

namespace srdd_test {
static QString requiredEnv(const char* name) {
  const QString v = qEnvironmentVariable(name);
  if (v.isEmpty()) qFatal("environment variable %s is not set (run the tests through ctest)", name);
  return v;
}
QString fixturesDir() { return requiredEnv("SRDD_FIXTURES_DIR"); }
QString sourceDir() { return requiredEnv("SRDD_SOURCE_DIR"); }
QString cliPath() { return requiredEnv("SRDD_CLI"); }
QString demoModelDir() { return sourceDir() + "/resources/demo-model"; }
}  // namespace srdd_test
