#include "aqn/aqn_job_queue.h"

#include <srdd/atomic_file.h>
#include <srdd/error.h>

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>
#include <exception>

namespace srdd_gui {

namespace aqn = srdd::aqn;

namespace {

QString firstLine(const QString& s) { return s.section(QLatin1Char('\n'), 0, 0).trimmed(); }

QString cleanPath(const QString& p) { return QDir::cleanPath(QFileInfo(p).absoluteFilePath()); }

// A relative path inside a run directory, as the engine names the files it sends back: no absolute
// paths, no "..", nothing a remote host could use to write outside the local copy.
bool isSafeRelative(const QString& rel) {
  if (rel.isEmpty() || QDir::isAbsolutePath(rel) || rel.contains(QLatin1Char('\\'))) return false;
  for (const QString& part : rel.split(QLatin1Char('/')))
    if (part.isEmpty() || part == QLatin1String(".") || part == QLatin1String("..")) return false;
  return true;
}

QString hostDirectoryName(const QString& host) {
  QString h = host;
  h.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
  return h.isEmpty() ? QStringLiteral("engine") : h;
}

}  // namespace

QString jobStateName(AqnJobState s) {
  switch (s) {
    case AqnJobState::Queued: return QStringLiteral("queued");
    case AqnJobState::Running: return QStringLiteral("running");
    case AqnJobState::Cancelling: return QStringLiteral("cancelling…");
    case AqnJobState::Finished: return QStringLiteral("finished");
    case AqnJobState::Cancelled: return QStringLiteral("cancelled");
    case AqnJobState::Failed: return QStringLiteral("failed");
  }
  return {};
}

AqnJobQueue::AqnJobQueue(EngineClient* client, QObject* parent)
    : QAbstractTableModel(parent),
      m_client(client ? client : new EngineClient(this)),
      m_localRoot(QDir::homePath() + QStringLiteral("/srdd-runs/remote")) {}

AqnJobQueue::~AqnJobQueue() {
  if (m_clientJob) m_client->cancel(m_clientJob);
}

quint64 AqnJobQueue::enqueue(const aqn::ComparisonSettings& settings, const QString& runDir, bool force) {
  if (runDir.trimmed().isEmpty()) throw srdd::Error("AQN queue: no run directory given");
  // In-process the run directory is local; on a remote host it is that host's path, taken as written.
  const QString dir = m_client->isInProcess() ? cleanPath(runDir.trimmed()) : QDir::cleanPath(runDir.trimmed());
  for (const auto& j : m_jobs)
    if ((j->state == AqnJobState::Queued || j->isActive()) && j->runDirectory == dir)
      throw srdd::Error(QStringLiteral("%1: already used by queued job #%2").arg(dir).arg(j->id).toStdString());
  auto job = std::make_unique<AqnJob>();
  job->id = ++m_lastId;
  job->runDirectory = dir;
  job->name = QStringLiteral("#%1 %2").arg(job->id).arg(QFileInfo(dir).fileName());
  job->settings = settings;
  job->force = force;
  const int row = static_cast<int>(m_jobs.size());
  beginInsertRows({}, row, row);
  m_jobs.push_back(std::move(job));
  endInsertRows();
  if (!m_running) startNext();
  return m_lastId;
}

bool AqnJobQueue::cancel(quint64 id) {
  const int row = rowOf(id);
  if (row < 0) return false;
  AqnJob& j = *m_jobs[static_cast<size_t>(row)];
  if (j.state == AqnJobState::Queued) {
    j.state = AqnJobState::Cancelled;
    rowChanged(id);
    Q_EMIT jobCancelled(id);
    return true;
  }
  if (j.state != AqnJobState::Running) return false;
  m_cancelRequested = true;
  m_client->cancel(m_clientJob);
  j.state = AqnJobState::Cancelling;
  rowChanged(id);
  return true;
}

bool AqnJobQueue::remove(quint64 id) {
  const int row = rowOf(id);
  if (row < 0 || m_jobs[static_cast<size_t>(row)]->isActive()) return false;
  beginRemoveRows({}, row, row);
  m_jobs.erase(m_jobs.begin() + row);
  endRemoveRows();
  return true;
}

const AqnJob* AqnJobQueue::job(quint64 id) const {
  const int row = rowOf(id);
  return row < 0 ? nullptr : m_jobs[static_cast<size_t>(row)].get();
}

int AqnJobQueue::rowOf(quint64 id) const {
  for (size_t i = 0; i < m_jobs.size(); ++i)
    if (m_jobs[i]->id == id) return static_cast<int>(i);
  return -1;
}

void AqnJobQueue::startNext() {
  auto next = std::find_if(m_jobs.begin(), m_jobs.end(), [](const auto& j) { return j->state == AqnJobState::Queued; });
  if (next == m_jobs.end()) {
    Q_EMIT idle();
    return;
  }
  AqnJob& job = **next;
  job.state = AqnJobState::Running;
  job.engine = m_client->description();
  m_running = job.id;
  m_cancelRequested = false;
  const quint64 id = job.id;
  const nlohmann::json request = {{"type", "aqn"},
                                  {"settings", job.settings.toJson()},
                                  {"run_dir", job.runDirectory.toStdString()},
                                  {"force", job.force}};
  m_clientJob = m_client->submit(request, this, [this, id](const JobEvent& e) { onEvent(id, e); });
  rowChanged(id);
  Q_EMIT jobStarted(id);
}

void AqnJobQueue::onEvent(quint64 id, const JobEvent& e) {
  const int row = rowOf(id);
  if (!e.isFinal()) {
    if (e.type != "progress" || row < 0) return;
    m_jobs[static_cast<size_t>(row)]->progress = srdd::engine::progressFromJson(e.body);
    rowChanged(id);
    Q_EMIT jobProgress(id);
    return;
  }
  const bool cancelled = m_cancelRequested;
  m_running = 0;
  m_clientJob = 0;
  m_cancelRequested = false;
  if (row >= 0) {
    AqnJob& j = *m_jobs[static_cast<size_t>(row)];
    if (cancelled || e.type == "cancelled") {
      // A cancel that came after the last step still wins: the user asked for no result.
      j.state = AqnJobState::Cancelled;
      rowChanged(id);
      Q_EMIT jobCancelled(id);
    } else {
      if (e.type == "result") {
        try {
          finish(j, e.body);
        } catch (const std::exception& x) {
          j.error = firstLine(QString::fromStdString(x.what()));
        }
      } else {
        j.error = e.message();
      }
      if (j.result) {
        j.state = AqnJobState::Finished;
        j.progress.fraction = 1;
        j.progress.etaS = 0;
        rowChanged(id);
        Q_EMIT jobFinished(id);
      } else {
        j.state = AqnJobState::Failed;
        if (j.error.isEmpty()) j.error = QStringLiteral("the AQN run ended without a result");
        rowChanged(id);
        Q_EMIT jobFailed(id, j.error);
      }
    }
  }
  startNext();
}

void AqnJobQueue::finish(AqnJob& job, const nlohmann::json& body) {
  if (m_client->isInProcess()) {
    job.localDirectory = job.runDirectory;
  } else {
    // The local copy: every file the engine sent, written atomically, then read like a local run.
    const QString remote = QString::fromStdString(body.value("run_dir", job.runDirectory.toStdString()));
    const QString local = QDir(m_localRoot)
                              .filePath(hostDirectoryName(m_client->host()) + QLatin1Char('/') +
                                        QFileInfo(QDir::cleanPath(remote)).fileName());
    const auto files = body.value("files", nlohmann::json::object());
    if (!files.is_object() || !files.contains("comparison.json"))
      throw srdd::Error(remote.toStdString() + ": the engine sent no comparison.json");
    for (auto it = files.begin(); it != files.end(); ++it) {
      const QString rel = QString::fromStdString(it.key());
      if (!isSafeRelative(rel) || !it->is_string())
        throw srdd::Error(remote.toStdString() + ": the engine sent a file with a bad name: " + it.key());
      const QString path = QDir(local).filePath(rel);
      if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        throw srdd::Error(path.toStdString() + ": cannot create the folder for the local copy");
      srdd::writeFileAtomically(path.toStdString(), it->get_ref<const std::string&>());
    }
    job.localDirectory = local;
  }
  job.result = std::make_shared<const aqn::ComparisonResult>(
      aqn::readComparison(QDir(job.localDirectory).filePath(QStringLiteral("comparison.json")).toStdString()));
}

void AqnJobQueue::rowChanged(quint64 id) {
  const int row = rowOf(id);
  if (row >= 0) Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

// ---- model ----

int AqnJobQueue::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_jobs.size());
}

int AqnJobQueue::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant AqnJobQueue::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const AqnJob& j = jobAt(index.row());
  const bool started = j.progress.totalSteps > 0;
  if (role == AqnJobIdRole) return j.id;
  if (role == AqnFractionRole && index.column() == Progress)
    return j.state == AqnJobState::Finished ? 1.0 : j.progress.fraction;
  if (role == Qt::ToolTipRole) {
    if (j.state == AqnJobState::Failed) return j.error;
    if (index.column() == Directory)
      return j.localDirectory.isEmpty() || j.localDirectory == j.runDirectory
                 ? j.runDirectory
                 : QStringLiteral("%1 on %2\nlocal copy: %3").arg(j.runDirectory, j.engine, j.localDirectory);
    if (index.column() == Stage && started) return QString::fromStdString(j.progress.stage);
    return {};
  }
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case Name: return j.name;
    case Status: return jobStateName(j.state);
    case Progress:
      return QStringLiteral("%1 %").arg(qRound((j.state == AqnJobState::Finished ? 1.0 : j.progress.fraction) * 100));
    case Stage:
      if (j.state == AqnJobState::Failed) return j.error;
      if (j.state == AqnJobState::Queued) return QString();
      if (j.isActive() && !started) return QStringLiteral("loading the model…");
      if (j.state == AqnJobState::Finished && j.result) return QStringLiteral("%1 runs").arg(j.result->runs.size());
      if (j.state == AqnJobState::Cancelled)
        return started ? QStringLiteral("stopped at ") + QString::fromStdString(j.progress.stage) : QString();
      return QString::fromStdString(j.progress.stage);
    case Eta:
      if (!j.isActive() || !started) return QString();
      return QString::fromStdString(srdd::formatSeconds(j.progress.etaS));
    case Directory: return QDir::toNativeSeparators(j.runDirectory);
  }
  return {};
}

QVariant AqnJobQueue::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount) return {};
  static const char* names[] = {"Job", "Status", "Progress", "Stage", "ETA", "Run directory"};
  return QString::fromLatin1(names[section]);
}

}  // namespace srdd_gui
