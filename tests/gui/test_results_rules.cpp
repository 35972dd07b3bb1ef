// The results views judge nothing themselves: their thresholds, healthy ranges and "not quantized" marks come
// from core's one rule table (srdd/scan_rules.h) and the engine's verdict. Checked against the table, against
// the verdict's own flags, and against the rule defaults of docs/scans.md by hand.
#include "results/metric_catalog.h"
#include "results/layer_selection.h"
#include "results/ranked_layer_model.h"
#include "results/ranked_layer_view.h"
#include "results/scan_data.h"
#include "test_results_fixture.h"

#include <srdd/scan_rules.h>

#include <QtTest>

#include <algorithm>
#include <memory>

using namespace srdd_gui;

namespace {
srdd::RuleSection sectionOf(Side s) {
  return s == Side::Bf16    ? srdd::RuleSection::Bf16
         : s == Side::Ratio ? srdd::RuleSection::Ratio
                            : srdd::RuleSection::Difference;
}
}  // namespace

class TestResultsRules : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // Every threshold set to its own value, so that a lookup of the wrong rule or threshold shows. The views'
  // threshold for (side, metric) is the one rule of the file's rule set that reads it, with that threshold.
  void thresholdsAreCoresRules() {
    for (srdd::RuleSet rules : {srdd::RuleSet::Floor, srdd::RuleSet::Absolute}) {
      nlohmann::json j = results_test::handMadeScan();
      j["parameters"]["rules"] = srdd::ruleSetName(rules);
      nlohmann::json t = nlohmann::json::object();
      double v = 0.5;
      for (const auto& name : srdd::RuleThresholds::names()) t[name] = v += 0.01;
      j["parameters"]["thresholds"] = t;
      const ScanData d = ScanData::fromJson(j, "rules.json");
      int drawn = 0;
      for (Side side : {Side::Bf16, Side::Quantized, Side::Ratio, Side::Difference})
        for (const QString& metric : metricOrder()) {
          double expected = std::nan("");
          for (const auto& r : srdd::thresholdRules())
            if ((rules == srdd::RuleSet::Floor ? r.floorRules : r.absoluteRules) && side != Side::Quantized &&
                r.section == sectionOf(side) && metric == QLatin1String(r.metric))
              expected = t[r.threshold].get<double>();
          const double got = d.threshold(metric, side);
          QVERIFY2(std::isnan(expected) ? std::isnan(got) : got == expected,
                   qPrintable(QString("%1 %2 side %3: %4 vs %5")
                                  .arg(QString::fromStdString(srdd::ruleSetName(rules)), metric)
                                  .arg(int(side))
                                  .arg(got)
                                  .arg(expected)));
          drawn += std::isfinite(got);
        }
      // docs/scans.md: the floor rules draw gain_drop, kurtosis_drop, instability_increase (their excess
      // rules read quantized_tensors, not a plotted metric); the absolute rules those and the four fidelity ones.
      QCOMPARE(drawn, rules == srdd::RuleSet::Floor ? 3 : 7);
      QCOMPARE(d.threshold("gain", Side::Ratio), t["gain_ratio"].get<double>());
      QCOMPARE(d.threshold("instability", Side::Difference), t["instability_increase"].get<double>());
      QCOMPARE(std::isnan(d.threshold("sqnr_db", Side::Bf16)), rules == srdd::RuleSet::Floor);
      QVERIFY(std::isnan(d.threshold("sqnr_db", Side::Quantized)));
    }
  }

  // The hand-made file (absolute rules): each threshold flag of the engine's verdict carries exactly the
  // threshold the views draw for the metric it read (low_sqnr 20 dB on layer 10, gain_drop 0.9 on layer 1).
  void verdictFlagsCarryTheViewsThresholds() {
    const ScanData d = ScanData::fromJson(results_test::handMadeScan(), "hand-made.json");
    QCOMPARE(d.threshold("sqnr_db", Side::Bf16), 20.0);
    QCOMPARE(d.threshold("gain", Side::Ratio), 0.9);
    int checked = 0;
    for (int row = 0; row < d.layerCount(); ++row)
      for (const auto& f : d.verdict(row).flags)
        for (const auto& r : srdd::thresholdRules())
          if (f.rule == r.name) {
            const Side side = r.section == srdd::RuleSection::Bf16    ? Side::Bf16
                              : r.section == srdd::RuleSection::Ratio ? Side::Ratio
                                                                      : Side::Difference;
            QCOMPARE(f.threshold, d.threshold(QString::fromLatin1(r.metric), side));
            ++checked;
          }
    QCOMPARE(checked, 2);
  }

  // The research rules' defaults bound the catalogue's healthy ranges: SQNR >= 20 dB, deadzone <= 5 %,
  // clipping <= 1 %, relative error <= 0.1 (docs/scans.md, "--rules absolute").
  void healthyRangesAreTheResearchRules() {
    QCOMPARE(metricInfo("sqnr_db").healthyLow, 20.0);
    QVERIFY(std::isnan(metricInfo("sqnr_db").healthyHigh));
    QCOMPARE(metricInfo("deadzone_ratio").healthyHigh, 0.05);
    QCOMPARE(metricInfo("clipping_ratio").healthyHigh, 0.01);
    QCOMPARE(metricInfo("relative_error").healthyHigh, 0.1);
    QCOMPARE(metricInfo("sqnr_db").healthy, QString::fromUtf8("≥ 20 dB (low_sqnr, research rules)"));
    QCOMPARE(metricInfo("deadzone_ratio").healthy, QString::fromUtf8("≤ 5 % (high_deadzone, research rules)"));
    const srdd::RuleThresholds defaults;
    for (const auto& r : srdd::thresholdRules()) {
      if (!r.absoluteRules || r.section != srdd::RuleSection::Bf16) continue;
      const MetricInfo info = metricInfo(QString::fromLatin1(r.metric));
      QCOMPARE(r.below ? info.healthyLow : info.healthyHigh, defaults.get(r.threshold));
      QVERIFY(info.healthy.contains(QLatin1String(r.name)));
    }
  }

  // #19.8: the table opens in the engine's ranking (single-layer harm first), not by the anomaly score that
  // explains it. KL 0.05 / 0.02 / 0.01 for layers 2 / 10 / 1 while layer 1 has by far the largest anomaly
  // (gain ratio 0.5 against 0.95 and 1), so the two orders differ.
  void tableOpensInTheEnginesRanking() {
    nlohmann::json j = results_test::handMadeScan();
    j["parameters"]["rules"] = "floor";
    const double kl[] = {0.05, 0.02, 0.01};
    for (int i = 0; i < 3; ++i) j["layers"][i]["sensitivity"]["kl_single"] = results_test::stat(kl[i], kl[i], kl[i]);
    const auto d = std::make_shared<const ScanData>(ScanData::fromJson(j, "floor.json"));
    QCOMPARE(d->ranking(), (std::vector<int>{2, 10, 1}));
    QCOMPARE(d->verdict(2).anomalyMetric, std::string("gain_ratio"));
    LayerSelection selection;
    RankedLayerView view(&selection);
    view.setScanData(d);
    QList<int> order, ranks;
    for (int r = 0; r < view.proxy()->rowCount(); ++r) {
      order << view.proxy()->index(r, RankedLayerModel::LayerColumn).data().toInt();
      ranks << view.proxy()->index(r, RankedLayerModel::RankColumn).data().toInt();
    }
    QCOMPARE(order, (QList<int>{2, 10, 1}));
    QCOMPARE(ranks, (QList<int>{1, 2, 3}));
  }

  // #19.10: a layer the plan leaves in BF16 is not flagged, ranked or counted, and the table says so.
  void unquantizedLayersAreMarked() {
    nlohmann::json j = results_test::handMadeScan();
    j["layers"][1]["layer_quantized"] = false;  // layer 10, which low_sqnr flags when quantized
    const auto d = std::make_shared<const ScanData>(ScanData::fromJson(j, "partial.json"));
    QVERIFY(!d->verdict(1).quantized && d->verdict(1).flags.empty());
    QCOMPARE(d->problematicLayers(), std::vector<int>{1});
    QCOMPARE(d->ranking().size(), size_t(2));
    QVERIFY(std::find(d->ranking().begin(), d->ranking().end(), 10) == d->ranking().end());
    RankedLayerModel model;
    model.setScanData(d);
    auto status = [&](int layer) {
      return model.index(model.rowOfLayer(layer), RankedLayerModel::ProblematicColumn).data().toString();
    };
    QCOMPARE(status(10), QString("not quantized"));
    QCOMPARE(status(1), QString("problematic"));
    QCOMPARE(status(2), QString("ok"));
    QVERIFY(model.index(model.rowOfLayer(10), RankedLayerModel::RankColumn).data().toString().isEmpty());
  }
};

QTEST_MAIN(TestResultsRules)
#include "test_results_rules.moc"
