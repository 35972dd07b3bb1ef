#pragma once
// Engine → Connections…: the saved connections (in-process, a local srdd binary, srdd over ssh with an
// optional wrapper), "Test connection" (starts the engine and shows its handshake: versions, host, GPUs
// with memory) without touching the app's engine, and "Connect", which switches the app's engine client.
#include "engine/engine_connection.h"

#include <nlohmann/json.hpp>

#include <QDialog>

#include <memory>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace srdd_gui {

class EngineClient;

class EngineDialog : public QDialog {
  Q_OBJECT
 public:
  // APP is the app's client: Connect switches it. Connections are read from and saved to QSettings.
  explicit EngineDialog(EngineClient* app, QWidget* parent = nullptr);
  ~EngineDialog() override;

  QList<EngineConnection> connections() const { return m_connections; }
  EngineConnection current() const;  // the selected connection as edited
  void selectConnection(const QString& name);
  // Adds (or replaces, by name) a connection, selects it and saves.
  void addConnection(const EngineConnection& c);

  void testConnection();  // starts the selected engine on the side; the handshake rows follow
  bool isTesting() const;
  QString testStatus() const;  // "Connected in 0.4 s", or the error
  // The handshake of the last successful test as (label, value), e.g. ("Device", "cuda:0 · H100 · 79.1 GiB").
  QList<QPair<QString, QString>> handshakeRows() const { return m_rows; }
  void connectApp();  // saves, makes the selection the app's engine, closes

  QListWidget* list() const { return m_list; }
  QPushButton* testButton() const { return m_test; }

 Q_SIGNALS:
  void tested(bool ok);

 private:
  void buildForm();
  void showConnection(int row);
  void readForm();  // form -> m_connections[row], saved
  void updateFormState();
  void showHandshake(const nlohmann::json& hello);
  void save() const;

  EngineClient* m_app;
  std::unique_ptr<EngineClient> m_probe;  // the engine under test
  qint64 m_testStarted = 0;
  QList<EngineConnection> m_connections;
  QList<QPair<QString, QString>> m_rows;
  bool m_filling = false;
  QListWidget* m_list;
  QPushButton *m_add, *m_remove, *m_test, *m_connect;
  QLineEdit *m_name, *m_program, *m_host, *m_user, *m_wrapper, *m_remoteProgram, *m_sshOptions;
  QComboBox* m_kind;
  QSpinBox* m_port;
  QLabel *m_command, *m_problem, *m_status;
  QFormLayout* m_form;
  QFormLayout* m_handshake;
  QWidget* m_handshakeBox;
};

}  // namespace srdd_gui
