// `srdd`: the SRDD Studio command-line tool. Dispatches to the registered subcommands.
#include <algorithm>
#include <exception>
#include <iostream>

#include "command.h"
#include "srdd/error.h"
#include "srdd/runtime.h"
#include "srdd/version.h"

namespace srdd_cli {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace srdd_cli

static void printHelp() {
  auto commands = srdd_cli::registry();
  std::sort(commands.begin(), commands.end(), [](auto& a, auto& b) { return a.name < b.name; });
  std::cout << "Usage: srdd COMMAND [OPTIONS]\n\nSRDD Studio engine: load Hugging Face Qwen2 checkpoints, fake-quantize them,\n"
               "and run per-layer diagnostics.\n\nCommands:\n";
  for (const auto& c : commands) {
    std::cout << "  " << c.name << std::string(c.name.size() < 14 ? 14 - c.name.size() : 1, ' ') << c.summary << "\n";
  }
  std::cout << "\nRun `srdd COMMAND --help` for a command's options. `srdd --version` prints the version.\n";
}

int main(int argc, char** argv) {
  srdd_cli::Args args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    printHelp();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "-V") {
    const auto threads = srdd::defaultThreadCount();
    std::cout << srdd::buildDescription() << "\nengine threads: " << threads.threads << " (" << threads.source << ")\n";
    return 0;
  }
  const auto& commands = srdd_cli::registry();
  auto it = std::find_if(commands.begin(), commands.end(), [&](auto& c) { return c.name == args[0]; });
  if (it == commands.end()) {
    std::cerr << "srdd: error: unknown command '" << args[0] << "' (see `srdd --help`)\n";
    return 2;
  }
  srdd_cli::Args rest(args.begin() + 1, args.end());
  if (!it->handlesOwnHelp && (std::find(rest.begin(), rest.end(), "--help") != rest.end() ||
                              std::find(rest.begin(), rest.end(), "-h") != rest.end())) {
    std::cout << it->usage << "\n";
    return 0;
  }
  if (std::find(rest.begin(), rest.end(), "--version") != rest.end()) {
    std::cout << srdd::buildDescription() << "\n";
    return 0;
  }
  try {
    srdd::initRuntime();
    return it->run(rest);
  } catch (const srdd::Error& e) {
    std::cerr << "srdd " << it->name << ": error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::string msg = e.what();
    msg = msg.substr(0, msg.find('\n'));
    std::cerr << "srdd " << it->name << ": error: " << msg << "\n";
    return 1;
  }
}
