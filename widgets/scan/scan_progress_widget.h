#pragma once
// The scan's progress in the status bar: stage, layer and ETA, a progress bar and a Cancel button.
#include "scan_job_runner.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace srdd_gui {

class ScanProgressWidget : public QWidget {
  Q_OBJECT
 public:
  explicit ScanProgressWidget(QWidget* parent = nullptr);

  void setProgress(const ScanProgress& progress);
  void reset();  // "starting…", empty bar
  QString text() const;
  int permille() const;  // the bar's value, 0..1000

 Q_SIGNALS:
  void cancelRequested();

 private:
  QLabel* m_label;
  QProgressBar* m_bar;
  QToolButton* m_cancel;
};

}  // namespace srdd_gui
