// What the proposal report says, section by section, in the report's language: summary, flagged layers and why,
// the per-layer table, the AQN comparison and its significance line, the figures, the data files, the provenance.
// How it is written (Markdown or HTML) is report_render.cpp's job.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report_render.h"
#include "srdd/error.h"
#include "srdd/version.h"

namespace srdd::report {

namespace {
using nlohmann::json;

class Page {
 public:
  Page(const Inputs& in, PageWriter& w) : in_(in), w_(w) {}
  void write() {
    const ScanResult& r = *in_.scan;
    const json model = r.provenance.value("model", json::object());
    w_.title(arg(t("SRDD report: %1"), {modelName(model.value("path", "?"))}));
    summary();
    flagged();
    layers();
    aqnComparison();
    figures();
    dataFiles();
    provenance();
    w_.paragraph(arg(t("Written by srdd %1."), {versionString() + " (" + gitCommit() + ")"}));
  }

 private:
  std::string t(const std::string& english) const { return translate(in_.language, english); }
  static std::string arg(std::string text, const std::vector<std::string>& values) {
    for (size_t i = values.size(); i-- > 0;) {  // %10 before %1
      const std::string key = "%" + std::to_string(i + 1);
      for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + values[i].size()))
        text.replace(at, key.size(), values[i]);
    }
    return text;
  }
  static std::string num(double v, const char* format = "%.4f") {
    if (!std::isfinite(v)) return "–";
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
  }
  static std::string modelName(const std::string& path) {
    std::string p = path;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    const auto slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
  }
  static std::string joinInts(const std::vector<int>& v) {
    std::string s;
    for (int x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
    return s;
  }
  static std::string versionText(const json& prov) {
    const json app = prov.value("app", json::object());
    std::string v = app.value("version", "?");
    if (const std::string c = app.value("git_commit", ""); !c.empty()) v += " (" + c + ")";
    return v;
  }
  std::string listOrNone(const std::vector<int>& v) const { return v.empty() ? t("none") : joinInts(v); }

  void summary() {
    const ScanResult& r = *in_.scan;
    const auto& rec = r.verdict.recommendation;
    w_.heading(t("Summary"));
    std::string recommendation = t(rec.strategy);
    for (const auto& d : rec.details) recommendation += " — " + translateDetail(in_.language, d);
    auto e2e = [&](const char* key) {
      const auto it = r.endToEnd.find(key);
      if (it == r.endToEnd.end()) return std::string("–");
      return num(it->second.mean) + " [" + num(it->second.ciLow) + ", " + num(it->second.ciHigh) + "]";
    };
    w_.facts({{t("Model"), r.provenance.value("model", json::object()).value("path", "?")},
              {t("Quantization"), r.parameters.value("quantization_description", "?")},
              {t("Prompts"),
               arg(t("%1 from %2 (at most %3 tokens each)"),
                   {std::to_string(r.prompts.texts.size()), r.prompts.source, std::to_string(r.prompts.maxTokens)})},
              {t("Rule set"), t(r.ruleSet() == RuleSet::Floor ? "floor (excess over the format's noise floor)"
                                                              : "absolute (the research scripts' fixed thresholds)")},
              {t("Problematic layers"), listOrNone(r.verdict.problematicLayers)},
              {t("Ranking (most harmful first)"), listOrNone(r.verdict.ranking)},
              {t("Target set"), listOrNone(rec.targetLayers)},
              {t("Recommendation"), recommendation}});
    w_.paragraph(t("End to end (mean [95% CI] over prompts)"));
    w_.facts({{t("loss BF16"), e2e("loss_bf16")},
              {t("loss quantized"), e2e("loss_quantized")},
              {t("loss change"), e2e("loss_change")},
              {t("KL divergence"), e2e("kl")}});
  }

  std::string why(const Flag& f) const {
    if (f.anomaly)
      return t("robust z-score anomaly across the layers; informative, it does not make the layer problematic");
    if (f.rule.rfind("outlier_", 0) == 0)
      return t("this tensor kind's excess over the floor is an outlier across the quantized layers (robust z)");
    static const std::map<std::string, std::string> reasons = {
        {"gain_drop", "gain ratio quantized / BF16 below the threshold: a dead zone swallows the signal"},
        {"kurtosis_drop", "kurtosis ratio below the threshold: the quantizer saturates the tails"},
        {"instability_increase", "instability grew by more than the threshold (e.g. stochastic rounding)"},
        {"low_sqnr", "SQNR of the layer output below the threshold"},
        {"high_deadzone", "deadzone ratio above the threshold: too many values round to zero"},
        {"high_clipping", "per-block clipping ratio above the threshold"},
        {"high_rel_error", "relative error above the threshold"},
        {"floor_sqnr", "SQNR lower than the format's own noise floor by more than the threshold"},
        {"floor_clipping", "clipping above the format's floor by more than the threshold"}};
    const auto it = reasons.find(f.rule);
    return it == reasons.end() ? f.rule : t(it->second);
  }

  void flagged() {
    w_.heading(t("Flagged layers"));
    Table table;
    table.columns = {t("Layer"), t("Rule"), t("Metric"), t("Value"), t("Threshold"), t("Tensor"), t("Why")};
    table.numeric = {true, false, false, true, true, false, false};
    for (const auto& v : in_.scan->verdict.layers)
      for (const auto& f : v.flags) {
        table.rows.push_back({std::to_string(v.layer),
                              f.rule + (f.anomaly ? " (" + t("anomaly (informative)") + ")" : ""), f.metric,
                              num(f.value, "%.4g"), num(f.threshold, "%.4g"), f.where.empty() ? "–" : f.where, why(f)});
        table.marked.push_back(!f.anomaly);
      }
    if (table.rows.empty())
      w_.paragraph(t("No layer was flagged."));
    else
      w_.table(table);
  }

  void layers() {
    const ScanReportTable cells = scanReportTable(*in_.scan);
    w_.heading(t("Per-layer metrics"));
    w_.paragraph(
        arg(t("Means over the prompts; ratio = quantized / BF16. Every number, with its CI: %1."), {"layers.csv"}));
    Table table;
    for (const auto& c : cells.columns) table.columns.push_back(t(c));
    table.numeric.assign(cells.columns.size(), true);
    table.numeric.back() = false;
    table.monospaceLast = true;
    for (auto row : cells.rows) {
      table.marked.push_back(row.back() != "-" && row.back() != "not quantized");
      if (row.back() == "not quantized") row.back() = t("not quantized");
      table.rows.push_back(row);
    }
    w_.table(table);
  }

  std::string configName(const std::string& name) const {
    const std::string translated = t(name);
    return translated == name ? name : translated + " (" + name + ")";
  }

  // The primary answer (the research plan's success criterion): the engine's own line in English; in another
  // language the same numbers in a translated sentence.
  std::string significanceLine(const aqn::ComparisonResult& a) const {
    if (in_.language == Language::En) return a.primary.line;
    const std::string question = t("SRDD-guided AQN lower loss than Global AQN, p < 0.05?") + " ";
    const aqn::ConfigTest* x = nullptr;
    for (const auto& test : a.tests)
      if (test.a == "targeted" && test.b == "global") x = &test;
    if (!x) return question + t("not answered: the comparison needs the targeted and global configurations");
    if (!x->error.empty())
      return question + arg(t("not answered: targeted − global = %1, the paired test is undefined (%2)"),
                            {num(x->meanDifference, "%+.4g"), x->error});
    return question + arg(t("%1 — targeted − global = %2 nats (95% CI %3 to %4), paired t(%5) = %6, p = %7 "
                            "(Holm-adjusted %8), d_z = %9, n = %10 seeds"),
                          {t(a.primary.yes ? "yes" : "no"), num(x->meanDifference, "%+.4g"),
                           num(x->pairedCi.low, "%+.4g"), num(x->pairedCi.high, "%+.4g"), num(x->paired.df, "%g"),
                           num(x->paired.t, "%.3g"), num(x->paired.p, "%.3g"), num(x->holmP, "%.3g"),
                           num(x->pairedDz, "%.3g"), num(x->paired.df + 1, "%g")});
  }

  void aqnComparison() {
    w_.heading(t("AQN comparison"));
    if (!in_.aqn) {
      w_.paragraph(t("No AQN comparison was given (srdd report --aqn RUNDIR)."));
      return;
    }
    const aqn::ComparisonResult& a = *in_.aqn;
    const bool training = a.settings.protocol == aqn::Protocol::Training;
    w_.paragraph(
        t(training
              ? "AQN training runs (noise during fine-tuning), held-out loss of the quantized model; lower is better."
              : "Reference protocol: inference-time activation noise, not AQN training."));
    w_.paragraph(
        arg(t("Initial model: loss %1 quantized, %2 BF16."), {num(a.initialLossQuantized), num(a.initialLossBf16)}));
    Table configs;
    configs.columns = {t("Configuration"), t("Noise layers"), t("Seeds"), t("Loss quantized (mean ± sd)"), t("95% CI")};
    if (training) configs.columns.push_back(t("Loss BF16 (mean ± sd)"));
    configs.numeric = {false, false, true, true, true, true};
    for (const auto& c : a.configs) {
      std::vector<std::string> row = {configName(c.name), c.noiseLayers.empty() ? t("none") : joinInts(c.noiseLayers),
                                      std::to_string(c.quantized.n),
                                      num(c.quantized.mean) + " ± " + num(c.quantized.sd),
                                      "[" + num(c.quantized.ciLow) + ", " + num(c.quantized.ciHigh) + "]"};
      if (training) row.push_back(num(c.bf16.mean) + " ± " + num(c.bf16.sd));
      configs.rows.push_back(row);
    }
    w_.table(configs);
    Table tests;
    tests.columns = {t("Test (quantized loss)"),
                     t("Difference"),
                     t("95% CI (paired)"),
                     t("Paired p"),
                     t("Holm p"),
                     t("Welch p"),
                     "d_z",
                     "Cohen's d",
                     t("Significant")};
    tests.numeric = {false, true, true, true, true, true, true, true, false};
    for (const auto& x : a.tests) {
      const std::string name = x.a + " − " + x.b;
      if (!x.error.empty()) {
        tests.rows.push_back({name, num(x.meanDifference, "%+.4f"), x.error, "–", "–", "–", "–", "–", t("no")});
      } else {
        tests.rows.push_back({name, num(x.meanDifference, "%+.4f"),
                              "[" + num(x.pairedCi.low, "%+.4f") + ", " + num(x.pairedCi.high, "%+.4f") + "]",
                              num(x.paired.p, "%.4g"), num(x.holmP, "%.4g"), num(x.welch.p, "%.4g"),
                              num(x.pairedDz, "%+.3f"), num(x.cohensD, "%+.3f"), t(x.significant ? "yes" : "no")});
      }
      tests.marked.push_back(x.significant);
    }
    if (!tests.rows.empty()) {
      w_.table(tests);
      w_.paragraph(arg(t("Significant: Holm-adjusted paired p < 0.05 over the %1 tests; runs are paired by seed."),
                       {std::to_string(a.tests.size())}));
    }
    if (a.power.pairs >= 2)
      w_.paragraph(
          arg(t("Power: with %1 seeds the paired t-test (two-sided, alpha %2) detects d_z ≥ %3 with power %4."),
              {std::to_string(a.power.pairs), num(a.power.alpha, "%.2g"), num(a.power.mdeDz, "%.3g"),
               num(a.power.power, "%.2g")}));
    w_.paragraph(t("Significance"));
    w_.highlight(significanceLine(a));
    for (const char* id : {"aqn-final-loss", "aqn-loss-curves"})
      if (const Figure* f = figure(id)) showFigure(*f);
  }

  const Figure* figure(const std::string& id) const {
    for (const auto& f : in_.figures)
      if (f.id == id) return &f;
    return nullptr;
  }
  // The AQN results view's figures have no JSON sidecar with a title: their titles are the figures' own.
  std::string titleOf(const Figure& f) const {
    static const std::map<std::string, std::string> aqnTitles = {
        {"aqn-final-loss", "Final loss per configuration"},
        {"aqn-loss-curves", "Training loss per configuration"},
        {"aqn-sigma-schedule", "σ schedule: AQN noise per training step"}};
    const auto it = aqnTitles.find(f.id);
    return it == aqnTitles.end() ? f.title : t(it->second);
  }
  void showFigure(const Figure& f) {
    Figure titled = f;
    titled.title = titleOf(f);
    w_.figure(titled, arg(t("Figure %1. %2"), {std::to_string(++figureNumber_), titled.title}));
  }

  void figures() {
    w_.heading(t("Figures"));
    if (in_.figures.empty()) {
      w_.paragraph(t("No figures (srdd report --figures none)."));
      return;
    }
    std::vector<const Figure*> shown, more;
    for (const std::string& id : keyFigureIds())
      if (const Figure* f = figure(id)) shown.push_back(f);
    const bool inAqnSection = in_.aqn != nullptr;
    for (const auto& f : in_.figures) {
      const bool aqnShown = inAqnSection && (f.id == "aqn-final-loss" || f.id == "aqn-loss-curves");
      if (!aqnShown && std::find(shown.begin(), shown.end(), &f) == shown.end()) more.push_back(&f);
    }
    if (shown.empty()) std::swap(shown, more);  // a scan without any key figure: show them all
    for (const Figure* f : shown) showFigure(*f);
    if (more.empty()) return;
    w_.paragraph(arg(t("More figures (%1):"), {std::to_string(more.size())}));
    Facts links;
    for (const Figure* f : more) links.push_back({f->file, titleOf(*f)});
    w_.files(links);
  }

  void dataFiles() {
    w_.heading(t("Data files"));
    Facts files;
    for (const auto& f : in_.dataFiles) {
      const char* what = f == "layers.csv"  ? "every per-layer number, one per row (pandas: docs/report.md)"
                         : f == "flags.csv" ? "the flags: layer, rule, metric, value, threshold"
                                            : "the AQN runs' losses, one per row";
      files.push_back({f, t(what)});
    }
    w_.files(files);
  }

  std::string engineText(const json& prov) const {
    if (!prov.contains("engine")) return t("in-process (this machine)");
    const json e = prov.at("engine");
    std::string s = e.value("name", "?");
    if (const std::string host = e.value("host", ""); !host.empty()) s += " @ " + host;
    return s;
  }

  void machineFacts(const json& prov, Facts& f) const {
    f.push_back({t("Engine"), engineText(prov)});
    f.push_back({t("Device"), prov.value("device", "?")});
    f.push_back({t("Data type"), prov.value("dtype", "?")});
    if (prov.contains("threads")) f.push_back({t("Threads"), prov.at("threads").dump()});
    f.push_back({"LibTorch", prov.value("libtorch", "?")});
    f.push_back({t("SRDD version"), versionText(prov)});
    f.push_back({t("Created (UTC)"), prov.value("created_utc", "?")});
  }

  void modelFiles(const json& model) {
    Table files;
    files.columns = {t("File"), t("Bytes"), "SHA-256"};
    files.numeric = {false, true, false};
    files.monospaceLast = true;
    for (const auto& f : model.value("files", json::array()))
      files.rows.push_back({f.value("name", "?"), std::to_string(f.value("bytes", 0LL)), f.value("sha256", "–")});
    if (!files.rows.empty()) w_.table(files);
  }

  static std::string trainingText(const aqn::TrainSettings& t) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%d steps, batch %d x %d tokens, lr %g, weight decay %g, grad clip %g, trainable %s, %s", t.steps,
                  t.batchSize, t.seqLength, t.learningRate, t.weightDecay, t.gradClip, t.trainable.c_str(),
                  t.quantizeTraining ? "fake-quantized forward (STE)" : "plain forward");
    return buf;
  }
  static std::string noiseText(const aqn::NoiseSettings& n) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s: %s, %s sigma %g -> %g in %d levels, warm-up %g %%",
                  aqn::matchingNoisePreset(n).c_str(), aqn::noiseTargetName(n.target).c_str(),
                  aqn::noiseScaleName(n.scale).c_str(), n.schedule.sigmaStart, n.schedule.sigmaEnd, n.schedule.levels,
                  100 * n.schedule.warmupFraction);
    return buf;
  }

  void provenance() {
    const ScanResult& r = *in_.scan;
    w_.heading(t("Provenance"));
    const json model = r.provenance.value("model", json::object());
    std::string scans;
    for (const auto& s : r.parameters.value("scans", json::array()))
      scans += (scans.empty() ? "" : ", ") + s.get<std::string>();
    std::string thresholds;
    const json thresholdValues = r.parameters.value("thresholds", json::object());
    for (const auto& [k, v] : thresholdValues.items())
      thresholds += (thresholds.empty() ? "" : ", ") + k + " " + v.dump();
    Facts f = {{t("Scan results"), in_.scanPath},
               {t("Model path"), model.value("path", "?")},
               {t("Quantization"), r.parameters.value("quantization_description", "?")},
               {t("Scans"), scans},
               {t("Prompts"), r.prompts.source},
               {t("Seed"), r.parameters.contains("seed") ? r.parameters.at("seed").dump() : "?"},
               {t("Rule set"), ruleSetName(r.ruleSet())},
               {t("Threshold"), thresholds}};
    machineFacts(r.provenance, f);
    w_.facts(f);
    w_.paragraph(t("Model files"));
    modelFiles(model);
    if (!in_.aqn) return;
    const aqn::ComparisonResult& a = *in_.aqn;
    const auto& s = a.settings;
    std::string configs;
    for (const auto& c : s.configs) configs += (configs.empty() ? "" : ", ") + c;
    Facts af = {{t("AQN run"), in_.aqnPath},
                {t("Model path"), a.provenance.value("model", json::object()).value("path", s.modelDirectory)},
                {t("Configuration"), configs},
                {t("Seeds"), std::to_string(s.seeds) + " (" + std::to_string(s.baseSeed) + "…)"},
                {t("Training"), trainingText(s.train)},
                {t("Noise"), noiseText(s.noise)}};
    machineFacts(a.provenance, af);
    w_.paragraph(t("AQN run"));
    w_.facts(af);
    w_.paragraph(t("Model files"));
    modelFiles(a.provenance.value("model", json::object()));
  }

  const Inputs& in_;
  PageWriter& w_;
  int figureNumber_ = 0;
};
}  // namespace

const std::vector<std::string>& keyFigureIds() {
  static const std::vector<std::string> ids = {
      "compare:gain:ratio",           "compare:kurtosis:ratio",          "compare:sqnr_db:difference",
      "compare:kl_single:difference", "heatmap-metrics:ratio:diverging", "heatmap-modules:sqnr_db:linear"};
  return ids;
}

PageFormat parsePageFormat(const std::string& name) {
  if (name == "md" || name == "markdown") return PageFormat::Markdown;
  if (name == "html") return PageFormat::Html;
  throw Error("unknown report format '" + name + "' (expected md or html)");
}

std::string pageFileName(PageFormat f) { return f == PageFormat::Html ? "report.html" : "report.md"; }

std::string page(const Inputs& in, PageFormat format) {
  if (!in.scan) throw Error("report: no scan results");
  const auto writer = format == PageFormat::Html ? htmlWriter(in.language) : markdownWriter();
  Page(in, *writer).write();
  return writer->finish();
}

}  // namespace srdd::report
