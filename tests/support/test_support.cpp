#include "test_support.h"

#include <srdd/error.h>

#include <QProcess>
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

CliRun runCli(const QStringList& args) {
  QProcess p;
  p.start(cliPath(), args);
  const bool finished = p.waitForFinished(300000);
  const bool normal = finished && p.exitStatus() == QProcess::NormalExit;
  return {normal ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}
QString errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const srdd::Error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}
}  // namespace srdd_test
