// `srdd`: the SRDD Studio command-line tool. Parses the command line with CLI11 (the subcommands declare
// their options, command.h) and maps every outcome to one exit code (exit_codes.h).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>

#include "cli_options.h"
#include "command.h"
#include "exit_codes.h"
#include "help_format.h"
#include "interrupt.h"
#include "srdd/error.h"
#include "srdd/runtime.h"
#include "srdd/version.h"

namespace srdd_cli {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace srdd_cli

namespace {

using namespace srdd_cli;

// The deepest subcommand the command line selected (the root when none).
CLI::App* selected(CLI::App* app) {
  for (CLI::App* sub : app->get_subcommands())
    if (sub->parsed()) return selected(sub);
  return app;
}

// "srdd bench quant" for the help hint; the top-level command's name for the error prefix (as before).
std::string commandPath(const CLI::App* app) {
  std::string path;
  for (; app; app = app->get_parent()) path = app->get_name() + (path.empty() ? "" : " " + path);
  return path;
}
std::string topCommand(const CLI::App* app) {
  while (app->get_parent() && app->get_parent()->get_parent()) app = app->get_parent();
  return app->get_parent() ? app->get_name() : "";
}

// CLI11's messages, reworded to name the option the way srdd's own usage errors do.
std::string usageMessage(const CLI::ParseError& e) {
  const std::string what = e.what(), name = what.substr(0, what.find(':'));
  const std::string kind = e.get_name();
  if (kind == "ArgumentMismatch" && what.find("missing") != std::string::npos)
    return "option " + name + " needs a value";
  if (kind == "RequiredError") {
    const std::string who = what.substr(0, what.find(" is required"));
    if (who.rfind("-", 0) == 0) return "option " + who + " is required";
    if (what.find("subcommand") != std::string::npos) return what;
    return "missing argument " + who;
  }
  if (kind == "ExcludesError") {
    const auto at = what.find(" excludes ");
    if (at != std::string::npos)
      return "options " + what.substr(0, at) + " and " + what.substr(at + 10) + " exclude each other";
  }
  if (kind == "RequiresError") {
    const auto at = what.find(" requires ");
    if (at != std::string::npos) return "option " + what.substr(0, at) + " needs " + what.substr(at + 10);
  }
  return what;
}

int usageError(const CLI::App* app, const std::string& message) {
  const std::string top = topCommand(app);
  std::cerr << "srdd" << (top.empty() ? "" : " " + top) << ": error: " << message << " (see `" << commandPath(app)
            << " --help`)\n";
  return kExitUsage;
}

// Arguments no option or positional took: an unknown option or command, or one argument too many.
int reportExtras(const CLI::App* app) {
  const auto extras = app->remaining();
  const std::string& first = extras.front();
  if (first.rfind("-", 0) == 0 && first.size() > 1) return usageError(app, "unknown option '" + first + "'");
  if (!app->get_parent()) return usageError(app, "unknown command '" + first + "'");
  if (!app->get_subcommands({}).empty()) return usageError(app, "unknown subcommand '" + first + "'");
  return usageError(app, "unexpected argument '" + first + "'");
}

void printVersion(bool withThreads) {
  std::cout << srdd::buildDescription() << "\n";
  if (withThreads) {
    const auto threads = srdd::defaultThreadCount();
    std::cout << "engine threads: " << threads.threads << " (" << threads.source << ")\n";
    const char* wait = std::getenv("OMP_WAIT_POLICY");  // srdd sets PASSIVE itself on a busy machine
    std::cout << "OpenMP wait policy: " << (wait ? wait : "default") << "\n";
  }
}

int runSelected(CLI::App& root, const std::map<const CLI::App*, Runner>& runners) {
  CLI::App* leaf = selected(&root);
  for (CLI::App* a = leaf; a; a = a->get_parent())
    if (!a->remaining().empty()) return reportExtras(a);
  if (leaf != &root && leaf->count("--version")) {
    printVersion(false);
    return kExitOk;
  }
  if (leaf == &root) {
    if (root.count("--version")) {
      printVersion(true);
      return kExitOk;
    }
    std::cout << root.help();  // `srdd` alone: the list of commands, as a usage error
    return kExitUsage;
  }
  const CLI::App* top = leaf;
  while (top->get_parent() != &root) top = top->get_parent();
  const std::string name = top->get_name();
  try {
    srdd::initRuntime();
    return runners.at(top)();
  } catch (const UsageError& e) {
    return usageError(leaf, e.what());
  } catch (const srdd::Cancelled&) {
    std::cerr << "srdd " << name << ": interrupted; no results were written\n";
    return kExitInterrupted;
  } catch (const srdd::Error& e) {
    std::cerr << "srdd " << name << ": error: " << e.what() << "\n";
    return kExitError;
  } catch (const std::exception& e) {
    std::string msg = e.what();
    std::cerr << "srdd " << name << ": error: " << msg.substr(0, msg.find('\n')) << "\n";
    return kExitError;
  }
}

}  // namespace

int main(int argc, char** argv) {
  srdd::preferPassiveOpenMpWaiting(argv);
  exitOnInterrupt();
  CLI::App root(
      "SRDD Studio engine: load Hugging Face Qwen2 checkpoints, fake-quantize them, and run per-layer "
      "diagnostics.",
      "srdd");
  root.formatter(makeHelpFormatter());
  root.set_help_flag("-h,--help", "print this help and exit");
  root.set_help_all_flag("--help-all", "print the help with the options of every (sub)command");
  root.add_flag("-V,--version", "print the version, the build and the engine thread count");
  root.allow_extras();
  root.require_subcommand(0, 1);
  describe(&root, "srdd COMMAND [OPTIONS]\nsrdd --version");
  root.footer(
      "Run `srdd COMMAND --help` for a command's options.\n\n"
      "Exit status: 0 success, 1 the command failed (a bad file, a failed job), 2 usage error (unknown\n"
      "option, missing or malformed value), 130 interrupted (Ctrl-C / SIGINT).");
  auto commands = registry();
  std::sort(commands.begin(), commands.end(), [](auto& a, auto& b) { return a.name < b.name; });
  std::map<const CLI::App*, Runner> runners;
  for (const auto& c : commands) {
    CLI::App* sub = addSubcommand(root, c.name, c.summary, c.synopsis, c.about);
    runners[sub] = c.define(*sub);
  }
  // `srdd help [COMMAND]`, kept from before CLI11; hidden (the --help flags are the documented way).
  CLI::App* help = addSubcommand(root, "help", "print the help of srdd or of COMMAND", "srdd help [COMMAND]");
  help->group("");
  help->add_option("COMMAND", "a command");
  runners[help] = [&root, help] {
    const auto name = help->get_option("COMMAND")->results();
    const CLI::App* target = &root;
    if (!name.empty()) {
      const auto found = root.get_subcommands([&](const CLI::App* s) { return s->get_name() == name.front(); });
      if (found.empty()) throw UsageError("unknown command '" + name.front() + "'");
      target = found.front();
    }
    std::cout << target->help(name.empty() ? "srdd" : "srdd " + name.front());
    return kExitOk;
  };
  try {
    root.parse(argc, argv);  // an option's value is the next argument, even "-F cfg" (CLI11 always takes it)
  } catch (const CLI::CallForHelp& e) {
    return root.exit(e);  // the help of the subcommand that asked
  } catch (const CLI::CallForAllHelp& e) {
    return root.exit(e);
  } catch (const UsageError& e) {
    return usageError(selected(&root), e.what());
  } catch (const CLI::ParseError& e) {
    CLI::App* leaf = selected(&root);
    for (CLI::App* a = leaf; a;
         a = a->get_parent())  // an unknown option or command says more than what it left missing
      if (!a->remaining().empty()) return reportExtras(a);
    if (e.get_name() == "RequiredError" && std::string(e.what()).find("subcommand") != std::string::npos) {
      std::cout << leaf->help();  // `srdd bench` alone: its list, as a usage error
      return kExitUsage;
    }
    return usageError(leaf, usageMessage(e));
  }
  return runSelected(root, runners);
}
