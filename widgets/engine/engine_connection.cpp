#include "engine/engine_connection.h"

#include <srdd/engine.h>
#include <srdd/engine_ssh.h>
#include <srdd/error.h>

#include <QSettings>

namespace srdd_gui {

namespace {
const char* const kArray = "engine/connections";
const char* const kCurrent = "engine/current";

QString kindKey(EngineConnection::Kind k) {
  switch (k) {
    case EngineConnection::Kind::InProcess: return QStringLiteral("in-process");
    case EngineConnection::Kind::LocalProcess: return QStringLiteral("process");
    case EngineConnection::Kind::Ssh: return QStringLiteral("ssh");
  }
  return {};
}
}  // namespace

QStringList splitWords(const QString& text) {
  QStringList out;
  for (const std::string& w : srdd::engine::splitCommandLine(text.toStdString())) out << QString::fromStdString(w);
  return out;
}

EngineConnection EngineConnection::inProcess() {
  EngineConnection c;
  c.name = QStringLiteral("In-process");
  return c;
}

QStringList EngineConnection::argv() const {
  const QStringList serve = {QStringLiteral("serve"), QStringLiteral("--stdio")};
  switch (kind) {
    case Kind::InProcess: return {};
    case Kind::LocalProcess: return QStringList{program.trimmed()} + serve;
    case Kind::Ssh: {
      QStringList a;
      for (const std::string& w : srdd::engine::sshEngineArgv(sshTarget())) a << QString::fromStdString(w);
      return a;
    }
  }
  return {};
}

QString EngineConnection::commandLine() const {
  if (kind == Kind::InProcess) return QStringLiteral("in-process");
  std::vector<std::string> words;
  for (const QString& w : argv()) words.push_back(w.toStdString());
  return QString::fromStdString(srdd::engine::joinCommandLine(words));
}

QString EngineConnection::validationError() const {
  if (name.trimmed().isEmpty()) return QStringLiteral("the connection has no name");
  switch (kind) {
    case Kind::InProcess: return {};
    case Kind::LocalProcess:
      return program.trimmed().isEmpty() ? QStringLiteral("no path to a srdd binary") : QString();
    case Kind::Ssh: try { sshTarget().validate();
      } catch (const srdd::Error& e) {
        return QString::fromStdString(e.what());
      }
      return {};
  }
  return {};
}

srdd::engine::SshTarget EngineConnection::sshTarget() const {
  srdd::engine::SshTarget t;
  t.host = host.trimmed().toStdString();
  t.user = user.trimmed().toStdString();
  t.port = port;
  t.wrapper = wrapper.trimmed().toStdString();
  if (!remoteProgram.trimmed().isEmpty()) t.remoteSrdd = remoteProgram.trimmed().toStdString();
  for (const QString& w : splitWords(sshOptions)) t.sshOptions.push_back(w.toStdString());
  return t;
}

QString EngineConnection::kindName() const {
  switch (kind) {
    case Kind::InProcess: return QStringLiteral("in-process");
    case Kind::LocalProcess: return QStringLiteral("local process");
    case Kind::Ssh: return QStringLiteral("ssh");
  }
  return {};
}

bool EngineConnection::operator==(const EngineConnection& o) const {
  return name == o.name && kind == o.kind && program == o.program && host == o.host && user == o.user &&
         port == o.port && wrapper == o.wrapper && remoteProgram == o.remoteProgram && sshOptions == o.sshOptions;
}

QList<EngineConnection> EngineConnection::loadAll(QSettings& s) {
  QList<EngineConnection> out{inProcess()};
  const int n = s.beginReadArray(kArray);
  for (int i = 0; i < n; ++i) {
    s.setArrayIndex(i);
    EngineConnection c;
    c.name = s.value("name").toString();
    const QString kind = s.value("kind").toString();
    if (kind == kindKey(Kind::LocalProcess))
      c.kind = Kind::LocalProcess;
    else if (kind == kindKey(Kind::Ssh))
      c.kind = Kind::Ssh;
    else
      continue;  // in-process is built in; unknown kinds are skipped
    c.program = s.value("program").toString();
    c.host = s.value("host").toString();
    c.user = s.value("user").toString();
    c.port = s.value("port", 0).toInt();
    c.wrapper = s.value("wrapper").toString();
    c.remoteProgram = s.value("remote_program", QStringLiteral("srdd")).toString();
    c.sshOptions = s.value("ssh_options").toString();
    if (!c.name.isEmpty()) out << c;
  }
  s.endArray();
  return out;
}

void EngineConnection::saveAll(QSettings& s, const QList<EngineConnection>& connections) {
  s.remove(kArray);
  s.beginWriteArray(kArray);
  int i = 0;
  for (const EngineConnection& c : connections) {
    if (c.kind == Kind::InProcess) continue;
    s.setArrayIndex(i++);
    s.setValue("name", c.name);
    s.setValue("kind", kindKey(c.kind));
    s.setValue("program", c.program);
    s.setValue("host", c.host);
    s.setValue("user", c.user);
    s.setValue("port", c.port);
    s.setValue("wrapper", c.wrapper);
    s.setValue("remote_program", c.remoteProgram);
    s.setValue("ssh_options", c.sshOptions);
  }
  s.endArray();
}

QString EngineConnection::currentName(QSettings& s) { return s.value(kCurrent, inProcess().name).toString(); }

void EngineConnection::setCurrentName(QSettings& s, const QString& name) { s.setValue(kCurrent, name); }

}  // namespace srdd_gui
