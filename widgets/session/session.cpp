#include "session/session.h"

#include "export/atomic_write.h"

#include <srdd/error.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <set>

namespace srdd_gui {

namespace {

// Field access that reports the file and the field at fault.
class Reader {
 public:
  explicit Reader(QString file) : m_file(std::move(file)) {}

  [[noreturn]] void fail(const QString& what) const {
    throw srdd::Error(QDir::toNativeSeparators(m_file).toStdString() + ": " + what.toStdString());
  }
  QJsonObject object(const QJsonObject& o, const QString& key, const QString& where) const {
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull()) return {};
    if (!v.isObject()) fail(QStringLiteral("\"%1\" must be an object").arg(where));
    return v.toObject();
  }
  QString string(const QJsonObject& o, const QString& key, const QString& where) const {
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull()) return {};
    if (!v.isString()) fail(QStringLiteral("\"%1\" must be a string").arg(where));
    return v.toString();
  }
  int count(const QJsonObject& o, const QString& key, const QString& where) const {
    const QJsonValue v = o.value(key);
    if (v.isUndefined()) return 0;
    if (!isIndex(v)) fail(QStringLiteral("\"%1\" must be a whole number of at least 0").arg(where));
    return v.toInt();
  }
  // Ascending, duplicate-free layer indices, each below LIMIT when LIMIT > 0.
  QList<int> layers(const QJsonObject& o, const QString& key, const QString& where, int limit) const {
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull()) return {};
    if (!v.isArray()) fail(QStringLiteral("\"%1\" must be a list of layer indices").arg(where));
    std::set<int> out;
    for (const QJsonValue& e : v.toArray()) {
      if (!isIndex(e)) fail(QStringLiteral("\"%1\" must be a list of layer indices").arg(where));
      if (limit > 0 && e.toInt() >= limit)
        fail(QStringLiteral("\"%1\" holds layer %2, but the model has %3 layers").arg(where).arg(e.toInt()).arg(limit));
      out.insert(e.toInt());
    }
    return QList<int>(out.begin(), out.end());
  }

 private:
  static bool isIndex(const QJsonValue& v) {
    return v.isDouble() && v.toDouble() >= 0 && v.toDouble() <= 1e9 && v.toDouble() == static_cast<double>(v.toInt());
  }
  QString m_file;
};

QJsonArray toArray(const QList<int>& l) {
  QJsonArray a;
  for (int v : l) a.append(v);
  return a;
}

QString absolute(const QString& path, const QString& baseDir) {
  if (path.isEmpty()) return path;
  return QDir::cleanPath(QFileInfo(path).isAbsolute() || baseDir.isEmpty() ? QFileInfo(path).absoluteFilePath()
                                                                           : QDir(baseDir).absoluteFilePath(path));
}

}  // namespace

QJsonObject Session::toJson() const {
  QJsonObject json{{"format", kFormat}, {"schema_version", kSchemaVersion}};
  if (!modelDir.isEmpty()) json["model_dir"] = absolute(modelDir, {});
  if (!scanResultPath.isEmpty())
    json["scan"] = QJsonObject{{"path", absolute(scanResultPath, {})}};
  else if (!scanResult.isEmpty())
    json["scan"] = QJsonObject{{"embedded", scanResult}};
  json["layer_selection"] = toArray(layerSelection);
  json["target_set"] = QJsonObject{{"num_layers", numLayers}, {"layers", toArray(targetLayers)}};
  json["view"] =
      QJsonObject{{"metric", currentMetric}, {"heatmap_scale", heatmapScale}, {"tab", currentTab}, {"views", views}};
  return json;
}

Session Session::fromJson(const QJsonObject& json, const QString& fileForErrors, const QString& baseDir) {
  const Reader r(fileForErrors);
  if (json.value("format").toString() != QLatin1String(kFormat))
    r.fail(QStringLiteral("not an SRDD Studio session (\"format\" is not \"%1\")").arg(kFormat));
  const QJsonValue version = json.value("schema_version");
  if (!version.isDouble() || version.toDouble() != static_cast<double>(version.toInt()))
    r.fail(QStringLiteral("\"schema_version\" is missing or not a whole number"));
  if (version.toInt() > kSchemaVersion)
    r.fail(QStringLiteral("session schema version %1 is newer than this SRDD Studio reads (%2); update SRDD Studio")
               .arg(version.toInt())
               .arg(kSchemaVersion));
  if (version.toInt() < 1) r.fail(QStringLiteral("unknown session schema version %1").arg(version.toInt()));

  Session s;
  s.modelDir = absolute(r.string(json, "model_dir", "model_dir"), baseDir);
  const QJsonObject scan = r.object(json, "scan", "scan");
  if (scan.contains("path") && scan.contains("embedded"))
    r.fail(QStringLiteral("\"scan\" has both \"path\" and \"embedded\"; keep one"));
  s.scanResultPath = absolute(r.string(scan, "path", "scan.path"), baseDir);
  s.scanResult = r.object(scan, "embedded", "scan.embedded");
  const QJsonObject targets = r.object(json, "target_set", "target_set");
  s.numLayers = r.count(targets, "num_layers", "target_set.num_layers");
  s.targetLayers = r.layers(targets, "layers", "target_set.layers", std::max(s.numLayers, 0));
  if (s.numLayers == 0 && !s.targetLayers.isEmpty())
    r.fail(QStringLiteral("\"target_set.layers\" is not empty but \"target_set.num_layers\" is missing"));
  s.layerSelection = r.layers(json, "layer_selection", "layer_selection", s.numLayers);
  const QJsonObject view = r.object(json, "view", "view");
  s.currentMetric = r.string(view, "metric", "view.metric");
  s.heatmapScale = r.string(view, "heatmap_scale", "view.heatmap_scale");
  s.currentTab = r.string(view, "tab", "view.tab");
  s.views = r.object(view, "views", "view.views");
  return s;
}

void Session::save(const QString& path) const {
  writeFileAtomically(path, QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
}

Session Session::load(const QString& path) {
  const Reader r(path);
  QFile file(path);
  if (!QFileInfo(path).isFile()) r.fail(QStringLiteral("no such session file"));
  if (!file.open(QIODevice::ReadOnly)) r.fail(QStringLiteral("cannot open: %1").arg(file.errorString()));
  QJsonParseError error;
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
  if (error.error != QJsonParseError::NoError)
    r.fail(QStringLiteral("not a JSON file (%1 at offset %2)").arg(error.errorString()).arg(error.offset));
  if (!doc.isObject()) r.fail(QStringLiteral("not an SRDD Studio session (the JSON is not an object)"));
  return fromJson(doc.object(), path, QFileInfo(path).absolutePath());
}

bool Session::operator==(const Session& o) const {
  return modelDir == o.modelDir && scanResultPath == o.scanResultPath && scanResult == o.scanResult &&
         layerSelection == o.layerSelection && numLayers == o.numLayers && targetLayers == o.targetLayers &&
         currentMetric == o.currentMetric && heatmapScale == o.heatmapScale && currentTab == o.currentTab &&
         views == o.views;
}

}  // namespace srdd_gui
