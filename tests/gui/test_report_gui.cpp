// File ▸ Write Proposal Report…: the scan shown and the AQN comparison shown become the report folder of
// `srdd report`, written by a child process while the GUI thread keeps running.
#include "report_fixture.h"
#include "test_support.h"

#include "aqn/aqn_workspace.h"
#include "main_window.h"
#include "report/proposal_report.h"
#include "report/report_dialog.h"
#include "studio_app.h"

#include <nlohmann/json.hpp>

#include <QAction>
#include <QFileInfo>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <cstdio>
#include <fstream>

using namespace srdd_gui;

class TestReportGui : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    setApplicationIdentity();
    QVERIFY(m_tmp.isValid());
    const QString error = report_test::makeInputs(m_tmp.path(), &m_in);
    QVERIFY2(error.isEmpty(), qPrintable(error));
  }

  void menuActionNeedsAScan() {
    MainWindow w;
    auto* action = w.findChild<QAction*>("writeProposalReport");
    QVERIFY(action);
    QVERIFY(!action->isEnabled());
    QVERIFY(!w.writeProposalReport({m_tmp.filePath("nothing"), "html", "en", "none"}));
    QVERIFY(w.errorMessage().contains("No scan to report"));
    QVERIFY2(w.openScanResults(m_in.scan), qPrintable(w.errorMessage()));
    QVERIFY(action->isEnabled());
  }

  // The scan and the AQN comparison shown, in Chinese: the page holds both, and the GUI thread ran meanwhile.
  void writesTheReportWithoutBlocking() {
    MainWindow w;
    QVERIFY2(w.openScanResults(m_in.scan), qPrintable(w.errorMessage()));
    QVERIFY(w.aqnWorkspace()->openRunDirectory(m_in.aqn));
    QSignalSpy written(&w, &MainWindow::proposalReportWritten), failed(&w, &MainWindow::proposalReportFailed);
    int ticks = 0;
    QTimer timer;
    connect(&timer, &QTimer::timeout, [&ticks] { ++ticks; });
    timer.start(20);
    const QString dir = m_tmp.filePath("gui-report");
    QVERIFY2(w.writeProposalReport({dir, "html", "zh", "svg"}), qPrintable(w.errorMessage()));
    QVERIFY(w.proposalReportJob()->isRunning());
    QVERIFY(w.statusText().contains(dir));
    QTRY_VERIFY_WITH_TIMEOUT(written.count() + failed.count() > 0, 300000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.first().first().toString()));
    QVERIFY2(ticks > 5,
             qPrintable(QString("the GUI thread ran %1 timer ticks while the report was written").arg(ticks)));
    const QString page = written.first().first().toString();
    QCOMPARE(QFileInfo(page).absoluteFilePath(), QFileInfo(dir + "/report.html").absoluteFilePath());
    const QString html = QString::fromUtf8(srdd_test::fileBytes(page));
    QVERIFY(html.contains("<h2>逐层指标</h2>"));
    // The AQN comparison shown in the GUI is in the report, with its numbers.
    std::ifstream in((m_in.aqn + "/comparison.json").toStdString());
    const auto aqn = nlohmann::json::parse(in);
    for (const auto& c : aqn.at("configs")) {
      char cell[64];
      std::snprintf(cell, sizeof cell, "%.4f ± %.4f", c.at("eval_loss_quantized").at("mean").get<double>(),
                    c.at("eval_loss_quantized").at("sd").get<double>());
      QVERIFY2(html.contains(QString::fromUtf8(cell)), cell);
    }
    QVERIFY(html.contains("SRDD 引导 AQN (targeted)"));
    QVERIFY(QFileInfo(dir + "/figures/compare-gain-ratio.svg").size() > 0);
    QVERIFY(QFileInfo(dir + "/figures/aqn-final-loss.svg").size() > 0);
    // The report keeps the inputs it was made from, and its provenance names them.
    QVERIFY(QFileInfo(dir + "/inputs/scan.json").size() > 0 && QFileInfo(dir + "/inputs/comparison.json").size() > 0);
    QVERIFY(html.contains(QFileInfo(dir + "/inputs/scan.json").absoluteFilePath()));
    QVERIFY(w.statusText().contains("report.html"));
  }

  // An unwritable folder fails at once; a failing `srdd report` (no srdd-studio) shows its line in the error panel.
  void failureShowsTheError() {
    MainWindow w;
    QVERIFY2(w.openScanResults(m_in.scan), qPrintable(w.errorMessage()));
    QVERIFY(!w.writeProposalReport({"/proc/srdd-report", "md", "en", "none"}));
    QVERIFY2(w.errorMessage().contains("/proc/srdd-report"), qPrintable(w.errorMessage()));
    QSignalSpy failed(&w, &MainWindow::proposalReportFailed);
    const QString missing = m_tmp.filePath("no-studio");
    qputenv("SRDD_STUDIO", missing.toLocal8Bit());
    const bool started = w.writeProposalReport({m_tmp.filePath("failing-report"), "md", "en", "svg"});
    qunsetenv("SRDD_STUDIO");
    QVERIFY(started);
    QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 60000);
    QVERIFY2(w.errorMessage().contains(missing) && w.errorMessage().contains("--figures none"),
             qPrintable(w.errorMessage()));
    QVERIFY(!QFileInfo::exists(m_tmp.filePath("failing-report/report.md")));
  }

  void dialogRoundTripsTheRequest() {
    ReportDialog d;
    d.setRequest({"/tmp/x", "md", "zh", "pdf"});
    const ReportRequest r = d.request();
    QCOMPARE(r.outDir, QStringLiteral("/tmp/x"));
    QCOMPARE(r.format, QStringLiteral("md"));
    QCOMPARE(r.language, QStringLiteral("zh"));
    QCOMPARE(r.figures, QStringLiteral("pdf"));
  }

 private:
  QTemporaryDir m_tmp;
  report_test::Inputs m_in;
};

QTEST_MAIN(TestReportGui)
#include "test_report_gui.moc"
