#pragma once
// Scan jobs through the engine client (whichever engine it is connected to). Each start() gets a job id;
// only the newest job reports back (the hotspot JobTracker idea), so a cancelled or superseded job's
// result never reaches the GUI. Progress comes throttled by the client (EngineClient::kProgressIntervalMs).
#include <srdd/scan_job.h>

#include "engine/engine_client.h"

#include <QObject>
#include <QString>

#include <memory>
#include <set>

namespace srdd_gui {

struct ScanProgress {
  QString stage;   // e.g. "loading model", "gain (quantized)"
  int layer = -1;  // decoder layer, -1 when the stage is not per layer
  int numLayers = 0;
  double fraction = 0;  // of the engine's work, 0..1
  double elapsedS = 0;
  double etaS = -1;      // -1: not known yet
  QString text() const;  // "gain (quantized) · layer 3/6 · 42% · ETA 1.2s"
};

struct ScanOutcome {
  srdd::ScanRequest request;
  nlohmann::json scan;       // schema srdd-scan/1; from another engine with provenance.engine
  QString report;            // srdd::scanReportText(scan)
  double seconds = 0;        // wall time of the job, model loading included
  bool loadedModel = false;  // the engine loaded the model for this job (else it reused the loaded one)
  QString engine;            // the engine that ran it ("in-process", "ssh gpu1", ...)
  QString engineHost;        // its hostname
};
using ScanOutcomePtr = std::shared_ptr<const ScanOutcome>;

class ScanJobRunner : public QObject {
  Q_OBJECT
 public:
  static constexpr int kProgressIntervalMs = EngineClient::kProgressIntervalMs;

  // Jobs go to CLIENT; without one the runner makes its own in-process client.
  explicit ScanJobRunner(EngineClient* client = nullptr, QObject* parent = nullptr);
  ~ScanJobRunner() override;  // cancels its jobs; no signal follows

  // Starts a job and returns its id. A job still running is superseded: it is cancelled (cancelled() is
  // emitted for it) and its result is dropped.
  quint64 start(const srdd::ScanRequest& request);
  // Cancels the current job, if any: emits cancelled() at once; the engine stops at its next check.
  void cancel();

  bool isBusy() const { return m_current != 0; }
  quint64 currentJob() const { return m_current; }  // 0 when idle
  // Jobs of this runner the engine has not ended yet, superseded and cancelled ones included.
  int runningWorkers() const { return static_cast<int>(m_open.size()); }
  EngineClient* client() const { return m_client; }
  int jobsStarted() const { return m_started; }

 Q_SIGNALS:
  void started(quint64 id);
  void progress(quint64 id, const srdd_gui::ScanProgress& progress);
  void finished(quint64 id, const srdd_gui::ScanOutcomePtr& outcome);
  void failed(quint64 id, const QString& message);  // the engine's one-line message
  void cancelled(quint64 id);
  void busyChanged(bool busy);
  void workersFinished();  // every job, superseded ones included, has ended

 private:
  void onEvent(const srdd::ScanRequest& request, qint64 startedMs, const JobEvent& event);

  EngineClient* m_client;
  quint64 m_current = 0;
  std::set<quint64> m_open;
  int m_started = 0;
};

}  // namespace srdd_gui

Q_DECLARE_METATYPE(srdd_gui::ScanProgress)
Q_DECLARE_METATYPE(srdd_gui::ScanOutcomePtr)
