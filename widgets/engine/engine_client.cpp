#include "engine/engine_client.h"

#include <srdd/error.h>
#include <srdd/scan_job.h>

#include <QThread>
#include <QTimer>

#include <algorithm>
#include <exception>
#include <mutex>
#include <vector>

namespace srdd_gui {

namespace engine = srdd::engine;

QString JobEvent::message() const {
  const auto it = body.find("message");
  const QString m = it != body.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
  return m.section(QLatin1Char('\n'), 0, 0).trimmed();
}

// Shared between the GUI thread and the engine's threads, one per engine. `client` is null once the
// engine is retired or the client destroyed: from then on nothing is posted.
struct EngineClient::Shared {
  struct Progress {
    nlohmann::json body;  // the newest report
    quint64 posted = 0, shown = 0;
    std::set<std::string> stages;
  };
  std::mutex mutex;
  EngineClient* client = nullptr;
  quint64 generation = 0;
  std::map<quint64, Progress> progress;  // by client job id
};

namespace {

void capEngineThreadsOnce() {
  static std::once_flag capped;
  std::call_once(capped, [] {
    if (qEnvironmentVariableIsEmpty("SRDD_THREADS") && qEnvironmentVariableIsEmpty("OMP_NUM_THREADS"))
      srdd::setEngineThreads(EngineClient::guiEngineThreads());
  });
}

JobEvent errorEvent(quint64 job, const std::string& message) {
  JobEvent e;
  e.job = job;
  e.type = "error";
  e.body = {{"message", message}};
  return e;
}

std::string firstLine(const char* what) {
  std::string s = what ? what : "";
  return s.substr(0, s.find('\n'));
}

}  // namespace

int EngineClient::guiEngineThreads() { return std::max(1, QThread::idealThreadCount() - 1); }

EngineClient::EngineClient(QObject* parent) : QObject(parent), m_poll(new QTimer(this)) {
  qRegisterMetaType<srdd_gui::EngineClient::State>();
  // Re-armed after each poll, so consecutive reports are at least an interval apart even when the event
  // loop ran a tick late (a repeating timer would catch up with a shorter gap).
  m_poll->setSingleShot(true);
  m_poll->setInterval(kProgressIntervalMs);
  m_poll->setTimerType(Qt::PreciseTimer);
  connect(m_poll, &QTimer::timeout, this, &EngineClient::pollProgress);
  connectTo(QString());
}

EngineClient::~EngineClient() {
  if (m_shared) {
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->client = nullptr;
  }
  m_jobs.clear();
  if (m_connecting) {
    m_connecting->disconnect(this);
    m_connecting->wait();
    delete m_connecting;
  }
  m_engine.reset();  // cancels its jobs; their final events go nowhere
  for (QThread* t : m_reapers) {
    t->disconnect(this);
    t->wait();
    delete t;
  }
}

QString EngineClient::description() const {
  const auto it = m_hello.find("engine");
  if (it != m_hello.end() && it->is_string()) return QString::fromStdString(it->get<std::string>());
  return m_engine ? QString::fromStdString(m_engine->describe()) : m_spec;
}

nlohmann::json EngineClient::provenance() const {
  return {{"name", description().toStdString()},
          {"host", m_hello.value("hostname", "")},
          {"engine_version", m_hello.value("engine_version", "")},
          {"commit", m_hello.value("commit", "")},
          {"torch_version", m_hello.value("torch_version", "")}};
}

QString EngineClient::host() const { return QString::fromStdString(m_hello.value("hostname", std::string())); }

QString EngineClient::deviceSummary() const {
  const auto devices = m_hello.value("devices", nlohmann::json::array());
  for (const auto& d : devices) {
    if (!d.is_object() || d.value("device", std::string()).rfind("cuda", 0) != 0) continue;
    const double gib = d.value("memory_bytes", 0.0) / (1024.0 * 1024 * 1024);
    QString s = QString::fromStdString(d.value("name", std::string("GPU")));
    if (gib > 0) s += QStringLiteral(" \u00b7 %1 GiB").arg(gib, 0, 'f', 1);
    return s;
  }
  return QStringLiteral("CPU");
}

void EngineClient::connectTo(const QString& spec) {
  const std::string command = spec.trimmed().toStdString();
  start(spec, QString(), [command] { return engine::makeEngine(command); });
}

void EngineClient::connectTo(const EngineConnection& c) {
  if (c.kind == EngineConnection::Kind::InProcess) return start(QString(), c.name, {});
  const QString problem = c.validationError();
  if (!problem.isEmpty()) {
    start(c.name, c.name, [problem]() -> std::unique_ptr<engine::Engine> { throw srdd::Error(problem.toStdString()); });
    return;
  }
  std::vector<std::string> argv;
  for (const QString& w : c.argv()) argv.push_back(w.toStdString());
  start(c.commandLine(), c.name, [argv] { return engine::makeProcessEngine(argv); });
}

void EngineClient::start(const QString& spec, const QString& name, Factory factory) {
  // The previous engine's jobs end now, as cancelled; its late events are dropped by generation.
  std::map<quint64, Job> ended;
  ended.swap(m_jobs);
  retire();
  m_poll->stop();
  const quint64 generation = ++m_generation;
  m_spec = spec.trimmed();
  m_name = name;
  m_error.clear();
  m_hello = nlohmann::json::object();
  m_state = State::Connecting;
  if (m_connecting) {  // a connection still being made is abandoned; its thread retires what it made
    m_connecting->disconnect(this);
    m_reapers.insert(m_connecting);
    QThread* t = m_connecting;
    connect(t, &QThread::finished, this, [this, t] {
      m_reapers.erase(t);
      t->deleteLater();
    });
    m_connecting = nullptr;
  }
  if (!ended.empty()) Q_EMIT busyChanged(false);
  for (auto& [id, job] : ended) {
    JobEvent e;
    e.job = id;
    e.type = "cancelled";
    if (job.context && job.handler) job.handler(e);
  }
  Q_EMIT stateChanged(m_state);

  if (isInProcess()) {  // cheap, and the app starts with it: made here
    capEngineThreadsOnce();
    try {
      auto e = engine::makeInProcessEngine();
      const nlohmann::json hello = e->hello();
      adopt(std::move(e), hello, generation);
    } catch (const std::exception& ex) {
      failConnection(QString::fromStdString(firstLine(ex.what())), generation);
    }
    return;
  }
  struct Outcome {
    std::unique_ptr<engine::Engine> engine;
    nlohmann::json hello;
    std::string error;
  };
  auto outcome = std::make_shared<Outcome>();
  m_connecting = QThread::create([outcome, factory] {
    try {
      outcome->engine = factory();
      outcome->hello = outcome->engine->hello();
    } catch (const std::exception& e) {
      outcome->error = firstLine(e.what());
      outcome->engine.reset();
    } catch (...) {
      outcome->error = "the engine could not be started";
      outcome->engine.reset();
    }
  });
  QThread* thread = m_connecting;
  connect(thread, &QThread::finished, this, [this, thread, outcome, generation] {
    if (thread == m_connecting) m_connecting = nullptr;
    thread->deleteLater();
    if (generation != m_generation) return;
    if (outcome->engine)
      adopt(std::move(outcome->engine), outcome->hello, generation);
    else
      failConnection(QString::fromStdString(outcome->error), generation);
  });
  thread->start();
}

void EngineClient::adopt(std::unique_ptr<engine::Engine> e, const nlohmann::json& hello, quint64 generation) {
  m_engine = std::move(e);
  m_hello = hello.is_object() ? hello : nlohmann::json::object();
  m_shared = std::make_shared<Shared>();
  m_shared->client = this;
  m_shared->generation = generation;
  m_state = State::Connected;
  Q_EMIT stateChanged(m_state);
  std::vector<quint64> waiting;
  for (const auto& [id, job] : m_jobs)
    if (!job.submitted) waiting.push_back(id);
  for (quint64 id : waiting) submitToEngine(id);
}

void EngineClient::failConnection(const QString& message, quint64 generation) {
  if (generation != m_generation) return;
  m_state = State::Failed;
  m_error = message.isEmpty() ? QStringLiteral("the engine could not be reached") : message;
  Q_EMIT stateChanged(m_state);
  std::vector<quint64> waiting;
  for (const auto& [id, job] : m_jobs) waiting.push_back(id);
  for (quint64 id : waiting) endJob(id, errorEvent(id, m_error.toStdString()));
}

void EngineClient::retire() {
  if (m_shared) {
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->client = nullptr;
  }
  m_shared.reset();
  m_hello = nlohmann::json::object();
  if (!m_engine) return;
  // Destroying an engine cancels its jobs and may wait for a child process: not on the GUI thread.
  std::shared_ptr<engine::Engine> old(m_engine.release());
  QThread* t = QThread::create([old]() mutable { old.reset(); });
  m_reapers.insert(t);
  connect(t, &QThread::finished, this, [this, t] {
    m_reapers.erase(t);
    t->deleteLater();
  });
  t->start();
}

quint64 EngineClient::submit(const nlohmann::json& request, QObject* context, JobHandler handler) {
  const quint64 id = ++m_lastId;
  const bool wasBusy = isBusy();
  Job job;
  job.request = request;
  job.context = context;
  job.handler = std::move(handler);
  m_jobs.emplace(id, std::move(job));
  if (!wasBusy) Q_EMIT busyChanged(true);
  if (m_state == State::Connected) {
    submitToEngine(id);
  } else if (m_state == State::Failed) {
    const std::string message = m_error.toStdString();
    QMetaObject::invokeMethod(
        this, [this, id, message] { endJob(id, errorEvent(id, message)); }, Qt::QueuedConnection);
  }
  return id;
}

void EngineClient::submitToEngine(quint64 id) {
  auto it = m_jobs.find(id);
  if (it == m_jobs.end() || !m_engine) return;
  Job& job = it->second;
  job.submitted = true;
  std::shared_ptr<Shared> shared = m_shared;
  {
    std::lock_guard<std::mutex> lock(shared->mutex);
    shared->progress[id];
  }
  auto handler = [shared, id](const engine::Event& e) {
    if (e.type == "progress") {
      std::lock_guard<std::mutex> lock(shared->mutex);
      auto& p = shared->progress[id];
      p.body = e.body;
      ++p.posted;
      if (e.body.is_object() && e.body.contains("stage") && e.body["stage"].is_string())
        p.stages.insert(e.body["stage"].get<std::string>());
      return;
    }
    JobEvent ev;
    ev.job = id;
    ev.type = e.type;
    ev.body = e.body;
    if (e.type == "result" && !e.payload.empty()) {  // the document travels as the payload's bytes
      try {
        ev.body = nlohmann::json::parse(e.payload);
      } catch (const nlohmann::json::exception& x) {
        ev = errorEvent(id, std::string("the engine's result is not valid JSON (") + x.what() + ")");
      }
    }
    std::lock_guard<std::mutex> lock(shared->mutex);
    EngineClient* client = shared->client;
    if (!client) return;
    if (ev.isFinal()) {
      ev.stages = std::move(shared->progress[id].stages);
      shared->progress.erase(id);
    }
    const quint64 generation = shared->generation;
    QMetaObject::invokeMethod(
        client, [client, generation, ev] { client->deliver(generation, ev); }, Qt::QueuedConnection);
  };
  try {
    job.engineId = m_engine->submit(job.request, handler);
    if (job.cancelRequested) m_engine->cancel(job.engineId);
  } catch (const std::exception& e) {
    const std::string message = firstLine(e.what());
    QMetaObject::invokeMethod(
        this, [this, id, message] { endJob(id, errorEvent(id, message)); }, Qt::QueuedConnection);
  }
  if (!m_poll->isActive()) m_poll->start();
}

void EngineClient::cancel(quint64 id) {
  auto it = m_jobs.find(id);
  if (it == m_jobs.end()) return;
  Job& job = it->second;
  if (job.cancelRequested) return;
  job.cancelRequested = true;
  if (!job.submitted) {  // still waiting for the engine: it ends here
    JobEvent e;
    e.job = id;
    e.type = "cancelled";
    QMetaObject::invokeMethod(
        this, [this, e] { endJob(e.job, e); }, Qt::QueuedConnection);
    return;
  }
  if (job.engineId != 0 && m_engine) {
    try {
      m_engine->cancel(job.engineId);
    } catch (const std::exception&) {
      // The engine is gone: its jobs end with the engine's error.
    }
  }
}

void EngineClient::deliver(quint64 generation, JobEvent event) {
  if (generation != m_generation) return;
  if (event.isFinal()) {
    endJob(event.job, std::move(event));
    return;
  }
  auto it = m_jobs.find(event.job);
  if (it == m_jobs.end()) return;
  QPointer<QObject> context = it->second.context;
  JobHandler handler = it->second.handler;  // a copy: the handler may end jobs
  if (context && handler) handler(event);
}

void EngineClient::endJob(quint64 id, JobEvent event) {
  auto it = m_jobs.find(id);
  if (it == m_jobs.end()) return;
  Job job = std::move(it->second);
  m_jobs.erase(it);
  // State first, signals after: the handler may submit the next job.
  if (m_jobs.empty()) {
    m_poll->stop();
    Q_EMIT busyChanged(false);
  }
  if (job.context && job.handler) job.handler(event);
}

void EngineClient::pollProgress() {
  if (m_jobs.empty() || !m_shared) return;
  m_poll->start();
  std::vector<JobEvent> reports;
  {
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    for (auto& [id, p] : m_shared->progress) {
      if (p.posted == p.shown) continue;
      p.shown = p.posted;
      JobEvent e;
      e.job = id;
      e.type = "progress";
      e.body = p.body;
      reports.push_back(std::move(e));
    }
  }
  for (JobEvent& e : reports) deliver(m_generation, std::move(e));
}

}  // namespace srdd_gui
