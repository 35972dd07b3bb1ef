#include "model_loader.h"

#include <srdd/error.h>

#include <QThread>

#include <algorithm>
#include <exception>
#include <memory>
#include <optional>

namespace srdd_gui {

namespace {
struct Outcome {
  std::optional<srdd::ModelSummary> summary;
  QString error;
};
}  // namespace

ModelLoader::ModelLoader(QObject* parent) : QObject(parent) {}

ModelLoader::~ModelLoader() {
  for (QThread* t : m_workers) {
    t->disconnect(this);
    t->wait();
    delete t;
  }
}

quint64 ModelLoader::load(const QString& directory) {
  const quint64 id = ++m_lastId;
  const bool wasBusy = isBusy();
  m_pending = id;
  auto outcome = std::make_shared<Outcome>();
  const std::string dir = directory.toStdString();
  QThread* worker = QThread::create([outcome, dir] {
    try {
      outcome->summary = srdd::summarizeModel(dir);
    } catch (const srdd::Error& e) {
      outcome->error = QString::fromStdString(e.what());
    } catch (const std::exception& e) {
      outcome->error = QString::fromStdString(dir) + ": unexpected error: " + QString::fromLocal8Bit(e.what());
    } catch (...) {
      outcome->error = QString::fromStdString(dir) + ": unexpected error while reading the model";
    }
  });
  m_workers.push_back(worker);
  // Delivered on this object's (the GUI) thread once the worker has ended.
  connect(worker, &QThread::finished, this, [this, worker, outcome, id, directory] {
    m_workers.erase(std::remove(m_workers.begin(), m_workers.end(), worker), m_workers.end());
    worker->deleteLater();
    if (id == m_pending) {
      m_pending = 0;
      if (outcome->summary)
        Q_EMIT loaded(id, *outcome->summary);
      else
        Q_EMIT failed(id, directory, outcome->error);
      Q_EMIT busyChanged(false);
    }
    if (m_workers.empty()) Q_EMIT workersFinished();
  });
  Q_EMIT started(id, directory);
  if (!wasBusy) Q_EMIT busyChanged(true);
  worker->start();
  return id;
}

}  // namespace srdd_gui
