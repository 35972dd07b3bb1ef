#include "engine/engine_dialog.h"

#include "engine/engine_client.h"
#include "engine/handshake_text.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace srdd_gui {

namespace {
using Kind = EngineConnection::Kind;

QString uniqueName(const QList<EngineConnection>& all, const QString& base) {
  auto taken = [&](const QString& n) {
    return std::any_of(all.begin(), all.end(), [&](const EngineConnection& c) { return c.name == n; });
  };
  if (!taken(base)) return base;
  for (int i = 2;; ++i)
    if (!taken(QStringLiteral("%1 %2").arg(base).arg(i))) return QStringLiteral("%1 %2").arg(base).arg(i);
}
}  // namespace

EngineDialog::EngineDialog(EngineClient* app, QWidget* parent) : QDialog(parent), m_app(app) {
  setWindowTitle(tr("Engine Connections"));
  setObjectName(QStringLiteral("engineDialog"));
  QSettings settings;
  m_connections = EngineConnection::loadAll(settings);

  m_list = new QListWidget;
  m_list->setObjectName(QStringLiteral("connections"));
  m_add = new QPushButton(tr("Add"));
  m_remove = new QPushButton(tr("Remove"));
  auto* listButtons = new QHBoxLayout;
  listButtons->addWidget(m_add);
  listButtons->addWidget(m_remove);
  auto* left = new QVBoxLayout;
  left->addWidget(m_list, 1);
  left->addLayout(listButtons);

  buildForm();

  auto* right = new QVBoxLayout;
  auto* formBox = new QGroupBox(tr("Connection"));
  formBox->setLayout(m_form);
  right->addWidget(formBox);
  m_test = new QPushButton(tr("Test connection"));
  m_test->setObjectName(QStringLiteral("testConnection"));
  m_status = new QLabel;
  m_status->setObjectName(QStringLiteral("testStatus"));
  m_status->setWordWrap(true);
  m_status->setMinimumWidth(200);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* testRow = new QHBoxLayout;
  testRow->addWidget(m_test);
  testRow->addWidget(m_status, 1);
  right->addLayout(testRow);
  auto* hsBox = new QGroupBox(tr("Handshake"));
  m_handshakeBox = hsBox;
  m_handshake = new QFormLayout(hsBox);
  m_handshake->addRow(new QLabel(tr("Press \u201cTest connection\u201d to start the engine and read its handshake.")));
  right->addWidget(hsBox, 1);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  m_connect = buttons->addButton(tr("Connect"), QDialogButtonBox::AcceptRole);
  m_connect->setObjectName(QStringLiteral("connectEngine"));
  m_connect->setToolTip(tr("Use this engine for model info, scans and AQN runs"));
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(m_connect, &QPushButton::clicked, this, &EngineDialog::connectApp);

  auto* columns = new QHBoxLayout;
  columns->addLayout(left, 1);
  columns->addLayout(right, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(columns, 1);
  layout->addWidget(buttons);

  for (const EngineConnection& c : m_connections) m_list->addItem(c.name);
  connect(m_list, &QListWidget::currentRowChanged, this, &EngineDialog::showConnection);
  connect(m_add, &QPushButton::clicked, this, [this] {
    EngineConnection c;
    c.kind = Kind::Ssh;
    c.name = uniqueName(m_connections, tr("New connection"));
    addConnection(c);
    m_host->setFocus();
  });
  connect(m_remove, &QPushButton::clicked, this, [this] {
    const int row = m_list->currentRow();
    if (row <= 0) return;  // the in-process engine stays
    m_connections.removeAt(row);
    delete m_list->takeItem(row);
    save();
  });
  connect(m_test, &QPushButton::clicked, this, &EngineDialog::testConnection);
  const QString currentName =
      m_app->connectionName().isEmpty() ? EngineConnection::currentName(settings) : m_app->connectionName();
  selectConnection(currentName);
  if (m_list->currentRow() < 0) m_list->setCurrentRow(0);
  resize(900, 680);
}

EngineDialog::~EngineDialog() = default;

void EngineDialog::buildForm() {
  m_form = new QFormLayout;
  m_name = new QLineEdit;
  m_name->setObjectName(QStringLiteral("connectionName"));
  m_kind = new QComboBox;
  m_kind->setObjectName(QStringLiteral("connectionKind"));
  m_kind->addItem(tr("In-process (this app)"), static_cast<int>(Kind::InProcess));
  m_kind->addItem(tr("Local process (a srdd binary)"), static_cast<int>(Kind::LocalProcess));
  m_kind->addItem(tr("SSH (srdd on another host)"), static_cast<int>(Kind::Ssh));
  m_program = new QLineEdit;
  m_program->setObjectName(QStringLiteral("program"));
  m_program->setPlaceholderText(tr("/opt/srdd/bin/srdd (e.g. the CUDA build of packaging/build-gpu.sh)"));
  auto* browse = new QToolButton;
  browse->setText(tr("…"));
  connect(browse, &QToolButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("srdd binary"), m_program->text());
    if (!f.isEmpty()) m_program->setText(f);
  });
  auto* programRow = new QHBoxLayout;
  programRow->addWidget(m_program, 1);
  programRow->addWidget(browse);
  m_host = new QLineEdit;
  m_host->setObjectName(QStringLiteral("host"));
  m_host->setPlaceholderText(tr("gpu1 (a name from ~/.ssh/config works)"));
  m_user = new QLineEdit;
  m_user->setObjectName(QStringLiteral("user"));
  m_user->setPlaceholderText(tr("from ssh config"));
  m_port = new QSpinBox;
  m_port->setObjectName(QStringLiteral("port"));
  m_port->setRange(0, 65535);
  m_port->setSpecialValueText(tr("default"));
  m_wrapper = new QLineEdit;
  m_wrapper->setObjectName(QStringLiteral("wrapper"));
  m_wrapper->setPlaceholderText(tr("optional, e.g. docker exec -i CONTAINER"));
  m_remoteProgram = new QLineEdit;
  m_remoteProgram->setObjectName(QStringLiteral("remoteProgram"));
  m_remoteProgram->setPlaceholderText(QStringLiteral("srdd"));
  m_sshOptions = new QLineEdit;
  m_sshOptions->setObjectName(QStringLiteral("sshOptions"));
  m_sshOptions->setPlaceholderText(tr("optional extra ssh arguments, e.g. -J jumphost"));
  m_command = new QLabel;
  m_command->setObjectName(QStringLiteral("commandLine"));
  m_command->setWordWrap(true);
  m_command->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_command->setStyleSheet(QStringLiteral("QLabel { font-family: monospace; }"));
  m_problem = new QLabel;
  m_problem->setObjectName(QStringLiteral("connectionProblem"));
  m_problem->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; }"));
  m_form->addRow(tr("Name:"), m_name);
  m_form->addRow(tr("Kind:"), m_kind);
  m_form->addRow(tr("srdd binary:"), programRow);
  m_form->addRow(tr("Host:"), m_host);
  m_form->addRow(tr("User:"), m_user);
  m_form->addRow(tr("Port:"), m_port);
  m_form->addRow(tr("Wrapper:"), m_wrapper);
  m_form->addRow(tr("Remote srdd:"), m_remoteProgram);
  m_form->addRow(tr("SSH options:"), m_sshOptions);
  m_form->addRow(tr("Command:"), m_command);
  m_form->addRow(m_problem);
  m_kind->setToolTip(
      tr("SSH uses your ssh config and agent (no password prompts); nothing is stored but these "
         "fields, and the app opens no ports."));
  for (QLineEdit* e : {m_name, m_program, m_host, m_user, m_wrapper, m_remoteProgram, m_sshOptions})
    connect(e, &QLineEdit::textEdited, this, &EngineDialog::readForm);
  connect(m_port, &QSpinBox::valueChanged, this, &EngineDialog::readForm);
  connect(m_kind, &QComboBox::currentIndexChanged, this, &EngineDialog::readForm);
}

EngineConnection EngineDialog::current() const {
  const int row = m_list->currentRow();
  return row >= 0 && row < m_connections.size() ? m_connections[row] : EngineConnection::inProcess();
}

void EngineDialog::selectConnection(const QString& name) {
  for (int i = 0; i < m_connections.size(); ++i)
    if (m_connections[i].name == name) return m_list->setCurrentRow(i);
}

void EngineDialog::addConnection(const EngineConnection& c) {
  for (int i = 0; i < m_connections.size(); ++i)
    if (m_connections[i].name == c.name && i > 0) {
      m_connections[i] = c;
      showConnection(i);
      m_list->setCurrentRow(i);
      save();
      return;
    }
  m_connections << c;
  m_list->addItem(c.name);
  m_list->setCurrentRow(m_connections.size() - 1);
  save();
}

void EngineDialog::showConnection(int row) {
  if (row < 0 || row >= m_connections.size()) return;
  const EngineConnection& c = m_connections[row];
  m_filling = true;
  m_name->setText(c.name);
  m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(c.kind)));
  m_program->setText(c.program);
  m_host->setText(c.host);
  m_user->setText(c.user);
  m_port->setValue(c.port);
  m_wrapper->setText(c.wrapper);
  m_remoteProgram->setText(c.remoteProgram);
  m_sshOptions->setText(c.sshOptions);
  m_filling = false;
  updateFormState();
}

void EngineDialog::readForm() {
  const int row = m_list->currentRow();
  if (m_filling || row <= 0 || row >= m_connections.size()) return;
  EngineConnection& c = m_connections[row];
  c.name = m_name->text().trimmed();
  c.kind = static_cast<Kind>(m_kind->currentData().toInt());
  c.program = m_program->text();
  c.host = m_host->text();
  c.user = m_user->text();
  c.port = m_port->value();
  c.wrapper = m_wrapper->text();
  c.remoteProgram = m_remoteProgram->text();
  c.sshOptions = m_sshOptions->text();
  m_list->item(row)->setText(c.name);
  updateFormState();
  save();
}

void EngineDialog::updateFormState() {
  const int row = m_list->currentRow();
  const EngineConnection c = current();
  const bool builtIn = row == 0;
  m_remove->setEnabled(!builtIn);
  m_name->setEnabled(!builtIn);
  m_kind->setEnabled(!builtIn);
  const bool local = c.kind == Kind::LocalProcess, ssh = c.kind == Kind::Ssh;
  m_program->setEnabled(local);
  for (QWidget* w : std::initializer_list<QWidget*>{m_host, m_user, m_port, m_wrapper, m_remoteProgram, m_sshOptions})
    w->setEnabled(ssh);
  QString problem = c.validationError();
  if (problem.isEmpty()) {
    try {
      m_command->setText(c.commandLine());
    } catch (const std::exception& e) {
      problem = QString::fromStdString(e.what());
    }
  }
  if (!problem.isEmpty()) m_command->clear();
  m_problem->setText(problem);
  m_problem->setVisible(!problem.isEmpty());
  m_test->setEnabled(problem.isEmpty() && !isTesting());
  m_connect->setEnabled(problem.isEmpty());
}

bool EngineDialog::isTesting() const { return m_probe && m_probe->state() == EngineClient::State::Connecting; }

QString EngineDialog::testStatus() const { return m_status->text(); }

void EngineDialog::testConnection() {
  const EngineConnection c = current();
  if (!c.validationError().isEmpty()) return;
  m_probe = std::make_unique<EngineClient>();  // in-process first; then the engine under test
  m_rows.clear();
  showHandshake(nlohmann::json());
  m_status->setText(tr("Connecting to %1\u2026").arg(c.name));
  m_testStarted = QDateTime::currentMSecsSinceEpoch();
  EngineClient* probe = m_probe.get();
  connect(probe, &EngineClient::stateChanged, this, [this, probe](EngineClient::State s) {
    if (probe != m_probe.get() || s == EngineClient::State::Connecting) return;
    const double seconds = static_cast<double>(QDateTime::currentMSecsSinceEpoch() - m_testStarted) / 1000.0;
    const bool ok = s == EngineClient::State::Connected;
    if (ok) {
      m_status->setText(tr("Connected in %1 s").arg(seconds, 0, 'f', 1));
      m_status->setStyleSheet(QString());
      showHandshake(probe->handshake());
    } else {
      m_status->setText(probe->errorMessage());
      m_status->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; }"));
    }
    updateFormState();
    Q_EMIT tested(ok);
  });
  probe->connectTo(c);
  updateFormState();
}

void EngineDialog::showHandshake(const nlohmann::json& hello) {
  while (m_handshake->rowCount() > 0) m_handshake->removeRow(0);
  m_rows = srdd_gui::handshakeRows(hello);
  int device = 0;
  for (const auto& [label, value] : m_rows) {
    auto* v = new QLabel(value.isEmpty() ? QStringLiteral("\u2013") : value);
    v->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->setWordWrap(true);  // an ssh engine describes itself by its whole command line
    v->setObjectName(label == "Device" ? QStringLiteral("hs_device_%1").arg(device++)
                                       : QStringLiteral("hs_") + QString(label).toLower().replace(' ', '_'));
    m_handshake->addRow(label + QLatin1Char(':'), v);
  }
}

void EngineDialog::save() const {
  QSettings s;
  EngineConnection::saveAll(s, m_connections);
}

void EngineDialog::connectApp() {
  const EngineConnection c = current();
  if (!c.validationError().isEmpty()) return;
  save();
  QSettings s;
  EngineConnection::setCurrentName(s, c.name);
  m_app->connectTo(c);
  accept();
}

}  // namespace srdd_gui
