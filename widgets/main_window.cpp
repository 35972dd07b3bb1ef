#include "main_window.h"

#include "formatting.h"
#include "model_loader.h"
#include "model_summary_view.h"
#include "recent_models.h"

#include <srdd/version.h>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
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
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace srdd_gui {

static const char* const kGeometryKey = "mainWindow/geometry";
static const char* const kStateKey = "mainWindow/state";

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_loader(new ModelLoader(this)), m_view(new ModelSummaryView), m_stack(new QStackedWidget) {
  setWindowTitle(tr("SRDD Studio"));
  setAcceptDrops(true);

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

  auto* central = new QWidget;
  auto* layout = new QVBoxLayout(central);
  layout->addWidget(createErrorPanel());
  layout->addWidget(m_stack, 1);
  setCentralWidget(central);

  m_statusLabel = new QLabel;
  m_statusLabel->setObjectName("statusText");
  m_statusLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // long paths must not widen the window
  m_busy = new QProgressBar;
  m_busy->setRange(0, 0);  // indeterminate
  m_busy->setMaximumWidth(140);
  m_busy->setMaximumHeight(m_statusLabel->sizeHint().height());
  m_busy->hide();
  statusBar()->addWidget(m_statusLabel, 1);
  statusBar()->addPermanentWidget(m_busy);
  setStatus(tr("No model loaded"));

  createMenus();
  connect(m_loader, &ModelLoader::loaded, this, [this](quint64, const srdd::ModelSummary& s) { onLoaded(s); });
  connect(m_loader, &ModelLoader::failed, this,
          [this](quint64, const QString& dir, const QString& message) { onFailed(dir, message); });
  connect(m_loader, &ModelLoader::busyChanged, m_busy, &QWidget::setVisible);

  resize(1200, 760);
  const QSettings settings;
  restoreGeometry(settings.value(kGeometryKey).toByteArray());
  restoreState(settings.value(kStateKey).toByteArray());
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open Model\u2026"), this, &MainWindow::chooseModel);
  open->setShortcut(QKeySequence::Open);
  m_recentMenu = file->addMenu(tr("Open &Recent"));
  connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
  rebuildRecentMenu();
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  quit->setMenuRole(QAction::QuitRole);

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

void MainWindow::onLoaded(const srdd::ModelSummary& summary) {
  m_summary = summary;
  m_errorPanel->hide();
  m_view->setSummary(summary);
  m_stack->setCurrentWidget(m_view);
  const QString dir = QString::fromStdString(summary.directory);
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
  m_errorLabel->setText(message);
  m_errorPanel->show();
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
  QMainWindow::closeEvent(event);
}

QString MainWindow::directoryFromDrop(const QMimeData* mime) {
  if (!mime || !mime->hasUrls()) return {};
  for (const QUrl& url : mime->urls()) {
    if (!url.isLocalFile()) continue;
    const QFileInfo info(url.toLocalFile());
    if (info.isDir()) return info.absoluteFilePath();
    if (info.isFile()) return info.absolutePath();
  }
  return {};
}

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
