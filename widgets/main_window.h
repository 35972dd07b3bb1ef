#pragma once
// The SRDD Studio main window: opens a model directory (menu, recent list, drag-and-drop, command line)
// and summarises it in the background; the Scan Setup dock runs scans in a worker, with stage, layer,
// ETA and Cancel in the status bar, and the finished scan is shown as a central page.
//
// Every view is added in one place: docks through addPanelDock(), central pages through
// addCentralPage(); results views connect to scanFinished().
#include "scan/scan_job_runner.h"

#include <srdd/model_summary.h>

#include <QMainWindow>

#include <optional>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QMimeData;
class QProgressBar;
class QStackedWidget;
class QTabWidget;

namespace srdd_gui {

class ModelLoader;
class ModelSummaryView;
class ScanProgressWidget;
class ScanReportView;
class ScanSetupPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Starts loading DIRECTORY; a load already running is superseded (its result is ignored).
  void openModel(const QString& directory);
  // Starts a scan with the Scan Setup panel's settings, superseding a running one. Returns the job id,
  // or 0 when the settings are invalid (the error panel then says why).
  quint64 runScan();
  void cancelScan();

  // Adds PANEL as a dock (OBJECT_NAME keys its place in the saved layout) with a toggle in the View menu.
  QDockWidget* addPanelDock(QWidget* panel, const QString& title, const QString& objectName, Qt::DockWidgetArea area);
  // Adds PAGE as a tab of the central area; returns its index.
  int addCentralPage(QWidget* page, const QString& title);

  bool isLoading() const;
  bool isScanning() const;
  const srdd::ModelSummary* summary() const { return m_summary ? &*m_summary : nullptr; }
  ScanOutcomePtr lastScan() const { return m_lastScan; }
  QString errorMessage() const;  // the error shown in the window, empty when none
  QString statusText() const;
  ModelSummaryView* summaryView() const { return m_view; }
  ModelLoader* loader() const { return m_loader; }
  ScanSetupPanel* setupPanel() const { return m_setup; }
  ScanJobRunner* scanRunner() const { return m_runner; }
  ScanProgressWidget* scanProgress() const { return m_scanProgress; }
  ScanReportView* reportView() const { return m_report; }
  QTabWidget* pages() const { return m_pages; }

  // The directory a drop of MIME would open: a dropped folder, or the folder of a dropped file.
  static QString directoryFromDrop(const QMimeData* mime);

 Q_SIGNALS:
  void modelLoaded(const QString& directory);
  void loadFailed(const QString& directory, const QString& message);
  void scanFinished(const srdd_gui::ScanOutcomePtr& outcome);
  void scanFailed(const QString& message);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createMenus();
  QWidget* createErrorPanel();
  void createStatusBar();
  void connectScanRunner();
  void rebuildRecentMenu();
  void chooseModel();
  void saveScanResults();
  void showAbout();
  void showError(const QString& message);
  void onLoaded(const srdd::ModelSummary& summary);
  void onFailed(const QString& directory, const QString& message);
  void onScanFinished(const ScanOutcomePtr& outcome);
  void setStatus(const QString& text);

  ModelLoader* m_loader;
  ModelSummaryView* m_view;
  QStackedWidget* m_stack;
  QTabWidget* m_pages;
  ScanSetupPanel* m_setup;
  ScanJobRunner* m_runner;
  ScanReportView* m_report;
  ScanProgressWidget* m_scanProgress = nullptr;
  QLabel* m_hint;
  QWidget* m_errorPanel = nullptr;
  QLabel* m_errorLabel = nullptr;
  QLabel* m_statusLabel = nullptr;
  QProgressBar* m_busy = nullptr;
  QMenu* m_recentMenu = nullptr;
  QMenu* m_viewMenu = nullptr;
  QAction* m_runAction = nullptr;
  QAction* m_cancelAction = nullptr;
  QAction* m_saveScanAction = nullptr;
  QString m_loadingDir;
  std::optional<srdd::ModelSummary> m_summary;
  ScanOutcomePtr m_lastScan;
};

}  // namespace srdd_gui
