#pragma once
// Small helpers shared by the test executables. Qt-only (no torch headers), so GUI tests can use it.
#include <QString>

namespace srdd_test {
// Directory with committed fixtures (tests/fixtures), from the SRDD_FIXTURES_DIR environment variable.
QString fixturesDir();
// Repository root, from SRDD_SOURCE_DIR.
QString sourceDir();
// Path of the built `srdd` command-line tool, from SRDD_CLI.
QString cliPath();
// Bundled demo model directory (resources/demo-model).
QString demoModelDir();
}  // namespace srdd_test
