#pragma once
// `srdd bench SUBCOMMAND`: benchmarks register themselves here, one file per subcommand
// (cmd_bench_<name>.cpp with a static BenchRegistrar), like the top-level commands (command.h).
#include <vector>

#include "command.h"

namespace srdd_cli {

using BenchCommand = Command;                // `srdd bench NAME ...`
std::vector<BenchCommand>& benchRegistry();  // defined in cmd_bench.cpp

struct BenchRegistrar {
  explicit BenchRegistrar(BenchCommand c) { benchRegistry().push_back(std::move(c)); }
};

}  // namespace srdd_cli
