#pragma once
// Declaring a subcommand's options on CLI11 with typed validation, and reading them back by name.
//
// A value that is malformed for its option (not an integer, out of range, not one of the choices) is a
// UsageError (exit 2) found while the command line is parsed, before any work starts. Checks that need
// more than the value itself (a layer list against the model's layer count, a file's contents) stay with
// the code that does the work and fail as srdd::Error (exit 1).
#include <CLI/CLI.hpp>

#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace srdd_cli {

// The command line is wrong. The message names the option ("option --seed: 'x' is not an integer").
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What bash completion offers as an option's value or a positional argument.
struct CompletionHint {
  enum class Kind { None, File, Directory, Words } kind = Kind::None;
  std::vector<std::string> words;
};
const CompletionHint* completionHint(const CLI::Option* option);  // nullptr: none recorded

// Adds options to one subcommand. Every option takes its last value when given twice (as before CLI11).
class Declare {
 public:
  explicit Declare(CLI::App& app);
  // The help heading of the options declared next ("Options" until changed).
  Declare& group(const std::string& heading);

  // "--out FILE": any text. hint: what completion offers (a file by default when meta names one).
  CLI::Option* text(const std::string& name, const std::string& meta, const std::string& help,
                    CompletionHint hint = {});
  CLI::Option* file(const std::string& name, const std::string& meta, const std::string& help);
  CLI::Option* directory(const std::string& name, const std::string& meta, const std::string& help);
  // An integer in [lo, hi].
  CLI::Option* integer(const std::string& name, const std::string& meta, const std::string& help,
                       long long lo = std::numeric_limits<long long>::min(),
                       long long hi = std::numeric_limits<long long>::max());
  // A finite number in [lo, hi].
  CLI::Option* number(const std::string& name, const std::string& meta, const std::string& help,
                      double lo = -std::numeric_limits<double>::infinity(),
                      double hi = std::numeric_limits<double>::infinity());
  // One of a set of names. `check` is the engine's own parser of the value (it throws srdd::Error listing
  // the valid names), so that the set is defined once; `words` are offered by completion.
  CLI::Option* choice(const std::string& name, const std::string& meta, const std::string& help,
                      const std::function<void(const std::string&)>& check, std::vector<std::string> words);
  // One of `words` exactly.
  CLI::Option* choice(const std::string& name, const std::string& meta, const std::string& help,
                      std::vector<std::string> words);
  CLI::Option* flag(const std::string& name, const std::string& help);
  // Positional arguments, in order; `many` takes every remaining one.
  CLI::Option* positional(const std::string& name, const std::string& help, bool required, CompletionHint hint = {},
                          bool many = false);

 private:
  CLI::Option* finish(CLI::Option* o, const std::string& meta, CompletionHint hint);
  CLI::App& app_;
  std::string group_ = "Options";
};

// The parsed values of one subcommand, by option name ("--seed") or positional name ("MODEL").
class Parsed {
 public:
  explicit Parsed(const CLI::App& app) : app_(app) {}
  bool flag(const std::string& name) const;
  bool given(const std::string& name) const { return flag(name); }
  std::optional<std::string> value(const std::string& name) const;
  std::string value(const std::string& name, const std::string& fallback) const;
  long long integer(const std::string& name, long long fallback) const;
  double number(const std::string& name, double fallback) const;
  std::vector<std::string> values(const std::string& name) const;  // a `many` positional
  const CLI::App& app() const { return app_; }

 private:
  const CLI::Option* option(const std::string& name) const;
  const CLI::App& app_;
};

}  // namespace srdd_cli
