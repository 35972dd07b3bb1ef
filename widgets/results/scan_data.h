#pragma once
// A scan result ("srdd-scan/1" JSON, docs/scans.md) as plain Qt data for the results views.
// No engine headers: the GUI reads what `srdd scan --out` (or the scan worker) wrote.
#include <nlohmann/json_fwd.hpp>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

namespace srdd_gui {

// Mean, spread and 95 % Student-t interval of one metric over the prompts; NaN where absent.
struct Stat {
  double mean = std::numeric_limits<double>::quiet_NaN();
  double std = std::numeric_limits<double>::quiet_NaN();
  double ciLow = std::numeric_limits<double>::quiet_NaN();
  double ciHigh = std::numeric_limits<double>::quiet_NaN();
  int n = 0;
  bool valid() const { return std::isfinite(mean); }
  bool hasCi() const { return std::isfinite(ciLow) && std::isfinite(ciHigh); }
};

struct LayerFlag {
  QString rule;    // e.g. "low_sqnr", "anomaly"
  QString metric;  // the metric that fired it
  QString kind;    // "threshold" (makes the layer problematic) or "anomaly" (informative)
  double value = std::numeric_limits<double>::quiet_NaN();
  double threshold = std::numeric_limits<double>::quiet_NaN();
};

struct LayerData {
  int layer = 0;
  std::map<QString, Stat> bf16, quantized, sensitivity;
  std::map<QString, double> ratio, difference;
  std::map<QString, double> weights;  // pooled weight fidelity of the layer's linears
  std::vector<LayerFlag> flags;
  bool problematic = false;
  double anomalyScore = std::numeric_limits<double>::quiet_NaN();
  QString anomalyMetric;
  QStringList ruleNames() const;  // distinct flag rules in file order
};

// One weight tensor's fidelity: layer -1 is lm_head.
struct WeightRow {
  int layer = 0;
  QString module;  // "q_proj" ... "down_proj", "lm_head"
  std::vector<int64_t> shape;
  std::map<QString, double> metrics;
};

struct RankEntry {
  int layer = 0;
  double score = std::numeric_limits<double>::quiet_NaN();
  QString metric;
};

struct Recommendation {
  QString strategy;  // no_action | targeted_mitigation | mixed_approach | reconsider_quantization
  QStringList details;
  std::vector<int> aqnLayers, mixedPrecisionLayers;
  double problematicFraction = std::numeric_limits<double>::quiet_NaN();
  QString suggestedFormat;
};

// Where a metric's value comes from: the BF16 or quantized variant, or their per-layer ratio/difference.
enum class Side { Bf16, Quantized, Ratio, Difference };

class ScanData {
 public:
  // Throws srdd::Error whose message names PATH and the fault (missing file, bad JSON, other schema, bad field).
  static ScanData fromJsonFile(const QString& path);
  // SOURCE names the document in error messages and becomes sourcePath.
  static ScanData fromJsonBytes(const QByteArray& bytes, const QString& source);
  static ScanData fromJson(const nlohmann::json& j, const QString& source);

  bool isEmpty() const { return layers.empty(); }
  int rowOfLayer(int layer) const;  // index into layers, -1 when absent
  std::vector<int> layerIndices() const;

  // Stat of METRIC for the layer at ROW. Quantized also looks in sensitivity and in the pooled weight metrics
  // ("weights.<name>", no interval): metrics that exist for one variant only.
  Stat stat(int row, const QString& metric, Side side) const;
  double value(int row, const QString& metric, Side side) const;  // Stat mean, or the ratio/difference
  // Metrics measured on both variants (compare view with Δ/ratio), in catalogue order.
  QStringList pairedMetrics() const;
  // Metrics with one value per layer: quantized-only activation metrics, sensitivity, pooled weights.
  QStringList singleMetrics() const;
  bool isPaired(const QString& metric) const;
  // Weight fidelity metric names (sqnr_db, deadzone_ratio, ...) and modules in model order (lm_head last).
  QStringList weightMetrics() const;
  QStringList weightModules() const;
  const WeightRow* weight(int layer, const QString& module) const;

  // Rule threshold that applies to METRIC on SIDE (from parameters.thresholds), NaN when none.
  double threshold(const QString& metric, Side side) const;

  QString formatName() const;      // "MXFP4" (parameters.quantization.spec.format, upper case)
  QString modelName() const;       // last component of the model path
  QString shortDescription() const;  // "demo-model · w4a16 MXFP4 · 40 prompts · seed 42" (figure subtitles)
  QString metadataText() const;    // multi-line provenance for figure metadata (model, format, scans, seed, version)

  QString sourcePath;
  QString schema;
  // Provenance and parameters.
  QString modelPath, device, dtype, appVersion, gitCommit, libtorch, createdUtc;
  int numLayers = 0;
  QString format, quantizationMode, quantizationDescription;
  QStringList scans;
  qint64 seed = 0;
  QString promptSource;
  int promptCount = 0, maxTokens = 0;
  QJsonObject provenanceJson, parametersJson;  // as stored, for export sidecars

  std::map<QString, Stat> endToEnd;  // loss_bf16, loss_quantized, loss_change, kl
  std::vector<LayerData> layers;     // in file order
  std::vector<WeightRow> weights;
  std::vector<int> problematicLayers;
  std::vector<RankEntry> ranking;  // most anomalous first
  Recommendation recommendation;
};

}  // namespace srdd_gui
