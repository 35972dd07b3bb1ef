#include "results/metric_catalog.h"

#include <srdd/scan_rules.h>

#include <QCoreApplication>

#include <cmath>
#include <vector>

namespace srdd_gui {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Entry {
  const char* key;
  const char* name;
  const char* unit;
  Better better;
  double low, high;
  const char* healthy;
  bool percent;
};

// Healthy ranges and wording from docs/scans.md ("healthy" column and the rule defaults).
const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {
      {"gain", "Gain", "", Better::NearOne, kNaN, kNaN,
       "≈ 1 through the residual path (Qwen2.5: 1.03–1.16); ≈ 0 in a dead zone", false},
      {"kurtosis", "Excess kurtosis", "", Better::Neutral, kNaN, kNaN,
       "grows with prompt length; compare at fixed prompts", false},
      {"instability", "Instability", "", Better::Lower, 0, 0, "0 on a deterministic device", false},
      {"variance", "Output variance", "", Better::Neutral, kNaN, kNaN,
       "not a health measure by itself; compare BF16 with the quantized model (a dead zone lowers it)", false},
      {"dc_gain_min", "DC gain (0.1 %)", "", Better::NearOne, kNaN, kNaN, "≈ 1", false},
      {"dc_gain_max", "DC gain (99.9 %)", "", Better::NearOne, kNaN, kNaN, "≈ 1 (Qwen: 1.10–1.31)", false},
      {"dc_gain_mean", "DC gain (mean)", "", Better::NearOne, kNaN, kNaN, "≈ 1", false},
      {"discrete_rate", "Discrete rate", "", Better::Lower, 0, 0, "≈ 0", true},
      {"edge_pileup", "Edge pile-up", "", Better::Lower, kNaN, 2, "≈ 1; > 2 means clipping at the range edge", false},
      // The research rules' bounds for these four come from core's rule table (withResearchRule).
      {"sqnr_db", "Output SQNR", "dB", Better::Higher, kNaN, kNaN, "", false},
      {"deadzone_ratio", "Deadzone", "", Better::Lower, kNaN, kNaN, "", true},
      {"clipping_ratio", "Clipping", "", Better::Lower, kNaN, kNaN, "", true},
      {"global_max_level_ratio", "Max-level ratio", "", Better::Lower, kNaN, kNaN, "", true},
      {"relative_error", "Relative error", "", Better::Lower, kNaN, kNaN, "", false},
      {"mean_abs_error", "Mean |error|", "", Better::Lower, kNaN, kNaN, "", false},
      {"max_abs_error", "Max |error|", "", Better::Lower, kNaN, kNaN, "", false},
      {"norm", "Output norm", "", Better::Neutral, kNaN, kNaN, "", false},
      {"drift_sqnr_db", "Drift SQNR", "dB", Better::Higher, kNaN, kNaN, "error accumulated by this layer", false},
      {"tokens", "Tokens per prompt", "", Better::Neutral, kNaN, kNaN, "", false},
      {"kl_single", "KL, this layer only", "nats", Better::Lower, kNaN, kNaN, "small; most sensitive layers rank first",
       false},
      {"dloss_single", "Δ loss, this layer only", "nats", Better::Lower, kNaN, kNaN, "", false},
      {"kl_all_but", "KL, all but this layer", "nats", Better::Lower, kNaN, kNaN, "", false},
      {"dloss_all_but", "Δ loss, all but this layer", "nats", Better::Lower, kNaN, kNaN, "", false},
      {"kl_single_last", "KL at the last position, this layer only", "nats", Better::Lower, kNaN, kNaN, "", false},
      {"kl_all_but_last", "KL at the last position, all but this layer", "nats", Better::Lower, kNaN, kNaN, "", false},
      {"top1_single", "Top-1 agreement, this layer only", "", Better::Higher, kNaN, kNaN, "near 1", true},
      {"top1_all_but", "Top-1 agreement, all but this layer", "", Better::Higher, kNaN, kNaN, "", true},
      {"weights.sqnr_db", "Weight SQNR", "dB", Better::Higher, kNaN, kNaN, "MXFP4 on Gaussian-like weights ≈ 18–19 dB",
       false},
      {"weights.deadzone_ratio", "Weight deadzone", "", Better::Lower, kNaN, kNaN, "", true},
      {"weights.clipping_ratio", "Weight clipping", "", Better::Lower, kNaN, kNaN, "", true},
      {"weights.relative_error", "Weight relative error", "", Better::Lower, kNaN, kNaN, "", false},
      {"weights.global_max_level_ratio", "Weight max-level ratio", "", Better::Lower, kNaN, kNaN, "", true},
      {"weights.mean_abs_error", "Weight mean |error|", "", Better::Lower, kNaN, kNaN, "", false},
      {"weights.max_abs_error", "Weight max |error|", "", Better::Lower, kNaN, kNaN, "", false},
      {"weights.norm", "Weight norm", "", Better::Neutral, kNaN, kNaN, "", false},
  };
  return e;
}

// A metric the research (absolute) rules judge on the BF16 output: the rule's default threshold bounds its
// healthy range. Under the default floor rules it is context, not a rule.
MetricInfo withResearchRule(MetricInfo info) {
  const srdd::ThresholdRule* rule =
      srdd::thresholdRuleFor(srdd::RuleSet::Absolute, srdd::RuleSection::Bf16, info.key.toStdString());
  if (!rule) return info;
  const double thr = srdd::RuleThresholds().get(rule->threshold);
  (rule->below ? info.healthyLow : info.healthyHigh) = thr;
  const QString value = info.percent ? QString::number(100 * thr, 'g', 4) + " %"
                                     : QString::number(thr, 'g', 4) + (info.unit.isEmpty() ? "" : " " + info.unit);
  info.healthy = QCoreApplication::translate("srdd_gui", "%1 %2 (%3, research rules)")
                     .arg(QString::fromUtf8(rule->below ? "≥" : "≤"), value, QString::fromLatin1(rule->name));
  return info;
}
}  // namespace

MetricInfo metricInfo(const QString& key) {
  for (const auto& e : entries())
    if (key == QLatin1String(e.key))
      return withResearchRule({key, QCoreApplication::translate("srdd_gui", e.name), QString::fromUtf8(e.unit),
                               e.better, e.low, e.high, QString::fromUtf8(e.healthy), e.percent});
  // The anomaly ranking names paired ratios "<metric>_ratio" (gain_ratio, kurtosis_ratio).
  if (key.endsWith(QLatin1String("_ratio")) && metricOrder().contains(key.chopped(6))) {
    MetricInfo info = metricInfo(key.chopped(6));
    info.key = key;
    info.name += QCoreApplication::translate("srdd_gui", " ratio");
    info.unit.clear();
    info.percent = false;
    info.better = Better::NearOne;
    info.healthyLow = info.healthyHigh = kNaN;
    info.healthy.clear();
    return info;
  }
  MetricInfo info;
  info.key = key;
  info.name = key;
  return info;
}

const QStringList& metricOrder() {
  static const QStringList order = [] {
    QStringList l;
    for (const auto& e : entries()) l << QString::fromLatin1(e.key);
    return l;
  }();
  return order;
}

QString metricShortName(const QString& key) {
  static const std::vector<std::pair<const char*, const char*>> names = {{"gain", "Gain"},
                                                                         {"kurtosis", "Kurt."},
                                                                         {"instability", "Instab."},
                                                                         {"variance", "Var."},
                                                                         {"dc_gain_min", "DC min"},
                                                                         {"dc_gain_max", "DC max"},
                                                                         {"dc_gain_mean", "DC mean"},
                                                                         {"discrete_rate", "Discr."},
                                                                         {"edge_pileup", "Pile-up"},
                                                                         {"sqnr_db", "SQNR"},
                                                                         {"deadzone_ratio", "Dead"},
                                                                         {"clipping_ratio", "Clip"},
                                                                         {"global_max_level_ratio", "Max lvl"},
                                                                         {"relative_error", "Rel err"},
                                                                         {"mean_abs_error", "|err|"},
                                                                         {"max_abs_error", "Max|err|"},
                                                                         {"norm", "Norm"},
                                                                         {"drift_sqnr_db", "Drift"},
                                                                         {"tokens", "Tokens"},
                                                                         {"kl_single", "KL 1"},
                                                                         {"dloss_single", "ΔL 1"},
                                                                         {"kl_all_but", "KL ¬1"},
                                                                         {"dloss_all_but", "ΔL ¬1"},
                                                                         {"kl_single_last", "KL 1 end"},
                                                                         {"kl_all_but_last", "KL ¬1 end"},
                                                                         {"top1_single", "Top1 1"},
                                                                         {"top1_all_but", "Top1 ¬1"}};
  if (key.startsWith(QLatin1String("weights.")))
    return QCoreApplication::translate("srdd_gui", "W %1").arg(metricShortName(key.mid(8)));
  for (const auto& [k, name] : names)
    if (key == QLatin1String(k)) return QCoreApplication::translate("srdd_gui", name);
  return key;
}

QString metricLabel(const QString& key) {
  const MetricInfo info = metricInfo(key);
  if (info.percent) return info.name + " [%]";
  return info.unit.isEmpty() ? info.name : info.name + " [" + info.unit + "]";
}

QString formatMetricValue(const QString& key, double value) {
  if (!std::isfinite(value)) return QStringLiteral("–");
  const MetricInfo info = metricInfo(key);
  if (info.percent) return QString::number(100.0 * value, 'g', 4) + " %";
  const QString number = QString::number(value, 'g', 4);
  return info.unit.isEmpty() ? number : number + " " + info.unit;
}

QString betterText(Better b) {
  switch (b) {
    case Better::Higher: return QCoreApplication::translate("srdd_gui", "higher is better");
    case Better::Lower: return QCoreApplication::translate("srdd_gui", "lower is better");
    case Better::NearOne: return QCoreApplication::translate("srdd_gui", "closer to 1 is better");
    case Better::Neutral: break;
  }
  return QCoreApplication::translate("srdd_gui", "no preferred direction");
}

}  // namespace srdd_gui
