#pragma once
// A saved SRDD Studio session: the model, the scan result (a file or embedded), the layer selection, the
// target set and the view state. One JSON file with a format tag and a schema version; written atomically.
//
// {"format": "srdd-studio-session", "schema_version": 1, "model_dir": "...",
//  "scan": {"path": "..."} | {"embedded": {...}} | absent,
//  "layer_selection": [..], "target_set": {"num_layers": 28, "layers": [..]},
//  "view": {"metric": "...", "heatmap_scale": "...", "tab": "...", "views": {...}}}
#include <QJsonObject>
#include <QList>
#include <QString>

namespace srdd_gui {

struct Session {
  static constexpr int kSchemaVersion = 1;
  static constexpr const char* kFormat = "srdd-studio-session";
  static constexpr const char* kFileSuffix = "srdd-session";  // "name.srdd-session"

  QString modelDir;
  QString scanResultPath;  // scan result JSON written by the engine; or, when empty,
  QJsonObject scanResult;  // the scan result embedded in the session (empty: no scan)
  QList<int> layerSelection;
  int numLayers = 0;  // of the target set
  QList<int> targetLayers;
  QString currentMetric;
  QString heatmapScale;
  QString currentTab;
  QJsonObject views;  // free-form state of individual views

  // Paths are stored absolute; relative paths in a hand-edited file are taken relative to the session file.
  // Both throw srdd::Error naming PATH: cannot write / missing, not JSON, not a session, wrong version or a
  // field of the wrong type or out of range.
  void save(const QString& path) const;
  static Session load(const QString& path);

  QJsonObject toJson() const;
  static Session fromJson(const QJsonObject& json, const QString& fileForErrors, const QString& baseDir = {});

  bool operator==(const Session& o) const;
  bool operator!=(const Session& o) const { return !(*this == o); }
};

}  // namespace srdd_gui
