#pragma once
// The GUI's one job client: every engine request of the app (model info, scans, AQN comparisons, host
// browsing) goes through it, whichever engine serves it (in-process, a local `srdd serve --stdio`, ssh).
// Events arrive on the GUI thread through queued calls; the GUI thread never waits for the engine.
// Progress is throttled to one report per job every kProgressIntervalMs (the newest wins); result
// documents are parsed on the engine's thread. Cancel asks the engine; a cancelled or superseded job's
// late events are the caller's to drop (the adapters do).
#include <srdd/engine.h>

#include "engine/engine_connection.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

class QThread;
class QTimer;

namespace srdd_gui {

// One event of a job as the GUI sees it.
struct JobEvent {
  quint64 job = 0;      // the client's job id
  std::string type;     // accepted, progress, log, result, error, cancelled
  nlohmann::json body;  // for a result: the result document (parsed from the payload when there is one)
  // For final events: every progress stage the engine reported for this job, throttled ones included.
  std::set<std::string> stages;
  bool isFinal() const { return type == "result" || type == "error" || type == "cancelled"; }
  QString message() const;  // body.message of an error, one line
};
using JobHandler = std::function<void(const JobEvent&)>;

class EngineClient : public QObject {
  Q_OBJECT
 public:
  static constexpr int kProgressIntervalMs = 50;  // at most 20 progress reports per second per job
  enum class State { Connecting, Connected, Failed };

  // Starts with the in-process engine (connected at once).
  explicit EngineClient(QObject* parent = nullptr);
  ~EngineClient() override;  // cancels every job; no handler is called afterwards

  // Switches to another engine (srdd::engine::makeEngine spec: "" = in-process, else a command line).
  // Starting it and its handshake run off the GUI thread; stateChanged() follows. Jobs of the previous
  // engine end with a "cancelled" event; jobs submitted while connecting wait for the new engine.
  void connectTo(const QString& spec);
  void connectTo(const EngineConnection& connection);  // the same, for a saved connection
  QString spec() const { return m_spec; }              // the command line ("" in-process)
  QString connectionName() const { return m_name; }    // the saved connection's name, if any
  State state() const { return m_state; }
  QString errorMessage() const { return m_error; }             // why the last connection failed
  const nlohmann::json& handshake() const { return m_hello; }  // hello() of the connected engine
  QString description() const;    // "in-process", "ssh gpu1", ... (the engine's describe())
  QString host() const;           // the engine's hostname (handshake)
  QString deviceSummary() const;  // "NVIDIA H100 80GB · 79.6 GiB", or "CPU"
  // provenance.engine of results it made, as `srdd scan --engine` writes it: {name, host, engine_version,
  // commit, torch_version}.
  nlohmann::json provenance() const;
  bool isInProcess() const { return m_spec.trimmed().isEmpty() || m_spec.trimmed() == "in-process"; }

  // Queues REQUEST (engine request JSON) and returns the client job id at once. HANDLER is called on
  // the GUI thread for each of the job's events, the last one final; never after CONTEXT is destroyed.
  quint64 submit(const nlohmann::json& request, QObject* context, JobHandler handler);
  void cancel(quint64 job);  // the job's final event follows ("cancelled", or its result if it was done)
  bool isBusy() const { return !m_jobs.empty(); }
  int activeJobs() const { return static_cast<int>(m_jobs.size()); }
  quint64 jobsSubmitted() const { return m_lastId; }

  // LibTorch intra-op threads the GUI process gives the in-process engine: one core less than the
  // machine has (at least 1), so the GUI thread is never starved; SRDD_THREADS / OMP_NUM_THREADS override it.
  static int guiEngineThreads();

 Q_SIGNALS:
  void stateChanged(srdd_gui::EngineClient::State state);
  void busyChanged(bool busy);

 private:
  struct Shared;  // what the engine's threads and this object share (one per engine)
  struct Job {
    nlohmann::json request;
    QPointer<QObject> context;
    JobHandler handler;
    uint64_t engineId = 0;  // 0 until submitted to the engine
    bool submitted = false;
    bool cancelRequested = false;
  };
  using Factory = std::function<std::unique_ptr<srdd::engine::Engine>()>;
  void start(const QString& spec, const QString& name, Factory factory);
  void adopt(std::unique_ptr<srdd::engine::Engine> engine, const nlohmann::json& hello, quint64 generation);
  void failConnection(const QString& message, quint64 generation);
  void submitToEngine(quint64 id);
  void deliver(quint64 generation, JobEvent event);
  void pollProgress();
  void endJob(quint64 id, JobEvent event);
  void retire();  // hands the current engine to a thread that destroys it

  QString m_spec, m_name;
  State m_state = State::Connecting;
  QString m_error;
  nlohmann::json m_hello;
  std::unique_ptr<srdd::engine::Engine> m_engine;
  std::shared_ptr<Shared> m_shared;
  quint64 m_generation = 0;
  quint64 m_lastId = 0;
  std::map<quint64, Job> m_jobs;  // jobs without their final event
  QTimer* m_poll;
  QThread* m_connecting = nullptr;
  std::set<QThread*> m_reapers;  // threads destroying retired engines
};

}  // namespace srdd_gui

Q_DECLARE_METATYPE(srdd_gui::EngineClient::State)
