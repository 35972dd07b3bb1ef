#include "main_window.h"

#include "aqn/aqn_job_queue.h"
#include "aqn/aqn_workspace.h"
#include "formatting.h"
#include "histograms/histogram_panel.h"
#include "model_loader.h"
#include "model_summary_view.h"
#include "open_error_dialog.h"
#include "recent_models.h"
#include "results/results_panel.h"
#include "scan/model_directory_field.h"
#include "scan/scan_progress_widget.h"
#include "scan/scan_report_view.h"
#include "scan/scan_setup_panel.h"
#include "targets/target_set.h"
#include "targets/target_set_panel.h"

#include <srdd/error.h>

#include <QAction>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QUrl>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QScreen>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace srdd_gui {

static const char* const kGeometryKey = "mainWindow/geometry";
static const char* const kStateKey = "mainWindow/state";

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      m_engine(new EngineClient(this)),
      m_loader(new ModelLoader(m_engine, this)),
      m_view(new ModelSummaryView),
      m_stack(new QStackedWidget),
      m_pages(new QTabWidget),
      m_setup(new ScanSetupPanel),
      m_runner(new ScanJobRunner(m_engine, this)),
      m_report(new ScanReportView),
      m_results(new ResultsPanel),
      m_targets(new TargetSet(this)),
      m_targetPanel(new TargetSetPanel(m_targets)),
      m_aqn(new AqnWorkspace(m_engine)) {
  m_results->setObjectName(QStringLiteral("resultsPage"));
  m_aqn->setObjectName(QStringLiteral("aqnPage"));
  m_targetPanel->setObjectName(QStringLiteral("targetSetPanel"));
  m_report->setObjectName(QStringLiteral("reportPage"));
  setAcceptDrops(true);
  setDockOptions(AnimatedDocks | AllowTabbedDocks);

  m_hint = new QLabel(tr("No model loaded.\n\nUse File \u2192 Open Model\u2026 (%1) or drop a model folder here.")
                          .arg(QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText)));
  m_hint->setObjectName("emptyHint");
  m_hint->setAlignment(Qt::AlignCenter);
  m_hint->setEnabled(false);  // drawn in the palette's disabled (muted) text colour
  QFont hintFont = m_hint->font();
  hintFont.setPointSizeF(hintFont.pointSizeF() * 1.25);
  m_hint->setFont(hintFont);
  m_stack->addWidget(m_hint);
  m_stack->addWidget(m_view);

  m_pages->setObjectName("pages");
  m_pages->setDocumentMode(true);
  auto* central = new QWidget;
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(0, 4, 0, 0);
  layout->addWidget(createErrorPanel());
  layout->addWidget(m_pages, 1);
  setCentralWidget(central);

  createMenus();
  createStatusBar();
  addCentralPage(m_stack, tr("Model"));
  addCentralPage(m_results, tr("Results"));
  addCentralPage(scrollable(m_aqn), tr("AQN"));
  addCentralPage(m_report, tr("Scan Report"));
  addPanelDock(m_setup, tr("Scan Setup"), QStringLiteral("scanSetupDock"), Qt::LeftDockWidgetArea);
  addPanelDock(scrollable(m_targetPanel), tr("Target Set"), QStringLiteral("targetSetDock"), Qt::RightDockWidgetArea);
  addPanelDock(new HistogramPanel([this] { return m_setup->modelDirectory(); }), tr("Histograms"),
               QStringLiteral("histogramsDock"), Qt::BottomDockWidgetArea)
      ->hide();  // View > Histograms shows it
  setStatus(tr("No model loaded"));
  connectTargets();
  updateTitle();
  updateActions();

  connect(m_loader, &ModelLoader::loaded, this, [this](quint64, const srdd::ModelSummary& s) { onLoaded(s); });
  connect(m_loader, &ModelLoader::failed, this,
          [this](quint64, const QString& dir, const QString& message) { onFailed(dir, message); });
  connect(m_loader, &ModelLoader::busyChanged, m_busy, &QWidget::setVisible);
  connect(m_setup, &ScanSetupPanel::modelDirectoryChosen, this, &MainWindow::openModel);
  connect(m_setup, &ScanSetupPanel::runRequested, this, &MainWindow::runScan);
  connect(m_setup, &ScanSetupPanel::cancelRequested, this, &MainWindow::cancelScan);
  connect(m_setup, &ScanSetupPanel::requestChanged, this,
          [this] { m_runAction->setEnabled(m_setup->validationError().isEmpty()); });
  m_runAction->setEnabled(m_setup->validationError().isEmpty());
  connectScanRunner();
  connect(m_aqn, &AqnWorkspace::locateModelRequested, this, &MainWindow::relocateWorkModel);

  const QSize preferred(1560, 960);
  resize(screen() ? preferred.boundedTo(screen()->availableSize() * 0.95) : preferred);
  const QSettings settings;
  restoreGeometry(settings.value(kGeometryKey).toByteArray());
  m_layoutRestored = restoreState(settings.value(kStateKey).toByteArray());
}

// Without a saved layout, the Target Set dock starts wide enough for its buttons (its minimum is small, so
// that a narrow window stays possible); docks take their sizes only once the window is shown.
void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  if (m_layoutRestored) return;
  m_layoutRestored = true;
  auto* dock = findChild<QDockWidget*>(QStringLiteral("targetSetDock"));
  const int scrollBar = style()->pixelMetric(QStyle::PM_ScrollBarExtent);
  // Room for a vertical scroll bar, the dock's frame, and the undo button's text growing with the last edit.
  resizeDocks({dock}, {std::max(m_targetPanel->sizeHint().width() + 2 * scrollBar, 370)}, Qt::Horizontal);
}

// Wide pages and panels scroll instead of setting the window's minimum width.
QScrollArea* MainWindow::scrollable(QWidget* widget) {
  auto* area = new QScrollArea;
  area->setObjectName(widget->objectName() + QStringLiteral("Scroll"));
  area->setWidget(widget);
  area->setWidgetResizable(true);
  area->setFrameShape(QFrame::NoFrame);
  return area;
}

void MainWindow::showPage(Page page) { m_pages->setCurrentIndex(page); }

MainWindow::Page MainWindow::currentPage() const { return static_cast<Page>(m_pages->currentIndex()); }

MainWindow::~MainWindow() = default;

QDockWidget* MainWindow::addPanelDock(QWidget* panel, const QString& title, const QString& objectName,
                                      Qt::DockWidgetArea area) {
  auto* dock = new QDockWidget(title, this);
  dock->setObjectName(objectName);
  dock->setWidget(panel);
  addDockWidget(area, dock);
  m_viewMenu->addAction(dock->toggleViewAction());
  restoreDockWidget(dock);  // its saved place, when it is added after the layout was restored
  return dock;
}

int MainWindow::addCentralPage(QWidget* page, const QString& title) { return m_pages->addTab(page, title); }

QWidget* MainWindow::createErrorPanel() {
  m_errorPanel = new QFrame;
  m_errorPanel->setObjectName("errorPanel");
  static_cast<QFrame*>(m_errorPanel)->setFrameShape(QFrame::StyledPanel);
  auto* icon = new QLabel;
  const int size = style()->pixelMetric(QStyle::PM_SmallIconSize);
  icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(size, size));
  m_errorLabel = new QLabel;
  m_errorLabel->setObjectName("errorText");
  m_errorLabel->setWordWrap(true);
  m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* dismiss = new QToolButton;
  dismiss->setIcon(style()->standardIcon(QStyle::SP_DialogCloseButton));
  dismiss->setAutoRaise(true);
  dismiss->setToolTip(tr("Dismiss"));
  connect(dismiss, &QToolButton::clicked, m_errorPanel, &QWidget::hide);
  auto* row = new QHBoxLayout(m_errorPanel);
  row->addWidget(icon, 0, Qt::AlignTop);
  row->addWidget(m_errorLabel, 1);
  row->addWidget(dismiss, 0, Qt::AlignTop);
  m_errorPanel->hide();
  return m_errorPanel;
}

void MainWindow::createStatusBar() {
  m_statusLabel = new QLabel;
  m_statusLabel->setObjectName("statusText");
  m_statusLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // long paths must not widen the window
  m_busy = new QProgressBar;
  m_busy->setRange(0, 0);  // indeterminate
  m_busy->setMaximumWidth(140);
  m_busy->setMaximumHeight(m_statusLabel->sizeHint().height());
  m_busy->hide();
  m_scanProgress = new ScanProgressWidget;
  m_scanProgress->hide();
  statusBar()->addWidget(m_statusLabel, 1);
  statusBar()->addPermanentWidget(m_scanProgress);
  statusBar()->addPermanentWidget(m_busy);
  createEngineStatus();
  connect(m_scanProgress, &ScanProgressWidget::cancelRequested, this, &MainWindow::cancelScan);
}

void MainWindow::connectScanRunner() {
  connect(m_runner, &ScanJobRunner::busyChanged, this, [this](bool busy) {
    m_scanProgress->setVisible(busy);
    m_setup->setRunning(busy);
    m_cancelAction->setEnabled(busy);
  });
  connect(m_runner, &ScanJobRunner::progress, this, [this](quint64 id, const ScanProgress& p) {
    if (id == m_runner->currentJob()) m_scanProgress->setProgress(p);
  });
  connect(m_runner, &ScanJobRunner::finished, this,
          [this](quint64, const ScanOutcomePtr& outcome) { onScanFinished(outcome); });
  connect(m_runner, &ScanJobRunner::failed, this, [this](quint64, const QString& message) {
    showError(message);
    setStatus(tr("Scan failed: %1").arg(message));
    Q_EMIT scanFailed(message);
  });
  connect(m_runner, &ScanJobRunner::cancelled, this, [this] { setStatus(tr("Scan cancelled")); });
}

quint64 MainWindow::runScan() {
  const QString invalid = m_setup->validationError();
  if (!invalid.isEmpty()) {
    showError(tr("Cannot run the scan: %1").arg(invalid));
    return 0;
  }
  const srdd::ScanRequest request = m_setup->request();
  m_errorPanel->hide();
  const quint64 id = m_runner->start(request);
  m_scanProgress->reset();
  setStatus(tr("Scanning %1 (%2)\u2026")
                .arg(QDir::toNativeSeparators(QString::fromStdString(request.modelDir)),
                     QString::fromStdString(request.quantizationDescription())));
  return id;
}

void MainWindow::cancelScan() { m_runner->cancel(); }

bool MainWindow::isScanning() const { return m_runner->isBusy(); }

void MainWindow::onScanFinished(const ScanOutcomePtr& outcome) {
  try {
    const QString model = QString::fromStdString(outcome->request.modelDir);
    const ScanData data = ScanData::fromJson(outcome->scan, tr("the scan of %1").arg(model));
    if (!m_workModel.isEmpty() && !sameModel(model, m_workModel)) clearWork(data.numLayers());
    applyScan(data, outcome);
    setWorkModel(model, true);
  } catch (const srdd::Error& e) {
    showError(QString::fromStdString(e.what()));
  }
  m_scanUnsaved = true;
  markModified();
  const std::string strategy = outcome->scan.value("verdict", nlohmann::json::object())
                                   .value("recommendation", nlohmann::json::object())
                                   .value("strategy", "?");
  setStatus(tr("Scan finished in %1 s \u2014 recommendation: %2")
                .arg(outcome->seconds, 0, 'f', 1)
                .arg(QString::fromStdString(strategy)));
  Q_EMIT scanFinished(outcome);
}

void MainWindow::saveScanResults() {
  if (!m_lastScan) return;
  const QString start = QDir(QString::fromStdString(m_lastScan->request.modelDir)).filePath("srdd-scan.json");
  const QString file = QFileDialog::getSaveFileName(this, tr("Save Scan Results"), start, tr("Scan results (*.json)"));
  if (file.isEmpty()) return;
  try {
    srdd::writeScanJsonFile(m_lastScan->scan, file.toStdString());
    m_scanUnsaved = false;
    setStatus(tr("Saved %1").arg(QDir::toNativeSeparators(file)));
  } catch (const srdd::Error& e) {
    showError(QString::fromStdString(e.what()));
  }
}

void MainWindow::chooseModel() {
  const QString start =
      m_summary ? QFileInfo(QString::fromStdString(m_summary->directory)).absolutePath() : QDir::homePath();
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Model Directory"), start);
  if (!dir.isEmpty()) openModel(dir);
}

void MainWindow::loadModel(const QString& directory) {
  m_loadingDir = QDir::toNativeSeparators(directory);
  setStatus(tr("Loading %1\u2026").arg(m_loadingDir));
  if (!m_summary) m_hint->setText(tr("Loading %1\u2026").arg(m_loadingDir));
  m_loader->load(directory);
}

bool MainWindow::isLoading() const { return m_loader->isBusy(); }

QString MainWindow::errorMessage() const { return m_errorPanel->isHidden() ? QString() : m_errorLabel->text(); }

QString MainWindow::statusText() const { return m_statusLabel->text(); }

void MainWindow::showError(const QString& message) {
  m_errorLabel->setText(message);
  m_errorPanel->show();
}

void MainWindow::onLoaded(const srdd::ModelSummary& summary) {
  m_summary = summary;
  m_errorPanel->hide();
  m_view->setSummary(summary);
  m_stack->setCurrentWidget(m_view);
  const QString dir = QString::fromStdString(summary.directory);
  const int numLayers = static_cast<int>(summary.numLayers);
  m_setup->setModelDirectory(dir);
  // What was built for another model does not carry over (openModel asked before unsaved work was lost).
  if (!m_workModel.isEmpty() && !sameModel(dir, m_workModel)) clearWork(numLayers);
  setWorkModel(dir, true);
  m_aqn->setNumLayers(numLayers);
  sizeTargetSet(numLayers);
  if (m_results->scanData() && m_results->scanData()->numLayers() > 0 &&
      m_results->scanData()->numLayers() != numLayers)
    showError(tr("%1 has %2 layers, but the results shown are of a model with %3 layers")
                  .arg(QDir::toNativeSeparators(dir))
                  .arg(numLayers)
                  .arg(m_results->scanData()->numLayers()));
  updateTitle();
  setStatus(tr("Loaded %1: %2, %3 layers, %4 parameters")
                .arg(QDir::toNativeSeparators(dir), QString::fromStdString(summary.architecture))
                .arg(summary.numLayers)
                .arg(formatCount(summary.totalParameters)));
  RecentModels::add(dir);
  Q_EMIT modelLoaded(dir);
}

void MainWindow::onFailed(const QString& directory, const QString& message) {
  // A model shown before stays shown; the error says which load failed. Results whose model an engine host
  // could not open leave the AQN page saying so (and offering to locate it) instead of using another model.
  showError(message);
  showOpenErrorDialog(this, tr("Cannot Open Model"), message);
  if (!m_engine->isInProcess() && m_lastScan && sameModel(directory, m_workModel))
    m_aqn->setModelDirectory(m_workModel, false);
  if (!m_summary) {
    m_hint->setText(tr("Could not open %1.\n\nUse File \u2192 Open Model\u2026 or drop a model folder here.")
                        .arg(QDir::toNativeSeparators(directory)));
  }
  setStatus(tr("Error: %1").arg(message));
  Q_EMIT loadFailed(directory, message);
}

void MainWindow::setStatus(const QString& text) {
  m_statusLabel->setText(text);
  m_statusLabel->setToolTip(text);
}

// An active AQN run is cancelled first and the window closes once it has stopped between two training steps,
// so its run directory holds only finished runs and resumes later.
void MainWindow::closeEvent(QCloseEvent* event) {
  if (m_closeWhenIdle && m_aqn->queue()->isBusy()) return event->ignore();  // still stopping
  if (!m_closeWhenIdle) {
    if (!confirmQuitDuringAqn() || !maybeSaveWork()) return event->ignore();
    if (m_aqn->queue()->isBusy()) {
      m_closeWhenIdle = true;
      m_aqn->cancelAll();
      setStatus(tr("Stopping the AQN run before quitting…"));
      connect(m_aqn->queue(), &AqnJobQueue::idle, this, &QWidget::close, Qt::QueuedConnection);
      return event->ignore();
    }
  }
  QSettings settings;
  settings.setValue(kGeometryKey, saveGeometry());
  settings.setValue(kStateKey, saveState());
  m_setup->saveSettings();
  m_runner->cancel();
  QMainWindow::closeEvent(event);
}

QString MainWindow::directoryFromDrop(const QMimeData* mime) { return modelDirectoryFromDrop(mime); }

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (!directoryFromDrop(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

// A dropped session or scan results file opens as such; anything else opens its model folder.
void MainWindow::dropEvent(QDropEvent* event) {
  const QString dir = directoryFromDrop(event->mimeData());
  if (dir.isEmpty()) return;
  event->acceptProposedAction();
  const QList<QUrl> urls = event->mimeData()->urls();
  const QFileInfo file(urls.isEmpty() ? QString() : urls.first().toLocalFile());
  if (file.isFile() && file.suffix() == QLatin1String(Session::kFileSuffix)) {
    if (maybeSaveWork()) openSession(file.absoluteFilePath());
  } else if (file.isFile() && file.suffix() == QLatin1String("json") && !QFileInfo::exists(dir + "/config.json")) {
    openScanResults(file.absoluteFilePath());
  } else {
    openModel(dir);
  }
}

}  // namespace srdd_gui
