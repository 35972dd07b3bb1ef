#pragma once
// Small helpers shared by the test executables. Qt-only (no torch headers), so GUI tests can use it.
#include <QString>
#include <QStringList>

#include <functional>

namespace srdd_test {
// Directory with committed fixtures (tests/fixtures), from the SRDD_FIXTURES_DIR environment variable.
QString fixturesDir();
// Repository root, from SRDD_SOURCE_DIR.
QString sourceDir();
// Path of the built `srdd` command-line tool, from SRDD_CLI.
QString cliPath();
// Bundled demo model directory (resources/demo-model).
QString demoModelDir();

// Runs the `srdd` tool with ARGS (5-minute limit); code is -1 when it crashed or timed out.
struct CliRun {
  int code = -1;
  QString out, err;
};
CliRun runCli(const QStringList& args);

// The message of the srdd::Error that F throws, or an empty string when it throws none.
QString errorOf(const std::function<void()>& f);
}  // namespace srdd_test
