#pragma once
// `srdd bench SUBCOMMAND`: benchmarks register themselves here, one file per subcommand
// (cmd_bench_<name>.cpp with a static BenchRegistrar), like the top-level commands.
#include <functional>
#include <string>
#include <vector>

#include "command.h"

namespace srdd_cli {

struct BenchCommand {
  std::string name;                      // `srdd bench NAME ...`
  std::string summary;                   // one line
  std::string usage;                     // options, printed by `srdd bench`
  std::function<int(const Args&)> run;   // arguments after NAME; throw srdd::Error on failure
};

std::vector<BenchCommand>& benchRegistry();  // defined in cmd_bench.cpp

struct BenchRegistrar {
  explicit BenchRegistrar(BenchCommand c) { benchRegistry().push_back(std::move(c)); }
};

}  // namespace srdd_cli
