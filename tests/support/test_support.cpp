#include "test_support.h"

#include <srdd/error.h>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QtGlobal>

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

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
QStringList entryNames(const QString& dir) {
  return QDir(dir).entryList(QDir::Files | QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}
QByteArray fileBytes(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

TmpfsMount::TmpfsMount(const QString& dir, const QString& options, bool readOnly) : m_dir(dir) {
  QDir().mkpath(dir);
  const std::string d = dir.toStdString(), o = options.toStdString();
  if (::mount("tmpfs", d.c_str(), "tmpfs", readOnly ? MS_RDONLY : 0, o.c_str()) != 0) {
    m_error = QStringLiteral("cannot mount a tmpfs at %1 (%2); these fault tests need root or CAP_SYS_ADMIN")
                  .arg(dir, QString::fromLocal8Bit(std::strerror(errno)));
    m_dir.clear();
  }
}
TmpfsMount::~TmpfsMount() {
  if (!m_dir.isEmpty()) ::umount2(m_dir.toStdString().c_str(), MNT_DETACH);
}
void TmpfsMount::fill(const QString& name) const {
  std::ofstream out((m_dir + '/' + name).toStdString(), std::ios::binary);
  const std::string block(4096, 'x');
  while (out.write(block.data(), static_cast<std::streamsize>(block.size())) && out.flush()) {
  }
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
