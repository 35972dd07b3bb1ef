#pragma once
// The SRDD Studio main window: opens a model directory (menu, recent list, drag-and-drop, command line)
// and summarises it in the background; the Scan Setup dock runs scans in a worker, with stage, layer,
// ETA and Cancel in the status bar. A finished scan (or an opened srdd-scan/1 file, or a session) fills the
// Results page; clicked layers go into the Target Set dock, whose set the AQN page runs on.
//
// Every view is added in one place: docks through addPanelDock(), central pages through addCentralPage().
// The code is split by area: main_window.cpp (frame, menus, model, scan), main_window_results.cpp (showing a
// scan, target set wiring, title), main_window_session.cpp (sessions, scan files), main_window_export.cpp.
#include "export/export_options.h"
#include "scan/scan_job_runner.h"
#include "session/session.h"

#include <srdd/model_summary.h>

#include <QMainWindow>

#include <optional>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QMimeData;
class QProgressBar;
class QScrollArea;
class QStackedWidget;
class QTabWidget;

namespace srdd_gui {

class AqnWorkspace;
class EngineClient;
class EngineDialog;
class EngineStatusWidget;
class RemoteModelPicker;
class ModelLoader;
class ModelSummaryView;
class ResultsPanel;
class ProposalReportJob;
class ScanData;
class ScanProgressWidget;
class ScanReportView;
class ScanSetupPanel;
class TargetSet;
class TargetSetPanel;
struct ReportRequest;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  // The central pages, in tab order (sessions store them as "model", "results", "aqn", "report").
  enum Page { ModelPage, ResultsPage, AqnPage, ReportPage };

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Starts loading DIRECTORY; a load already running is superseded (its result is ignored). Results, target
  // set and AQN settings belong to their model: opening another one first asks about unsaved work
  // (Save/Discard/Cancel; Cancel keeps everything and loads nothing), and once it has loaded they are cleared.
  void openModel(const QString& directory);
  // The model the shown results, the target set and the AQN settings belong to; empty before any.
  QString workModel() const { return m_workModel; }
  bool hasUnsavedScan() const { return m_scanUnsaved; }  // a finished scan not yet in a file
  // Starts a scan with the Scan Setup panel's settings, superseding a running one. Returns the job id,
  // or 0 when the settings are invalid (the error panel then says why).
  quint64 runScan();
  void cancelScan();

  // Opens a srdd-scan/1 JSON file (`srdd scan --out`); false when it cannot be read (the error panel says why)
  // or the user cancelled. Asks before unsaved work is lost; results of a model other than the open one offer
  // to open their model; results whose model is not on this computer (in-process engine) offer to locate it,
  // or to show the results only (the AQN page then says the model is missing instead of using another one).
  bool openScanResults(const QString& path);

  // Sessions: the model, the scan (embedded, so the file is self-contained), selection, target set, view
  // state and the AQN run shown. False when the file cannot be written / read (the error panel says why).
  bool saveSession(const QString& path);
  bool openSession(const QString& path);
  Session currentSession() const;
  QString sessionPath() const { return m_sessionPath; }   // empty until saved or opened
  bool isModified() const { return isWindowModified(); }  // target set or selection changed since then

  // Export of the Results page: its current figure (paper theme, metadata of the scan), every figure with
  // CSV + JSON into a folder, or the current figure's data as .csv or .json (by PATH's suffix). False / empty
  // on failure (the error panel says why).
  bool exportCurrentFigure(const QString& path, const ExportOptions& options);
  QStringList exportAllFigures(const QString& dir, const ExportOptions& options);
  bool exportCurrentData(const QString& path);
  // File ▸ Write Proposal Report…: `srdd report` (report/proposal_report.h) on the scan shown and the AQN
  // comparison shown, in a child process. False when it cannot start (the error panel says why); otherwise
  // proposalReportWritten or proposalReportFailed follows, and the status line says which.
  bool writeProposalReport(const ReportRequest& request);
  ProposalReportJob* proposalReportJob() const { return m_reportJob; }

  // Adds PANEL as a dock (OBJECT_NAME keys its place in the saved layout) with a toggle in the View menu.
  QDockWidget* addPanelDock(QWidget* panel, const QString& title, const QString& objectName, Qt::DockWidgetArea area);
  // Adds PAGE as a tab of the central area; returns its index.
  int addCentralPage(QWidget* page, const QString& title);

  bool isLoading() const;
  bool isScanning() const;
  const srdd::ModelSummary* summary() const { return m_summary ? &*m_summary : nullptr; }
  // The scan shown: from the last finished job, a file or a session (then seconds is 0).
  ScanOutcomePtr lastScan() const { return m_lastScan; }
  QString errorMessage() const;  // the error shown in the window, empty when none
  QString statusText() const;
  ModelSummaryView* summaryView() const { return m_view; }
  EngineClient* engineClient() const { return m_engine; }
  EngineStatusWidget* engineStatus() const { return m_engineStatus; }
  // Engine menu (main_window_engine.cpp). The dialogs are non-modal-to-the-app and delete themselves on close.
  EngineDialog* showEngineDialog();
  RemoteModelPicker* browseEngineModels();
  // Switches the engine to the saved connection NAME, else to the command line NAMEORCOMMAND; true for a name.
  bool connectEngine(const QString& nameOrCommand);
  void restoreEngine();  // the connection chosen last time (Engine → Connections… → Connect)
  ModelLoader* loader() const { return m_loader; }
  ScanSetupPanel* setupPanel() const { return m_setup; }
  ScanJobRunner* scanRunner() const { return m_runner; }
  ScanProgressWidget* scanProgress() const { return m_scanProgress; }
  ScanReportView* reportView() const { return m_report; }
  ResultsPanel* resultsPanel() const { return m_results; }
  TargetSet* targetSet() const { return m_targets; }
  TargetSetPanel* targetPanel() const { return m_targetPanel; }
  AqnWorkspace* aqnWorkspace() const { return m_aqn; }
  QTabWidget* pages() const { return m_pages; }
  void showPage(Page page);
  Page currentPage() const;

  // The directory a drop of MIME would open: a dropped folder, or the folder of a dropped file.
  static QString directoryFromDrop(const QMimeData* mime);

 Q_SIGNALS:
  void modelLoaded(const QString& directory);
  void loadFailed(const QString& directory, const QString& message);
  void scanFinished(const srdd_gui::ScanOutcomePtr& outcome);
  void scanFailed(const QString& message);
  void scanShown();  // the Results page shows a new scan (finished, opened or restored)
  void proposalReportWritten(const QString& page);
  void proposalReportFailed(const QString& message);

 protected:
  void closeEvent(QCloseEvent* event) override;  // asks about an active AQN run, then about unsaved work
  void showEvent(QShowEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  // main_window.cpp
  static QScrollArea* scrollable(QWidget* widget);
  void createMenus();
  void createFileMenu(QMenu* file);
  void createEditMenu(QMenu* edit);
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
  // main_window_results.cpp
  void connectTargets();
  void applyScan(const ScanData& data, const ScanOutcomePtr& outcome);
  // Shows SCAN read from a file or session (DATA is its parsed form), as results of the model MODELDIR.
  void showStoredScan(const ScanData& data, nlohmann::json scan, const QString& modelDir);
  void sizeTargetSet(int numLayers);
  void markModified();
  void setSessionPath(const QString& path);
  void updateTitle();
  void updateActions();
  // main_window_session.cpp
  void rebuildRecentSessionsMenu();
  void chooseSessionToOpen();
  bool chooseSessionToSave();
  void chooseScanResults();
  // main_window_model.cpp
  void loadModel(const QString& directory);  // openModel without the question
  // Asks before an unsaved scan or an edited target set / session is lost; false: the user cancelled.
  bool maybeSaveWork();
  bool sameModel(const QString& a, const QString& b) const;
  void clearWork(int numLayers);  // results, report, target set and its tags, for a new model
  void setWorkModel(const QString& dir, bool found);
  // The model for results of MODEL (SOURCE names the file), after asking where needed; nullopt when the user
  // cancelled.
  struct ResultsModel {
    QString dir;        // MODEL, or the directory the user located it in
    bool found = true;  // false: not on this computer, the results are shown on their own
    bool load = false;  // open it (the user chose it instead of the open model, or located it)
  };
  std::optional<ResultsModel> chooseResultsModel(const QString& model, const QString& source);
  QString locateModel(const QString& missing);  // a file dialog, or the engine host's model picker
  void relocateWorkModel();                     // the AQN page's "Locate…"
  bool confirmQuitDuringAqn();
  // main_window_engine.cpp
  void createEngineMenu(QMenu* menu);
  void createEngineStatus();
  void onEngineStateChanged();
  // main_window_export.cpp
  void chooseFigureExport();
  void chooseAllFiguresExport();
  void chooseDataExport();
  QString exportStartDirectory() const;
  // main_window_report.cpp
  void chooseProposalReport();

  EngineClient* m_engine;  // the one job client: model info, scans and AQN all go through it
  ModelLoader* m_loader;
  ModelSummaryView* m_view;
  QStackedWidget* m_stack;
  QTabWidget* m_pages;
  ScanSetupPanel* m_setup;
  ScanJobRunner* m_runner;
  ScanReportView* m_report;
  ResultsPanel* m_results;
  TargetSet* m_targets;
  TargetSetPanel* m_targetPanel;
  AqnWorkspace* m_aqn;
  ScanProgressWidget* m_scanProgress = nullptr;
  EngineStatusWidget* m_engineStatus = nullptr;
  QLabel* m_hint;
  QWidget* m_errorPanel = nullptr;
  QLabel* m_errorLabel = nullptr;
  QLabel* m_statusLabel = nullptr;
  QProgressBar* m_busy = nullptr;
  QMenu* m_recentMenu = nullptr;
  QMenu* m_recentSessionsMenu = nullptr;
  QMenu* m_viewMenu = nullptr;
  QMenu* m_copyTargetsMenu = nullptr;
  QAction* m_runAction = nullptr;
  QAction* m_cancelAction = nullptr;
  QAction* m_saveScanAction = nullptr;
  QList<QAction*> m_needScan;  // enabled only while a scan is shown
  QString m_loadingDir;
  QString m_sessionPath;
  QString m_workModel;
  bool m_scanUnsaved = false;
  bool m_closeWhenIdle = false;   // quitting waits for the cancelled AQN run to stop
  bool m_restoring = false;       // a session is being applied: its changes are not modifications
  bool m_layoutRestored = false;  // from the settings, or set up at the first show
  std::optional<srdd::ModelSummary> m_summary;
  ScanOutcomePtr m_lastScan;
  ProposalReportJob* m_reportJob = nullptr;  // made at the first report
};

}  // namespace srdd_gui
