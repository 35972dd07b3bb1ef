#pragma once
// The model directory input of the scan setup: a path field, a Browse button, the recent models and
// drag-and-drop of a model folder (or of a file inside it).
#include <QWidget>

class QLineEdit;
class QMimeData;
class QToolButton;

namespace srdd_gui {

// The directory a drop of MIME would open: a dropped folder, or the folder of a dropped file; empty when
// the drop holds no local path.
QString modelDirectoryFromDrop(const QMimeData* mime);

class ModelDirectoryField : public QWidget {
  Q_OBJECT
 public:
  explicit ModelDirectoryField(QWidget* parent = nullptr);

  QString directory() const;
  void setDirectory(const QString& directory);  // no signal
  QLineEdit* lineEdit() const { return m_edit; }

 Q_SIGNALS:
  void chosen(const QString& directory);  // browsed, picked from the recent list, dropped or typed
  void edited();                          // the text changed

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void browse();
  void rebuildRecent();

  QLineEdit* m_edit;
  QToolButton* m_recent;
};

}  // namespace srdd_gui
