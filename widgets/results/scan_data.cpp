#include "results/scan_data.h"

#include "results/metric_catalog.h"

#include <srdd/error.h>

#include <nlohmann/json.hpp>

#include <QFileInfo>
#include <QJsonDocument>
#include <QObject>

#include <limits>
#include <set>

namespace srdd_gui {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const QString kWeightPrefix = QStringLiteral("weights.");

QString qs(const std::string& s) { return QString::fromStdString(s); }
const nlohmann::json& member(const nlohmann::json& j, const char* key) {
  static const nlohmann::json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}
QString str(const nlohmann::json& j, const char* key) {
  const auto& v = member(j, key);
  return v.is_string() ? qs(v.get<std::string>()) : QString();
}
QJsonObject qtObject(const nlohmann::json& j) {
  return j.is_object() ? QJsonDocument::fromJson(QByteArray::fromStdString(j.dump())).object() : QJsonObject();
}
template <class Map>
const typename Map::mapped_type* find(const Map& m, const QString& key) {
  auto it = m.find(key.toStdString());
  return it == m.end() ? nullptr : &it->second;
}

// Orders metric names by the catalogue, unknown names last in alphabetical order.
QStringList inCatalogueOrder(const std::set<QString>& names) {
  QStringList out;
  for (const QString& k : metricOrder())
    if (names.count(k)) out << k;
  for (const QString& k : names)
    if (!out.contains(k)) out << k;
  return out;
}
}  // namespace

Stat missingStat() {
  Stat s;
  s.mean = s.stddev = s.ciLow = s.ciHigh = kNaN;
  return s;
}

QStringList ruleNames(const srdd::LayerVerdict& v) {
  QStringList names;
  for (const auto& f : v.flags)
    if (!names.contains(qs(f.rule))) names << qs(f.rule);
  return names;
}

ScanData ScanData::fromJsonFile(const QString& path) {
  return fromResult(srdd::readScanResult(path.toStdString()), path);
}

ScanData ScanData::fromJsonBytes(const QByteArray& bytes, const QString& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(bytes.constData(), bytes.constData() + bytes.size());
  } catch (const nlohmann::json::exception& e) {
    throw srdd::Error(source.toStdString() + ": not valid JSON (" + srdd::jsonErrorText(e) + ")");
  }
  return fromJson(j, source);
}

ScanData ScanData::fromJson(const nlohmann::json& j, const QString& source) {
  try {
    return fromResult(srdd::scanResultFromJson(j), source);
  } catch (const srdd::Error& e) {
    throw srdd::Error(source.toStdString() + ": " + e.what());
  }
}

ScanData ScanData::fromResult(srdd::ScanResult result, const QString& source) {
  ScanData d;
  d.m_result = std::move(result);
  d.m_source = source;
  return d;
}

const srdd::LayerVerdict& ScanData::verdict(int row) const {
  static const srdd::LayerVerdict none = [] {
    srdd::LayerVerdict v;
    v.anomalyScore = kNaN;
    return v;
  }();
  const auto& v = m_result.verdict.layers;
  return row >= 0 && row < static_cast<int>(v.size()) ? v[static_cast<size_t>(row)] : none;
}

int ScanData::rowOfLayer(int layer) const {
  for (size_t i = 0; i < m_result.layers.size(); ++i)
    if (m_result.layers[i].layer == layer) return static_cast<int>(i);
  return -1;
}

std::vector<int> ScanData::layerIndices() const {
  std::vector<int> v;
  for (const auto& l : m_result.layers) v.push_back(l.layer);
  return v;
}

Stat ScanData::stat(int row, const QString& metric, Side side) const {
  Stat s = missingStat();
  if (row < 0 || row >= layerCount()) return s;
  const srdd::LayerScanResult& l = layer(row);
  switch (side) {
    case Side::Bf16:
      if (const Stat* f = find(l.bf16, metric)) s = *f;
      break;
    case Side::Quantized:
      if (const Stat* f = find(l.quantized, metric)) {
        s = *f;
      } else if (const Stat* f2 = find(l.sensitivity, metric)) {
        s = *f2;
      } else if (metric.startsWith(kWeightPrefix)) {
        if (const double* v = find(l.weights, metric.mid(kWeightPrefix.size()))) s.mean = *v;
      }
      break;
    case Side::Ratio:
    case Side::Difference:
      if (const double* v = find(side == Side::Ratio ? l.ratio : l.difference, metric)) s.mean = *v;
      break;
  }
  return s;
}

double ScanData::value(int row, const QString& metric, Side side) const { return stat(row, metric, side).mean; }

QStringList ScanData::pairedMetrics() const {
  std::set<QString> names;
  for (const auto& l : m_result.layers)
    for (const auto& [k, s] : l.bf16)
      if (l.quantized.count(k)) names.insert(qs(k));
  return inCatalogueOrder(names);
}

QStringList ScanData::singleMetrics() const {
  std::set<QString> names;
  for (const auto& l : m_result.layers) {
    for (const auto& [k, s] : l.quantized)
      if (!l.bf16.count(k)) names.insert(qs(k));
    for (const auto& [k, s] : l.sensitivity) names.insert(qs(k));
    for (const auto& [k, v] : l.weights) names.insert(kWeightPrefix + qs(k));
  }
  return inCatalogueOrder(names);
}

bool ScanData::isPaired(const QString& metric) const { return pairedMetrics().contains(metric); }

QStringList ScanData::weightMetrics() const {
  std::set<QString> names;
  for (const auto& w : m_result.weights)
    for (const auto& [k, v] : w.metrics) names.insert(kWeightPrefix + qs(k));
  QStringList out;
  for (const QString& k : inCatalogueOrder(names)) out << k.mid(kWeightPrefix.size());
  return out;
}

QStringList ScanData::weightModules() const {
  static const QStringList order = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  std::set<QString> present;
  for (const auto& w : m_result.weights) present.insert(qs(w.module));
  QStringList out;
  for (const QString& m : order)
    if (present.count(m)) out << m;
  for (const QString& m : present)
    if (!out.contains(m) && m != "lm_head") out << m;
  if (present.count("lm_head")) out << "lm_head";
  return out;
}

const srdd::WeightFidelityRow* ScanData::weight(int layer, const QString& module) const {
  const std::string m = module.toStdString();
  for (const auto& w : m_result.weights)
    if (w.layer == layer && w.module == m) return &w;
  return nullptr;
}

double ScanData::threshold(const QString& metric, Side side) const {
  if (side == Side::Quantized) return kNaN;  // no rule reads the quantized variant's own metrics
  const srdd::RuleSection section = side == Side::Bf16    ? srdd::RuleSection::Bf16
                                    : side == Side::Ratio ? srdd::RuleSection::Ratio
                                                          : srdd::RuleSection::Difference;
  try {
    const srdd::ThresholdRule* rule = srdd::thresholdRuleFor(m_result.ruleSet(), section, metric.toStdString());
    return rule ? m_result.thresholds().get(rule->threshold) : kNaN;
  } catch (const srdd::Error&) {  // the reader already judged these parameters; unreachable for a read file
    return kNaN;
  }
}

QString ScanData::modelPath() const { return str(member(m_result.provenance, "model"), "path"); }

int ScanData::numLayers() const {
  const auto& n = member(member(m_result.provenance, "model"), "num_layers");
  return n.is_number_integer() && n.get<int>() > 0 ? n.get<int>() : layerCount();
}

QString ScanData::device() const { return str(m_result.provenance, "device"); }
QString ScanData::createdUtc() const { return str(m_result.provenance, "created_utc"); }
QString ScanData::engineHost() const { return str(member(m_result.provenance, "engine"), "host"); }
QString ScanData::format() const { return str(member(member(m_result.parameters, "quantization"), "spec"), "format"); }
QString ScanData::quantizationMode() const { return str(member(m_result.parameters, "quantization"), "mode"); }
QString ScanData::quantizationDescription() const { return str(m_result.parameters, "quantization_description"); }

QStringList ScanData::scans() const {
  QStringList out;
  for (const auto& s : member(m_result.parameters, "scans"))
    if (s.is_string()) out << qs(s.get<std::string>());
  return out;
}

int64_t ScanData::seed() const {
  const auto& s = member(m_result.parameters, "seed");
  return s.is_number_integer() ? s.get<int64_t>() : 0;
}

QJsonObject ScanData::provenanceJson() const { return qtObject(m_result.provenance); }
QJsonObject ScanData::parametersJson() const { return qtObject(m_result.parameters); }

QString ScanData::formatName() const { return format().isEmpty() ? QStringLiteral("quantized") : format().toUpper(); }

QString ScanData::modelName() const {
  const QString path = modelPath();
  const QString name = QFileInfo(path).fileName();
  return name.isEmpty() ? path : name;
}

QString ScanData::shortDescription() const {
  QStringList parts;
  parts << modelName();
  const QString mode = quantizationMode();
  parts << (mode.isEmpty() ? formatName() : mode + " " + formatName());
  if (promptCount() > 0) parts << QObject::tr("%1 prompts").arg(promptCount());
  parts << QObject::tr("seed %1").arg(seed());
  return parts.join(QStringLiteral(" · "));
}

QString ScanData::metadataText() const {
  const auto& prov = m_result.provenance;
  const auto& app = member(prov, "app");
  QStringList lines;
  lines << QStringLiteral("model: %1").arg(modelPath());
  lines << QStringLiteral("quantization: %1").arg(quantizationDescription());
  lines << QStringLiteral("scans: %1").arg(scans().join(','));
  lines << QStringLiteral("prompts: %1 from %2, max %3 tokens")
               .arg(promptCount())
               .arg(qs(m_result.prompts.source))
               .arg(m_result.prompts.maxTokens);
  lines << QStringLiteral("seed: %1").arg(seed());
  lines << QStringLiteral("device: %1 (%2)").arg(device(), str(prov, "dtype"));
  if (!engineHost().isEmpty()) lines << QStringLiteral("engine: %1").arg(engineHost());
  lines << QStringLiteral("srdd: %1 (%2), libtorch %3")
               .arg(str(app, "version"), str(app, "git_commit"), str(prov, "libtorch"));
  lines << QStringLiteral("created: %1").arg(createdUtc());
  return lines.join('\n');
}

}  // namespace srdd_gui
