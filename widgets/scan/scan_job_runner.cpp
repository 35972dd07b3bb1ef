#include "scan_job_runner.h"

#include <srdd/error.h>

#include <QElapsedTimer>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <exception>
#include <mutex>

namespace srdd_gui {

QString ScanProgress::text() const {
  QString s = stage;
  if (layer >= 0 && numLayers > 0) s += QStringLiteral(" \u00b7 layer %1/%2").arg(layer + 1).arg(numLayers);
  if (etaS >= 0) {
    s += QStringLiteral(" \u00b7 %1%").arg(static_cast<int>(100 * fraction));
    s += QStringLiteral(" \u00b7 ETA %1").arg(QString::fromStdString(srdd::formatSeconds(etaS)));
  }
  return s;
}

struct ScanJobRunner::Job {
  quint64 id = 0;
  srdd::ScanRequest request;
  srdd::CancelToken cancel;
  std::mutex mutex;  // guards latest and posted
  srdd::ProgressInfo latest;
  quint64 posted = 0;  // progress reports so far
  quint64 shown = 0;   // GUI thread only: the report last signalled
  // Written by the worker before it ends; read on the GUI thread after QThread::finished.
  ScanOutcomePtr outcome;
  QString error;
};

int ScanJobRunner::guiEngineThreads() { return std::max(1, QThread::idealThreadCount() - 1); }

ScanJobRunner::ScanJobRunner(QObject* parent)
    : QObject(parent), m_engine(std::make_shared<srdd::ScanJob>()), m_poll(new QTimer(this)) {
  static std::once_flag capped;
  std::call_once(capped, [] {
    if (qEnvironmentVariableIsEmpty("SRDD_THREADS") && qEnvironmentVariableIsEmpty("OMP_NUM_THREADS"))
      srdd::setEngineThreads(guiEngineThreads());
  });
  // Re-armed after each poll, so consecutive signals are at least an interval apart even when the event
  // loop ran a tick late (a repeating timer would catch up with a shorter gap).
  m_poll->setSingleShot(true);
  m_poll->setInterval(kProgressIntervalMs);
  m_poll->setTimerType(Qt::PreciseTimer);
  connect(m_poll, &QTimer::timeout, this, &ScanJobRunner::pollProgress);
}

ScanJobRunner::~ScanJobRunner() {
  for (auto& [worker, job] : m_workers) job->cancel.cancel();
  for (auto& [worker, job] : m_workers) {
    worker->disconnect(this);
    worker->wait();
    delete worker;
  }
}

quint64 ScanJobRunner::currentJob() const { return m_job ? m_job->id : 0; }

quint64 ScanJobRunner::start(const srdd::ScanRequest& request) {
  const bool wasBusy = isBusy();
  if (m_job) {  // superseded
    m_job->cancel.cancel();
    const quint64 old = m_job->id;
    m_job.reset();
    Q_EMIT cancelled(old);
  }
  auto job = std::make_shared<Job>();
  job->id = ++m_lastId;
  job->request = request;
  m_job = job;
  std::shared_ptr<srdd::ScanJob> engine = m_engine;
  QThread* worker = QThread::create([job, engine] {
    QElapsedTimer clock;
    clock.start();
    auto onProgress = [job](const srdd::ProgressInfo& p) {
      std::lock_guard<std::mutex> lock(job->mutex);
      job->latest = p;
      ++job->posted;
    };
    try {
      auto outcome = std::make_shared<ScanOutcome>();
      outcome->scan = engine->run(job->request, onProgress, &job->cancel);
      outcome->report = QString::fromStdString(srdd::scanReportText(outcome->scan));
      outcome->request = job->request;
      outcome->seconds = static_cast<double>(clock.elapsed()) / 1000.0;
      job->outcome = outcome;
    } catch (const srdd::Cancelled&) {
      job->error = QStringLiteral("cancelled");
    } catch (const std::exception& e) {
      job->error = QString::fromStdString(e.what());
    } catch (...) {
      job->error = QStringLiteral("the scan failed with an unknown error");
    }
  });
  worker->setObjectName(QStringLiteral("scan job %1").arg(job->id));
  m_workers.emplace_back(worker, job);
  connect(worker, &QThread::finished, this, [this, worker, job] { onWorkerEnded(worker, job); });
  Q_EMIT started(job->id);
  if (!wasBusy) Q_EMIT busyChanged(true);
  m_poll->start();
  worker->start();
  return job->id;
}

void ScanJobRunner::cancel() {
  if (!m_job) return;
  m_job->cancel.cancel();
  const quint64 id = m_job->id;
  m_job.reset();
  m_poll->stop();
  Q_EMIT busyChanged(false);
  Q_EMIT cancelled(id);
}

void ScanJobRunner::pollProgress() {
  if (!m_job) return;
  m_poll->start();
  ScanProgress p;
  {
    std::lock_guard<std::mutex> lock(m_job->mutex);
    if (m_job->posted == m_job->shown) return;
    m_job->shown = m_job->posted;
    const srdd::ProgressInfo& i = m_job->latest;
    p.stage = QString::fromStdString(i.stage);
    p.layer = i.layer;
    p.numLayers = i.numLayers;
    p.fraction = i.fraction;
    p.elapsedS = i.elapsedS;
    p.etaS = i.etaS;
  }
  Q_EMIT progress(m_job->id, p);
}

void ScanJobRunner::onWorkerEnded(QThread* worker, const std::shared_ptr<Job>& job) {
  m_workers.erase(std::remove_if(m_workers.begin(), m_workers.end(), [worker](const auto& w) { return w.first == worker; }),
                  m_workers.end());
  worker->deleteLater();
  if (job == m_job) {
    // State first, signals after: a slot may start the next job.
    m_job.reset();
    m_poll->stop();
    Q_EMIT busyChanged(false);
    if (job->outcome)
      Q_EMIT finished(job->id, job->outcome);
    else
      Q_EMIT failed(job->id, job->error);
  }
  if (m_workers.empty()) Q_EMIT workersFinished();
}

}  // namespace srdd_gui
