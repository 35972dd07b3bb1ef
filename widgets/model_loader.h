#pragma once
// Summarises model directories off the GUI thread. Each load() gets an id; only the newest
// load reports back, so a load started later supersedes any still running.
#include <srdd/model_summary.h>

#include <QObject>
#include <QString>

#include <vector>

class QThread;

namespace srdd_gui {

class ModelLoader : public QObject {
  Q_OBJECT
 public:
  explicit ModelLoader(QObject* parent = nullptr);
  ~ModelLoader() override;  // waits for running workers; their results are dropped

  quint64 load(const QString& directory);  // returns the id of this load
  bool isBusy() const { return m_pending != 0; }  // the newest load has not finished
  int runningWorkers() const { return static_cast<int>(m_workers.size()); }  // incl. superseded ones

 Q_SIGNALS:
  void started(quint64 id, const QString& directory);
  void loaded(quint64 id, const srdd::ModelSummary& summary);
  void failed(quint64 id, const QString& directory, const QString& message);
  void busyChanged(bool busy);
  void workersFinished();  // every worker, superseded ones included, has ended

 private:
  quint64 m_lastId = 0;
  quint64 m_pending = 0;  // id of the newest unfinished load, 0 when idle
  std::vector<QThread*> m_workers;
};

}  // namespace srdd_gui
