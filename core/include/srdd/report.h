#pragma once
// The proposal report (`srdd report --format md|html --out DIR`, and File ▸ Write Proposal Report… in the GUI):
// one Markdown or HTML page with the per-layer table, the flagged layers and why, the AQN comparison with its
// significance line, the figures and the provenance, plus pandas-ready CSV files of every number. Pages and CSV
// are plain text made here (Qt-free, torch-free); the figures are drawn by `srdd-studio --export`. The layout of
// the folder and of the CSV files: docs/report.md.
#include <string>
#include <vector>

#include "srdd/aqn.h"
#include "srdd/scan_result.h"

namespace srdd::report {

// The language of captions, axis labels, titles, table headings and page text.
enum class Language { En, Zh };
Language parseLanguage(const std::string& name);  // "en", "zh" (also "zh-CN", "zh_CN"); srdd::Error otherwise
std::string languageName(Language l);             // "en", "zh"
std::vector<std::string> languageNames();         // en, zh
// ENGLISH in Simplified Chinese from the report's one string table (report_lang.cpp), or ENGLISH itself for
// Language::En and for text the table does not hold. Texts with Qt-style %1 placeholders translate as templates.
std::string translate(Language l, const std::string& english);
// The engine's recommendation details (scan_rules.cpp: a few fixed sentences with numbers and names filled in) in
// the language; a sentence of no known pattern stays English.
std::string translateDetail(Language l, const std::string& english);
// The font family the figures use for Chinese text: WenQuanYi Micro Hei (Debian fonts-wqy-microhei).
const char* cjkFontFamily();

struct Figure {
  std::string id;     // the figure's id (widgets/results/figures.h), e.g. "compare:gain:ratio"
  std::string file;   // relative to the report folder, e.g. "figures/compare-gain-ratio.svg"
  std::string title;  // the caption (already in the report's language)
};
// The figures the page shows, in this order (the others are listed as links): gain and kurtosis ratios, output
// SQNR, single-layer KL, the layer × metric ratio heatmap and the layer × module weight SQNR heatmap.
const std::vector<std::string>& keyFigureIds();

struct Inputs {
  const ScanResult* scan = nullptr;            // required
  std::string scanPath;                        // where it was read from, for the provenance
  const aqn::ComparisonResult* aqn = nullptr;  // optional
  std::string aqnPath;
  std::vector<Figure> figures;
  std::vector<std::string> dataFiles;  // CSV files of the folder, relative, listed under "Data"
  Language language = Language::En;
};

enum class PageFormat { Markdown, Html };
PageFormat parsePageFormat(const std::string& name);  // "md" / "markdown", "html"; srdd::Error otherwise
std::string pageFileName(PageFormat f);               // "report.md", "report.html"
// The page. HTML: one self-contained file (inline CSS, no scripts), every text escaped, figures linked relatively.
std::string page(const Inputs& in, PageFormat format);

// Long ("tidy") CSV, one number per row, doubles in their shortest round-trip form (docs/report.md):
//   layers.csv  layer,module,variant,metric,statistic,value
//   flags.csv   layer,rule,metric,value,threshold,where,kind
//   aqn.csv     config,seed_index,seed,noise_layers,metric,value
std::string layersCsv(const ScanResult& r);
std::string flagsCsv(const ScanResult& r);
std::string aqnCsv(const aqn::ComparisonResult& r);

}  // namespace srdd::report
