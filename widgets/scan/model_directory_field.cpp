#include "model_directory_field.h"

#include "recent_models.h"

#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QStyle>
#include <QToolButton>
#include <QUrl>

namespace srdd_gui {

QString modelDirectoryFromDrop(const QMimeData* mime) {
  if (!mime || !mime->hasUrls()) return {};
  for (const QUrl& url : mime->urls()) {
    if (!url.isLocalFile()) continue;
    const QFileInfo info(url.toLocalFile());
    if (info.isDir()) return info.absoluteFilePath();
    if (info.isFile()) return info.absolutePath();
  }
  return {};
}

ModelDirectoryField::ModelDirectoryField(QWidget* parent)
    : QWidget(parent), m_edit(new QLineEdit), m_recent(new QToolButton) {
  setAcceptDrops(true);
  m_edit->setObjectName("modelDirectory");
  m_edit->setPlaceholderText(tr("Model folder, or a Hugging Face id (ORG/NAME) in the local cache"));
  m_edit->setClearButtonEnabled(true);
  m_edit->setAcceptDrops(false);  // folder drops go to this field, not into the text
  auto* browse = new QToolButton;
  browse->setObjectName("browseModel");
  browse->setIcon(style()->standardIcon(QStyle::SP_DirOpenIcon));
  browse->setToolTip(tr("Choose a model folder"));
  m_recent->setObjectName("recentModels");
  m_recent->setArrowType(Qt::DownArrow);
  m_recent->setToolTip(tr("Recent models"));
  m_recent->setPopupMode(QToolButton::InstantPopup);
  m_recent->setMenu(new QMenu(m_recent));
  connect(m_recent->menu(), &QMenu::aboutToShow, this, &ModelDirectoryField::rebuildRecent);
  rebuildRecent();

  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(0, 0, 0, 0);
  row->setSpacing(2);
  row->addWidget(m_edit, 1);
  row->addWidget(browse);
  row->addWidget(m_recent);

  connect(browse, &QToolButton::clicked, this, &ModelDirectoryField::browse);
  connect(m_edit, &QLineEdit::textChanged, this, &ModelDirectoryField::edited);
  connect(m_edit, &QLineEdit::editingFinished, this, [this] {
    if (m_edit->isModified() && !directory().isEmpty()) Q_EMIT chosen(directory());
    m_edit->setModified(false);
  });
}

QString ModelDirectoryField::directory() const { return QDir::fromNativeSeparators(m_edit->text().trimmed()); }

void ModelDirectoryField::setDirectory(const QString& directory) {
  const QSignalBlocker block(m_edit);
  m_edit->setText(QDir::toNativeSeparators(directory));
  m_edit->setToolTip(m_edit->text());
  Q_EMIT edited();
}

void ModelDirectoryField::browse() {
  const QString start = directory().isEmpty() ? QDir::homePath() : QFileInfo(directory()).absolutePath();
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Model Directory"), start);
  if (dir.isEmpty()) return;
  setDirectory(dir);
  Q_EMIT chosen(dir);
}

void ModelDirectoryField::rebuildRecent() {
  QMenu* menu = m_recent->menu();
  menu->clear();
  const QStringList recent = RecentModels::list();
  for (const QString& dir : recent) {
    connect(menu->addAction(QDir::toNativeSeparators(dir)), &QAction::triggered, this, [this, dir] {
      setDirectory(dir);
      Q_EMIT chosen(dir);
    });
  }
  if (recent.isEmpty()) menu->addAction(tr("No recent models"))->setEnabled(false);
}

void ModelDirectoryField::dragEnterEvent(QDragEnterEvent* event) {
  if (!modelDirectoryFromDrop(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void ModelDirectoryField::dropEvent(QDropEvent* event) {
  const QString dir = modelDirectoryFromDrop(event->mimeData());
  if (dir.isEmpty()) return;
  event->acceptProposedAction();
  setDirectory(dir);
  Q_EMIT chosen(dir);
}

}  // namespace srdd_gui
