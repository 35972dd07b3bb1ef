#pragma once
// Model summaries ("info" requests) through the engine client, so a model on the engine's host can be
// opened. Each load() gets an id; only the newest load reports back, so a load started later supersedes
// any still running.
#include <srdd/model_summary.h>

#include "engine/engine_client.h"

#include <QObject>
#include <QString>

#include <set>

namespace srdd_gui {

class ModelLoader : public QObject {
  Q_OBJECT
 public:
  // Loads go to CLIENT; without one the loader makes its own in-process client.
  explicit ModelLoader(EngineClient* client = nullptr, QObject* parent = nullptr);
  ~ModelLoader() override;  // its loads' results are dropped

  quint64 load(const QString& directory);                                 // returns the id of this load
  bool isBusy() const { return m_pending != 0; }                          // the newest load has not finished
  int runningWorkers() const { return static_cast<int>(m_open.size()); }  // incl. superseded ones

 Q_SIGNALS:
  void started(quint64 id, const QString& directory);
  void loaded(quint64 id, const srdd::ModelSummary& summary);
  void failed(quint64 id, const QString& directory, const QString& message);
  void busyChanged(bool busy);
  void workersFinished();  // every load, superseded ones included, has ended

 private:
  EngineClient* m_client;
  quint64 m_pending = 0;  // id of the newest unfinished load, 0 when idle
  std::set<quint64> m_open;
};

}  // namespace srdd_gui
