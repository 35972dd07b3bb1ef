#pragma once
// Small helpers shared by the test executables. Qt-only (no torch headers), so GUI tests can use it.
#include <QByteArray>
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

// Every entry of DIR (files, folders, hidden ones too), sorted by name; a file's bytes (empty when unreadable).
QStringList entryNames(const QString& dir);
QByteArray fileBytes(const QString& path);

// A tmpfs mounted at DIR for the object's lifetime (mount(2); the tests run as root here and in CI), e.g.
// "size=64k" to have a full filesystem at hand, or read-only. error() says why it could not be mounted
// (no CAP_SYS_ADMIN): the caller then QSKIPs with it. fill() writes a file until the filesystem is full.
class TmpfsMount {
 public:
  TmpfsMount(const QString& dir, const QString& options, bool readOnly);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  QString error() const { return m_error; }
  void fill(const QString& name = QStringLiteral("filler")) const;

 private:
  QString m_dir, m_error;
};

// The message of the srdd::Error that F throws, or an empty string when it throws none.
QString errorOf(const std::function<void()>& f);
}  // namespace srdd_test
