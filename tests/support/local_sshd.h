#pragma once
// A real OpenSSH server for tests: generated host and user keys, 127.0.0.1 on a free port, keys-only
// login, run in the foreground as a child of the test (killed when this object goes away) with a time
// limit. Header-only so that only the tests that use it pay for it.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <string>
#include <vector>

namespace srdd_test {

class LocalSshd {
 public:
  // Starts sshd; error() says why when it could not (then ok() is false).
  explicit LocalSshd(int timeLimitSeconds = 900) {
    if (!QFile::exists("/usr/sbin/sshd") || !QFile::exists("/usr/bin/ssh-keygen")) {
      error_ = "no /usr/sbin/sshd or ssh-keygen (packaging/install-deps.sh installs openssh-server)";
      return;
    }
    QDir().mkpath("/run/sshd");  // sshd's privilege separation directory (missing in fresh containers)
    const QString d = dir_.path();
    for (const char* key : {"host_key", "user_key"}) {
      QProcess keygen;
      keygen.start("/usr/bin/ssh-keygen", {"-q", "-t", "ed25519", "-N", "", "-f", d + "/" + key});
      if (!keygen.waitForFinished(30000) || keygen.exitCode() != 0) {
        error_ = "ssh-keygen failed: " + keygen.readAllStandardError().toStdString();
        return;
      }
    }
    QFile::copy(d + "/user_key.pub", d + "/authorized_keys");
    port_ = freePort();
    QFile config(d + "/sshd_config");
    config.open(QIODevice::WriteOnly);
    config.write(QString("Port %1\nListenAddress 127.0.0.1\nHostKey %2/host_key\nPidFile %2/sshd.pid\n"
                         "AuthorizedKeysFile %2/authorized_keys\nStrictModes no\nUsePAM no\n"
                         "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
                         "PermitRootLogin prohibit-password\nLogLevel ERROR\n")
                     .arg(port_)
                     .arg(d)
                     .toUtf8());
    config.close();
    // `timeout` bounds the server's life even if the test itself is killed.
    sshd_.setProcessChannelMode(QProcess::MergedChannels);
    sshd_.start("timeout", {QString::number(timeLimitSeconds), "/usr/sbin/sshd", "-D", "-e", "-f", d + "/sshd_config"});
    if (!sshd_.waitForStarted(10000)) {
      error_ = "cannot start sshd";
      return;
    }
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 15000) {
      if (sshd_.state() != QProcess::Running) {
        error_ = "sshd exited: " + sshd_.readAll().toStdString();
        return;
      }
      if (accepts(port_)) {
        ok_ = true;
        return;
      }
      QThread::msleep(50);
    }
    error_ = "sshd does not accept connections on port " + std::to_string(port_);
  }
  ~LocalSshd() {
    if (sshd_.state() == QProcess::NotRunning) return;
    sshd_.terminate();  // `timeout` passes SIGTERM on to sshd
    if (!sshd_.waitForFinished(5000)) {
      QFile pid(dir_.path() + "/sshd.pid");
      if (pid.open(QIODevice::ReadOnly)) ::kill(pid.readAll().trimmed().toInt(), SIGKILL);
      sshd_.kill();
      sshd_.waitForFinished(5000);
    }
  }

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string userKey() const { return dir_.path().toStdString() + "/user_key"; }
  std::string directory() const { return dir_.path().toStdString(); }
  // The client options that make ssh use only this server's key and trust it without a known_hosts file.
  std::vector<std::string> clientOptions() const {
    return {
        "-F", "/dev/null",     "-i", userKey(), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "LogLevel=ERROR"};
  }

 private:
  static int freePort() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
  }
  static bool accepts(int port) {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    return ok;
  }

  QTemporaryDir dir_;
  QProcess sshd_;
  int port_ = 0;
  bool ok_ = false;
  std::string error_;
};

}  // namespace srdd_test
