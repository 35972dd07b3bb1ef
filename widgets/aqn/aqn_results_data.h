#pragma once
// The numbers behind the AQN results view: per-configuration training-loss curves across seeds, and the
// configuration table, tests table and curves as CSV (full precision) and JSON for export.
#include <srdd/aqn.h>

#include <QJsonDocument>
#include <QString>
#include <QVector>

#include <vector>

namespace srdd_gui {

// Mean training loss per step of one configuration over its seeds, with the spread across seeds.
struct AqnLossCurve {
  QString config;
  int seeds = 0;
  QVector<double> step;                // 1-based step numbers
  QVector<double> mean, sd, min, max;  // sd: sample sd (n - 1), 0 for a single seed
};

// What the band around each mean curve shows.
enum class AqnBand { MinMax, PlusMinusSd };
QString bandLabel(AqnBand band);  // "band: min–max over seeds" / "band: mean ± sd over seeds"

// One curve per configuration (settings order) that has runs with a training loss; curves are cut to the
// shortest run of the configuration. Empty for the reference protocol (no training).
std::vector<AqnLossCurve> lossCurves(const srdd::aqn::ComparisonResult& result);

// Header row + one row per configuration / test / (configuration, step). Numbers at full precision,
// undefined ones (non-finite) empty.
QString configTableCsv(const srdd::aqn::ComparisonResult& result);
QString testTableCsv(const srdd::aqn::ComparisonResult& result);
QString lossCurvesCsv(const std::vector<AqnLossCurve>& curves);
// The comparison document (schema "srdd-aqn/1") plus "loss_curves".
QJsonDocument comparisonJson(const srdd::aqn::ComparisonResult& result);

}  // namespace srdd_gui
