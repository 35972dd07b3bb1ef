// AQN results: run and comparison JSON, per-configuration statistics and tests, the text table.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "srdd/aqn.h"
#include "json_depth.h"
#include "srdd/error.h"

namespace srdd::aqn {

namespace {

const char* kRunSchema = "srdd-aqn-run/1";
const char* kSchema = "srdd-aqn/1";
constexpr double kAlpha = 0.05, kPower = 0.8;
const char* kReferenceLabel =
    "reference protocol (research scripts): inference-time activation noise gamma*|h| before MXFP4 at every layer "
    "output, no training. This is NOT AQN training.";
const char* kTrainingLabel = "AQN training: fine-tuning with fresh fp32 noise on the noise layers at every step";

nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }
double numOr(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : std::nan(""); }

nlohmann::json nums(const std::vector<double>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (double x : v) a.push_back(num(x));
  return a;
}
std::vector<double> numsFrom(const nlohmann::json& j) {
  std::vector<double> v;
  if (j.is_array())
    for (const auto& x : j) v.push_back(numOr(x));
  return v;
}

double populationSd(const std::vector<double>& x) {
  if (x.empty()) return std::nan("");
  double m = 0, s = 0;
  for (double v : x) m += v;
  m /= static_cast<double>(x.size());
  for (double v : x) s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(x.size()));
}

const ConfigSummary* find(const std::vector<ConfigSummary>& c, const std::string& name) {
  for (const auto& s : c)
    if (s.name == name) return &s;
  return nullptr;
}

// The research scripts' "aqn_results" layout (reference §3.7): population std, Student t-test.
nlohmann::json legacyAqnResults(const ComparisonResult& r) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& c : r.configs) {
    const std::string key = c.name == "baseline" ? c.name : c.name + "_aqn";
    double mean = 0;
    for (double v : c.lossesQuantized) mean += v;
    mean /= static_cast<double>(c.lossesQuantized.size());
    out[key] = {{"losses", nums(c.lossesQuantized)},
                {"mean", num(mean)},
                {"std", num(populationSd(c.lossesQuantized))},
                {"aqn_layers", c.noiseLayers}};
  }
  for (const auto& t : r.tests)
    if (t.a == "targeted" && t.b == "global")
      out["comparison"] = {
          {"t_stat", num(-t.student.t)}, {"p_value", num(t.student.p)}, {"targeted_better", t.meanDifference < 0}};
  return out;
}

}  // namespace

nlohmann::json RunResult::toJson() const {
  return {{"schema", kRunSchema},
          {"config", config},
          {"seed_index", seedIndex},
          {"seed", seed},
          {"noise_layers", noiseLayers},
          {"eval_loss_quantized", num(evalLossQuantized)},
          {"eval_loss_bf16", num(evalLossBf16)},
          {"seconds", seconds},
          {"train_loss", nums(trainLoss)},
          {"sigma", nums(sigma)},
          {"grad_norm", nums(gradNorm)}};
}

RunResult RunResult::fromJson(const nlohmann::json& j) {
  if (!j.is_object() || j.value("schema", "") != kRunSchema)
    throw Error(std::string("not an AQN run result (schema ") + kRunSchema + ")");
  RunResult r;
  try {
    r.config = j.at("config").get<std::string>();
    r.seedIndex = j.at("seed_index").get<int>();
    r.seed = j.at("seed").get<uint64_t>();
    r.noiseLayers = j.at("noise_layers").get<std::vector<int>>();
    r.evalLossQuantized = numOr(j.at("eval_loss_quantized"));
    r.evalLossBf16 = numOr(j.at("eval_loss_bf16"));
    r.seconds = j.value("seconds", 0.0);
  } catch (const nlohmann::json::exception&) {
    throw Error("AQN run result: a field is missing or has the wrong type");
  }
  r.trainLoss = numsFrom(j.value("train_loss", nlohmann::json()));
  r.sigma = numsFrom(j.value("sigma", nlohmann::json()));
  r.gradNorm = numsFrom(j.value("grad_norm", nlohmann::json()));
  return r;
}

std::vector<ConfigSummary> summarizeConfigs(const std::vector<ConfigSpec>& configs, const std::vector<RunResult>& runs,
                                            bool withBf16) {
  std::vector<ConfigSummary> out;
  for (const auto& c : configs) {
    ConfigSummary s;
    s.name = c.name;
    s.noiseLayers = c.noiseLayers;
    for (const auto& r : runs) {
      if (r.config != c.name) continue;
      s.lossesQuantized.push_back(r.evalLossQuantized);
      s.lossesBf16.push_back(r.evalLossBf16);
    }
    s.quantized = stats::summarize(s.lossesQuantized);
    if (withBf16) s.bf16 = stats::summarize(s.lossesBf16);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ConfigTest> compareConfigs(const std::vector<ConfigSummary>& configs) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (find(configs, "targeted") && find(configs, "global")) pairs.emplace_back("targeted", "global");
  if (find(configs, "global") && find(configs, "bf16-aqn")) pairs.emplace_back("global", "bf16-aqn");
  if (find(configs, "baseline"))
    for (const auto& c : configs)
      if (c.name != "baseline") pairs.emplace_back(c.name, "baseline");
  std::vector<ConfigTest> tests;
  for (const auto& [a, b] : pairs) {
    const auto &x = find(configs, a)->lossesQuantized, &y = find(configs, b)->lossesQuantized;
    ConfigTest t;
    t.a = a;
    t.b = b;
    t.meanDifference = stats::mean(x) - stats::mean(y);
    try {
      t.welch = stats::welchTTest(x, y);
      t.paired = stats::pairedTTest(x, y);
      t.student = stats::studentTTest(x, y);
      t.cohensD = stats::cohensD(x, y);
      t.pairedDz = stats::pairedDz(x, y);
      t.pairedCi = stats::pairedDifferenceCi(x, y);
      std::vector<double> d(x.size());
      for (size_t i = 0; i < x.size(); ++i) d[i] = x[i] - y[i];
      t.mdeLoss = stats::pairedMinimumDetectableEffect(static_cast<int>(x.size()), kAlpha, kPower) * stats::sampleSd(d);
    } catch (const Error& e) {
      t.error = e.what();
    }
    tests.push_back(std::move(t));
  }
  // Holm over the tests that have a p-value: the family of comparisons this table reports.
  std::vector<double> p;
  for (const auto& t : tests)
    if (t.error.empty()) p.push_back(t.paired.p);
  const auto adjusted = stats::holmAdjust(p);
  size_t k = 0;
  for (auto& t : tests) {
    if (!t.error.empty()) continue;
    t.holmP = adjusted[k++];
    t.significant = t.holmP < kAlpha;
  }
  return tests;
}

PowerSummary seedPower(const std::vector<ConfigSummary>& configs) {
  PowerSummary p;
  p.alpha = kAlpha;
  p.power = kPower;
  for (const auto& c : configs) {
    const int n = static_cast<int>(c.lossesQuantized.size());
    if (p.pairs == 0 || n < p.pairs) p.pairs = n;
  }
  p.mdeDz = p.pairs >= 2 ? stats::pairedMinimumDetectableEffect(p.pairs, p.alpha, p.power) : std::nan("");
  return p;
}

PrimaryAnswer primaryAnswer(const std::vector<ConfigTest>& tests) {
  PrimaryAnswer a;
  const std::string question = "SRDD-guided AQN lower loss than Global AQN, p < 0.05?";
  const ConfigTest* t = nullptr;
  for (const auto& x : tests)
    if (x.a == "targeted" && x.b == "global") t = &x;
  char buf[512];
  if (!t) {
    a.line = question + " not answered: the comparison needs the targeted and global configurations";
    return a;
  }
  if (!t->error.empty()) {
    std::snprintf(buf, sizeof buf, " not answered: targeted - global = %+.4g, the paired test is undefined (%s)",
                  t->meanDifference, t->error.c_str());
    a.line = question + buf;
    return a;
  }
  a.available = true;
  a.yes = t->meanDifference < 0 && t->paired.p < kAlpha;
  std::snprintf(buf, sizeof buf,
                " %s — targeted - global = %+.4g nats (95%% CI %+.4g to %+.4g), paired t(%g) = %.3g, p = %.3g "
                "(Holm-adjusted %.3g), d_z = %.3g, n = %g seeds",
                a.yes ? "yes" : "no", t->meanDifference, t->pairedCi.low, t->pairedCi.high, t->paired.df, t->paired.t,
                t->paired.p, t->holmP, t->pairedDz, t->paired.df + 1);
  a.line = question + buf;
  return a;
}

void computeStatistics(ComparisonResult& r, const std::vector<ConfigSpec>& specs) {
  r.configs = summarizeConfigs(specs, r.runs, r.settings.protocol == Protocol::Training);
  r.tests = compareConfigs(r.configs);
  r.power = seedPower(r.configs);
  r.primary = primaryAnswer(r.tests);
}

nlohmann::json ComparisonResult::toJson() const {
  const bool training = settings.protocol == Protocol::Training;
  nlohmann::json configs_ = nlohmann::json::array();
  for (const auto& c : configs) {
    nlohmann::json q = stats::toJson(c.quantized);
    q["values"] = nums(c.lossesQuantized);
    nlohmann::json j = {{"name", c.name}, {"noise_layers", c.noiseLayers}, {"eval_loss_quantized", q}};
    if (training) {
      nlohmann::json b = stats::toJson(c.bf16);
      b["values"] = nums(c.lossesBf16);
      j["eval_loss_bf16"] = b;
    }
    configs_.push_back(j);
  }
  nlohmann::json tests_ = nlohmann::json::array();
  for (const auto& t : tests) {
    nlohmann::json j = {
        {"a", t.a}, {"b", t.b}, {"metric", "eval_loss_quantized"}, {"mean_difference", num(t.meanDifference)}};
    if (t.error.empty()) {
      j["welch"] = stats::toJson(t.welch);
      j["paired"] = stats::toJson(t.paired);
      j["student"] = stats::toJson(t.student);
      j["cohens_d"] = num(t.cohensD);
      j["paired_dz"] = num(t.pairedDz);
      j["paired_ci"] = {{"low", num(t.pairedCi.low)}, {"high", num(t.pairedCi.high)}, {"confidence", 0.95}};
      j["holm_p"] = num(t.holmP);
      j["significant_holm"] = t.significant;
      j["mde_loss"] = num(t.mdeLoss);
    } else {
      j["error"] = t.error;
    }
    tests_.push_back(j);
  }
  nlohmann::json runs_ = nlohmann::json::array();
  for (const auto& r : runs) runs_.push_back(r.toJson());
  nlohmann::json j = {
      {"schema", kSchema},
      {"protocol", protocolName(settings.protocol)},
      {"label", training ? kTrainingLabel : kReferenceLabel},
      {"provenance", provenance},
      {"settings", settings.toJson()},
      {"initial", {{"eval_loss_quantized", num(initialLossQuantized)}, {"eval_loss_bf16", num(initialLossBf16)}}},
      {"configs", configs_},
      {"tests", tests_},
      {"power",
       {{"test", "paired t, two-sided"},
        {"alpha", power.alpha},
        {"power", power.power},
        {"pairs", power.pairs},
        {"mde_dz", num(power.mdeDz)}}},
      {"primary",
       {{"question", "SRDD-guided AQN lower loss than Global AQN, p < 0.05?"},
        {"answer", primary.available ? nlohmann::json(primary.yes ? "yes" : "no") : nlohmann::json()},
        {"line", primary.line}}},
      {"noise_preset", matchingNoisePreset(settings.noise)},
      {"runs", runs_}};
  if (training) {
    j["schedule"] = settings.noise.schedule.toJson();
    j["schedule"]["sigma_per_step"] = nums(sigmaPerStep);
  } else {
    j["legacy_aqn_results"] = legacyAqnResults(*this);
  }
  return j;
}

ComparisonResult comparisonFromJson(const nlohmann::json& j) {
  if (!j.is_object() || j.value("schema", "") != kSchema)
    throw Error(std::string("not an AQN comparison (schema ") + kSchema + ")");
  ComparisonResult r;
  std::vector<ConfigSpec> specs;
  try {
    r.provenance = j.value("provenance", nlohmann::json::object());
    r.settings = ComparisonSettings::fromJson(j.at("settings"));
    if (j.contains("schedule")) r.sigmaPerStep = numsFrom(j["schedule"].value("sigma_per_step", nlohmann::json()));
    r.initialLossQuantized = numOr(j.at("initial").value("eval_loss_quantized", nlohmann::json()));
    r.initialLossBf16 = numOr(j.at("initial").value("eval_loss_bf16", nlohmann::json()));
    for (const auto& run : j.at("runs")) r.runs.push_back(RunResult::fromJson(run));
    for (const auto& c : j.at("configs"))
      specs.push_back({c.at("name").get<std::string>(), c.at("noise_layers").get<std::vector<int>>()});
  } catch (const nlohmann::json::exception&) {
    throw Error("a field is missing or has the wrong type");
  }
  computeStatistics(r, specs);
  return r;
}

ComparisonResult readComparison(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  checkJsonFileDepth(text.str(), path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception&) {
    throw Error(path + ": is not valid JSON");
  }
  try {
    return comparisonFromJson(j);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

std::string formatComparison(const ComparisonResult& r) {
  const bool training = r.settings.protocol == Protocol::Training;
  std::ostringstream o;
  char buf[256];
  o << (training ? kTrainingLabel : kReferenceLabel) << "\n";
  if (training) o << "noise preset: " << matchingNoisePreset(r.settings.noise) << "\n";
  std::snprintf(buf, sizeof buf, "initial model: %s loss %.4f quantized, %.4f bf16\n\n",
                training ? "held-out" : "prompt", r.initialLossQuantized, r.initialLossBf16);
  o << buf;
  o << "config        n   loss quantized (mean ± sd)   95% CI               "
    << (training ? "loss bf16 (mean ± sd)" : "") << "\n";
  for (const auto& c : r.configs) {
    std::snprintf(buf, sizeof buf, "%-12s %2d   %.4f ± %.4f            [%.4f, %.4f]", c.name.c_str(), c.quantized.n,
                  c.quantized.mean, c.quantized.sd, c.quantized.ciLow, c.quantized.ciHigh);
    o << buf;
    if (training) {
      std::snprintf(buf, sizeof buf, "     %.4f ± %.4f", c.bf16.mean, c.bf16.sd);
      o << buf;
    }
    o << "\n";
  }
  o << "\ntest (quantized loss)     difference   95% CI (paired)        paired p   Holm p     Welch p    d_z     "
       "Cohen's d\n";
  for (const auto& t : r.tests) {
    const std::string name = t.a + " - " + t.b;
    if (!t.error.empty()) {
      std::snprintf(buf, sizeof buf, "%-25s %+.4f      (%s)\n", name.c_str(), t.meanDifference, t.error.c_str());
    } else {
      std::snprintf(buf, sizeof buf, "%-25s %+.4f      [%+.4f, %+.4f]     %-10.4g %-9.4g%s %-10.4g %+-7.3f %+.3f\n",
                    name.c_str(), t.meanDifference, t.pairedCi.low, t.pairedCi.high, t.paired.p, t.holmP,
                    t.significant ? "*" : " ", t.welch.p, t.pairedDz, t.cohensD);
    }
    o << buf;
  }
  std::snprintf(buf, sizeof buf,
                "* significant at 0.05 after Holm's correction over the %zu tests. Paired tests pair runs by seed.\n",
                r.tests.size());
  o << buf;
  if (r.power.pairs >= 2) {
    std::snprintf(buf, sizeof buf,
                  "power: with %d seeds the paired t-test (two-sided, alpha %.2g) detects d_z >= %.3g with power %.2g",
                  r.power.pairs, r.power.alpha, r.power.mdeDz, r.power.power);
    o << buf;
    for (const auto& t : r.tests)
      if (t.a == "targeted" && t.b == "global" && t.error.empty()) {
        std::snprintf(buf, sizeof buf, " (targeted - global: %.3g nats at the observed spread)", t.mdeLoss);
        o << buf;
      }
    o << "\n";
  }
  o << "\n" << r.primary.line << "\n";
  return o.str();
}

}  // namespace srdd::aqn
