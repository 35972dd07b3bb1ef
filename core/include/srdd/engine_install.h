#pragma once
// "Install engine on host": this version's source goes over the same ssh connection as the engine
// would use, is unpacked on the host and built there with packaging/build-gpu.sh, the build's log
// streamed back line by line. Torch-free and Qt-free (the GUI's Engine dialog and `srdd engine install`).
#include <functional>
#include <string>

#include "srdd/engine_ssh.h"
#include "srdd/progress.h"

namespace srdd::engine {

struct InstallOptions {
  std::string sourceDir;  // the tree to copy; in a git checkout, `git archive` of this build's commit
  std::string remoteDir;  // where it goes on the host; empty: srdd-VERSION in the remote home
  std::string buildCommand = "packaging/build-gpu.sh";  // run in remoteDir on the host
};

// The remote srdd it builds: REMOTE_DIR/build-gpu/app/srdd (the default build command's output).
std::string installedSrddPath(const InstallOptions& options);

// Copies and builds; each line of the remote output goes to `log`. srdd::Error naming the host and the
// exit status (with the last line of output) when any step fails; srdd::Cancelled when cancel is set.
void installEngine(const SshTarget& target, const InstallOptions& options,
                   const std::function<void(const std::string&)>& log, const CancelToken* cancel = nullptr);

}  // namespace srdd::engine
