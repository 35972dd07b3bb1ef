#pragma once
// The dialog for a file or folder the user asked to open that cannot be used (File → Open Model, Open Scan
// Results, Open Session, AQN → Open run directory): a warning naming the file and the problem (the
// srdd::Error line). It does not block (QDialog::open, not exec) and is not modal, so the window stays
// usable. One dialog per window, kept for reuse: a later failure replaces its text instead of stacking a
// second one.
class QString;
class QWidget;

namespace srdd_gui {

constexpr const char* kOpenErrorDialogName = "openErrorDialog";  // objectName of the QMessageBox
void showOpenErrorDialog(QWidget* parent, const QString& title, const QString& message);

}  // namespace srdd_gui
