// MainWindow: the model that the results, the target set and the AQN settings belong to ("work model"), the
// questions before work is lost (unsaved scan or session, results of another model, a model that is not on
// this computer), locating a moved model, and quitting while an AQN run is active.
#include "main_window.h"

#include "aqn/aqn_job_queue.h"
#include "aqn/aqn_workspace.h"
#include "engine/engine_client.h"
#include "engine/remote_model_picker.h"
#include "model_loader.h"
#include "model_path.h"
#include "model_summary_view.h"
#include "results/layer_selection.h"
#include "results/results_panel.h"
#include "scan/scan_report_view.h"
#include "targets/target_set.h"
#include "targets/target_set_panel.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QScopedValueRollback>

#include <algorithm>

namespace srdd_gui {

namespace {

QString native(const QString& path) { return QDir::toNativeSeparators(path); }

}  // namespace

void MainWindow::openModel(const QString& directory) {
  const QString current =
      m_workModel.isEmpty() && m_summary ? QString::fromStdString(m_summary->directory) : m_workModel;
  if (!current.isEmpty() && !sameModel(directory, current) && !maybeSaveWork()) return;
  loadModel(directory);
}

bool MainWindow::sameModel(const QString& a, const QString& b) const {
  return sameModelPath(a, b, m_engine->isInProcess());
}

// Unsaved work worth a question: a scan not written to a file, a target set, or changes to a session that
// has a file. Save writes a session, which holds the scan, the target set and the view state.
bool MainWindow::maybeSaveWork() {
  const bool editedSession = isWindowModified() && (!m_targets->isEmpty() || !m_sessionPath.isEmpty());
  if (!m_scanUnsaved && !editedSession) return true;
  const QString model = m_workModel.isEmpty() ? tr("the model") : QFileInfo(m_workModel).fileName();
  QMessageBox box(QMessageBox::Question, tr("Unsaved Results"),
                  m_scanUnsaved ? tr("The scan results of %1 are not saved.").arg(model)
                                : tr("The target set or selection of %1 has changed.").arg(model),
                  QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
  box.setObjectName(QStringLiteral("unsavedWorkQuestion"));
  box.setInformativeText(tr("Save them in a session first? Discard loses the scan results and the target set."));
  box.setDefaultButton(QMessageBox::Save);
  const int answer = box.exec();
  if (answer == QMessageBox::Cancel) return false;
  if (answer == QMessageBox::Discard) return true;
  return m_sessionPath.isEmpty() ? chooseSessionToSave() : saveSession(m_sessionPath);
}

// Emptying the views for a new model is not an edit of the session.
void MainWindow::clearWork(int numLayers) {
  const QScopedValueRollback<bool> quiet(m_restoring, true);
  m_lastScan.reset();
  m_scanUnsaved = false;
  m_results->clear();
  m_report->clear();
  m_targetPanel->setProblematicLayers({});
  m_targetPanel->setMetrics({});
  m_targetPanel->setCurrentSelection(QList<int>());
  m_targets->reset(std::max(numLayers, 0));
  updateActions();
  updateTitle();
}

void MainWindow::setWorkModel(const QString& dir, bool found) {
  m_workModel = dir;
  m_aqn->setModelDirectory(dir, found);
}

std::optional<MainWindow::ResultsModel> MainWindow::chooseResultsModel(const QString& model, const QString& source) {
  const QString open = m_summary ? QString::fromStdString(m_summary->directory) : QString();
  if (model.isEmpty() || (!open.isEmpty() && sameModel(model, open))) return ResultsModel{model};
  // Only an in-process engine reads models from this computer; an engine host's paths are checked there.
  if (m_engine->isInProcess() && !QFileInfo(model).isDir()) {
    QMessageBox box(QMessageBox::Warning, tr("Model Not Found"),
                    tr("The model of these results is not on this computer:\n%1").arg(native(model)),
                    QMessageBox::NoButton, this);
    box.setObjectName(QStringLiteral("missingModelQuestion"));
    box.setInformativeText(
        tr("Locate the model to run AQN on these results, or show the results only (%1).").arg(native(source)));
    QPushButton* locate = box.addButton(tr("Locate Model\u2026"), QMessageBox::AcceptRole);
    locate->setObjectName(QStringLiteral("locateModel"));
    QPushButton* only = box.addButton(tr("Show Results Only"), QMessageBox::AcceptRole);
    only->setObjectName(QStringLiteral("resultsOnly"));
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(locate);
    box.exec();
    if (box.clickedButton() == only) return ResultsModel{model, false, false};
    if (box.clickedButton() != locate) return std::nullopt;
    const QString dir = locateModel(model);
    if (dir.isEmpty()) return std::nullopt;
    return ResultsModel{dir, true, true};
  }
  // Nothing open that they could be confused with. An engine host's model is opened, as that is how this
  // computer learns whether it is there (a failed load marks it missing, see onFailed).
  if (open.isEmpty()) return ResultsModel{model, true, !m_engine->isInProcess()};
  QMessageBox box(QMessageBox::Question, tr("Results of Another Model"),
                  tr("These results are for %1, but %2 is open.").arg(native(model), native(open)),
                  QMessageBox::NoButton, this);
  box.setObjectName(QStringLiteral("otherModelQuestion"));
  box.setInformativeText(tr("Open their model? The results, target set and AQN settings belong to it."));
  QPushButton* openIts = box.addButton(tr("Open Its Model"), QMessageBox::AcceptRole);
  openIts->setObjectName(QStringLiteral("openItsModel"));
  box.addButton(QMessageBox::Cancel);
  box.setDefaultButton(openIts);
  box.exec();
  if (box.clickedButton() != openIts) return std::nullopt;
  return ResultsModel{model, true, true};
}

// The chosen directory must hold a model (config.json) where the engine reads it; on an engine host the
// picker only offers model directories.
QString MainWindow::locateModel(const QString& missing) {
  const QString title = tr("Locate the Model %1").arg(QFileInfo(missing).fileName());
  if (!m_engine->isInProcess()) {
    RemoteModelPicker picker(m_engine, QFileInfo(missing).path(), this);
    picker.setObjectName(QStringLiteral("locateModelPicker"));
    picker.setWindowTitle(title);
    return picker.exec() == QDialog::Accepted ? picker.selectedModel() : QString();
  }
  QString start = QFileInfo(missing).path();
  while (!start.isEmpty() && !QFileInfo(start).isDir() && start != QDir::rootPath()) start = QFileInfo(start).path();
  QFileDialog dialog(this, title, QFileInfo(start).isDir() ? start : QDir::homePath());
  dialog.setObjectName(QStringLiteral("locateModelDialog"));
  dialog.setFileMode(QFileDialog::Directory);
  dialog.setOption(QFileDialog::ShowDirsOnly);
  if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) return {};
  const QString dir = dialog.selectedFiles().first();
  if (!QFileInfo(dir + QStringLiteral("/config.json")).isFile()) {
    showError(tr("%1: has no config.json, so it is not a model directory").arg(native(dir)));
    return {};
  }
  return dir;
}

// The shown results stay; they now belong to the located directory, which is opened.
void MainWindow::relocateWorkModel() {
  const QString dir = locateModel(m_workModel);
  if (dir.isEmpty()) return;
  if (m_lastScan) {
    auto moved = std::make_shared<ScanOutcome>(*m_lastScan);
    moved->request.modelDir = dir.toStdString();
    m_lastScan = moved;
  }
  m_workModel = dir;
  m_aqn->relocateModel(dir);
  loadModel(dir);
}

bool MainWindow::confirmQuitDuringAqn() {
  AqnJobQueue* queue = m_aqn->queue();
  if (!queue->isBusy()) return true;
  const AqnJob* job = queue->job(queue->runningJob());
  QMessageBox box(QMessageBox::Warning, tr("AQN Run Active"), tr("The AQN run %1 is still running.").arg(job->name),
                  QMessageBox::NoButton, this);
  box.setObjectName(QStringLiteral("quitDuringAqnQuestion"));
  box.setInformativeText(tr("Quitting stops it after the current training step. Its finished runs stay in %1; "
                            "open that directory later (AQN \u2192 Open AQN Run Directory\u2026) to resume.")
                             .arg(native(job->runDirectory)));
  QPushButton* quit = box.addButton(tr("Quit Anyway"), QMessageBox::DestructiveRole);
  quit->setObjectName(QStringLiteral("quitAnyway"));
  box.addButton(QMessageBox::Cancel);
  box.setDefaultButton(QMessageBox::Cancel);
  box.exec();
  return box.clickedButton() == quit;
}

}  // namespace srdd_gui
