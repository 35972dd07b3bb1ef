#pragma once
// File ▸ Write Proposal Report…: the report folder of `srdd report --format md|html` (docs/report.md) from the
// scan shown and the AQN comparison shown, if any. The scan and the comparison are written into the folder
// (DIR/inputs/scan.json, DIR/inputs/comparison.json, so that the report keeps what it was made from) and
// `srdd report` runs on them as a child process: the GUI thread never waits, and the report is exactly the
// command line's (which runs srdd-studio --export for the figures).
#include <srdd/aqn.h>
#include <srdd/scan_result.h>

#include <QObject>
#include <QProcess>
#include <QString>

namespace srdd_gui {

struct ReportRequest {
  QString outDir;
  QString format = QStringLiteral("html");  // html | md
  QString language = QStringLiteral("en");  // en | zh
  QString figures = QStringLiteral("svg");  // svg | pdf | png | none
};

class ProposalReportJob : public QObject {
  Q_OBJECT
 public:
  explicit ProposalReportJob(QObject* parent = nullptr);
  ~ProposalReportJob() override;

  // Starts writing the report of SCAN (and AQN, may be null). Throws srdd::Error when a job is running already,
  // the inputs cannot be written into the folder or `srdd` is not found; otherwise finished or failed follows.
  void start(const srdd::ScanResult& scan, const srdd::aqn::ComparisonResult* aqn, const ReportRequest& request);
  bool isRunning() const { return m_process && m_process->state() != QProcess::NotRunning; }
  // srdd next to this program, else $SRDD_CLI, else srdd on the PATH; empty when none is found.
  static QString cliProgram();

 Q_SIGNALS:
  void finished(const QString& page);   // the report page written (DIR/report.html or report.md)
  void failed(const QString& message);  // srdd report's one-line error

 private:
  void onFinished(int code, QProcess::ExitStatus status);

  QProcess* m_process = nullptr;
};

}  // namespace srdd_gui
