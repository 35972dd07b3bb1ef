#include "scan_job_runner.h"

#include <srdd/error.h>

#include <QDateTime>

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

ScanJobRunner::ScanJobRunner(EngineClient* client, QObject* parent)
    : QObject(parent), m_client(client ? client : new EngineClient(this)) {}

ScanJobRunner::~ScanJobRunner() {
  for (quint64 id : m_open) m_client->cancel(id);
}

quint64 ScanJobRunner::start(const srdd::ScanRequest& request) {
  const bool wasBusy = isBusy();
  if (m_current) {  // superseded
    const quint64 old = m_current;
    m_current = 0;
    m_client->cancel(old);
    Q_EMIT cancelled(old);
  }
  const qint64 startedMs = QDateTime::currentMSecsSinceEpoch();
  const nlohmann::json job = {{"type", "scan"}, {"request", request.toJson()}};
  const quint64 id =
      m_client->submit(job, this, [this, request, startedMs](const JobEvent& e) { onEvent(request, startedMs, e); });
  m_current = id;
  m_open.insert(id);
  ++m_started;
  Q_EMIT started(id);
  if (!wasBusy) Q_EMIT busyChanged(true);
  return id;
}

void ScanJobRunner::cancel() {
  if (!m_current) return;
  const quint64 id = m_current;
  m_current = 0;
  m_client->cancel(id);
  Q_EMIT busyChanged(false);
  Q_EMIT cancelled(id);
}

void ScanJobRunner::onEvent(const srdd::ScanRequest& request, qint64 startedMs, const JobEvent& e) {
  if (e.isFinal()) {
    m_open.erase(e.job);
    if (e.job == m_current) {
      // State first, signals after: a slot may start the next job.
      m_current = 0;
      Q_EMIT busyChanged(false);
      if (e.type == "result") {
        try {
          auto outcome = std::make_shared<ScanOutcome>();
          outcome->request = request;
          outcome->scan = e.body;
          // Results are kept (and saved) here: their provenance names the engine that made them.
          if (!m_client->isInProcess() && outcome->scan.contains("provenance") &&
              outcome->scan["provenance"].is_object() && !outcome->scan["provenance"].contains("engine"))
            outcome->scan["provenance"]["engine"] = m_client->provenance();
          outcome->report = QString::fromStdString(srdd::scanReportText(outcome->scan));
          outcome->seconds = static_cast<double>(QDateTime::currentMSecsSinceEpoch() - startedMs) / 1000.0;
          outcome->loadedModel = e.stages.count("loading model") > 0;
          outcome->engine = m_client->description();
          outcome->engineHost = m_client->host();
          Q_EMIT finished(e.job, outcome);
        } catch (const std::exception& x) {
          Q_EMIT failed(
              e.job,
              QStringLiteral("the engine's scan result is unreadable: %1").arg(QString::fromStdString(x.what())));
        }
      } else if (e.type == "error") {
        Q_EMIT failed(e.job, e.message());
      } else {
        Q_EMIT cancelled(e.job);  // cancelled by the engine (e.g. a switch to another engine)
      }
    }
    if (m_open.empty()) Q_EMIT workersFinished();
    return;
  }
  if (e.type != "progress" || e.job != m_current) return;
  const srdd::ProgressInfo i = srdd::engine::progressFromJson(e.body);
  ScanProgress p;
  p.stage = QString::fromStdString(i.stage);
  p.layer = i.layer;
  p.numLayers = i.numLayers;
  p.fraction = i.fraction;
  p.elapsedS = i.elapsedS;
  p.etaS = i.etaS;
  Q_EMIT progress(e.job, p);
}

}  // namespace srdd_gui
