// ScanData parsing (checked against Qt's own JSON parser on a real `srdd scan`), its errors, the metric
// catalogue, and the figure builders' numbers (CSV/JSON) and rendering.
#include "results/figures.h"
#include "results/metric_catalog.h"
#include "results/scan_data.h"
#include "test_results_fixture.h"

#include <srdd/error.h>
#include <srdd/statistics.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <set>

using namespace srdd_gui;

namespace {
QJsonObject readQtJson(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(f.readAll()).object();
}
// Cells of a CSV line (no quoting needed for these numeric rows).
QStringList cells(const QString& line) { return line.split(','); }
ScanData handMade() { return ScanData::fromJson(results_test::handMadeScan(), "hand-made.json"); }
using srdd_test::errorOf;
}  // namespace

class TestResultsData : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void parsesRealScan();
  void defaultScanHasFewerMetrics();
  void badInputNamesTheFile_data();
  void badInputNamesTheFile();
  void catalogueCoversEveryScanMetric();
  void compareCsvAndJsonMatchTheScan();
  void handMadeVerdictFollowsTheRules();
  void metricHeatmapNormalisesPerColumn();
  void moduleHeatmapRowsAndLmHead();
  void compareFigureSharesTheValueAxis();
  void singleRowHeatmapIsDrawn();
  void everyAvailableFigureRenders();
  void badFigureIdsAreErrors();

 private:
  QTemporaryDir m_tmp;
  QString m_all, m_default;
};

void TestResultsData::initTestCase() {
  QVERIFY(m_tmp.isValid());
  m_all = m_tmp.filePath("all.json");
  m_default = m_tmp.filePath("default.json");
  bool ok = false;
  QString out = results_test::runDemoScan(m_all, {"--scans", "all", "--lm-head"}, &ok);
  QVERIFY2(ok, qPrintable(out));
  out = results_test::runDemoScan(m_default, {}, &ok);
  QVERIFY2(ok, qPrintable(out));
}

void TestResultsData::parsesRealScan() {
  const ScanData d = ScanData::fromJsonFile(m_all);
  const QJsonObject raw = readQtJson(m_all);
  const QJsonArray layers = raw["layers"].toArray();
  QCOMPARE(d.sourcePath(), m_all);
  QCOMPARE(d.layerCount(), layers.size());
  QCOMPARE(d.numLayers(), raw["provenance"]["model"]["num_layers"].toInt());
  QCOMPARE(d.layerCount(), 6);

  for (int row = 0; row < layers.size(); ++row) {
    const QJsonObject l = layers[row].toObject();
    const srdd::LayerScanResult& ld = d.layer(row);
    const srdd::LayerVerdict& verdict = d.verdict(row);
    QCOMPARE(ld.layer, l["layer"].toInt());
    QCOMPARE(d.rowOfLayer(ld.layer), row);
    for (const char* side : {"bf16", "quantized"}) {
      const QJsonObject stats = l[side].toObject();
      const Side s = QString(side) == "bf16" ? Side::Bf16 : Side::Quantized;
      for (const QString& metric : stats.keys()) {
        const QJsonObject st = stats[metric].toObject();
        const Stat got = d.stat(row, metric, s);
        QCOMPARE(got.mean, st["mean"].toDouble());
        QCOMPARE(got.ciLow, st["ci95"][0].toDouble());
        QCOMPARE(got.ciHigh, st["ci95"][1].toDouble());
        QCOMPARE(got.n, st["n"].toInt());
      }
    }
    // docs/scans.md: ratio = quantized mean / bf16 mean (1 when the bf16 mean <= 0), difference = q − bf16.
    const QJsonObject ratios = l["ratio"].toObject();
    QVERIFY(ratios.contains("gain"));
    for (const QString& metric : ratios.keys()) {
      QVERIFY(d.isPaired(metric));
      const double b = d.value(row, metric, Side::Bf16), q = d.value(row, metric, Side::Quantized);
      if (ratios[metric].isNull()) {  // NaN is stored as null
        QVERIFY(std::isnan(d.value(row, metric, Side::Ratio)));
        continue;
      }
      QCOMPARE(d.value(row, metric, Side::Ratio), ratios[metric].toDouble());
      QCOMPARE(d.value(row, metric, Side::Difference), l["difference"][metric].toDouble());
      if (b > 0) QVERIFY(qAbs(d.value(row, metric, Side::Ratio) - q / b) <= 1e-12 * qMax(1.0, qAbs(q / b)));
      QVERIFY(qAbs(d.value(row, metric, Side::Difference) - (q - b)) <= 1e-12 * qMax(1.0, qAbs(q)));
    }
    QCOMPARE(d.value(row, "kl_single", Side::Quantized), l["sensitivity"]["kl_single"]["mean"].toDouble());
    QCOMPARE(d.value(row, "weights.sqnr_db", Side::Quantized), l["weights"]["sqnr_db"].toDouble());
    QVERIFY(!hasCi(d.stat(row, "weights.sqnr_db", Side::Quantized)));
    QStringList rules;
    for (const auto& f : l["flags"].toArray())
      if (!rules.contains(f.toObject()["rule"].toString())) rules << f.toObject()["rule"].toString();
    // The engine's reader recomputes the verdict from the stored numbers: it must agree with the file's.
    QCOMPARE(ruleNames(verdict), rules);
    QCOMPARE(verdict.problematic, l["problematic"].toBool());
    QCOMPARE(verdict.anomalyScore, l["anomaly"]["score"].toDouble());
    QCOMPARE(QString::fromStdString(verdict.anomalyMetric), l["anomaly"]["metric"].toString());
  }

  // 7 linear weights per layer plus lm_head (layer -1) with --lm-head.
  QCOMPARE(int(d.result().weights.size()), raw["weights"].toArray().size());
  QCOMPARE(d.result().weights.size(), size_t(6 * 7 + 1));
  QCOMPARE(d.weightModules(),
           QStringList({"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"}));
  const srdd::WeightFidelityRow* lm = d.weight(-1, "lm_head");
  QVERIFY(lm);
  QCOMPARE(lm->metrics.at("sqnr_db"), raw["weights"].toArray().last()["metrics"]["sqnr_db"].toDouble());
  QVERIFY(d.weightMetrics().contains("deadzone_ratio"));
  QCOMPARE(d.weight(3, "k_proj")->shape, (std::vector<int64_t>{raw["weights"][3 * 7 + 1]["shape"][0].toInt(),
                                                               raw["weights"][3 * 7 + 1]["shape"][1].toInt()}));

  const QJsonObject verdict = raw["verdict"].toObject();
  QCOMPARE(QString::fromStdString(d.recommendation().strategy), verdict["recommendation"]["strategy"].toString());
  QCOMPARE(d.recommendation().details.size(), size_t(1));
  QCOMPARE(QString::fromStdString(d.recommendation().details[0]), verdict["recommendation"]["details"][0].toString());
  QCOMPARE(int(d.problematicLayers().size()), verdict["problematic_layers"].toArray().size());
  QCOMPARE(int(d.ranking().size()), verdict["ranking"].toArray().size());
  QCOMPARE(d.ranking().front(), verdict["ranking"][0]["layer"].toInt());

  QCOMPARE(d.modelName(), QString("demo-model"));
  QCOMPARE(d.formatName(), QString("MXFP4"));
  QCOMPARE(d.seed(), int64_t(raw["parameters"]["seed"].toInt()));
  QCOMPARE(d.scans().size(), raw["parameters"]["scans"].toArray().size());
  QCOMPARE(d.createdUtc(), QString("2026-01-01T00:00:00Z"));
  QCOMPARE(d.parametersJson(), raw["parameters"].toObject());
  QVERIFY(d.metadataText().contains(d.modelPath()));
  QVERIFY(d.metadataText().contains("seed: 42"));
  QVERIFY(d.metadataText().contains(raw["provenance"]["app"]["version"].toString()));
  QVERIFY(std::isnan(d.threshold("sqnr_db", Side::Bf16)));      // floor rules: no rule reads the BF16 output's SQNR
  QCOMPARE(handMade().threshold("sqnr_db", Side::Bf16), 20.0);  // a file without "rules": the absolute ones
  QCOMPARE(d.threshold("gain", Side::Ratio), raw["parameters"]["thresholds"]["gain_ratio"].toDouble());
  QVERIFY(std::isnan(d.threshold("gain", Side::Bf16)));

  for (const char* m : {"gain", "kurtosis", "instability", "sqnr_db", "deadzone_ratio", "dc_gain_min", "edge_pileup"})
    QVERIFY2(d.pairedMetrics().contains(m), m);
  for (const char* m : {"drift_sqnr_db", "kl_single", "dloss_all_but", "weights.sqnr_db"})
    QVERIFY2(d.singleMetrics().contains(m), m);
  QVERIFY(d.pairedMetrics().indexOf("gain") < d.pairedMetrics().indexOf("sqnr_db"));  // catalogue order
}

void TestResultsData::defaultScanHasFewerMetrics() {
  const ScanData d = ScanData::fromJsonFile(m_default);
  QVERIFY(d.pairedMetrics().contains("gain"));
  QVERIFY(!d.pairedMetrics().contains("dc_gain_min"));  // dcgain is not a default scan
  QVERIFY(!d.weight(-1, "lm_head"));                    // lm_head only with --lm-head
  QCOMPARE(d.weightModules().size(), 7);
}

void TestResultsData::badInputNamesTheFile_data() {
  QTest::addColumn<QByteArray>("content");
  QTest::addColumn<QString>("expected");
  // A minimal valid document with one fault at a time (the engine's reader, core/src/scan_io.cpp).
  const auto doc = [](const char* layers, const char* weights = "[]") {
    return QByteArray(
               R"({"schema": "srdd-scan/1", "provenance": {}, "parameters": {}, "prompts": {"texts": []}, "layers": )") +
           layers + R"(, "weights": )" + weights + "}";
  };
  QTest::newRow("not json") << QByteArray("{\"schema\": ") << "not valid JSON";
  QTest::newRow("array") << QByteArray("[1, 2]") << "not a scan result";
  QTest::newRow("other schema") << QByteArray(R"({"schema": "srdd-aqn/1", "layers": []})")
                                << "schema \"srdd-aqn/1\" (expected \"srdd-scan/1\")";
  QTest::newRow("no layers")
      << QByteArray(R"({"schema": "srdd-scan/1", "provenance": {}, "parameters": {}, "prompts": {"texts": []}})")
      << "key 'layers' not found";
  QTest::newRow("layer without index") << doc(R"([{"bf16": {}}])") << "key 'layer' not found";
  QTest::newRow("duplicate layer") << doc(R"([{"layer": 1}, {"layer": 1}])") << "layer 1 appears twice";
  QTest::newRow("weights without module") << doc(R"([{"layer": 0}])", R"([{"layer": 0}])") << "key 'module' not found";
}

void TestResultsData::badInputNamesTheFile() {
  QFETCH(QByteArray, content);
  QFETCH(QString, expected);
  const QString path = m_tmp.filePath(QString("bad-%1.json").arg(QTest::currentDataTag()).replace(' ', '-'));
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(content);
  f.close();
  const QString msg = errorOf([&] { ScanData::fromJsonFile(path); });
  QVERIFY2(msg.startsWith(path + ": "), qPrintable(msg));
  QVERIFY2(msg.contains(expected), qPrintable(msg));
  QVERIFY(!msg.contains('\n'));

  const QString missing = m_tmp.filePath("does-not-exist.json");
  const QString msg2 = errorOf([&] { ScanData::fromJsonFile(missing); });
  QVERIFY2(msg2.startsWith(missing + ": cannot open"), qPrintable(msg2));
}

void TestResultsData::catalogueCoversEveryScanMetric() {
  const ScanData d = ScanData::fromJsonFile(m_all);
  for (const QString& m : d.pairedMetrics() + d.singleMetrics()) {
    QVERIFY2(metricOrder().contains(m), qPrintable(m));
    QVERIFY(metricInfo(m).name != m);
  }
  const MetricInfo sqnr = metricInfo("sqnr_db");
  QCOMPARE(sqnr.unit, QString("dB"));
  QCOMPARE(sqnr.better, Better::Higher);
  QCOMPARE(sqnr.healthyLow, 20.0);  // the low_sqnr rule default
  QCOMPARE(metricInfo("deadzone_ratio").healthyHigh, 0.05);
  QCOMPARE(metricInfo("gain").better, Better::NearOne);
  QCOMPARE(formatMetricValue("deadzone_ratio", 0.0864), QString("8.64 %"));
  QCOMPARE(formatMetricValue("sqnr_db", 18.7123), QString("18.71 dB"));
  QCOMPARE(formatMetricValue("gain", std::nan("")), QString("–"));
  QCOMPARE(metricLabel("sqnr_db"), QString("Output SQNR [dB]"));
  QCOMPARE(metricInfo("something_new").name, QString("something_new"));
  QCOMPARE(metricInfo("something_new").better, Better::Neutral);
}

void TestResultsData::compareCsvAndJsonMatchTheScan() {
  const ScanData d = ScanData::fromJsonFile(m_all);
  const QJsonArray layers = readQtJson(m_all)["layers"].toArray();
  const QStringList lines = figureCsv(d, "compare:gain:difference").trimmed().split('\n');
  QCOMPARE(lines.size(), 1 + layers.size());
  QCOMPARE(lines[0],
           QString("layer,bf16_mean,bf16_std,bf16_ci95_low,bf16_ci95_high,bf16_n,quantized_mean,quantized_std,"
                   "quantized_ci95_low,quantized_ci95_high,quantized_n,difference,difference_ci95_low,"
                   "difference_ci95_high"));
  for (int i = 0; i < layers.size(); ++i) {
    const QStringList c = cells(lines[i + 1]);
    const QJsonObject l = layers[i].toObject();
    QCOMPARE(c[0].toInt(), l["layer"].toInt());
    QCOMPARE(c[1].toDouble(), l["bf16"]["gain"]["mean"].toDouble());
    QCOMPARE(c[3].toDouble(), l["bf16"]["gain"]["ci95"][0].toDouble());
    QCOMPARE(c[6].toDouble(), l["quantized"]["gain"]["mean"].toDouble());
    QCOMPARE(c[11].toDouble(), l["difference"]["gain"].toDouble());
    // The Δ interval: the scan's difference ± t(0.975, n-1)·sd(q - b)/√n over the per-prompt pairs.
    const QJsonArray bv = l["bf16"]["gain"]["values"].toArray(), qv = l["quantized"]["gain"]["values"].toArray();
    QCOMPARE(bv.size(), qv.size());
    const int n = static_cast<int>(bv.size());
    QVERIFY(n >= 2);
    double mean = 0, ss = 0;
    for (int k = 0; k < n; ++k) mean += (qv[k].toDouble() - bv[k].toDouble()) / n;
    for (int k = 0; k < n; ++k) ss += std::pow(qv[k].toDouble() - bv[k].toDouble() - mean, 2);
    const double halfWidth = srdd::stats::studentTQuantile(0.975, n - 1) * std::sqrt(ss / (n - 1) / n);
    const double difference = l["difference"]["gain"].toDouble();
    QVERIFY(std::abs(c[12].toDouble() - (difference - halfWidth)) <= 1e-12 * (1 + std::abs(difference)) + 1e-15);
    QVERIFY(std::abs(c[13].toDouble() - (difference + halfWidth)) <= 1e-12 * (1 + std::abs(difference)) + 1e-15);
  }
  const QStringList ratio = figureCsv(d, "compare:kurtosis:ratio").trimmed().split('\n');
  QVERIFY(ratio[0].endsWith(",ratio,ratio_ci95_low,ratio_ci95_high"));
  QCOMPARE(cells(ratio[2])[cells(ratio[0]).indexOf("ratio")].toDouble(), layers[1]["ratio"]["kurtosis"].toDouble());
  // A single-variant metric has only the quantized columns.
  const QStringList kl = figureCsv(d, "compare:kl_single:difference").trimmed().split('\n');
  QCOMPARE(kl[0], QString("layer,quantized_mean,quantized_std,quantized_ci95_low,quantized_ci95_high,quantized_n"));
  QCOMPARE(cells(kl[1])[1].toDouble(), layers[0]["sensitivity"]["kl_single"]["mean"].toDouble());

  const QJsonObject j = figureJson(d, "compare:sqnr_db:ratio").object();
  QCOMPARE(j["figure"].toString(), QString("compare:sqnr_db:ratio"));
  QCOMPARE(j["provenance"].toObject(), readQtJson(m_all)["provenance"].toObject());
  QCOMPARE(j["data"]["unit"].toString(), QString("dB"));
  QCOMPARE(j["data"]["layers"][4]["bf16"]["mean"].toDouble(), layers[4]["bf16"]["sqnr_db"]["mean"].toDouble());
  QCOMPARE(j["data"]["layers"][4]["ratio"].toDouble(), layers[4]["ratio"]["sqnr_db"].toDouble());
  QVERIFY(j["title"].toString().contains("MXFP4"));
}

void TestResultsData::handMadeVerdictFollowsTheRules() {
  // Derived by hand in test_results_fixture.h from the rule defaults (docs/scans.md) and the fixture's thresholds.
  const ScanData d = handMade();
  QCOMPARE(d.problematicLayers(), (std::vector<int>{1, 10}));
  QCOMPARE(d.ranking(), (std::vector<int>{1, 10, 2}));
  QCOMPARE(ruleNames(d.verdict(d.rowOfLayer(1))), QStringList({"gain_drop", "anomaly"}));
  QCOMPARE(ruleNames(d.verdict(d.rowOfLayer(10))), QStringList({"low_sqnr"}));
  QVERIFY(!d.verdict(d.rowOfLayer(2)).problematic);
  QVERIFY(qAbs(d.verdict(d.rowOfLayer(10)).anomalyScore - 1 / 1.4826) < 1e-12);
  QCOMPARE(QString::fromStdString(d.verdict(d.rowOfLayer(10)).anomalyMetric), QString("sqnr_db"));
  QCOMPARE(QString::fromStdString(d.recommendation().strategy), QString("mixed_approach"));
  QCOMPARE(d.recommendation().aqnLayers, (std::vector<int>{1, 10}));
  // What the fixture stores agrees with what the reader recomputed.
  const nlohmann::json j = results_test::handMadeScan();
  for (int row = 0; row < d.layerCount(); ++row)
    QVERIFY(qAbs(d.verdict(row).anomalyScore - j["layers"][size_t(row)]["anomaly"]["score"].get<double>()) < 1e-12);
}

void TestResultsData::metricHeatmapNormalisesPerColumn() {
  const ScanData d = handMade();
  // Columns are oriented so that 1 is the worse end. Quantized gain 9, 10.25, 50 (closer to 1 is better):
  // |v − 1| = 8, 9.25, 49 -> (o − 8)/41; drift SQNR 30, 29, 28 (higher is better) -> 0, 0.5, 1.
  HeatmapGrid g = metricHeatmap(d, Side::Quantized, HeatScale::Linear);
  const int gain = g.columns.indexOf("gain"), drift = g.columns.indexOf("drift_sqnr_db");
  QVERIFY(gain >= 0 && drift >= 0);
  QVERIFY(g.columns.contains("kl_single") && g.columns.contains("weights.sqnr_db"));
  QCOMPARE(g.rowLayers, (std::vector<int>{2, 10, 1}));
  QCOMPARE(g.shown[0][gain], 0.0);
  QCOMPARE(g.shown[1][gain], 1.25 / 41);
  QCOMPARE(g.shown[2][gain], 1.0);
  QCOMPARE(g.shown[1][drift], 0.5);
  QCOMPARE(g.shown[2][drift], 1.0);
  QCOMPARE(g.raw[2][gain], 50.0);
  // Ratios 9/9.5, 1, 0.5 diverge around 1, a drop of gain being worse: −(v − 1)/max|v − 1| = (1/19)/0.5, 0, 1.
  g = metricHeatmap(d, Side::Ratio, HeatScale::Diverging);
  QCOMPARE(g.columns, QStringList({"gain", "sqnr_db"}));
  QCOMPARE(g.shown[0][0], 2.0 / 19);
  QCOMPARE(g.shown[1][0], 0.0);
  QCOMPARE(g.shown[2][0], 1.0);
  QCOMPARE(g.colorRange.lower, -1.0);
  // Differences diverge around 0: gain −0.5, 0, −50 -> 0.01, 0, 1; the SQNR difference is +1 everywhere, an
  // improvement -> −1.
  g = metricHeatmap(d, Side::Difference, HeatScale::Diverging);
  QCOMPARE(g.shown[0][0], 0.01);
  QCOMPARE(g.shown[0][1], -1.0);
  // Log: log10 of BF16 gain 9.5, 10.25, 100.
  g = metricHeatmap(d, Side::Bf16, HeatScale::Log);
  const double lo = std::log10(9.5), hi = 2.0;
  QCOMPARE(g.shown[1][0], (std::log10(10.25) - lo) / (hi - lo));
  // CSV: one row per cell, raw and shown.
  const QStringList lines = figureCsv(d, "heatmap-metrics:bf16:log").trimmed().split('\n');
  QCOMPARE(lines[0], QString("layer,metric,value,shown"));
  QCOMPARE(lines.size(), 1 + 3 * 2);
  QCOMPARE(cells(lines[3])[0], QString("10"));
  QCOMPARE(cells(lines[3])[2].toDouble(), 10.25);
}

void TestResultsData::moduleHeatmapRowsAndLmHead() {
  const ScanData hand = handMade();
  HeatmapGrid g = moduleHeatmap(hand, "sqnr_db", HeatScale::Linear);
  QCOMPARE(g.columns, QStringList({"q_proj", "k_proj"}));
  QCOMPARE(g.columnLabels, QStringList({"q", "k"}));
  QCOMPARE(g.raw[1][0], 11.0);
  QCOMPARE(g.raw[2][1], 22.0);
  QCOMPARE(g.colorRange.lower, 10.0);
  QCOMPARE(g.colorRange.upper, 22.0);
  g = moduleHeatmap(hand, "deadzone_ratio", HeatScale::Diverging);  // percent: 0, 1, 2 % around the mean 1 %
  QCOMPARE(g.shown[0][0], -1.0);
  QCOMPARE(g.shown[2][0], 1.0);
  QVERIFY(std::isnan(g.raw[0][1]));  // null in the file
  const QStringList csv = figureCsv(hand, "heatmap-modules:deadzone_ratio:linear").trimmed().split('\n');
  QCOMPARE(csv[2], QString("2,k_proj,,"));

  const ScanData real = ScanData::fromJsonFile(m_all);
  g = moduleHeatmap(real, "sqnr_db", HeatScale::Log);
  QCOMPARE(g.rowCount(), 7);
  QCOMPARE(g.rowLabels.last(), QString("lm_head"));
  QCOMPARE(g.rowLayers.back(), -1);
  QCOMPARE(g.columns.last(), QString("lm_head"));
  int lmCells = 0;
  for (int c = 0; c < g.columnCount(); ++c) lmCells += std::isfinite(g.raw[6][size_t(c)]);
  QCOMPARE(lmCells, 1);
  QCOMPARE(g.raw[6].back(), real.weight(-1, "lm_head")->metrics.at("sqnr_db"));
  QCOMPARE(g.raw[2][3], real.weight(2, "o_proj")->metrics.at("sqnr_db"));
  QVERIFY(g.logColor);
}

void TestResultsData::compareFigureSharesTheValueAxis() {
  const ScanData d = handMade();
  QCustomPlot plot;
  plot.resize(900, 400);
  const CompareFigure fig = buildCompareFigure(&plot, d, "gain", DeltaMode::Ratio, PlotTheme::light());
  QCOMPARE(fig.rects.size(), size_t(3));
  const QCPRange b = fig.rects[0]->axis(QCPAxis::atLeft)->range(), q = fig.rects[1]->axis(QCPAxis::atLeft)->range();
  QCOMPARE(b.lower, q.lower);
  QCOMPARE(b.upper, q.upper);
  QVERIFY(b.lower <= 0 && b.upper >= 101);  // bars from 0, the highest CI end (BF16 100 + 1)
  // Ratio panel: bars start at 1, the gain_ratio threshold 0.9 is drawn.
  QCOMPARE(fig.bars[2]->baseValue(), 1.0);
  QCOMPARE(fig.bars[2]->data()->at(2)->value + 1.0, 0.5);  // layer 1 (key order): 50/100
  const QCPRange r = fig.rects[2]->axis(QCPAxis::atLeft)->range();
  QVERIFY(r.contains(0.9) && r.contains(1.0) && r.contains(0.5));
  QCOMPARE(plot.xAxis, fig.rects[0]->axis(QCPAxis::atBottom));
  // Error bars from the 95 % interval: BF16 ±1, quantized ±2.
  int errorBars = 0;
  for (int i = 0; i < plot.plottableCount(); ++i)
    if (auto* e = qobject_cast<QCPErrorBars*>(plot.plottable(i))) {
      ++errorBars;
      QVERIFY(e->data()->at(0).errorPlus == 1.0 || e->data()->at(0).errorPlus == 2.0);
    }
  QCOMPARE(errorBars, 2);
  // A single-variant metric: one panel.
  const CompareFigure single = buildCompareFigure(&plot, d, "kl_single", DeltaMode::Difference, PlotTheme::light());
  QCOMPARE(single.rects.size(), size_t(1));
  QVERIFY(!single.series.paired);
}

void TestResultsData::singleRowHeatmapIsDrawn() {
  // QCPColorMap draws a one-cell dimension with zero size; the builder must still show the cells.
  nlohmann::json j = results_test::handMadeScan();
  j["layers"] = nlohmann::json::array({j["layers"][0]});
  const ScanData d = ScanData::fromJson(j, "one-layer.json");
  QCustomPlot plot;
  plot.resize(600, 400);
  const HeatmapFigure fig =
      buildHeatmapFigure(&plot, d, metricHeatmap(d, Side::Quantized, HeatScale::Linear), PlotTheme::light());
  QCOMPARE(fig.grid.rowCount(), 1);
  QCOMPARE(fig.grid.shown[0][0], 0.5);  // a constant column sits in the middle of the scale
  plot.replot();
  const QImage img = plot.toPixmap(600, 400).toImage();
  const QColor centre = img.pixelColor(int(plot.xAxis->coordToPixel(0)), int(plot.yAxis->coordToPixel(0)));
  const QColor expected = sequentialGradient(PlotTheme::light()).color(0.5, QCPRange(0, 1));
  QVERIFY2(qAbs(centre.red() - expected.red()) + qAbs(centre.green() - expected.green()) +
                   qAbs(centre.blue() - expected.blue()) <
               12,
           qPrintable(centre.name() + " vs " + expected.name()));
  int column = -1, row = -1;
  QVERIFY(heatmapCellAt(fig, QPointF(plot.xAxis->coordToPixel(0), plot.yAxis->coordToPixel(0.45)), &column, &row));
  QCOMPARE(row, 0);
  QVERIFY(!heatmapCellAt(fig, QPointF(plot.xAxis->coordToPixel(0), plot.yAxis->coordToPixel(0.55)), &column, &row));
}

void TestResultsData::everyAvailableFigureRenders() {
  const ScanData d = ScanData::fromJsonFile(m_all);
  const std::vector<FigureSpec> figures = availableFigures(d);
  QVERIFY(figures.size() > 20);
  std::set<QString> stems;
  int heatmaps = 0;
  QCustomPlot plot;
  plot.resize(700, 450);
  for (const FigureSpec& f : figures) {
    QVERIFY2(stems.insert(f.fileStem).second, qPrintable(f.fileStem));
    QVERIFY(QRegularExpression("^[A-Za-z0-9_-]+$").match(f.fileStem).hasMatch());
    QVERIFY(!f.title.isEmpty());
    renderFigure(&plot, d, f.id, true);
    QVERIFY2(plot.plottableCount() > 0, qPrintable(f.id));
    QCOMPARE(plot.toPixmap(700, 450).toImage().pixelColor(0, 0), QColor(Qt::white));
    heatmaps += qobject_cast<QCPColorMap*>(plot.plottable(0)) != nullptr;
    QVERIFY(!figureCsv(d, f.id).isEmpty());
    QVERIFY(figureJson(d, f.id).isObject());
  }
  QVERIFY(heatmaps >= 7);  // 3 metric maps and 4 weight maps
  // The rendered heatmap is not blank: many distinct colours.
  renderFigure(&plot, d, "heatmap-metrics:quantized:linear", true);
  const QImage img = plot.toPixmap(700, 450).toImage();
  std::set<QRgb> colours;
  for (int y = 0; y < img.height(); y += 3)
    for (int x = 0; x < img.width(); x += 3) colours.insert(img.pixel(x, y));
  QVERIFY(colours.size() > 30);
}

void TestResultsData::badFigureIdsAreErrors() {
  const ScanData d = handMade();
  QCustomPlot plot;
  for (const char* id : {"nope", "compare:nosuch:difference", "compare:gain:sideways", "heatmap-metrics:foo:linear",
                         "heatmap-modules:sqnr_db:purple", "heatmap-modules:clipping_ratio:linear"}) {
    const QString msg = errorOf([&] { renderFigure(&plot, d, id, true); });
    QVERIFY2(msg.contains(QString("figure \"%1\"").arg(id)), qPrintable(msg));
    QVERIFY(!errorOf([&] { figureCsv(d, id); }).isEmpty());
  }
}

QTEST_MAIN(TestResultsData)
#include "test_results_data.moc"
