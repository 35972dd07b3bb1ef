// Problematic-layer rules, anomaly ranking and the recommendation on crafted metric values.
#include <cmath>
#include <set>

#include "srdd/error.h"
#include "srdd/scan_rules.h"
#include "test_support.h"

#include <QtTest/QtTest>

namespace {
// A quantized layer with these metric values (no tensor names).
srdd::LayerMetrics metricsOf(int layer, std::map<std::string, double> values) {
  srdd::LayerMetrics m;
  m.layer = layer;
  m.values = std::move(values);
  return m;
}

srdd::LayerMetrics healthy(int layer) {
  return metricsOf(layer, {{"gain_ratio", 1.0},
                           {"kurtosis_ratio", 1.0},
                           {"instability_increase", 0.0},
                           {"sqnr_db", 25.0},
                           {"deadzone_ratio", 0.01},
                           {"clipping_ratio", 0.0},
                           {"relative_error", 0.05}});
}
std::vector<std::string> rules(const srdd::LayerVerdict& v) {
  std::vector<std::string> r;
  for (const auto& f : v.flags)
    if (!f.anomaly) r.push_back(f.rule);
  return r;
}
}  // namespace

class TestScanRules : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void eachRuleFires() {
    std::vector<srdd::LayerMetrics> layers;
    for (int i = 0; i < 10; ++i) layers.push_back(healthy(i));
    layers[1].values["gain_ratio"] = 0.85;
    layers[2].values["kurtosis_ratio"] = 0.5;
    layers[3].values["instability_increase"] = 0.2;
    layers[4].values["sqnr_db"] = 18;
    layers[5].values["deadzone_ratio"] = 0.06;
    layers[6].values["clipping_ratio"] = 0.02;
    layers[7].values["relative_error"] = 0.11;
    layers[8].values["gain_ratio"] = 0.9;  // exactly at the threshold: does not fire
    srdd::RuleThresholds t;
    auto v = srdd::judgeLayers(layers, t, "mxfp4");
    const char* expected[] = {"",
                              "gain_drop",
                              "kurtosis_drop",
                              "instability_increase",
                              "low_sqnr",
                              "high_deadzone",
                              "high_clipping",
                              "high_rel_error",
                              "",
                              ""};
    for (int i = 0; i < 10; ++i) {
      auto r = rules(v.layers[static_cast<size_t>(i)]);
      if (*expected[i]) {
        QCOMPARE(r.size(), size_t(1));
        QCOMPARE(QString::fromStdString(r[0]), QString(expected[i]));
      } else {
        QVERIFY(r.empty());
      }
    }
    QCOMPARE(v.problematicLayers, (std::vector<int>{1, 2, 3, 4, 5, 6, 7}));
    // 7 of 10 problematic (>= 30 %): reconsider the format.
    QCOMPARE(QString::fromStdString(v.recommendation.strategy), QString("reconsider_quantization"));
    QCOMPARE(QString::fromStdString(v.recommendation.suggestedFormat), QString("mxfp8-e4m3"));
    // A configurable threshold: a looser SQNR rule no longer flags layer 4.
    t.set("sqnr_db", 15);
    QVERIFY(rules(srdd::judgeLayers(layers, t, "mxfp4").layers[4]).empty());
    QVERIFY_THROWS_EXCEPTION(srdd::Error, t.set("gain", 0.5));
  }

  void missingMetricsDoNotFire() {
    const srdd::LayerMetrics m = metricsOf(0, {{"sqnr_db", NAN}});
    auto v = srdd::judgeLayers({m}, {}, "mxfp4");
    QVERIFY(v.layers[0].flags.empty());
    QCOMPARE(QString::fromStdString(v.recommendation.strategy), QString("no_action"));
  }

  void recommendationBands() {
    srdd::RuleThresholds t;
    auto r = srdd::recommend({3}, 20, {{3, 12.0}}, t, "mxfp4");  // 5 %
    QCOMPARE(QString::fromStdString(r.strategy), QString("targeted_mitigation"));
    QCOMPARE(r.mixedPrecisionLayers, std::vector<int>{3});
    r = srdd::recommend({1, 2}, 10, {{1, 12.0}, {2, 18.0}}, t, "mxfp4");  // 20 %: split at 15 dB
    QCOMPARE(QString::fromStdString(r.strategy), QString("mixed_approach"));
    QCOMPARE(r.mixedPrecisionLayers, std::vector<int>{1});
    QCOMPARE(r.aqnLayers, std::vector<int>{2});
    r = srdd::recommend({1, 2, 3}, 10, {}, t, "mxfp8-e4m3");  // 30 %
    QCOMPARE(QString::fromStdString(r.strategy), QString("reconsider_quantization"));
    QCOMPARE(QString::fromStdString(r.suggestedFormat), QString("bf16"));
    QCOMPARE(QString::fromStdString(srdd::recommend({}, 10, {}, t, "mxfp4").strategy), QString("no_action"));
  }

  // Robust z of gain ratios {1,1,1,1,0.5}: med 1, MAD 0 -> floor 0.01; z = -0.5/(1.4826*0.01) = -33.7.
  void anomalyRanking() {
    std::vector<srdd::LayerMetrics> layers;
    for (int i = 0; i < 5; ++i) layers.push_back(metricsOf(i, {{"gain_ratio", i == 3 ? 0.5 : 1.0}}));
    auto v = srdd::judgeLayers(layers, {}, "mxfp4");
    QCOMPARE(v.ranking.front(), 3);
    QVERIFY(std::fabs(v.layers[3].anomalyScore - 0.5 / (1.4826 * 0.01)) < 1e-9);
    QCOMPARE(QString::fromStdString(v.layers[3].anomalyMetric), QString("gain_ratio"));
    bool anomalyFlag = false;
    for (const auto& f : v.layers[3].flags) anomalyFlag = anomalyFlag || (f.anomaly && f.rule == "anomaly");
    QVERIFY(anomalyFlag);
    QVERIFY(v.layers[0].flags.empty() || !v.layers[0].flags[0].anomaly);
  }

  // Floor rules, by hand. Quantized layers 0-4 have down_proj-weight excess deadzone {0.01, 0.012, 0.09,
  // 0.011, 0.03}: median 0.012, MAD 0.002, so layer 2's robust z = 0.078 / (1.4826 * 0.002) = 26 and layer 4's
  // = 0.018 / 0.0029652 = 6.07, both > 3.5 and more than 0.25 * 0.05 above the median: outlier_deadzone. Layer 1's
  // SQNR is 3.5 dB below its floor (> 3): floor_sqnr. Layer 5 is not quantized (excess 0.5, the largest KL):
  // no flag, not ranked. Layer 3's gain ratio 0.85 < 0.9: gain_drop.
  void floorRulesByHand() {
    const double dz[] = {0.01, 0.012, 0.09, 0.011, 0.03, 0.5}, kl[] = {0.1, 0.2, 0.5, 0.05, 0.3, 9.0};
    std::vector<srdd::LayerMetrics> layers;
    for (int i = 0; i < 6; ++i) {
      srdd::LayerMetrics m;
      m.layer = i;
      m.values = {{"excess_deadzone_ratio", dz[i]},       {"excess_deadzone_ratio@down_proj weight", dz[i]},
                  {"excess_sqnr_db", i == 1 ? 3.5 : 0.1}, {"kl_single", kl[i]},
                  {"gain_ratio", i == 3 ? 0.85 : 1.0},    {"kurtosis_ratio", 1.0}};
      m.where["excess_sqnr_db"] = "o_proj input";
      m.quantized = i < 5;
      layers.push_back(m);
    }
    srdd::RuleThresholds t;
    auto v = srdd::judgeLayers(layers, t, "mxfp4", srdd::RuleSet::Floor);
    auto only = [&](int i) {
      auto r = rules(v.layers[static_cast<size_t>(i)]);
      return r.size() == 1 ? r[0] : std::string();
    };
    QCOMPARE(QString::fromStdString(only(1)), QString("floor_sqnr"));
    QCOMPARE(QString::fromStdString(v.layers[1].flags[0].where), QString("o_proj input"));
    QCOMPARE(QString::fromStdString(only(2)), QString("outlier_deadzone"));
    QCOMPARE(QString::fromStdString(v.layers[2].flags[0].where), QString("down_proj weight"));
    QCOMPARE(QString::fromStdString(only(4)), QString("outlier_deadzone"));
    QCOMPARE(QString::fromStdString(only(3)), QString("gain_drop"));
    QVERIFY(rules(v.layers[0]).empty() && v.layers[5].flags.empty());
    QVERIFY(!v.layers[5].quantized);
    QCOMPARE(v.ranking, (std::vector<int>{2, 4, 1, 0, 3}));  // by single-layer KL, layer 5 left out
    QCOMPARE(v.problematicLayers, (std::vector<int>{1, 2, 3, 4}));
    // 4 of 5 flagged, more than ceil(0.25 * 5) = 2: reconsider, with the two most harmful as the target set.
    QCOMPARE(QString::fromStdString(v.recommendation.strategy), QString("reconsider_quantization"));
    QCOMPARE(v.recommendation.targetLayers, (std::vector<int>{2, 4}));
    t.maxTargetFraction = 0.8;  // cap 4: all four, most harmful first
    v = srdd::judgeLayers(layers, t, "mxfp4", srdd::RuleSet::Floor);
    QCOMPARE(QString::fromStdString(v.recommendation.strategy), QString("targeted_mitigation"));
    QCOMPARE(v.recommendation.targetLayers, (std::vector<int>{2, 4, 1, 3}));
    // A layer too close to its peers' median is not an outlier however tight they are: {0.010, 0.0101, ...}.
    for (auto& m : layers)
      m.values = {{"excess_deadzone_ratio@down_proj weight", 0.01 + 0.0001 * m.layer}, {"kl_single", 0.1}};
    layers[4].values["excess_deadzone_ratio@down_proj weight"] = 0.02;  // z large, but only 0.0098 above the median
    v = srdd::judgeLayers(layers, t, "mxfp4", srdd::RuleSet::Floor);
    QVERIFY(v.problematicLayers.empty() && v.recommendation.targetLayers.empty());
    QCOMPARE(QString::fromStdString(v.recommendation.strategy), QString("no_action"));
    QVERIFY(QString::fromStdString(v.recommendation.details[0]).contains("no layer stands out"));
    // kurtosis_drop under the floor rules: only for heavy-tailed outputs, against the noise-explained ratio.
    for (auto& m : layers) m.values = {{"kurtosis_ratio", 0.8}, {"kurtosis_bf16", 0.5}, {"noise_kurtosis_ratio", 0.95}};
    layers[1].values["kurtosis_bf16"] = 5;  // 0.8 < 0.9 * 0.95: fires
    layers[2].values = {
        {"kurtosis_ratio", 0.87}, {"kurtosis_bf16", 5}, {"noise_kurtosis_ratio", 0.95}};  // 0.87 > 0.855
    v = srdd::judgeLayers(layers, t, "mxfp4", srdd::RuleSet::Floor);
    QCOMPARE(v.problematicLayers, std::vector<int>{1});
    QCOMPARE(srdd::parseRuleSet("reference"), srdd::RuleSet::Absolute);
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::parseRuleSet("loose"));
  }

  // The rule table is what both judges apply: each row fires, under exactly the rule sets it names, on its
  // input just past its own threshold (set to an arbitrary value by name), with that rule name, metric and
  // threshold; just inside it, nothing fires. The table holds the rules of docs/scans.md.
  void ruleTableIsWhatTheJudgesApply() {
    std::set<std::string> floorNames, absoluteNames;
    for (const auto& r : srdd::thresholdRules()) {
      (r.floorRules ? floorNames : absoluteNames).insert(r.name);
      if (r.floorRules && r.absoluteRules) absoluteNames.insert(r.name);
      for (auto set : {srdd::RuleSet::Floor, srdd::RuleSet::Absolute})
        for (double side : {1.0, -1.0}) {
          srdd::RuleThresholds t;
          t.set(r.threshold, 0.37);
          srdd::LayerMetrics m;
          m.values[r.input] = 0.37 + (r.below ? -0.01 : 0.01) * side;
          const auto v = srdd::judgeLayers({m}, t, "mxfp4", set);
          const bool applies = set == srdd::RuleSet::Floor ? r.floorRules : r.absoluteRules;
          const auto fired = rules(v.layers[0]);
          QCOMPARE(fired.size(), size_t(applies && side > 0 ? 1 : 0));
          if (fired.empty()) continue;
          QCOMPARE(QString::fromStdString(v.layers[0].flags[0].rule), QString(r.name));
          QCOMPARE(QString::fromStdString(v.layers[0].flags[0].metric), QString(r.input));
          QCOMPARE(v.layers[0].flags[0].threshold, 0.37);
        }
    }
    QCOMPARE(floorNames, (std::set<std::string>{"gain_drop", "kurtosis_drop", "instability_increase", "floor_sqnr",
                                                "floor_clipping"}));
    QCOMPARE(absoluteNames, (std::set<std::string>{"gain_drop", "kurtosis_drop", "instability_increase", "low_sqnr",
                                                   "high_deadzone", "high_clipping", "high_rel_error"}));
    // Lookup by where the number comes from; the BF16 output's SQNR has a rule only among the research rules.
    QCOMPARE(QString(srdd::thresholdRuleFor(srdd::RuleSet::Absolute, srdd::RuleSection::Bf16, "sqnr_db")->name),
             QString("low_sqnr"));
    QVERIFY(!srdd::thresholdRuleFor(srdd::RuleSet::Floor, srdd::RuleSection::Bf16, "sqnr_db"));
    QCOMPARE(QString(srdd::thresholdRuleFor(srdd::RuleSet::Floor, srdd::RuleSection::Ratio, "gain")->threshold),
             QString("gain_ratio"));
    // Every name a threshold has round-trips through set/get; an unknown one is one clear error.
    for (const auto& n : srdd::RuleThresholds::names()) {
      srdd::RuleThresholds t;
      t.set(n, 123.5);
      QCOMPARE(t.get(n), 123.5);
    }
    QVERIFY(srdd_test::errorOf([] { srdd::RuleThresholds().get("loose"); }).contains("unknown threshold 'loose'"));
  }

  void thresholdsJsonRoundTrip() {
    srdd::RuleThresholds t;
    t.set("clipping", 0.02);
    auto back = srdd::RuleThresholds::fromJson(t.toJson());
    QCOMPARE(back.clipping, 0.02);
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::RuleThresholds::fromJson(nlohmann::json{{"sqnr_db", "x"}}));
  }
};

QTEST_APPLESS_MAIN(TestScanRules)
#include "test_scan_rules.moc"
