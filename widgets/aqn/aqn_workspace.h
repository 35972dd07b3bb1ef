#pragma once
// The AQN workspace: "Run AQN…" (the settings dialog), the run queue with progress bars and cancel, and the
// results view of the selected finished job; it can also open an existing run directory. The one entry
// point the main window needs: embed it (e.g. as a tab or dock), keep it told of the model, its layer count
// and the target set, and put runAction()/openAction() into a menu.
#include <srdd/aqn.h>

#include <QHash>
#include <QList>
#include <QPointer>
#include <QWidget>

#include <optional>

class QAction;
class QLabel;
class QPushButton;
class QTableView;

namespace srdd_gui {

class AqnDialog;
class AqnPartialRunPanel;
class AqnJobQueue;
class EngineClient;
class AqnResultsView;

class AqnWorkspace : public QWidget {
  Q_OBJECT
 public:
  // Jobs go to CLIENT (the app's engine client); without one the queue makes its own in-process client.
  explicit AqnWorkspace(EngineClient* client = nullptr, QWidget* parent = nullptr);
  ~AqnWorkspace() override;

  // The model the AQN settings belong to (empty: the bundled demo model). Another model brings back the
  // settings last queued for it (or the last settings without their layer sets and data files) and clears a
  // shown comparison of another model. FOUND false: the results' model is not where they say; the run dialog
  // says so and offers "Locate…" (locateModelRequested) instead of running another model.
  void setModelDirectory(const QString& dir, bool found = true);
  void relocateModel(const QString& dir);     // the same model found at DIR: settings and results stay
  void setNumLayers(int numLayers);           // -1: unknown
  void setTargets(const QList<int>& layers);  // prefills the dialog's targets
  void setRunRoot(const QString& dir);        // parent of new run directories (default ~/srdd-runs)

  QAction* runAction() const { return m_runAction; }    // "Run AQN…"
  QAction* openAction() const { return m_openAction; }  // "Open AQN Run Directory…"

  // Opens the settings dialog (window-modal, not blocking); an accepted dialog queues its comparison.
  AqnDialog* showRunDialog();
  // Queues a comparison as the dialog does. Throws srdd::Error (see AqnJobQueue::enqueue).
  quint64 enqueue(const srdd::aqn::ComparisonSettings& settings, const QString& runDir, bool force = false);
  // Shows DIR's comparison.json in the results view; a partial directory (stopped before every run had
  // finished) shows its finished runs, marks the missing ones and offers Resume. False (and the message in the
  // status line) when it cannot be read.
  bool openRunDirectory(const QString& dir);
  // Queues the partial directory shown again with its own settings (the engine keeps its finished runs).
  // Returns the job id, 0 when no partial directory is shown. Throws srdd::Error (see AqnJobQueue::enqueue).
  quint64 resumeRunDirectory();
  void cancelAll();  // queued jobs, then the running one (its finished runs stay and resume later)

  AqnJobQueue* queue() const { return m_queue; }
  AqnResultsView* resultsView() const { return m_results; }
  QTableView* queueView() const { return m_queueView; }
  QString statusText() const;
  quint64 shownJob() const { return m_shownJob; }  // job whose result is shown, 0 for none / a directory
  AqnPartialRunPanel* partialRunPanel() const { return m_partial; }
  AqnDialog* runDialog() const;  // the open "Run AQN…" dialog, or null

 Q_SIGNALS:
  void resultShown(quint64 jobId);  // 0: a run directory was opened
  void locateModelRequested();      // "Locate…" in the run dialog

 private:
  void chooseRunDirectory();
  void showJob(quint64 id);
  quint64 selectedJob() const;
  void selectJob(quint64 id);
  void updateButtons();
  void setStatus(const QString& text, bool error = false);
  QString newRunDirectory() const;

  AqnJobQueue* m_queue;
  AqnResultsView* m_results;
  AqnPartialRunPanel* m_partial;
  QTableView* m_queueView;
  QAction *m_runAction, *m_openAction;
  QPushButton *m_cancel, *m_remove, *m_resume;
  QLabel* m_status;
  QString m_modelDir, m_runRoot;
  bool m_modelFound = true;
  int m_numLayers = -1;
  QList<int> m_targets;
  std::optional<srdd::aqn::ComparisonSettings> m_lastSettings;
  QHash<QString, srdd::aqn::ComparisonSettings> m_settingsByModel;  // last queued, per model directory
  std::optional<srdd::aqn::ComparisonSettings> m_partialSettings;   // of the partial directory shown
  QPointer<AqnDialog> m_dialog;
  quint64 m_shownJob = 0;
};

}  // namespace srdd_gui
