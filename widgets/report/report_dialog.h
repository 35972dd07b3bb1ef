#pragma once
// The settings of File ▸ Write Proposal Report…: folder, page format, language and figure format.
#include "report/proposal_report.h"

#include <QDialog>

class QComboBox;
class QLineEdit;

namespace srdd_gui {

class ReportDialog : public QDialog {
  Q_OBJECT
 public:
  explicit ReportDialog(QWidget* parent = nullptr);
  void setRequest(const ReportRequest& request);
  ReportRequest request() const;
  QLineEdit* folderEdit() const { return m_folder; }

 private:
  QLineEdit* m_folder;
  QComboBox *m_format, *m_language, *m_figures;
};

}  // namespace srdd_gui
