#pragma once
// Subcommands of the `srdd` tool register themselves here, one file per subcommand
// (cmd_<name>.cpp), so that adding one never touches another.
#include <functional>
#include <string>
#include <vector>

namespace srdd_cli {

using Args = std::vector<std::string>;  // arguments after the subcommand name

struct Command {
  std::string name;
  std::string summary;                   // one line for `srdd --help`
  std::string usage;                     // full text for `srdd NAME --help`
  std::function<int(const Args&)> run;   // returns the process exit code; throw srdd::Error on failure
  bool handlesOwnHelp = false;           // true: --help is passed to run() instead of printing usage
};

std::vector<Command>& registry();

struct Registrar {
  explicit Registrar(Command c) { registry().push_back(std::move(c)); }
};

}  // namespace srdd_cli
