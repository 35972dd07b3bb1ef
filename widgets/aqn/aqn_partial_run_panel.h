#pragma once
// The banner of a partial AQN run directory (one that stopped before every run had finished): how many runs
// are done, each run marked finished (with its final held-out loss) or missing, and "Resume", which queues
// the directory's own settings again so that the engine trains only the missing runs.
#include "aqn/aqn_run_directory.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;

namespace srdd_gui {

class AqnPartialRunPanel : public QWidget {
  Q_OBJECT
 public:
  explicit AqnPartialRunPanel(QWidget* parent = nullptr);

  void setRunDirectory(const AqnRunDirectory& dir);  // also makes the panel visible
  void setResumeEnabled(bool enabled, const QString& why = {});
  QListWidget* runList() const { return m_runs; }
  QPushButton* resumeButton() const { return m_resume; }
  QString headline() const;

 Q_SIGNALS:
  void resumeRequested();

 private:
  QLabel* m_headline;
  QListWidget* m_runs;
  QPushButton* m_resume;
};

}  // namespace srdd_gui
