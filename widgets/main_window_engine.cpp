// MainWindow: the Engine menu (connections, browsing models on the engine's host), the status-bar
// indicator, and what changes when the engine moves to another host (devices, path checks).
#include "main_window.h"

#include "aqn/aqn_workspace.h"
#include "engine/engine_client.h"
#include "engine/engine_dialog.h"
#include "engine/engine_status_widget.h"
#include "engine/remote_model_picker.h"
#include "scan/scan_setup_panel.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>

namespace srdd_gui {

void MainWindow::createEngineMenu(QMenu* menu) {
  QAction* connections = menu->addAction(tr("&Connections\u2026"), this, [this] { showEngineDialog(); });
  connections->setObjectName(QStringLiteral("engineConnections"));
  connections->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_G);
  QAction* browse = menu->addAction(tr("&Browse Models on Engine Host\u2026"), this, [this] { browseEngineModels(); });
  browse->setObjectName(QStringLiteral("browseEngineModels"));
  QAction* reconnect = menu->addAction(tr("&Reconnect"), this, [this] {
    if (m_engine->connectionName().isEmpty())
      m_engine->connectTo(m_engine->spec());
    else
      connectEngine(m_engine->connectionName());
  });
  reconnect->setObjectName(QStringLiteral("reconnectEngine"));
}

void MainWindow::createEngineStatus() {
  m_engineStatus = new EngineStatusWidget(m_engine);
  statusBar()->addPermanentWidget(m_engineStatus);
  connect(m_engineStatus, &EngineStatusWidget::clicked, this, [this] { showEngineDialog(); });
  connect(m_engine, &EngineClient::stateChanged, this, &MainWindow::onEngineStateChanged);
}

void MainWindow::onEngineStateChanged() {
  const bool remote = !m_engine->isInProcess();
  if (m_engine->state() == EngineClient::State::Connected) {
    QStringList devices;
    for (const auto& d : m_engine->handshake().value("devices", nlohmann::json::array()))
      if (d.is_object() && d.contains("device")) devices << QString::fromStdString(d.value("device", ""));
    m_setup->setEngineHost(remote ? devices : QStringList(), remote);
    setStatus(tr("Engine: %1 on %2 (%3)").arg(m_engine->description(), m_engine->host(), m_engine->deviceSummary()));
  } else if (m_engine->state() == EngineClient::State::Failed) {
    m_setup->setEngineHost({}, remote);
    showError(tr("Engine %1: %2").arg(m_engine->description(), m_engine->errorMessage()));
    setStatus(tr("Engine not connected: %1").arg(m_engine->errorMessage()));
  } else {
    m_setup->setEngineHost({}, remote);
    setStatus(tr("Connecting to the engine (%1)\u2026").arg(m_engine->spec()));
  }
}

EngineDialog* MainWindow::showEngineDialog() {
  auto* dialog = new EngineDialog(m_engine, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setWindowModality(Qt::WindowModal);
  dialog->show();
  return dialog;
}

RemoteModelPicker* MainWindow::browseEngineModels() {
  const QString start = m_summary ? QString::fromStdString(m_summary->directory) : QString();
  auto* picker = new RemoteModelPicker(m_engine, start, this);
  picker->setAttribute(Qt::WA_DeleteOnClose);
  picker->setWindowModality(Qt::WindowModal);
  connect(picker, &QDialog::accepted, this, [this, picker] {
    const QString dir = picker->selectedModel();
    if (dir.isEmpty()) return;
    m_setup->setModelDirectory(dir);
    openModel(dir);
  });
  picker->show();
  return picker;
}

bool MainWindow::connectEngine(const QString& nameOrCommand) {
  QSettings settings;
  for (const EngineConnection& c : EngineConnection::loadAll(settings))
    if (c.name == nameOrCommand) {
      m_engine->connectTo(c);
      return true;
    }
  m_engine->connectTo(nameOrCommand);  // a command line, or "" / "in-process"
  return false;
}

void MainWindow::restoreEngine() {
  QSettings settings;
  const QString name = EngineConnection::currentName(settings);
  if (name != EngineConnection::inProcess().name) connectEngine(name);
}

}  // namespace srdd_gui
