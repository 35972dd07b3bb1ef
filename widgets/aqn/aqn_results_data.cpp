#include "aqn/aqn_results_data.h"

#include "aqn/aqn_format.h"
#include "export/data_export.h"

#include <QObject>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <limits>

namespace srdd_gui {

namespace {

QString full(double v) { return std::isfinite(v) ? QString::number(v, 'g', 17) : QString(); }

QStringList summaryFields(const srdd::stats::Summary& s) {
  if (s.n == 0) return {QStringLiteral("0"), QString(), QString(), QString(), QString()};
  return {QString::number(s.n), full(s.mean), full(s.sd), full(s.ciLow), full(s.ciHigh)};
}

QStringList testFields(const srdd::stats::TTest& t) { return {full(t.t), full(t.df), full(t.p)}; }

}  // namespace

QString bandLabel(AqnBand band) {
  return band == AqnBand::MinMax ? QObject::tr("band: min–max over seeds") : QObject::tr("band: mean ± sd over seeds");
}

std::vector<AqnLossCurve> lossCurves(const srdd::aqn::ComparisonResult& result) {
  std::vector<AqnLossCurve> curves;
  for (const auto& config : result.settings.configs) {
    std::vector<const std::vector<double>*> losses;
    size_t steps = std::numeric_limits<size_t>::max();
    for (const auto& run : result.runs) {
      if (run.config != config || run.trainLoss.empty()) continue;
      losses.push_back(&run.trainLoss);
      steps = std::min(steps, run.trainLoss.size());
    }
    if (losses.empty()) continue;
    AqnLossCurve c;
    c.config = QString::fromStdString(config);
    c.seeds = static_cast<int>(losses.size());
    const double n = static_cast<double>(losses.size());
    for (size_t s = 0; s < steps; ++s) {
      double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (const auto* l : losses) {
        sum += (*l)[s];
        lo = std::min(lo, (*l)[s]);
        hi = std::max(hi, (*l)[s]);
      }
      const double mean = sum / n;
      double ss = 0;
      for (const auto* l : losses) ss += ((*l)[s] - mean) * ((*l)[s] - mean);
      c.step << static_cast<double>(s + 1);
      c.mean << mean;
      c.sd << (losses.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0);
      c.min << lo;
      c.max << hi;
    }
    curves.push_back(std::move(c));
  }
  return curves;
}

QString configTableCsv(const srdd::aqn::ComparisonResult& result) {
  QString csv = csvRecord({"config", "noise_layers", "n", "mean", "sd", "ci95_low", "ci95_high", "bf16_n", "bf16_mean",
                           "bf16_sd", "bf16_ci95_low", "bf16_ci95_high"});
  for (const auto& c : result.configs) {
    QStringList row{QString::fromStdString(c.name), formatLayerList(c.noiseLayers)};
    row << summaryFields(c.quantized) << summaryFields(c.bf16);
    csv += csvRecord(row);
  }
  return csv;
}

QString testTableCsv(const srdd::aqn::ComparisonResult& result) {
  QString csv = csvRecord({"a", "b", "mean_difference", "welch_t", "welch_df", "welch_p", "paired_t", "paired_df",
                           "paired_p", "student_t", "student_df", "student_p", "cohens_d", "paired_dz", "error"});
  for (const auto& t : result.tests) {
    QStringList row{QString::fromStdString(t.a), QString::fromStdString(t.b), full(t.meanDifference)};
    const bool defined = t.error.empty();
    for (const auto* test : {&t.welch, &t.paired, &t.student})
      row << (defined ? testFields(*test) : QStringList{QString(), QString(), QString()});
    row << (defined ? full(t.cohensD) : QString()) << (defined ? full(t.pairedDz) : QString())
        << QString::fromStdString(t.error);
    csv += csvRecord(row);
  }
  return csv;
}

QString lossCurvesCsv(const std::vector<AqnLossCurve>& curves) {
  QString csv = csvRecord({"config", "step", "seeds", "mean", "sd", "min", "max"});
  for (const auto& c : curves)
    for (int i = 0; i < c.step.size(); ++i)
      csv += csvRecord({c.config, QString::number(c.step[i]), QString::number(c.seeds), full(c.mean[i]), full(c.sd[i]),
                        full(c.min[i]), full(c.max[i])});
  return csv;
}

QJsonDocument comparisonJson(const srdd::aqn::ComparisonResult& result) {
  nlohmann::json j = result.toJson();
  nlohmann::json curves = nlohmann::json::array();
  for (const auto& c : lossCurves(result))
    curves.push_back({{"config", c.config.toStdString()},
                      {"seeds", c.seeds},
                      {"mean", std::vector<double>(c.mean.begin(), c.mean.end())},
                      {"sd", std::vector<double>(c.sd.begin(), c.sd.end())},
                      {"min", std::vector<double>(c.min.begin(), c.min.end())},
                      {"max", std::vector<double>(c.max.begin(), c.max.end())}});
  j["loss_curves"] = curves;
  return QJsonDocument::fromJson(QByteArray::fromStdString(j.dump()));
}

}  // namespace srdd_gui
