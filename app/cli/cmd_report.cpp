// `srdd report`: prints a scan result (srdd-scan/1 JSON) as a per-layer table with flags and the recommendation.
#include <iostream>

#include "options.h"
#include "srdd/scan.h"

namespace {

int runReport(const srdd_cli::Args& args) {
  srdd_cli::Options opt(args, {}, {});
  const std::string path = opt.positional(0, "results JSON file");
  std::cout << srdd::formatScanReport(srdd::readScanResult(path));
  return 0;
}

srdd_cli::Registrar reg({"report", "print a scan result (srdd scan --out) as a per-layer table",
                         "Usage: srdd report RESULTS.json\n"
                         "  Prints each layer's BF16 and quantized metrics, the rules that fired, the end-to-end loss\n"
                         "  and KL, and the strategy recommendation.\n",
                         runReport});

}  // namespace
