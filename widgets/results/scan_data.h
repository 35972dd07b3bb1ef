#pragma once
// A scan result for the results views: the engine's own srdd::ScanResult (read by the engine's reader,
// core/src/scan_io.cpp) plus the lookups the views need (metric by side, catalogue order, thresholds).
// Only torch-free engine headers, so the GUI reads what `srdd scan --out` or a remote engine produced.
#include <srdd/scan_result.h>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cmath>
#include <cstdint>
#include <vector>

namespace srdd_gui {

using srdd::Stat;

// The engine's Stat has no "absent" state; the views use a NaN mean for "not measured".
Stat missingStat();
inline bool isValid(const Stat& s) { return std::isfinite(s.mean); }
inline bool hasCi(const Stat& s) { return std::isfinite(s.ciLow) && std::isfinite(s.ciHigh); }
QStringList ruleNames(const srdd::LayerVerdict& v);  // distinct flag rules in order

// Where a metric's value comes from: the BF16 or quantized variant, or their per-layer ratio/difference.
enum class Side { Bf16, Quantized, Ratio, Difference };

class ScanData {
 public:
  // Throws srdd::Error whose message names PATH and the fault (missing file, bad JSON, other schema, bad field).
  static ScanData fromJsonFile(const QString& path);
  // SOURCE names the document in error messages and becomes sourcePath.
  static ScanData fromJsonBytes(const QByteArray& bytes, const QString& source);
  static ScanData fromJson(const nlohmann::json& j, const QString& source);
  static ScanData fromResult(srdd::ScanResult result, const QString& source);

  const srdd::ScanResult& result() const { return m_result; }
  const QString& sourcePath() const { return m_source; }

  bool isEmpty() const { return m_result.layers.empty(); }
  int layerCount() const { return static_cast<int>(m_result.layers.size()); }
  const srdd::LayerScanResult& layer(int row) const { return m_result.layers[static_cast<size_t>(row)]; }
  // The rules' verdict on the layer at ROW (flags, problematic, anomaly score); recomputed by the engine's reader.
  const srdd::LayerVerdict& verdict(int row) const;
  int rowOfLayer(int layer) const;  // index into layers, -1 when absent
  std::vector<int> layerIndices() const;

  // Stat of METRIC for the layer at ROW. Quantized also looks in sensitivity and in the pooled weight metrics
  // ("weights.<name>", no interval): metrics that exist for one variant only. missingStat() when absent.
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
  const srdd::WeightFidelityRow* weight(int layer, const QString& module) const;

  // Rule threshold that applies to METRIC on SIDE (from parameters.thresholds), NaN when none.
  double threshold(const QString& metric, Side side) const;

  const std::vector<int>& problematicLayers() const { return m_result.verdict.problematicLayers; }
  const std::vector<int>& ranking() const { return m_result.verdict.ranking; }  // most anomalous first
  const srdd::Recommendation& recommendation() const { return m_result.verdict.recommendation; }

  // Provenance and parameters, as stored.
  QString modelPath() const;
  int numLayers() const;  // provenance.model.num_layers, else the number of scanned layers
  QString device() const;
  QString createdUtc() const;
  QString engineHost() const;  // provenance.engine.host when a remote engine produced it, else empty
  QString format() const;      // parameters.quantization.spec.format ("mxfp4")
  QString quantizationMode() const;
  QString quantizationDescription() const;  // parameters.quantization_description
  QStringList scans() const;
  int64_t seed() const;
  int promptCount() const { return static_cast<int>(m_result.prompts.texts.size()); }
  QJsonObject provenanceJson() const;
  QJsonObject parametersJson() const;

  QString formatName() const;        // "MXFP4" (upper case; "quantized" when unknown)
  QString modelName() const;         // last component of the model path
  QString shortDescription() const;  // "demo-model · w4a16 MXFP4 · 40 prompts · seed 42" (figure subtitles)
  QString metadataText() const;      // multi-line provenance for figure metadata (model, format, scans, seed, version)

 private:
  srdd::ScanResult m_result;
  QString m_source;
};

}  // namespace srdd_gui
