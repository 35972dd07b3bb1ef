#pragma once
// The SRDD Studio main window: opens a model directory (menu, recent list, drag-and-drop, command line),
// summarises it in the background and shows its architecture and per-layer table.
#include <srdd/model_summary.h>

#include <QMainWindow>

#include <optional>

class QLabel;
class QMenu;
class QMimeData;
class QProgressBar;
class QStackedWidget;

namespace srdd_gui {

class ModelLoader;
class ModelSummaryView;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Starts loading DIRECTORY; a load already running is superseded (its result is ignored).
  void openModel(const QString& directory);

  bool isLoading() const;
  const srdd::ModelSummary* summary() const { return m_summary ? &*m_summary : nullptr; }
  QString errorMessage() const;  // the error shown in the window, empty when none
  QString statusText() const;
  ModelSummaryView* summaryView() const { return m_view; }
  ModelLoader* loader() const { return m_loader; }

  // The directory a drop of MIME would open: a dropped folder, or the folder of a dropped file.
  static QString directoryFromDrop(const QMimeData* mime);

 Q_SIGNALS:
  void modelLoaded(const QString& directory);
  void loadFailed(const QString& directory, const QString& message);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createMenus();
  QWidget* createErrorPanel();
  void rebuildRecentMenu();
  void chooseModel();
  void showAbout();
  void onLoaded(const srdd::ModelSummary& summary);
  void onFailed(const QString& directory, const QString& message);
  void setStatus(const QString& text);

  ModelLoader* m_loader;
  ModelSummaryView* m_view;
  QStackedWidget* m_stack;
  QLabel* m_hint;
  QWidget* m_errorPanel = nullptr;
  QLabel* m_errorLabel = nullptr;
  QLabel* m_statusLabel;
  QProgressBar* m_busy;
  QMenu* m_recentMenu = nullptr;
  QString m_loadingDir;
  std::optional<srdd::ModelSummary> m_summary;
};

}  // namespace srdd_gui
