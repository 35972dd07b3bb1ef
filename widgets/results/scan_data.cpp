#include "results/scan_data.h"

#include "results/metric_catalog.h"

#include <srdd/error.h>

#include <nlohmann/json.hpp>

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <algorithm>
#include <set>

namespace srdd_gui {

namespace {
constexpr const char* kSchema = "srdd-scan/1";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const QString kWeightPrefix = QStringLiteral("weights.");

double num(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : kNaN; }
QString str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}
const nlohmann::json& member(const nlohmann::json& j, const char* key) {
  static const nlohmann::json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}

Stat statFrom(const nlohmann::json& j) {
  Stat s;
  if (!j.is_object()) return s;
  s.mean = num(member(j, "mean"));
  s.std = num(member(j, "std"));
  const auto& ci = member(j, "ci95");
  if (ci.is_array() && ci.size() == 2) {
    s.ciLow = num(ci[0]);
    s.ciHigh = num(ci[1]);
  }
  s.n = member(j, "n").is_number_integer() ? member(j, "n").get<int>() : 0;
  return s;
}
std::map<QString, Stat> statsFrom(const nlohmann::json& j) {
  std::map<QString, Stat> m;
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) m[QString::fromStdString(it.key())] = statFrom(it.value());
  return m;
}
std::map<QString, double> numbersFrom(const nlohmann::json& j) {
  std::map<QString, double> m;
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) m[QString::fromStdString(it.key())] = num(it.value());
  return m;
}
std::vector<int> intsFrom(const nlohmann::json& j) {
  std::vector<int> v;
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_number_integer()) v.push_back(x.get<int>());
  return v;
}
QJsonObject qtObject(const nlohmann::json& j) {
  return j.is_object() ? QJsonDocument::fromJson(QByteArray::fromStdString(j.dump())).object() : QJsonObject();
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

QStringList LayerData::ruleNames() const {
  QStringList names;
  for (const auto& f : flags)
    if (!names.contains(f.rule)) names << f.rule;
  return names;
}

ScanData ScanData::fromJsonFile(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly))
    throw srdd::Error(path.toStdString() + ": cannot open the scan result (" + file.errorString().toStdString() + ")");
  return fromJsonBytes(file.readAll(), path);
}

ScanData ScanData::fromJsonBytes(const QByteArray& bytes, const QString& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(bytes.constData(), bytes.constData() + bytes.size());
  } catch (const nlohmann::json::exception& e) {
    throw srdd::Error(source.toStdString() + ": not valid JSON (" + e.what() + ")");
  }
  return fromJson(j, source);
}

ScanData ScanData::fromJson(const nlohmann::json& j, const QString& source) {
  const std::string where = source.toStdString() + ": ";
  if (!j.is_object() || !member(j, "schema").is_string())
    throw srdd::Error(where + "not a scan result (no \"schema\" field; expected \"" + kSchema + "\")");
  const std::string schema = j["schema"].get<std::string>();
  if (schema != kSchema)
    throw srdd::Error(where + "unsupported schema \"" + schema + "\" (expected \"" + kSchema + "\")");
  if (!member(j, "layers").is_array() || j["layers"].empty())
    throw srdd::Error(where + "scan result has no \"layers\" array");

  ScanData d;
  d.sourcePath = source;
  d.schema = QString::fromStdString(schema);
  try {
    const auto& prov = member(j, "provenance");
    const auto& model = member(prov, "model");
    d.modelPath = str(model, "path");
    d.numLayers = member(model, "num_layers").is_number_integer() ? model["num_layers"].get<int>() : 0;
    d.device = str(prov, "device");
    d.dtype = str(prov, "dtype");
    d.appVersion = str(member(prov, "app"), "version");
    d.gitCommit = str(member(prov, "app"), "git_commit");
    d.libtorch = str(prov, "libtorch");
    d.createdUtc = str(prov, "created_utc");
    d.provenanceJson = qtObject(prov);

    const auto& params = member(j, "parameters");
    const auto& plan = member(params, "quantization");
    d.format = str(member(plan, "spec"), "format");
    d.quantizationMode = str(plan, "mode");
    d.quantizationDescription = str(params, "quantization_description");
    for (const auto& s : member(params, "scans"))
      if (s.is_string()) d.scans << QString::fromStdString(s.get<std::string>());
    d.seed = member(params, "seed").is_number_integer() ? params["seed"].get<qint64>() : 0;
    d.parametersJson = qtObject(params);

    const auto& prompts = member(j, "prompts");
    d.promptSource = str(prompts, "source");
    d.promptCount = member(prompts, "count").is_number_integer() ? prompts["count"].get<int>() : 0;
    d.maxTokens = member(prompts, "max_tokens").is_number_integer() ? prompts["max_tokens"].get<int>() : 0;
    d.endToEnd = statsFrom(member(j, "end_to_end"));

    std::set<int> seen;
    for (const auto& l : j["layers"]) {
      if (!member(l, "layer").is_number_integer()) throw srdd::Error(where + "a layer entry has no integer \"layer\"");
      LayerData ld;
      ld.layer = l["layer"].get<int>();
      if (!seen.insert(ld.layer).second)
        throw srdd::Error(where + "layer " + std::to_string(ld.layer) + " appears twice in \"layers\"");
      ld.bf16 = statsFrom(member(l, "bf16"));
      ld.quantized = statsFrom(member(l, "quantized"));
      ld.sensitivity = statsFrom(member(l, "sensitivity"));
      ld.ratio = numbersFrom(member(l, "ratio"));
      ld.difference = numbersFrom(member(l, "difference"));
      ld.weights = numbersFrom(member(l, "weights"));
      for (const auto& f : member(l, "flags"))
        ld.flags.push_back({str(f, "rule"), str(f, "metric"), str(f, "kind"), num(member(f, "value")),
                            num(member(f, "threshold"))});
      ld.problematic = member(l, "problematic").is_boolean() && l["problematic"].get<bool>();
      ld.anomalyScore = num(member(member(l, "anomaly"), "score"));
      ld.anomalyMetric = str(member(l, "anomaly"), "metric");
      d.layers.push_back(std::move(ld));
    }

    for (const auto& w : member(j, "weights")) {
      if (!member(w, "layer").is_number_integer() || !member(w, "module").is_string())
        throw srdd::Error(where + "a \"weights\" entry lacks \"layer\" or \"module\"");
      WeightRow row;
      row.layer = w["layer"].get<int>();
      row.module = str(w, "module");
      for (const auto& s : member(w, "shape"))
        if (s.is_number_integer()) row.shape.push_back(s.get<int64_t>());
      row.metrics = numbersFrom(member(w, "metrics"));
      d.weights.push_back(std::move(row));
    }

    const auto& verdict = member(j, "verdict");
    d.problematicLayers = intsFrom(member(verdict, "problematic_layers"));
    for (const auto& r : member(verdict, "ranking"))
      d.ranking.push_back({member(r, "layer").is_number_integer() ? r["layer"].get<int>() : -1,
                           num(member(r, "score")), str(r, "metric")});
    const auto& rec = member(verdict, "recommendation");
    d.recommendation.strategy = str(rec, "strategy");
    for (const auto& s : member(rec, "details"))
      if (s.is_string()) d.recommendation.details << QString::fromStdString(s.get<std::string>());
    d.recommendation.aqnLayers = intsFrom(member(rec, "aqn_layers"));
    d.recommendation.mixedPrecisionLayers = intsFrom(member(rec, "mixed_precision_layers"));
    d.recommendation.problematicFraction = num(member(rec, "problematic_fraction"));
    d.recommendation.suggestedFormat = str(rec, "suggested_format");
  } catch (const nlohmann::json::exception& e) {
    throw srdd::Error(where + "malformed scan result (" + e.what() + ")");
  }
  if (d.numLayers == 0) d.numLayers = static_cast<int>(d.layers.size());
  return d;
}

int ScanData::rowOfLayer(int layer) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].layer == layer) return static_cast<int>(i);
  return -1;
}

std::vector<int> ScanData::layerIndices() const {
  std::vector<int> v;
  for (const auto& l : layers) v.push_back(l.layer);
  return v;
}

Stat ScanData::stat(int row, const QString& metric, Side side) const {
  if (row < 0 || row >= static_cast<int>(layers.size())) return {};
  const LayerData& l = layers[static_cast<size_t>(row)];
  auto find = [&](const std::map<QString, Stat>& m, Stat* out) {
    auto it = m.find(metric);
    if (it == m.end()) return false;
    *out = it->second;
    return true;
  };
  Stat s;
  switch (side) {
    case Side::Bf16: find(l.bf16, &s); break;
    case Side::Quantized:
      if (find(l.quantized, &s) || find(l.sensitivity, &s)) break;
      if (metric.startsWith(kWeightPrefix)) {
        auto it = l.weights.find(metric.mid(kWeightPrefix.size()));
        if (it != l.weights.end()) s.mean = it->second;
      }
      break;
    case Side::Ratio:
    case Side::Difference: {
      const auto& m = side == Side::Ratio ? l.ratio : l.difference;
      auto it = m.find(metric);
      if (it != m.end()) s.mean = it->second;
      break;
    }
  }
  return s;
}

double ScanData::value(int row, const QString& metric, Side side) const { return stat(row, metric, side).mean; }

QStringList ScanData::pairedMetrics() const {
  std::set<QString> names;
  for (const auto& l : layers)
    for (const auto& [k, s] : l.bf16)
      if (l.quantized.count(k)) names.insert(k);
  return inCatalogueOrder(names);
}

QStringList ScanData::singleMetrics() const {
  std::set<QString> names;
  for (const auto& l : layers) {
    for (const auto& [k, s] : l.quantized)
      if (!l.bf16.count(k)) names.insert(k);
    for (const auto& [k, s] : l.sensitivity) names.insert(k);
    for (const auto& [k, v] : l.weights) names.insert(kWeightPrefix + k);
  }
  return inCatalogueOrder(names);
}

bool ScanData::isPaired(const QString& metric) const { return pairedMetrics().contains(metric); }

QStringList ScanData::weightMetrics() const {
  std::set<QString> names;
  for (const auto& w : weights)
    for (const auto& [k, v] : w.metrics) names.insert(kWeightPrefix + k);
  QStringList out;
  for (const QString& k : inCatalogueOrder(names)) out << k.mid(kWeightPrefix.size());
  return out;
}

QStringList ScanData::weightModules() const {
  static const QStringList order = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  std::set<QString> present;
  for (const auto& w : weights) present.insert(w.module);
  QStringList out;
  for (const QString& m : order)
    if (present.count(m)) out << m;
  for (const QString& m : present)
    if (!out.contains(m) && m != "lm_head") out << m;
  if (present.count("lm_head")) out << "lm_head";
  return out;
}

const WeightRow* ScanData::weight(int layer, const QString& module) const {
  for (const auto& w : weights)
    if (w.layer == layer && w.module == module) return &w;
  return nullptr;
}

double ScanData::threshold(const QString& metric, Side side) const {
  const QJsonObject t = parametersJson.value("thresholds").toObject();
  auto get = [&](const char* key) { return t.contains(key) ? t.value(key).toDouble(kNaN) : kNaN; };
  if (side == Side::Bf16 || side == Side::Quantized) {
    if (metric == "sqnr_db") return get("sqnr_db");
    if (metric == "deadzone_ratio") return get("deadzone");
    if (metric == "clipping_ratio") return get("clipping");
    if (metric == "relative_error") return get("relative_error");
  } else if (side == Side::Ratio) {
    if (metric == "gain") return get("gain_ratio");
    if (metric == "kurtosis") return get("kurtosis_ratio");
  } else if (metric == "instability") {
    return get("instability_increase");
  }
  return kNaN;
}

QString ScanData::formatName() const { return format.isEmpty() ? QStringLiteral("quantized") : format.toUpper(); }

QString ScanData::modelName() const {
  const QString name = QFileInfo(modelPath).fileName();
  return name.isEmpty() ? modelPath : name;
}

QString ScanData::shortDescription() const {
  QStringList parts;
  parts << modelName();
  parts << (quantizationMode.isEmpty() ? formatName() : quantizationMode + " " + formatName());
  if (promptCount > 0) parts << QStringLiteral("%1 prompts").arg(promptCount);
  parts << QStringLiteral("seed %1").arg(seed);
  return parts.join(QStringLiteral(" · "));
}

QString ScanData::metadataText() const {
  QStringList lines;
  lines << QStringLiteral("model: %1").arg(modelPath);
  lines << QStringLiteral("quantization: %1").arg(quantizationDescription);
  lines << QStringLiteral("scans: %1").arg(scans.join(','));
  lines << QStringLiteral("prompts: %1 from %2, max %3 tokens").arg(promptCount).arg(promptSource).arg(maxTokens);
  lines << QStringLiteral("seed: %1").arg(seed);
  lines << QStringLiteral("device: %1 (%2)").arg(device, dtype);
  lines << QStringLiteral("srdd: %1 (%2), libtorch %3").arg(appVersion, gitCommit, libtorch);
  lines << QStringLiteral("created: %1").arg(createdUtc);
  return lines.join('\n');
}

}  // namespace srdd_gui
