#pragma once
// Runs scan requests off the GUI thread. Each start() gets a job id; only the newest job reports back
// (the hotspot JobTracker idea), so a cancelled or superseded job's result never reaches the GUI.
// Progress is polled from the worker and signalled at most every kProgressIntervalMs.
#include <srdd/scan_job.h>

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

class QThread;
class QTimer;

namespace srdd_gui {

struct ScanProgress {
  QString stage;  // e.g. "loading model", "gain (quantized)"
  int layer = -1;  // decoder layer, -1 when the stage is not per layer
  int numLayers = 0;
  double fraction = 0;  // of the engine's work, 0..1
  double elapsedS = 0;
  double etaS = -1;  // -1: not known yet
  QString text() const;  // "gain (quantized) · layer 3/6 · 42% · ETA 1.2s"
};

struct ScanOutcome {
  srdd::ScanRequest request;
  nlohmann::json scan;  // schema srdd-scan/1
  QString report;       // srdd::scanReportText(scan), made on the worker
  double seconds = 0;   // wall time of the job, model loading included
};
using ScanOutcomePtr = std::shared_ptr<const ScanOutcome>;

class ScanJobRunner : public QObject {
  Q_OBJECT
 public:
  static constexpr int kProgressIntervalMs = 50;  // at most 20 progress signals per second

  explicit ScanJobRunner(QObject* parent = nullptr);
  ~ScanJobRunner() override;  // cancels every job and waits for the workers; no signal follows

  // Starts a job and returns its id. A job still running is superseded: it is cancelled (cancelled()
  // is emitted for it) and its result is dropped.
  quint64 start(const srdd::ScanRequest& request);
  // Cancels the current job, if any: emits cancelled() at once; the worker stops at its next check.
  void cancel();

  bool isBusy() const { return m_job != nullptr; }
  quint64 currentJob() const;  // 0 when idle
  int runningWorkers() const { return static_cast<int>(m_workers.size()); }  // superseded ones included
  srdd::ScanJob& engine() { return *m_engine; }  // holds the loaded model between jobs

  // LibTorch intra-op threads a GUI process gives the engine: one core less than the machine has (at
  // least 1), so the GUI thread is never starved; SRDD_THREADS / OMP_NUM_THREADS override it.
  static int guiEngineThreads();

 Q_SIGNALS:
  void started(quint64 id);
  void progress(quint64 id, const srdd_gui::ScanProgress& progress);
  void finished(quint64 id, const srdd_gui::ScanOutcomePtr& outcome);
  void failed(quint64 id, const QString& message);  // the engine's one-line message
  void cancelled(quint64 id);
  void busyChanged(bool busy);
  void workersFinished();  // every worker, superseded ones included, has ended

 private:
  struct Job;
  void pollProgress();
  void onWorkerEnded(QThread* worker, const std::shared_ptr<Job>& job);

  std::shared_ptr<srdd::ScanJob> m_engine;
  std::shared_ptr<Job> m_job;  // the current job
  quint64 m_lastId = 0;
  std::vector<std::pair<QThread*, std::shared_ptr<Job>>> m_workers;
  QTimer* m_poll;
};

}  // namespace srdd_gui

Q_DECLARE_METATYPE(srdd_gui::ScanProgress)
Q_DECLARE_METATYPE(srdd_gui::ScanOutcomePtr)
