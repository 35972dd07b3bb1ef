#include "aqn/aqn_workspace.h"

#include "aqn/aqn_dialog.h"
#include "aqn/aqn_job_queue.h"
#include "aqn/aqn_partial_run_panel.h"
#include "aqn/aqn_progress_delegate.h"
#include "aqn/aqn_results_view.h"
#include "aqn/aqn_run_directory.h"
#include "model_path.h"
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

#include <algorithm>

namespace srdd_gui {

AqnWorkspace::AqnWorkspace(EngineClient* client, QWidget* parent)
    : QWidget(parent),
      m_queue(new AqnJobQueue(client, this)),
      m_runRoot(QDir::homePath() + QStringLiteral("/srdd-runs")) {
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
  m_resume = new QPushButton(tr("Resume job"));
  m_resume->setObjectName(QStringLiteral("resumeJob"));
  m_resume->setToolTip(tr("Queue the stopped job again: its finished runs are kept, the rest is trained"));
  connect(m_resume, &QPushButton::clicked, this, [this] {
    const AqnJob* j = m_queue->job(selectedJob());
    if (!j) return;
    try {
      enqueue(j->settings, j->runDirectory);
    } catch (const srdd::Error& e) {
      setStatus(QString::fromStdString(e.what()), true);
    }
  });

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
  m_partial = new AqnPartialRunPanel;
  connect(m_partial, &AqnPartialRunPanel::resumeRequested, this, [this] {
    try {
      resumeRunDirectory();
    } catch (const srdd::Error& e) {
      setStatus(QString::fromStdString(e.what()), true);
    }
  });

  auto* bar = new QHBoxLayout;
  bar->addWidget(runButton);
  bar->addWidget(openButton);
  bar->addStretch();
  bar->addWidget(m_cancel);
  bar->addWidget(m_resume);
  bar->addWidget(m_remove);
  auto* queueBox = new QWidget;
  auto* queueLayout = new QVBoxLayout(queueBox);
  queueLayout->setContentsMargins(0, 0, 0, 0);
  queueLayout->addLayout(bar);
  queueLayout->addWidget(m_queueView, 1);
  queueLayout->addWidget(m_status);
  queueLayout->addWidget(m_partial);
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
  connect(m_queue, &AqnJobQueue::jobStarted, this,
          [this](quint64 id) { setStatus(tr("Running %1…").arg(m_queue->job(id)->name)); });
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

namespace {

namespace aqn = srdd::aqn;

// What carries over to a model without settings of its own: everything but its layer sets and data files.
aqn::ComparisonSettings withoutModelParts(aqn::ComparisonSettings s) {
  s.modelDirectory.clear();
  s.targets.clear();
  for (const auto& [name, layers] : s.custom)
    s.configs.erase(std::remove(s.configs.begin(), s.configs.end(), name), s.configs.end());
  s.custom.clear();
  s.data.trainPath.clear();
  s.data.evalPath.clear();
  return s;
}

}  // namespace

void AqnWorkspace::setModelDirectory(const QString& dir, bool found) {
  const bool local = m_queue->client()->isInProcess();
  m_modelFound = found;
  if (sameModelPath(dir, m_modelDir, local)) return;
  if (m_lastSettings) m_settingsByModel.insert(m_modelDir, *m_lastSettings);
  const auto stashed = m_settingsByModel.constFind(dir);
  if (stashed != m_settingsByModel.cend())
    m_lastSettings = *stashed;
  else if (m_lastSettings)
    m_lastSettings = withoutModelParts(*m_lastSettings);
  m_modelDir = dir;
  const srdd::aqn::ComparisonResult* shown = m_results->result();
  if (shown && !sameModelPath(QString::fromStdString(shown->settings.modelDirectory), dir, local)) {
    m_results->clear();
    m_partial->hide();
    m_partialSettings.reset();
    m_shownJob = 0;
    m_queueView->clearSelection();
  }
}

void AqnWorkspace::relocateModel(const QString& dir) {
  if (m_lastSettings) m_lastSettings->modelDirectory = dir.toStdString();
  m_modelDir = dir;
  m_modelFound = true;
  if (m_dialog) m_dialog->setModelDirectory(dir, true);
}

AqnDialog* AqnWorkspace::runDialog() const { return m_dialog; }
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
  dialog->setModelDirectory(m_modelDir, m_modelFound);
  dialog->setNumLayers(m_numLayers);
  dialog->setTargets(m_targets);
  dialog->setRemoteEngine(!m_queue->client()->isInProcess());
  dialog->setRunDirectory(newRunDirectory());
  connect(dialog, &AqnDialog::locateModelRequested, this, &AqnWorkspace::locateModelRequested);
  m_dialog = dialog;
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
  AqnRunDirectory run;
  try {
    run = readAqnRunDirectory(dir);
  } catch (const srdd::Error& e) {
    setStatus(QString::fromStdString(e.what()), true);
    showOpenErrorDialog(this, tr("Cannot Open AQN Run"), QString::fromStdString(e.what()));
    return false;
  }
  m_results->setResult(run.result, run.path);
  m_shownJob = 0;
  m_queueView->clearSelection();
  if (run.isComplete()) {
    m_partial->hide();
    m_partialSettings.reset();
    setStatus(tr("Showing %1").arg(QDir::toNativeSeparators(run.path)));
  } else {
    m_partial->setRunDirectory(run);
    m_partialSettings = run.result.settings;
    const bool local = m_queue->client()->isInProcess();
    // A directory on this computer resumes only with the in-process engine; a stopped job of an engine
    // host resumes from the queue ("Resume job").
    m_partial->setResumeEnabled(local, local ? QString()
                                             : tr("This directory is on this computer, but the engine runs "
                                                  "on another host"));
    setStatus(tr("Showing the %1 finished runs of %2 (%3 missing)")
                  .arg(run.finished.size())
                  .arg(QDir::toNativeSeparators(run.path))
                  .arg(run.missing.size()));
  }
  Q_EMIT resultShown(0);
  return true;
}

quint64 AqnWorkspace::resumeRunDirectory() {
  if (!m_partialSettings || m_partial->isHidden()) return 0;
  const quint64 id = enqueue(*m_partialSettings, m_results->runDirectory());
  m_partial->setResumeEnabled(false);
  selectJob(id);
  return id;
}

void AqnWorkspace::cancelAll() {
  for (int row = 0; row < m_queue->rowCount(); ++row)
    if (m_queue->jobAt(row).state == AqnJobState::Queued) m_queue->cancel(m_queue->jobAt(row).id);
  if (m_queue->isBusy()) m_queue->cancel(m_queue->runningJob());
}

void AqnWorkspace::chooseRunDirectory() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open AQN run directory"), m_runRoot);
  if (!dir.isEmpty()) openRunDirectory(dir);
}

void AqnWorkspace::showJob(quint64 id) {
  const AqnJob* j = m_queue->job(id);
  if (!j || !j->result || m_shownJob == id) return;
  m_results->setResult(*j->result, j->localDirectory.isEmpty() ? j->runDirectory : j->localDirectory);
  m_partial->hide();
  m_partialSettings.reset();
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
  m_queueView->selectionModel()->setCurrentIndex(m_queue->index(row, 0),
                                                 QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  const AqnJob* j = m_queue->job(id);
  if (j->state == AqnJobState::Finished) showJob(id);
}

void AqnWorkspace::updateButtons() {
  const AqnJob* j = m_queue->job(selectedJob());
  m_cancel->setEnabled(j && (j->state == AqnJobState::Queued || j->state == AqnJobState::Running));
  m_remove->setEnabled(j && !j->isActive());
  m_resume->setEnabled(j && j->state == AqnJobState::Cancelled);
}

void AqnWorkspace::setStatus(const QString& text, bool error) {
  m_status->setText(text);
  m_status->setStyleSheet(error ? QStringLiteral("QLabel { color: #c0392b; }") : QString());
}

QString AqnWorkspace::statusText() const { return m_status->text(); }

}  // namespace srdd_gui
