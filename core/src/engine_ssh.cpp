#include "srdd/engine_ssh.h"

#include "srdd/engine.h"
#include "srdd/error.h"

namespace srdd::engine {

void SshTarget::validate() const {
  if (host.empty()) throw Error("ssh engine: no host");
  if (host[0] == '-') throw Error("ssh engine: host '" + host + "' starts with '-'");
  if (!user.empty() && user[0] == '-') throw Error("ssh engine: user '" + user + "' starts with '-'");
  if (port < 0 || port > 65535) throw Error("ssh engine: port " + std::to_string(port) + " is outside 1..65535");
  if (remoteSrdd.empty()) throw Error("ssh engine: no remote srdd path");
  splitCommandLine(wrapper);
}

nlohmann::json SshTarget::toJson() const {
  return {{"host", host},
          {"user", user},
          {"port", port},
          {"wrapper", wrapper},
          {"remote_srdd", remoteSrdd},
          {"serve_args", serveArgs},
          {"ssh_options", sshOptions}};
}

SshTarget SshTarget::fromJson(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("ssh target JSON: expected an object");
  const nlohmann::json known = SshTarget().toJson();
  for (const auto& item : j.items())
    if (!known.contains(item.key())) throw Error("ssh target JSON: unknown field '" + item.key() + "'");
  SshTarget t;
  try {
    t.host = j.value("host", t.host);
    t.user = j.value("user", t.user);
    t.port = j.value("port", t.port);
    t.wrapper = j.value("wrapper", t.wrapper);
    t.remoteSrdd = j.value("remote_srdd", t.remoteSrdd);
    t.serveArgs = j.value("serve_args", t.serveArgs);
    t.sshOptions = j.value("ssh_options", t.sshOptions);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("ssh target JSON: ") + e.what());
  }
  return t;
}

std::string sshRemoteCommand(const SshTarget& target) {
  std::vector<std::string> words = splitCommandLine(target.wrapper);
  words.push_back(target.remoteSrdd);
  words.insert(words.end(), target.serveArgs.begin(), target.serveArgs.end());
  return joinCommandLine(words);
}

std::vector<std::string> sshEngineArgv(const SshTarget& target) {
  target.validate();
  std::vector<std::string> argv = {"ssh", "-T", "-e", "none", "-o", "BatchMode=yes"};
  if (target.port > 0) argv.insert(argv.end(), {"-p", std::to_string(target.port)});
  if (!target.user.empty()) argv.insert(argv.end(), {"-l", target.user});
  argv.insert(argv.end(), target.sshOptions.begin(), target.sshOptions.end());
  argv.insert(argv.end(), {"--", target.host, sshRemoteCommand(target)});
  return argv;
}

}  // namespace srdd::engine
