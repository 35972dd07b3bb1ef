#pragma once
// Subcommands of the `srdd` tool register themselves here, one file per subcommand (cmd_<name>.cpp), so
// that adding one never touches another. Each declares its options on its CLI11 subcommand (cli_options.h)
// and returns the function that runs it once the command line has parsed.
#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace srdd_cli {

using Runner = std::function<int()>;  // returns the exit code (exit_codes.h); throws srdd::Error on failure

struct Command {
  std::string name;
  std::string summary;                      // one line for `srdd --help` (and the man page's NAME)
  std::string synopsis;                     // the "Usage:" lines of `srdd NAME --help`, without "Usage: "
  std::string about;                        // a paragraph under the summary in `srdd NAME --help` (optional)
  std::function<Runner(CLI::App&)> define;  // declares the options on the subcommand
};

std::vector<Command>& registry();

struct Registrar {
  explicit Registrar(Command c) { registry().push_back(std::move(c)); }
};

}  // namespace srdd_cli
