#pragma once
// The SSH engine: the system `ssh` client started as a child process that runs `srdd serve --stdio` on the
// host (optionally inside a wrapper such as `docker exec -i CONTAINER`). It uses the user's ssh config and
// agent; nothing here opens a port or stores a secret. Torch-free and Qt-free (the GUI saves these).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace srdd::engine {

struct SshTarget {
  std::string host;                 // a host name or an alias from ~/.ssh/config
  std::string user;                 // empty: ssh's default (config or the local user)
  int port = 0;                     // 0: ssh's default
  std::string wrapper;              // a command line the engine runs inside, e.g. "docker exec -i gpu-box"
  std::string remoteSrdd = "srdd";  // the srdd binary on the host (inside the wrapper)
  std::vector<std::string> serveArgs = {"serve", "--stdio"};
  std::vector<std::string> sshOptions;  // extra ssh arguments before the host (e.g. {"-i", KEY})

  // srdd::Error naming the field: no host, a host or user starting with '-', a port outside 1..65535,
  // an unbalanced quote in the wrapper.
  void validate() const;
  nlohmann::json toJson() const;
  static SshTarget fromJson(const nlohmann::json& j);  // srdd::Error for a wrong type or unknown field
};

// The command that runs on the host, as one string for the remote shell: the wrapper's words, then the
// srdd path and serveArgs, each quoted.
std::string sshRemoteCommand(const SshTarget& target);
// ssh -T -e none -o BatchMode=yes [-p PORT] [-l USER] OPTIONS... -- HOST REMOTE-COMMAND
// (BatchMode: a prompt for a password or a host key would hang an app without a terminal; ssh fails
// with a message instead.)
std::vector<std::string> sshEngineArgv(const SshTarget& target);

}  // namespace srdd::engine
