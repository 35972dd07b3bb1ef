// MainWindow: the menu bar (File, Edit, Scan, AQN, Engine, View, Help) and its standard shortcuts (docs/gui.md).
#include "main_window.h"

#include "aqn/aqn_workspace.h"
#include "recent_models.h"
#include "targets/target_set.h"
#include "targets/target_set_panel.h"

#include <srdd/version.h>

#include <QAction>
#include <QDir>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QStyle>
#include <QTabWidget>
#include <QUndoStack>

namespace srdd_gui {

void MainWindow::createMenus() {
  createFileMenu(menuBar()->addMenu(tr("&File")));
  createEditMenu(menuBar()->addMenu(tr("&Edit")));

  QMenu* scan = menuBar()->addMenu(tr("&Scan"));
  m_runAction =
      scan->addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Run Scan"), this, &MainWindow::runScan);
  m_runAction->setObjectName(QStringLiteral("runScan"));
  m_runAction->setShortcut(Qt::CTRL | Qt::Key_R);
  m_cancelAction =
      scan->addAction(style()->standardIcon(QStyle::SP_MediaStop), tr("&Cancel Scan"), this, &MainWindow::cancelScan);
  m_cancelAction->setShortcut(QKeySequence::Cancel);
  m_cancelAction->setEnabled(false);

  QMenu* aqn = menuBar()->addMenu(tr("&AQN"));
  aqn->addAction(m_aqn->runAction());
  m_aqn->runAction()->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_A);
  connect(m_aqn->runAction(), &QAction::triggered, this, [this] { showPage(AqnPage); });
  aqn->addAction(m_aqn->openAction());
  connect(m_aqn->openAction(), &QAction::triggered, this, [this] { showPage(AqnPage); });

  createEngineMenu(menuBar()->addMenu(tr("E&ngine")));

  m_viewMenu = menuBar()->addMenu(tr("&View"));
  QAction* fullScreen = m_viewMenu->addAction(tr("&Full Screen"), this, [this](bool on) {
    setWindowState(on ? windowState() | Qt::WindowFullScreen : windowState() & ~Qt::WindowFullScreen);
  });
  fullScreen->setCheckable(true);
  fullScreen->setShortcut(QKeySequence::FullScreen);
  m_viewMenu->addSeparator();
  // Ctrl+1..4 show the central pages (added in the constructor, in this order).
  const QStringList pageNames = {tr("&Model"), tr("&Results"), tr("&AQN"), tr("Scan Re&port")};
  for (int i = 0; i < pageNames.size(); ++i) {
    QAction* show = m_viewMenu->addAction(pageNames[i], this, [this, i] { m_pages->setCurrentIndex(i); });
    show->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
  }
  m_viewMenu->addSeparator();  // dock toggles follow

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About SRDD Studio"), this, &MainWindow::showAbout)->setMenuRole(QAction::AboutRole);
}

void MainWindow::createFileMenu(QMenu* file) {
  const auto add = [this, file](const QString& text, const char* name, auto slot, const QKeySequence& keys = {}) {
    QAction* a = file->addAction(text, this, slot);
    a->setObjectName(QLatin1String(name));
    a->setShortcut(keys);
    return a;
  };
  add(tr("&Open Model\u2026"), "openModel", &MainWindow::chooseModel, QKeySequence::Open);
  m_recentMenu = file->addMenu(tr("Open &Recent"));
  m_recentMenu->setObjectName(QStringLiteral("recentModels"));
  connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
  rebuildRecentMenu();
  file->addSeparator();
  add(tr("Open &Session\u2026"), "openSession", &MainWindow::chooseSessionToOpen,
      QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  m_recentSessionsMenu = file->addMenu(tr("Recent Sess&ions"));
  m_recentSessionsMenu->setObjectName(QStringLiteral("recentSessions"));
  connect(m_recentSessionsMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentSessionsMenu);
  rebuildRecentSessionsMenu();
  const auto save = [this] { m_sessionPath.isEmpty() ? chooseSessionToSave() : saveSession(m_sessionPath); };
  add(tr("&Save Session"), "saveSession", save, QKeySequence::Save);
  // QKeySequence::SaveAs has no binding on plain X11.
  add(tr("Save Session &As\u2026"), "saveSessionAs", &MainWindow::chooseSessionToSave,
      QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
  file->addSeparator();
  add(tr("Open Scan Res&ults\u2026"), "openScanResults", &MainWindow::chooseScanResults);
  m_saveScanAction = add(tr("Save Scan Results As\u2026"), "saveScanResults", &MainWindow::saveScanResults);
  file->addSeparator();
  m_needScan << m_saveScanAction
             << add(tr("&Export Figure\u2026"), "exportFigure", &MainWindow::chooseFigureExport,
                    QKeySequence(Qt::CTRL | Qt::Key_E))
             << add(tr("Export A&ll Figures\u2026"), "exportAllFigures", &MainWindow::chooseAllFiguresExport,
                    QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E))
             << add(tr("Export Figure &Data\u2026"), "exportData", &MainWindow::chooseDataExport)
             << add(tr("Write &Proposal Report\u2026"), "writeProposalReport", &MainWindow::chooseProposalReport);
  file->addSeparator();
  QAction* quit = add(tr("&Quit"), "quit", &QWidget::close, QKeySequence::Quit);
  quit->setMenuRole(QAction::QuitRole);
}

void MainWindow::createEditMenu(QMenu* edit) {
  QAction* undo = m_targets->undoStack()->createUndoAction(this, tr("&Undo"));
  undo->setObjectName(QStringLiteral("undo"));
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = m_targets->undoStack()->createRedoAction(this, tr("&Redo"));
  redo->setObjectName(QStringLiteral("redo"));
  redo->setShortcuts(QKeySequence::Redo);
  edit->addAction(undo);
  edit->addAction(redo);
  edit->addSeparator();
  m_copyTargetsMenu = edit->addMenu(tr("&Copy Target Set"));
  m_copyTargetsMenu->setObjectName(QStringLiteral("copyTargetSet"));
  const std::pair<TargetSetPanel::CopyFormat, QString> forms[] = {
      {TargetSetPanel::CopyFormat::JsonList, tr("As &JSON List")},
      {TargetSetPanel::CopyFormat::IndexList, tr("As &Index List")},
      {TargetSetPanel::CopyFormat::ModuleRegex, tr("As &Module-Name Regex")},
      {TargetSetPanel::CopyFormat::LlmCompressorTarget, tr("As &llm-compressor Target")}};
  for (const auto& [format, label] : forms)
    m_copyTargetsMenu->addAction(label, this, [this, f = format] { m_targetPanel->copyToClipboard(f); });
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

void MainWindow::showAbout() {
  QMessageBox::about(
      this, tr("About SRDD Studio"),
      tr("<h3>SRDD Studio %1</h3><p>Per-layer MXFP4 quantization diagnostics for LLMs.</p><p>%2</p>")
          .arg(QStringLiteral(SRDD_VERSION), QString::fromStdString(srdd::buildDescription()).toHtmlEscaped()));
}

}  // namespace srdd_gui
