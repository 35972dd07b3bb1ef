#pragma once
// What each scan metric means for display: name, unit, which direction is good, healthy range (docs/scans.md).
#include <QString>
#include <QStringList>

#include <limits>

namespace srdd_gui {

enum class Better { Higher, Lower, NearOne, Neutral };

struct MetricInfo {
  QString key;   // JSON name; pooled weight metrics are "weights.<name>"
  QString name;  // display name
  QString unit;  // "dB", "nats", or empty
  Better better = Better::Neutral;
  double healthyLow = std::numeric_limits<double>::quiet_NaN();  // NaN: unbounded / not given
  double healthyHigh = std::numeric_limits<double>::quiet_NaN();
  QString healthy;       // the docs' wording, e.g. "≈ 1 (Qwen2.5: 1.03–1.16)"
  bool percent = false;  // a fraction better read as %
};

// Info for KEY; an unknown key gets its own name and neutral direction.
MetricInfo metricInfo(const QString& key);
// Known keys in display order (activation, sensitivity, pooled weight metrics).
const QStringList& metricOrder();
// A name of at most ~8 characters for crowded axes: "SQNR", "DC min", "W SQNR"; unknown keys keep the key.
QString metricShortName(const QString& key);
// "Gain", "Output SQNR [dB]".
QString metricLabel(const QString& key);
// VALUE with sensible precision and the unit: "18.71 dB", "8.64 %", "0.0209 nats". NaN -> "–".
QString formatMetricValue(const QString& key, double value);
// "higher is better" etc.
QString betterText(Better b);

}  // namespace srdd_gui
