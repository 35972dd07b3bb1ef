#pragma once
// The AQN run queue: comparisons run one after another as "aqn" jobs of the engine client (in-process, or
// on the engine's host); the GUI thread never waits for one. Also the table model of the queue (one row per
// job: name, status, progress, stage, ETA, run directory) for the workspace's queue view.
//
// The run directory is a path on the engine's host. With a remote engine the GUI keeps a local copy of the
// finished comparison (comparison.json, config.json and the per-run files) under localRoot()/HOST/NAME.
// Cancelling the running job stops it between training steps: its finished runs stay in the run directory
// (the engine resumes them when the same comparison is queued again) and it ends as Cancelled, never as
// Finished, even if the engine completed.
#include <srdd/aqn.h>
#include <srdd/progress.h>

#include "engine/engine_client.h"

#include <QAbstractTableModel>
#include <QString>

#include <memory>
#include <vector>

namespace srdd_gui {

enum class AqnJobState { Queued, Running, Cancelling, Finished, Cancelled, Failed };
QString jobStateName(AqnJobState s);  // "queued", "running", …

struct AqnJob {
  quint64 id = 0;
  QString name;
  QString runDirectory;    // on the engine's host
  QString localDirectory;  // where the GUI reads the finished comparison (= runDirectory in-process)
  QString engine;          // the engine that ran it
  srdd::aqn::ComparisonSettings settings;
  bool force = false;
  AqnJobState state = AqnJobState::Queued;
  srdd::ProgressInfo progress;                                // latest report (stage names config, seed and step)
  QString error;                                              // engine message of a failed job
  std::shared_ptr<const srdd::aqn::ComparisonResult> result;  // set for Finished only
  bool isActive() const { return state == AqnJobState::Running || state == AqnJobState::Cancelling; }
};

constexpr int AqnFractionRole = Qt::UserRole + 10;  // Progress column: fraction 0..1 (double)
constexpr int AqnJobIdRole = Qt::UserRole + 11;     // any column: the job id (quint64)

class AqnJobQueue : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Name, Status, Progress, Stage, Eta, Directory, ColumnCount };

  // Jobs go to CLIENT; without one the queue makes its own in-process client.
  explicit AqnJobQueue(EngineClient* client = nullptr, QObject* parent = nullptr);
  ~AqnJobQueue() override;  // cancels the running job

  // Where local copies of remote comparisons go (default: ~/srdd-runs/remote).
  void setLocalRoot(const QString& dir) { m_localRoot = dir; }
  QString localRoot() const { return m_localRoot; }
  EngineClient* client() const { return m_client; }

  // Queues a comparison into RUNDIR and starts it when no job is running; returns its id. Throws srdd::Error
  // when RUNDIR is empty or already used by a queued or running job.
  quint64 enqueue(const srdd::aqn::ComparisonSettings& settings, const QString& runDir, bool force = false);
  // A running job is asked to stop (state Cancelling until its thread ends, then Cancelled); a queued one
  // becomes Cancelled at once. False for an unknown or already ended job.
  bool cancel(quint64 id);
  // Removes a job that is not running (queued, finished, cancelled or failed). False otherwise.
  bool remove(quint64 id);

  const AqnJob* job(quint64 id) const;
  const AqnJob& jobAt(int row) const { return *m_jobs[static_cast<size_t>(row)]; }
  int rowOf(quint64 id) const;  // -1 when unknown
  bool isBusy() const { return m_running != 0; }
  quint64 runningJob() const { return m_running; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 Q_SIGNALS:
  void jobStarted(quint64 id);
  void jobProgress(quint64 id);
  void jobFinished(quint64 id);  // result available through job(id)->result
  void jobCancelled(quint64 id);
  void jobFailed(quint64 id, const QString& message);
  void idle();  // no job is running or queued any more

 private:
  void startNext();
  void onEvent(quint64 id, const JobEvent& e);
  void finish(AqnJob& job, const nlohmann::json& body);  // reads the result (or its local copy)
  void rowChanged(quint64 id);

  EngineClient* m_client;
  QString m_localRoot;
  std::vector<std::unique_ptr<AqnJob>> m_jobs;
  quint64 m_lastId = 0;
  quint64 m_running = 0;    // our job id
  quint64 m_clientJob = 0;  // its client job id
  bool m_cancelRequested = false;
};

}  // namespace srdd_gui
