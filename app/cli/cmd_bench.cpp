// `srdd bench`: dispatches to the benchmarks registered through bench.h.
#include <algorithm>
#include <iostream>

#include "bench.h"
#include "srdd/error.h"

namespace srdd_cli {

std::vector<BenchCommand>& benchRegistry() {
  static std::vector<BenchCommand> benches;
  return benches;
}

namespace {

void listBenches(std::ostream& os) {
  auto benches = benchRegistry();
  std::sort(benches.begin(), benches.end(), [](auto& a, auto& b) { return a.name < b.name; });
  os << "Usage: srdd bench BENCHMARK [OPTIONS]\n\nBenchmarks:\n";
  for (const auto& b : benches) os << "  " << b.name << std::string(b.name.size() < 10 ? 10 - b.name.size() : 1, ' ') << b.summary << "\n";
  for (const auto& b : benches) os << "\n" << b.usage << "\n";
}

bool wantsHelp(const Args& args) {
  return std::find(args.begin(), args.end(), "--help") != args.end() || std::find(args.begin(), args.end(), "-h") != args.end();
}

int runBench(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    listBenches(std::cout);
    return args.empty() ? 2 : 0;
  }
  const auto& benches = benchRegistry();
  auto it = std::find_if(benches.begin(), benches.end(), [&](auto& b) { return b.name == args[0]; });
  if (it == benches.end()) throw srdd::Error("unknown benchmark '" + args[0] + "' (run `srdd bench` for the list)");
  Args rest(args.begin() + 1, args.end());
  if (wantsHelp(rest)) {
    std::cout << it->usage << "\n";
    return 0;
  }
  return it->run(rest);
}

const Registrar registrar({"bench", "Run a benchmark (quant, ...); `srdd bench` lists them",
                           "Usage: srdd bench BENCHMARK [OPTIONS]\nRun `srdd bench` without arguments to list the "
                           "benchmarks and their options.",
                           runBench, /*handlesOwnHelp=*/true});

}  // namespace
}  // namespace srdd_cli
