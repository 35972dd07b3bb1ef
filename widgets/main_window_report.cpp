// MainWindow: File ▸ Write Proposal Report… (the folder of `srdd report --format md|html`, docs/report.md).
#include "main_window.h"

#include "aqn/aqn_results_view.h"
#include "aqn/aqn_workspace.h"
#include "report/proposal_report.h"
#include "report/report_dialog.h"
#include "results/results_panel.h"
#include "results/scan_data.h"

#include <srdd/error.h>

#include <QDir>
#include <QSettings>

namespace srdd_gui {

namespace {
const char* const kReportKey = "report/last";  // folder, format, language, figures of the last report
}

bool MainWindow::writeProposalReport(const ReportRequest& request) {
  const ScanData* data = m_results->scanData();
  try {
    if (!data) throw srdd::Error("No scan to report: run a scan or open scan results first.");
    if (request.outDir.isEmpty()) throw srdd::Error("Choose a folder for the report.");
    if (!m_reportJob) {
      m_reportJob = new ProposalReportJob(this);
      connect(m_reportJob, &ProposalReportJob::finished, this, [this](const QString& page) {
        setStatus(tr("Wrote the proposal report %1").arg(QDir::toNativeSeparators(page)));
        Q_EMIT proposalReportWritten(page);
      });
      connect(m_reportJob, &ProposalReportJob::failed, this, [this](const QString& message) {
        setStatus(tr("The proposal report failed"));
        showError(message);
        Q_EMIT proposalReportFailed(message);
      });
    }
    m_reportJob->start(data->result(), m_aqn->resultsView()->result(), request);
  } catch (const srdd::Error& e) {
    showError(QString::fromStdString(e.what()));
    return false;
  }
  setStatus(tr("Writing the proposal report into %1\u2026").arg(QDir::toNativeSeparators(request.outDir)));
  return true;
}

void MainWindow::chooseProposalReport() {
  const ScanData* data = m_results->scanData();
  if (!data) return;
  ReportDialog dialog(this);
  QSettings settings;
  ReportRequest last;
  last.outDir = QDir(exportStartDirectory()).filePath(data->modelName() + QStringLiteral("-report"));
  last.format = settings.value(QString(kReportKey) + "/format", last.format).toString();
  last.language = settings.value(QString(kReportKey) + "/language", last.language).toString();
  last.figures = settings.value(QString(kReportKey) + "/figures", last.figures).toString();
  dialog.setRequest(last);
  if (dialog.exec() != QDialog::Accepted) return;
  const ReportRequest request = dialog.request();
  settings.setValue(QString(kReportKey) + "/format", request.format);
  settings.setValue(QString(kReportKey) + "/language", request.language);
  settings.setValue(QString(kReportKey) + "/figures", request.figures);
  writeProposalReport(request);
}

}  // namespace srdd_gui
