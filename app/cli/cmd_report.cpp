// `srdd report`: prints a scan result (srdd-scan/1 JSON) as a per-layer table with flags and the recommendation;
// with --format md|html --out DIR writes the proposal report folder (srdd/report.h, docs/report.md).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli_options.h"
#include "command.h"
#include "report_figures.h"
#include "srdd/atomic_file.h"
#include "srdd/error.h"
#include "srdd/report.h"
#include "srdd/scan.h"
#include "srdd/scan_job.h"

namespace {

namespace fs = std::filesystem;
using srdd::report::Language;

// The AQN comparison of a run directory (RUNDIR/comparison.json) or of a comparison.json file itself.
srdd::aqn::ComparisonResult readAqn(const std::string& path) {
  if (!fs::exists(path)) throw srdd::Error(path + ": no such AQN run directory or comparison.json file");
  const bool dir = fs::is_directory(path);
  return srdd::aqn::readComparison(dir ? (fs::path(path) / "comparison.json").string() : path);
}

void createFolder(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw srdd::Error(dir + ": cannot create the report folder" + (ec ? ": " + ec.message() : std::string()));
}

// Reads every input first (one clear error before anything is written), then writes figures, CSV, and the page
// last, so that a page in the folder means a complete report.
int writeReport(const std::string& resultsPath, const srdd_cli::Parsed& opt) {
  const auto format = srdd::report::parsePageFormat(*opt.value("--format"));
  const std::string out = *opt.value("--out");
  const Language language = srdd::report::parseLanguage(opt.value("--lang", "en"));
  const std::string figureFormat = opt.value("--figures", "svg");
  const srdd::ScanResult scan = srdd::readScanResult(resultsPath);
  std::optional<srdd::aqn::ComparisonResult> aqn;
  if (const auto a = opt.value("--aqn")) aqn = readAqn(*a);
  if (figureFormat != "none") srdd_cli::studioProgram();  // missing: fail before writing anything

  createFolder(out);
  srdd::report::Inputs in;
  in.scan = &scan;
  in.scanPath = fs::absolute(resultsPath).lexically_normal().string();
  in.language = language;
  if (aqn) {
    in.aqn = &*aqn;
    in.aqnPath = fs::absolute(*opt.value("--aqn")).lexically_normal().string();
  }
  if (figureFormat != "none") {
    const std::string figures = (fs::path(out) / "figures").string();
    createFolder(figures);
    in.figures = srdd_cli::exportFigures(resultsPath, opt.value("--aqn", ""), figures, figureFormat,
                                         opt.number("--width-pt", 360), language, out);
  }
  auto write = [&](const std::string& name, const std::string& text) {
    srdd::writeFileAtomically((fs::path(out) / name).string(), text);
    in.dataFiles.push_back(name);
  };
  write("layers.csv", srdd::report::layersCsv(scan));
  write("flags.csv", srdd::report::flagsCsv(scan));
  if (aqn) write("aqn.csv", srdd::report::aqnCsv(*aqn));
  const std::string page = (fs::path(out) / srdd::report::pageFileName(format)).string();
  srdd::writeFileAtomically(page, srdd::report::page(in, format));
  std::cout << page << "\n";
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  d.positional("RESULTS", "a results JSON file (srdd scan --out)", true, {srdd_cli::CompletionHint::Kind::File, {}});
  d.flag("--json", "print the results document itself (validated) instead of the table");
  d.group("Proposal report (docs/report.md)");
  d.choice("--format", "FORMAT",
           "write the report page as md (Markdown) or html into --out DIR, with its figures and CSV", {"md", "html"});
  d.directory("--out", "DIR", "the report folder (created if needed)");
  d.text("--aqn", "RUNDIR", "add the AQN comparison of this run directory (srdd aqn --out) or comparison.json",
         {srdd_cli::CompletionHint::Kind::Directory, {}});
  d.choice(
      "--lang", "LANG", "language of the page and the figures: en (default) or zh (Simplified Chinese)",
      [](const std::string& v) { srdd::report::parseLanguage(v); }, srdd::report::languageNames());
  d.choice("--figures", "FORMAT", "figure files: svg (default), pdf, png, or none (no srdd-studio needed)",
           {"svg", "pdf", "png", "none"});
  // 360 pt (5 in): the heatmaps' labels, colour bar and caption need more room than a 252 pt paper column.
  d.number("--width-pt", "PT", "figure width in points (default 360; height 3/4 of it)", 144, 1440);
  return [&app] {
    const srdd_cli::Parsed opt(app);
    const std::string path = *opt.value("RESULTS");
    const bool report = opt.given("--format");
    if (report != opt.given("--out"))
      throw srdd_cli::UsageError(report ? "--format needs --out DIR" : "--out needs --format md|html");
    if (!report)
      for (const char* o : {"--aqn", "--lang", "--figures", "--width-pt"})
        if (opt.given(o)) throw srdd_cli::UsageError(std::string(o) + " needs --format md|html and --out DIR");
    if (report && opt.flag("--json"))
      throw srdd_cli::UsageError("--json prints the results; it does not go with --format");
    if (report) return writeReport(path, opt);
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

const srdd_cli::Registrar reg(
    {"report", "print a scan result (srdd scan --out) as a per-layer table, or write the proposal report",
     "srdd report RESULTS.json [--json]\n"
     "srdd report RESULTS.json --format md|html --out DIR [--aqn RUNDIR] [--lang en|zh] "
     "[--figures svg|pdf|png|none] [--width-pt 360]",
     "Prints each layer's BF16 and quantized metrics, the rules that fired, the end-to-end loss "
     "and KL, and the strategy recommendation. With --format and --out it writes a report folder "
     "for a proposal document: the page (report.md or report.html) with the per-layer table, the "
     "flagged layers and why, the AQN comparison and its significance line, the figures "
     "(figures/, drawn by srdd-studio) and the provenance, plus layers.csv, flags.csv and aqn.csv "
     "(one number per row, for pandas).",
     define});

}  // namespace
