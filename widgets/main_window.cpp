#include "main_window.h"

#include "formatting.h"
#include "model_loader.h"
#include "model_summary_view.h"
#include "recent_models.h"
#include "scan/model_directory_field.h"
#include "scan/scan_progress_widget.h"
#include "scan/scan_report_view.h"
#include "scan/scan_setup_panel.h"

#include <srdd/error.h>
#include <srdd/version.h>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace srdd_gui {

static const char* const kGeometryKey = "mainWindow/geometry";
static const char* const kStateKey = "mainWindow/state";

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      m_loader(new ModelLoader(this)),
      m_view(new ModelSummaryView),
      m_stack(new QStackedWidget),
      m_pages(new QTabWidget),
      m_setup(new ScanSetupPanel),
      m_runner(new ScanJobRunner(this)),
      m_report(new ScanReportView) {
  setWindowTitle(tr("SRDD Studio"));
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
  addCentralPage(m_report, tr("Scan Report"));
  addPanelDock(m_setup, tr("Scan Setup"), QStringLiteral("scanSetupDock"), Qt::LeftDockWidgetArea);
  setStatus(tr("No model loaded"));

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

  resize(1280, 800);
  const QSettings settings;
  restoreGeometry(settings.value(kGeometryKey).toByteArray());
  restoreState(settings.value(kStateKey).toByteArray());
}

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

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open Model\u2026"), this, &MainWindow::chooseModel);
  open->setShortcut(QKeySequence::Open);
  m_recentMenu = file->addMenu(tr("Open &Recent"));
  connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
  rebuildRecentMenu();
  file->addSeparator();
  m_saveScanAction = file->addAction(tr("Save Scan &Results As\u2026"), this, &MainWindow::saveScanResults);
  m_saveScanAction->setEnabled(false);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  quit->setMenuRole(QAction::QuitRole);

  QMenu* scan = menuBar()->addMenu(tr("&Scan"));
  m_runAction = scan->addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Run Scan"), this, &MainWindow::runScan);
  m_runAction->setShortcut(Qt::CTRL | Qt::Key_R);
  m_cancelAction = scan->addAction(style()->standardIcon(QStyle::SP_MediaStop), tr("&Cancel Scan"), this,
                                   &MainWindow::cancelScan);
  m_cancelAction->setShortcut(QKeySequence::Cancel);
  m_cancelAction->setEnabled(false);

  m_viewMenu = menuBar()->addMenu(tr("&View"));
  QAction* fullScreen = m_viewMenu->addAction(tr("&Full Screen"), this, [this](bool on) {
    setWindowState(on ? windowState() | Qt::WindowFullScreen : windowState() & ~Qt::WindowFullScreen);
  });
  fullScreen->setCheckable(true);
  fullScreen->setShortcut(QKeySequence::FullScreen);
  m_viewMenu->addSeparator();  // dock toggles follow

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About SRDD Studio"), this, &MainWindow::showAbout)->setMenuRole(QAction::AboutRole);
}

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
  m_lastScan = outcome;
  m_report->setOutcome(outcome);
  m_pages->setCurrentWidget(m_report);
  m_saveScanAction->setEnabled(true);
  const std::string strategy =
      outcome->scan.value("verdict", nlohmann::json::object()).value("recommendation", nlohmann::json::object()).value("strategy", "?");
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
    setStatus(tr("Saved %1").arg(QDir::toNativeSeparators(file)));
  } catch (const srdd::Error& e) {
    showError(QString::fromStdString(e.what()));
  }
}

void MainWindow::rebuildRecentMenu() {
  m_recentMenu->clear();
  const QStringList recent = RecentModels::list();
  for (const QString& dir : recent) {
    QAction* a = m_recentMenu->addAction(QDir::toNativeSeparators(dir));
    connect(a, &QAction::triggered, this, [this, dir] { openModel(dir); });
  }
  if (!recent.isEmpty()) m_recentMenu->addSeparator();
  QAction* clear = m_recentMenu->addAction(tr("Clear Menu"), this, [] { RecentModels::clear(); });
  clear->setEnabled(!recent.isEmpty());
}

void MainWindow::chooseModel() {
  const QString start = m_summary ? QFileInfo(QString::fromStdString(m_summary->directory)).absolutePath()
                                  : QDir::homePath();
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Model Directory"), start);
  if (!dir.isEmpty()) openModel(dir);
}

void MainWindow::showAbout() {
  QMessageBox::about(this, tr("About SRDD Studio"),
                     tr("<h3>SRDD Studio %1</h3><p>Per-layer MXFP4 quantization diagnostics for LLMs.</p><p>%2</p>")
                         .arg(QStringLiteral(SRDD_VERSION), QString::fromStdString(srdd::buildDescription()).toHtmlEscaped()));
}

void MainWindow::openModel(const QString& directory) {
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
  m_setup->setModelDirectory(dir);
  setWindowTitle(tr("%1 \u2014 SRDD Studio").arg(QFileInfo(dir).fileName()));
  setStatus(tr("Loaded %1: %2, %3 layers, %4 parameters")
                .arg(QDir::toNativeSeparators(dir), QString::fromStdString(summary.architecture))
                .arg(summary.numLayers)
                .arg(formatCount(summary.totalParameters)));
  RecentModels::add(dir);
  Q_EMIT modelLoaded(dir);
}

void MainWindow::onFailed(const QString& directory, const QString& message) {
  // A model shown before stays shown; the error says which load failed.
  showError(message);
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

void MainWindow::closeEvent(QCloseEvent* event) {
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

void MainWindow::dropEvent(QDropEvent* event) {
  const QString dir = directoryFromDrop(event->mimeData());
  if (dir.isEmpty()) return;
  event->acceptProposedAction();
  openModel(dir);
}

}  // namespace srdd_gui
