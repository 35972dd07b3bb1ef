#pragma once
// The finished scan as text: a summary line (model, quantizer, recommendation, time) above the engine's
// per-layer report. The central "Scan Report" page until the results views take over.
#include "scan_job_runner.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace srdd_gui {

class ScanReportView : public QWidget {
  Q_OBJECT
 public:
  explicit ScanReportView(QWidget* parent = nullptr);

  void setOutcome(const ScanOutcomePtr& outcome);
  void clear();
  QString summaryText() const;
  QString reportText() const;

 private:
  QLabel* m_summary;
  QPlainTextEdit* m_report;
};

}  // namespace srdd_gui
