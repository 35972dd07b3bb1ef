#include "model_loader.h"

#include <srdd/error.h>

namespace srdd_gui {

ModelLoader::ModelLoader(EngineClient* client, QObject* parent)
    : QObject(parent), m_client(client ? client : new EngineClient(this)) {}

ModelLoader::~ModelLoader() {
  for (quint64 id : m_open) m_client->cancel(id);
}

quint64 ModelLoader::load(const QString& directory) {
  const bool wasBusy = isBusy();
  if (m_pending) m_client->cancel(m_pending);  // superseded: its result would be dropped anyway
  const nlohmann::json request = {{"type", "info"}, {"model", directory.toStdString()}};
  const quint64 id = m_client->submit(request, this, [this, directory](const JobEvent& e) {
    if (!e.isFinal()) return;
    m_open.erase(e.job);
    if (e.job == m_pending) {
      m_pending = 0;
      if (e.type == "result") {
        try {
          Q_EMIT loaded(e.job, srdd::modelSummaryFromJson(e.body));
        } catch (const std::exception& x) {
          Q_EMIT failed(e.job, directory, directory + QStringLiteral(": ") + QString::fromStdString(x.what()));
        }
      } else if (e.type == "error") {
        Q_EMIT failed(e.job, directory, e.message());
      } else {
        Q_EMIT failed(e.job, directory, directory + QStringLiteral(": loading was cancelled"));
      }
      Q_EMIT busyChanged(false);
    }
    if (m_open.empty()) Q_EMIT workersFinished();
  });
  m_pending = id;
  m_open.insert(id);
  Q_EMIT started(id, directory);
  if (!wasBusy) Q_EMIT busyChanged(true);
  return id;
}

}  // namespace srdd_gui
