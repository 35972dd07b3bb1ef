#include "aqn/aqn_workspace.h"

#include "aqn/aqn_dialog.h"
#include "aqn/aqn_job_queue.h"
#include "aqn/aqn_progress_delegate.h"
#include "aqn/aqn_results_view.h"
#include "open_error_dialog.h"

#include <srdd/error.h>

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace srdd_gui {

AqnWorkspace::AqnWorkspace(EngineClient* client, QWidget* parent)
    : QWidget(parent), m_queue(new AqnJobQueue(client, this)), m_runRoot(QDir::homePath() + QStringLiteral("/srdd-runs")) {
  m_runAction = new QAction(tr("Run AQN…"), this);
  m_runAction->setToolTip(tr("Compare AQN training on the target set against other layer sets"));
  m_openAction = new QAction(tr("Open AQN Run Directory…"), this);
  connect(m_runAction, &QAction::triggered, this, [this] { showRunDialog(); });
  connect(m_openAction, &QAction::triggered, this, &AqnWorkspace::chooseRunDirectory);

  auto* runButton = new QToolButton;
  runButton->setDefaultAction(m_runAction);
  runButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
  auto* openButton = new QToolButton;
  openButton->setDefaultAction(m_openAction);
  m_cancel = new QPushButton(tr("Cancel job"));
  m_remove = new QPushButton(tr("Remove job"));
  m_cancel->setToolTip(tr("Stop the selected job; its finished runs stay in the run directory and resume later"));
  connect(m_cancel, &QPushButton::clicked, this, [this] { m_queue->cancel(selectedJob()); });
  connect(m_remove, &QPushButton::clicked, this, [this] { m_queue->remove(selectedJob()); });

  m_queueView = new QTableView;
  m_queueView->setObjectName(QStringLiteral("aqnQueue"));
  m_queueView->setModel(m_queue);
  m_queueView->setItemDelegateForColumn(AqnJobQueue::Progress, new AqnProgressDelegate(m_queueView));
  m_queueView->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_queueView->setSelectionMode(QAbstractItemView::SingleSelection);
  m_queueView->verticalHeader()->hide();
  m_queueView->setWordWrap(false);
  auto* header = m_queueView->horizontalHeader();
  header->setSectionResizeMode(QHeaderView::Interactive);
  header->setStretchLastSection(true);
  header->resizeSection(AqnJobQueue::Name, 170);
  header->resizeSection(AqnJobQueue::Status, 90);
  header->resizeSection(AqnJobQueue::Progress, 130);
  header->resizeSection(AqnJobQueue::Stage, 260);
  header->resizeSection(AqnJobQueue::Eta, 70);

  m_results = new AqnResultsView;
  m_status = new QLabel;
  m_status->setObjectName(QStringLiteral("aqnStatus"));
  m_status->setWordWrap(true);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* bar = new QHBoxLayout;
  bar->addWidget(runButton);
  bar->addWidget(openButton);
  bar->addStretch();
  bar->addWidget(m_cancel);
  bar->addWidget(m_remove);
  auto* queueBox = new QWidget;
  auto* queueLayout = new QVBoxLayout(queueBox);
  queueLayout->setContentsMargins(0, 0, 0, 0);
  queueLayout->addLayout(bar);
  queueLayout->addWidget(m_queueView, 1);
  queueLayout->addWidget(m_status);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(queueBox);
  split->addWidget(m_results);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 4);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);

  connect(m_queueView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
    updateButtons();
    const AqnJob* j = m_queue->job(selectedJob());
    if (j && j->state == AqnJobState::Finished) showJob(j->id);
  });
  connect(m_queue, &QAbstractItemModel::dataChanged, this, &AqnWorkspace::updateButtons);
  connect(m_queue, &QAbstractItemModel::rowsRemoved, this, &AqnWorkspace::updateButtons);
  connect(m_queue, &AqnJobQueue::jobStarted, this, [this](quint64 id) {
    setStatus(tr("Running %1…").arg(m_queue->job(id)->name));
  });
  connect(m_queue, &AqnJobQueue::jobFinished, this, [this](quint64 id) {
    setStatus(tr("%1 finished.").arg(m_queue->job(id)->name));
    const quint64 selected = selectedJob();
    if (m_shownJob == 0 || selected == 0 || selected == id) selectJob(id);
  });
  connect(m_queue, &AqnJobQueue::jobCancelled, this, [this](quint64 id) {
    setStatus(tr("%1 cancelled; its finished runs stay in %2.")
                  .arg(m_queue->job(id)->name, QDir::toNativeSeparators(m_queue->job(id)->runDirectory)));
  });
  connect(m_queue, &AqnJobQueue::jobFailed, this, [this](quint64 id, const QString& message) {
    setStatus(tr("%1 failed: %2").arg(m_queue->job(id)->name, message), true);
  });
  updateButtons();
}

AqnWorkspace::~AqnWorkspace() = default;

void AqnWorkspace::setModelDirectory(const QString& dir) { m_modelDir = dir; }
void AqnWorkspace::setNumLayers(int numLayers) { m_numLayers = numLayers; }
void AqnWorkspace::setTargets(const QList<int>& layers) { m_targets = layers; }
void AqnWorkspace::setRunRoot(const QString& dir) { m_runRoot = dir; }

QString AqnWorkspace::newRunDirectory() const {
  // On an engine host the run goes under that user's home: a relative path, made absolute by the engine.
  const QString root = m_queue->client()->isInProcess() ? m_runRoot : QStringLiteral("srdd-runs");
  return QDir(root).filePath(QStringLiteral("aqn-") +
                                  QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
}

AqnDialog* AqnWorkspace::showRunDialog() {
  auto* dialog = new AqnDialog(this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setWindowModality(Qt::WindowModal);
  if (m_lastSettings) dialog->setSettings(*m_lastSettings);
  dialog->setModelDirectory(m_modelDir);
  dialog->setNumLayers(m_numLayers);
  dialog->setTargets(m_targets);
  dialog->setRemoteEngine(!m_queue->client()->isInProcess());
  dialog->setRunDirectory(newRunDirectory());
  connect(dialog, &QDialog::accepted, this, [this, dialog] {
    try {
      enqueue(dialog->settings(), dialog->runDirectory(), dialog->force());
    } catch (const srdd::Error& e) {
      QMessageBox::warning(this, tr("Run AQN"), QString::fromStdString(e.what()));
    }
  });
  dialog->show();
  return dialog;
}

quint64 AqnWorkspace::enqueue(const srdd::aqn::ComparisonSettings& settings, const QString& runDir, bool force) {
  const quint64 id = m_queue->enqueue(settings, runDir, force);
  m_lastSettings = settings;
  if (selectedJob() == 0) selectJob(id);
  return id;
}

bool AqnWorkspace::openRunDirectory(const QString& dir) {
  try {
    m_results->openRunDirectory(dir);
  } catch (const srdd::Error& e) {
    setStatus(QString::fromStdString(e.what()), true);
    showOpenErrorDialog(this, tr("Cannot Open AQN Run"), QString::fromStdString(e.what()));
    return false;
  }
  m_shownJob = 0;
  m_queueView->clearSelection();
  setStatus(tr("Showing %1").arg(QDir::toNativeSeparators(m_results->runDirectory())));
  Q_EMIT resultShown(0);
  return true;
}

void AqnWorkspace::chooseRunDirectory() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open AQN run directory"), m_runRoot);
  if (!dir.isEmpty()) openRunDirectory(dir);
}

void AqnWorkspace::showJob(quint64 id) {
  const AqnJob* j = m_queue->job(id);
  if (!j || !j->result || m_shownJob == id) return;
  m_results->setResult(*j->result, j->localDirectory.isEmpty() ? j->runDirectory : j->localDirectory);
  m_shownJob = id;
  Q_EMIT resultShown(id);
}

quint64 AqnWorkspace::selectedJob() const {
  const QModelIndex current = m_queueView->selectionModel()->currentIndex();
  if (!current.isValid() || !m_queueView->selectionModel()->isRowSelected(current.row(), {})) return 0;
  return current.data(AqnJobIdRole).toULongLong();
}

void AqnWorkspace::selectJob(quint64 id) {
  const int row = m_queue->rowOf(id);
  if (row < 0) return;
  m_queueView->selectionModel()->setCurrentIndex(m_queue->index(row, 0), QItemSelectionModel::ClearAndSelect |
                                                                              QItemSelectionModel::Rows);
  const AqnJob* j = m_queue->job(id);
  if (j->state == AqnJobState::Finished) showJob(id);
}

void AqnWorkspace::updateButtons() {
  const AqnJob* j = m_queue->job(selectedJob());
  m_cancel->setEnabled(j && (j->state == AqnJobState::Queued || j->state == AqnJobState::Running));
  m_remove->setEnabled(j && !j->isActive());
}

void AqnWorkspace::setStatus(const QString& text, bool error) {
  m_status->setText(text);
  m_status->setStyleSheet(error ? QStringLiteral("QLabel { color: #c0392b; }") : QString());
}

QString AqnWorkspace::statusText() const { return m_status->text(); }

}  // namespace srdd_gui
