// MainWindow: session files (save, open, recent list, the question before unsaved work is lost) and
// opening a scan result file.
#include "main_window.h"

#include "aqn/aqn_results_view.h"
#include "aqn/aqn_workspace.h"
#include "open_error_dialog.h"
#include "results/heatmap_view.h"
#include "results/layer_selection.h"
#include "results/results_panel.h"
#include "scan/scan_report_view.h"
#include "scan/scan_setup_panel.h"
#include "session/recent_paths.h"
#include "targets/target_set.h"

#include <srdd/error.h>

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMenu>
#include <QTabWidget>

namespace srdd_gui {

namespace {

// Central pages by the names sessions store, in Page order.
const QStringList kPageKeys = {"model", "results", "aqn", "report"};
const QStringList kScaleKeys = {"linear", "log", "diverging"};

nlohmann::json parseJson(const QByteArray& bytes, const QString& source) {
  try {
    return nlohmann::json::parse(bytes.constData(), bytes.constData() + bytes.size());
  } catch (const nlohmann::json::exception& e) {
    throw srdd::Error(QDir::toNativeSeparators(source).toStdString() + ": not valid JSON (" + srdd::jsonErrorText(e) +
                      ")");
  }
}

nlohmann::json readJsonFile(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly))
    throw srdd::Error(QDir::toNativeSeparators(path).toStdString() + ": cannot open (" +
                      file.errorString().toStdString() + ")");
  return parseJson(file.readAll(), path);
}

QString sessionFilter() { return QObject::tr("SRDD Studio sessions (*.%1)").arg(QLatin1String(Session::kFileSuffix)); }

}  // namespace

Session MainWindow::currentSession() const {
  Session s;
  s.modelDir = m_summary ? QString::fromStdString(m_summary->directory) : m_setup->modelDirectory();
  if (m_lastScan) s.scanResult = QJsonDocument::fromJson(QByteArray::fromStdString(m_lastScan->scan.dump())).object();
  const std::vector<int> selected = m_results->layerSelection()->selectedList();
  s.layerSelection = QList<int>(selected.begin(), selected.end());
  s.numLayers = m_targets->numLayers();
  s.targetLayers = m_targets->layers();
  if (m_results->hasData()) s.currentMetric = m_results->metric();
  s.heatmapScale = kScaleKeys.value(static_cast<int>(m_results->metricHeatmap()->scale()));
  s.currentTab = kPageKeys.value(currentPage());
  QJsonObject aqn;
  if (!m_aqn->resultsView()->runDirectory().isEmpty()) aqn["run_directory"] = m_aqn->resultsView()->runDirectory();
  s.views = QJsonObject{{"results", m_results->viewState()}, {"aqn", aqn}};
  return s;
}

bool MainWindow::saveSession(const QString& path) {
  try {
    currentSession().save(path);
  } catch (const srdd::Error& e) {
    showError(QString::fromStdString(e.what()));
    return false;
  }
  setSessionPath(path);
  m_scanUnsaved = false;
  recentSessions().add(path);
  setStatus(tr("Saved session %1").arg(QDir::toNativeSeparators(m_sessionPath)));
  return true;
}

bool MainWindow::openSession(const QString& path) {
  Session s;
  nlohmann::json scan;
  std::optional<ScanData> data;
  try {  // everything that can fail, before the window changes
    s = Session::load(path);
    if (!s.scanResult.isEmpty())
      scan = parseJson(QJsonDocument(s.scanResult).toJson(QJsonDocument::Compact), path);
    else if (!s.scanResultPath.isEmpty())
      scan = readJsonFile(s.scanResultPath);
    if (!scan.is_null()) data = ScanData::fromJson(scan, s.scanResultPath.isEmpty() ? path : s.scanResultPath);
  } catch (const srdd::Error& e) {
    showError(QString::fromStdString(e.what()));
    showOpenErrorDialog(this, tr("Cannot Open Session"), QString::fromStdString(e.what()));
    return false;
  }

  m_restoring = true;
  m_errorPanel->hide();
  m_scanUnsaved = false;
  const QString model = !s.modelDir.isEmpty() ? s.modelDir : data ? data->modelPath() : QString();
  // The session's work belongs to its model: set before the model loads, so that loading keeps it.
  if (!model.isEmpty()) setWorkModel(model, !m_engine->isInProcess() || QFileInfo(model).isDir());
  if (!s.modelDir.isEmpty() && !(m_summary && sameModel(QString::fromStdString(m_summary->directory), s.modelDir))) {
    m_setup->setModelDirectory(s.modelDir);
    loadModel(s.modelDir);  // in the background; a model that is gone shows its error, the rest still opens
  }
  if (data) {
    showStoredScan(*data, std::move(scan), model.isEmpty() ? data->modelPath() : model);
  } else {
    m_lastScan.reset();
    m_results->clear();
    m_report->clear();
    updateActions();
  }
  if (s.numLayers > 0) m_targets->reset(s.numLayers, s.targetLayers);  // Session::load checked the range
  m_results->layerSelection()->setSelection(std::set<int>(s.layerSelection.begin(), s.layerSelection.end()));
  const QJsonObject results = s.views.value("results").toObject();
  if (!results.isEmpty()) m_results->restoreViewState(results);
  const QString runDir = s.views.value("aqn").toObject().value("run_directory").toString();
  if (!runDir.isEmpty() && QFileInfo::exists(runDir)) m_aqn->openRunDirectory(runDir);
  if (kPageKeys.contains(s.currentTab)) showPage(static_cast<Page>(kPageKeys.indexOf(s.currentTab)));
  m_restoring = false;

  setSessionPath(path);
  recentSessions().add(path);
  setStatus(tr("Opened session %1").arg(QDir::toNativeSeparators(m_sessionPath)));
  return true;
}

bool MainWindow::openScanResults(const QString& path) {
  nlohmann::json scan;
  std::optional<ScanData> data;
  try {  // everything that can fail, before anything is asked or changes
    scan = readJsonFile(path);
    data = ScanData::fromJson(scan, path);
  } catch (const srdd::Error& e) {
    showError(QString::fromStdString(e.what()));
    showOpenErrorDialog(this, tr("Cannot Open Scan Results"), QString::fromStdString(e.what()));
    return false;
  }
  if (!maybeSaveWork()) return false;
  const std::optional<ResultsModel> model = chooseResultsModel(data->modelPath(), path);
  if (!model) return false;
  m_errorPanel->hide();
  if (!m_workModel.isEmpty() && !sameModel(model->dir, m_workModel)) clearWork(data->numLayers());
  showStoredScan(*data, std::move(scan), model->dir);
  if (!model->dir.isEmpty()) setWorkModel(model->dir, model->found);
  if (model->load) {
    m_setup->setModelDirectory(model->dir);
    loadModel(model->dir);
  }
  m_scanUnsaved = false;  // it is in a file
  markModified();
  setStatus(tr("Opened scan results %1").arg(QDir::toNativeSeparators(path)));
  return true;
}

void MainWindow::chooseScanResults() {
  const QString start = m_lastScan ? QString::fromStdString(m_lastScan->request.modelDir) : QDir::homePath();
  const QString file = QFileDialog::getOpenFileName(this, tr("Open Scan Results"), start, tr("Scan results (*.json)"));
  if (!file.isEmpty()) openScanResults(file);
}

void MainWindow::chooseSessionToOpen() {
  if (!maybeSaveWork()) return;
  const QString start = m_sessionPath.isEmpty() ? QDir::homePath() : QFileInfo(m_sessionPath).absolutePath();
  const QString file = QFileDialog::getOpenFileName(this, tr("Open Session"), start, sessionFilter());
  if (!file.isEmpty()) openSession(file);
}

bool MainWindow::chooseSessionToSave() {
  QString start = m_sessionPath;
  if (start.isEmpty()) {
    const QString model = m_results->scanData() ? m_results->scanData()->modelName() : QStringLiteral("untitled");
    start = QDir::home().filePath(model + '.' + QLatin1String(Session::kFileSuffix));
  }
  QString file = QFileDialog::getSaveFileName(this, tr("Save Session"), start, sessionFilter());
  if (file.isEmpty()) return false;
  if (QFileInfo(file).suffix().isEmpty()) file += '.' + QLatin1String(Session::kFileSuffix);
  return saveSession(file);
}

void MainWindow::rebuildRecentSessionsMenu() {
  m_recentSessionsMenu->clear();
  const QStringList recent = recentSessions().list();
  for (const QString& file : recent) {
    QAction* a = m_recentSessionsMenu->addAction(QDir::toNativeSeparators(file));
    connect(a, &QAction::triggered, this, [this, file] {
      if (maybeSaveWork()) openSession(file);
    });
  }
  if (!recent.isEmpty()) m_recentSessionsMenu->addSeparator();
  QAction* clear = m_recentSessionsMenu->addAction(tr("Clear Menu"), this, [] { recentSessions().clear(); });
  clear->setEnabled(!recent.isEmpty());
}

}  // namespace srdd_gui
