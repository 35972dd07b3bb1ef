#pragma once
// The AQN run queue: comparisons run one after another, each in a worker thread (srdd::aqn::runComparison
// with progress and a cancel token); the GUI thread never waits for one. Also the table model of the queue
// (one row per job: name, status, progress, stage, ETA, run directory) for the workspace's queue view.
//
// Progress is read from the worker every 100 ms (at most one update per job per tick). Cancelling the running
// job stops it between training steps: its finished runs stay on disk (the engine resumes them when the same
// comparison is queued again) and it ends as Cancelled, never as Finished, even if the engine completed.
#include <srdd/aqn.h>
#include <srdd/progress.h>

#include <QAbstractTableModel>
#include <QString>

#include <memory>
#include <vector>

class QThread;
class QTimer;

namespace srdd_gui {

enum class AqnJobState { Queued, Running, Cancelling, Finished, Cancelled, Failed };
QString jobStateName(AqnJobState s);  // "queued", "running", …

struct AqnJob {
  quint64 id = 0;
  QString name;
  QString runDirectory;
  srdd::aqn::ComparisonSettings settings;
  bool force = false;
  AqnJobState state = AqnJobState::Queued;
  srdd::ProgressInfo progress;  // latest report (stage names config, seed and step)
  QString error;                // engine message of a failed job
  std::shared_ptr<const srdd::aqn::ComparisonResult> result;  // set for Finished only
  bool isActive() const { return state == AqnJobState::Running || state == AqnJobState::Cancelling; }
};

constexpr int AqnFractionRole = Qt::UserRole + 10;  // Progress column: fraction 0..1 (double)
constexpr int AqnJobIdRole = Qt::UserRole + 11;     // any column: the job id (quint64)

class AqnJobQueue : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Name, Status, Progress, Stage, Eta, Directory, ColumnCount };

  explicit AqnJobQueue(QObject* parent = nullptr);
  ~AqnJobQueue() override;  // cancels the running job and waits for its thread

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
  bool isBusy() const { return m_thread != nullptr; }
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
  struct Worker;
  void startNext();
  void onThreadFinished();
  void pollProgress();
  void rowChanged(quint64 id);

  std::vector<std::unique_ptr<AqnJob>> m_jobs;
  quint64 m_lastId = 0;
  quint64 m_running = 0;
  QThread* m_thread = nullptr;
  std::shared_ptr<Worker> m_worker;
  QTimer* m_poll;
};

}  // namespace srdd_gui
