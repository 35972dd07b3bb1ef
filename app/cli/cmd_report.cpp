// `srdd report`: prints a scan result (srdd-scan/1 JSON) as a per-layer table with flags and the recommendation.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_options.h"
#include "command.h"
#include "srdd/scan.h"
#include "srdd/scan_job.h"

namespace {

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  d.positional("RESULTS", "a results JSON file (srdd scan --out)", true, {srdd_cli::CompletionHint::Kind::File, {}});
  d.flag("--json", "print the results document itself (validated) instead of the table");
  return [&app] {
    const srdd_cli::Parsed opt(app);
    const std::string path = *opt.value("RESULTS");
    const auto result = srdd::readScanResult(path);  // validates the document, naming the file
    if (opt.flag("--json")) {
      std::ifstream in(path, std::ios::binary);
      std::cout << srdd::scanJsonText(nlohmann::json::parse(in));
    } else {
      std::cout << srdd::formatScanReport(result);
    }
    return 0;
  };
}

const srdd_cli::Registrar reg({"report", "print a scan result (srdd scan --out) as a per-layer table",
                               "srdd report RESULTS.json [--json]",
                               "Prints each layer's BF16 and quantized metrics, the rules that fired, the end-to-end loss "
                               "and KL, and the strategy recommendation.",
                               define});

}  // namespace
