#pragma once
// A saved engine connection: in-process, a local `srdd` binary started as a child process, or `srdd` on
// another host reached with the system ssh client (optionally through a wrapper such as
// `docker exec -i CONTAINER`). Stored with QSettings; no passwords (ssh uses the user's config and agent).
#include <srdd/engine_ssh.h>

#include <QList>
#include <QString>
#include <QStringList>

class QSettings;

namespace srdd_gui {

struct EngineConnection {
  enum class Kind { InProcess, LocalProcess, Ssh };
  QString name;
  Kind kind = Kind::InProcess;
  QString program;                                 // LocalProcess: path to the srdd binary
  QString host, user;                              // Ssh
  int port = 0;                                    // Ssh: 0 = ssh's default (its config, else 22)
  QString wrapper;                                 // Ssh: words before the remote srdd, e.g. "docker exec -i box"
  QString remoteProgram = QStringLiteral("srdd");  // Ssh: srdd on the host (or in the container)
  QString sshOptions;                              // Ssh: extra ssh arguments before the host, e.g. "-J jump -i KEY"

  static EngineConnection inProcess();  // the built-in default, named "In-process"
  // The child's argv: "PROGRAM serve --stdio", or srdd::engine::sshEngineArgv ("ssh -T ... -o BatchMode=yes
  // [-p PORT] [-l USER] OPTIONS -- HOST 'WRAPPER... REMOTE serve --stdio'"). Empty for in-process.
  QStringList argv() const;
  QString commandLine() const;      // argv quoted like a shell (for display and `srdd --engine`)
  QString validationError() const;  // empty when the connection can be tried
  QString kindName() const;
  srdd::engine::SshTarget sshTarget() const;  // the Ssh fields         // "in-process", "local process", "ssh"
  bool operator==(const EngineConnection& o) const;

  // Saved connections (the in-process one is implicit and always first) and the chosen one's name.
  static QList<EngineConnection> loadAll(QSettings& settings);
  static void saveAll(QSettings& settings, const QList<EngineConnection>& connections);
  static QString currentName(QSettings& settings);
  static void setCurrentName(QSettings& settings, const QString& name);
};

// The words of a wrapper or command text (split like a shell, no expansion); srdd::Error for bad quoting.
QStringList splitWords(const QString& text);

}  // namespace srdd_gui
