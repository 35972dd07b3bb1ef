#include "open_error_dialog.h"

#include <QMessageBox>
#include <QString>

namespace srdd_gui {

void showOpenErrorDialog(QWidget* parent, const QString& title, const QString& message) {
  QWidget* window = parent->window();
  auto* box = window->findChild<QMessageBox*>(QLatin1String(kOpenErrorDialogName), Qt::FindDirectChildrenOnly);
  if (!box) {
    box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, window);
    box->setObjectName(QLatin1String(kOpenErrorDialogName));
    box->setWindowModality(Qt::NonModal);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
  }
  box->setWindowTitle(title);
  box->setText(message);
  box->open();
}

}  // namespace srdd_gui
