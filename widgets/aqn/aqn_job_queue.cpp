#include "aqn/aqn_job_queue.h"

#include <srdd/error.h>

#include <QDir>
#include <QFileInfo>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <exception>
#include <mutex>

namespace srdd_gui {

namespace aqn = srdd::aqn;

// State shared between the GUI thread and one job's worker thread.
struct AqnJobQueue::Worker {
  srdd::CancelToken token;
  std::mutex mutex;
  srdd::ProgressInfo latest;  // guarded by mutex
  quint64 reports = 0;        // guarded by mutex
  quint64 shown = 0;          // GUI thread only
  // Written by the worker before its thread ends, read after QThread::finished.
  std::shared_ptr<const aqn::ComparisonResult> result;
  QString error;
  bool cancelled = false;
};

namespace {

QString firstLine(const char* what) {
  const QString s = QString::fromLocal8Bit(what);
  return s.section(QLatin1Char('\n'), 0, 0).trimmed();
}

QString cleanPath(const QString& p) { return QDir::cleanPath(QFileInfo(p).absoluteFilePath()); }

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

AqnJobQueue::AqnJobQueue(QObject* parent) : QAbstractTableModel(parent), m_poll(new QTimer(this)) {
  m_poll->setInterval(100);
  connect(m_poll, &QTimer::timeout, this, &AqnJobQueue::pollProgress);
}

AqnJobQueue::~AqnJobQueue() {
  if (m_thread) {
    m_worker->token.cancel();
    m_thread->disconnect(this);
    m_thread->wait();
    delete m_thread;
  }
}

quint64 AqnJobQueue::enqueue(const aqn::ComparisonSettings& settings, const QString& runDir, bool force) {
  if (runDir.trimmed().isEmpty()) throw srdd::Error("AQN queue: no run directory given");
  const QString dir = cleanPath(runDir.trimmed());
  for (const auto& j : m_jobs)
    if ((j->state == AqnJobState::Queued || j->isActive()) && cleanPath(j->runDirectory) == dir)
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
  if (!m_thread) startNext();
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
  m_worker->token.cancel();
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
  m_running = job.id;
  auto worker = std::make_shared<Worker>();
  m_worker = worker;
  const aqn::ComparisonSettings settings = job.settings;
  const std::string dir = job.runDirectory.toStdString();
  const bool force = job.force;
  m_thread = QThread::create([worker, settings, dir, force] {
    auto report = [worker](const srdd::ProgressInfo& info) {
      std::lock_guard<std::mutex> lock(worker->mutex);
      worker->latest = info;
      ++worker->reports;
    };
    try {
      worker->result = std::make_shared<const aqn::ComparisonResult>(
          aqn::runComparison(settings, dir, report, &worker->token, force));
    } catch (const srdd::Cancelled&) {
      worker->cancelled = true;
    } catch (const srdd::Error& e) {
      worker->error = QString::fromStdString(e.what());
    } catch (const std::exception& e) {
      worker->error = QString::fromStdString(dir) + QStringLiteral(": unexpected error: ") + firstLine(e.what());
    } catch (...) {
      worker->error = QString::fromStdString(dir) + QStringLiteral(": unexpected error in the AQN run");
    }
  });
  m_thread->setParent(this);
  connect(m_thread, &QThread::finished, this, &AqnJobQueue::onThreadFinished);
  rowChanged(job.id);
  Q_EMIT jobStarted(job.id);
  m_thread->start();
  m_poll->start();
}

void AqnJobQueue::pollProgress() {
  if (!m_worker || !m_running) return;
  srdd::ProgressInfo info;
  {
    std::lock_guard<std::mutex> lock(m_worker->mutex);
    if (m_worker->reports == m_worker->shown) return;
    m_worker->shown = m_worker->reports;
    info = m_worker->latest;
  }
  const int row = rowOf(m_running);
  if (row < 0) return;
  m_jobs[static_cast<size_t>(row)]->progress = info;
  rowChanged(m_running);
  Q_EMIT jobProgress(m_running);
}

void AqnJobQueue::onThreadFinished() {
  pollProgress();
  m_poll->stop();
  const std::shared_ptr<Worker> worker = std::move(m_worker);
  const quint64 id = m_running;
  m_thread->deleteLater();
  m_thread = nullptr;
  m_running = 0;
  const int row = rowOf(id);
  if (row >= 0) {
    AqnJob& j = *m_jobs[static_cast<size_t>(row)];
    if (worker->token.cancelled()) {
      // A cancel that came after the last step still wins: the user asked for no result.
      j.state = AqnJobState::Cancelled;
      rowChanged(id);
      Q_EMIT jobCancelled(id);
    } else if (worker->result) {
      j.state = AqnJobState::Finished;
      j.result = worker->result;
      j.progress.fraction = 1;
      j.progress.etaS = 0;
      rowChanged(id);
      Q_EMIT jobFinished(id);
    } else {
      j.state = AqnJobState::Failed;
      j.error = worker->error.isEmpty() ? QStringLiteral("the AQN run ended without a result") : worker->error;
      rowChanged(id);
      Q_EMIT jobFailed(id, j.error);
    }
  }
  startNext();
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
    if (index.column() == Directory) return j.runDirectory;
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
