#pragma once
// A tiny option parser for the subcommands: --name value, --flag, and positional arguments.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "command.h"

namespace srdd_cli {

class Options {
 public:
  // valueOptions take a value ("--device cuda"); flagOptions take none ("--json").
  // Throws srdd::Error naming the offending argument for anything unknown or incomplete.
  Options(const Args& args, const std::set<std::string>& valueOptions, const std::set<std::string>& flagOptions);

  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::string value(const std::string& name, const std::string& fallback) const;
  std::string required(const std::string& name) const;
  double number(const std::string& name, double fallback) const;     // error if not numeric
  long long integer(const std::string& name, long long fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }
  std::string positional(size_t i, const std::string& what) const;   // error naming `what` if missing

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

}  // namespace srdd_cli
