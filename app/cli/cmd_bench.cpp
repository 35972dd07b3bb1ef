// `srdd bench`: the benchmarks registered through bench.h, as its subcommands.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <map>

#include "bench.h"
#include "help_format.h"

namespace srdd_cli {

std::vector<BenchCommand>& benchRegistry() {
  static std::vector<BenchCommand> benches;
  return benches;
}

namespace {

Runner define(CLI::App& app) {
  auto benches = benchRegistry();
  std::sort(benches.begin(), benches.end(), [](auto& a, auto& b) { return a.name < b.name; });
  auto runners = std::make_shared<std::map<const CLI::App*, Runner>>();
  for (const auto& b : benches) {
    CLI::App* sub = addSubcommand(app, b.name, b.summary, b.synopsis, b.about);
    (*runners)[sub] = b.define(*sub);
  }
  app.require_subcommand(1);
  return [runners] {
    for (const auto& [sub, run] : *runners)
      if (sub->parsed()) return run();
    return 2;  // not reached: CLI11 requires one benchmark
  };
}

const Registrar registrar({"bench", "Run a benchmark (quant, ...); `srdd bench --help` lists them",
                           "srdd bench BENCHMARK [OPTIONS]",
                           "Run `srdd bench BENCHMARK --help` for a benchmark's options.", define});

}  // namespace
}  // namespace srdd_cli
