// AqnJobQueue and AqnWorkspace with the real engine on the bundled demo model and tiny settings: a
// comparison runs to completion off the GUI thread and the results view shows its numbers; cancelling
// keeps the finished runs (and a re-queued comparison resumes them); engine errors reach the UI.
#include <srdd/aqn.h>
#include <srdd/error.h>

#include "aqn/aqn_dialog.h"
#include "aqn/aqn_format.h"
#include "aqn/aqn_job_queue.h"
#include "aqn/aqn_results_data.h"
#include "aqn/aqn_results_view.h"
#include "aqn/aqn_table_models.h"
#include "aqn/aqn_workspace.h"
#include "aqn_tiny.h"
#include "test_support.h"

#include <qcustomplot.h>

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace srdd_gui;
namespace aqn = srdd::aqn;
using aqn_test::readAll;
using aqn_test::tiny;

namespace {

constexpr int kRunTimeoutMs = 540000;

}  // namespace

class TestAqnQueue : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void workspaceRunsComparisonToCompletion() {
    QTemporaryDir tmp;
    AqnWorkspace ws;
    QAbstractItemModelTester tester(ws.queue(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    ws.resize(1280, 820);
    ws.show();
    QSignalSpy started(ws.queue(), &AqnJobQueue::jobStarted);
    QSignalSpy progress(ws.queue(), &AqnJobQueue::jobProgress);
    QSignalSpy finished(ws.queue(), &AqnJobQueue::jobFinished);
    QSignalSpy failed(ws.queue(), &AqnJobQueue::jobFailed);
    QSignalSpy shown(&ws, &AqnWorkspace::resultShown);
    const QString dir = tmp.filePath("run");
    const quint64 id = ws.enqueue(tiny(3), dir);
    QCOMPARE(started.count(), 1);  // started at once, and enqueue returned without waiting
    QVERIFY(ws.queue()->job(id)->isActive());
    QVERIFY_THROWS_EXCEPTION(srdd::Error, ws.queue()->enqueue(tiny(3), dir));  // same directory twice
    const QString shots = qEnvironmentVariable("SRDD_SCREENSHOT_DIR");
    if (!shots.isEmpty()) {
      QTRY_VERIFY_WITH_TIMEOUT(ws.queue()->job(id)->progress.step >= 3 || !finished.isEmpty(), kRunTimeoutMs);
      QVERIFY(ws.grab().save(shots + "/aqn-workspace-running.png"));
    }
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, kRunTimeoutMs);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
    QCOMPARE(finished.first().at(0).toULongLong(), id);
    QVERIFY(progress.count() >= 1);
    const AqnJob* job = ws.queue()->job(id);
    QCOMPARE(job->state, AqnJobState::Finished);
    QVERIFY(!ws.queue()->isBusy());
    QCOMPARE(ws.queue()->index(0, AqnJobQueue::Progress).data(AqnFractionRole).toDouble(), 1.0);
    const aqn::ComparisonResult& r = *job->result;
    QCOMPARE(int(r.runs.size()), 4);
    QCOMPARE(int(r.configs.size()), 2);

    // The engine wrote the comparison; what it wrote is what the view shows.
    const aqn::ComparisonResult onDisk = aqn::readComparison((dir + "/comparison.json").toStdString());
    QCOMPARE(onDisk.configs[1].quantized.mean, r.configs[1].quantized.mean);
    QCOMPARE(shown.count(), 1);
    QCOMPARE(ws.shownJob(), id);
    AqnResultsView* view = ws.resultsView();
    QVERIFY(view->result());
    AqnConfigTableModel* cm = view->configModel();
    QCOMPARE(cm->rowCount(), 2);
    for (int row = 0; row < 2; ++row) {
      const aqn::ConfigSummary& c = r.configs[size_t(row)];
      QCOMPARE(cm->index(row, AqnConfigTableModel::Config).data().toString(), QString::fromStdString(c.name));
      QCOMPARE(cm->index(row, AqnConfigTableModel::N).data().toInt(), 2);
      QCOMPARE(cm->index(row, AqnConfigTableModel::MeanSd).data(AqnSortRole).toDouble(), c.quantized.mean);
      // mean of the two seeds' final held-out losses, from the runs themselves
      double sum = 0;
      for (const auto& run : r.runs)
        if (run.config == c.name) sum += run.evalLossQuantized;
      QVERIFY(std::fabs(c.quantized.mean - sum / 2) <= 1e-12 * std::fabs(sum));
      QCOMPARE(cm->index(row, AqnConfigTableModel::MeanSd).data().toString(),
               formatStat(c.quantized.mean, 5) + " ± " + formatStat(c.quantized.sd, 2));
    }
    AqnTestTableModel* tm = view->testModel();
    QCOMPARE(tm->rowCount(), int(r.tests.size()));
    QCOMPARE(tm->index(0, AqnTestTableModel::Pair).data().toString(), QStringLiteral("targeted vs baseline"));
    if (r.tests[0].error.empty())
      QCOMPARE(tm->index(0, AqnTestTableModel::WelchP).data().toString(), formatPValue(r.tests[0].welch.p));
    // Loss curves: mean over the 2 seeds per step.
    QCustomPlot* plot = view->lossPlot();
    QCOMPARE(plot->graphCount(), 6);
    auto meanGraph = plot->graph(4)->data();  // after the two bands: the baseline mean
    QCOMPARE(meanGraph->size(), 3);
    for (int s = 0; s < 3; ++s)
      QVERIFY(std::fabs(meanGraph->at(s)->value -
                        (r.runs[0].trainLoss[size_t(s)] + r.runs[1].trainLoss[size_t(s)]) / 2) < 1e-12);

    QCOMPARE(view->sigmaPlot()->graph(0)->data()->size(), 3);
    QCOMPARE(view->sigmaPlot()->graph(0)->data()->at(2)->value, r.sigmaPerStep[2]);
    if (!shots.isEmpty()) {
      QTest::qWait(200);
      QVERIFY(ws.grab().save(shots + "/aqn-workspace.png"));
    }

    // Opening the run directory shows the same comparison.
    QVERIFY(ws.openRunDirectory(dir));
    QCOMPARE(view->configModel()->index(0, AqnConfigTableModel::MeanSd).data(AqnSortRole).toDouble(),
             r.configs[0].quantized.mean);
    QVERIFY(!ws.openRunDirectory(tmp.filePath("nothing")));
    QVERIFY(ws.statusText().contains("nothing"));
    QVERIFY(ws.queue()->remove(id));
    QCOMPARE(ws.queue()->rowCount(), 0);
  }

  void cancelKeepsFinishedRunsAndResumes() {
    QTemporaryDir tmp;
    const QString dir = tmp.filePath("run");
    AqnJobQueue queue;
    QAbstractItemModelTester tester(&queue, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(&queue, &AqnJobQueue::jobFinished);
    QSignalSpy cancelled(&queue, &AqnJobQueue::jobCancelled);
    QSignalSpy failed(&queue, &AqnJobQueue::jobFailed);
    const auto settings = tiny(6);
    const quint64 id = queue.enqueue(settings, dir);
    const QString firstRun = dir + "/runs/baseline-seed0/result.json";
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(firstRun) || !failed.isEmpty(), kRunTimeoutMs);
    QVERIFY(failed.isEmpty());
    QVERIFY(queue.cancel(id));
    QCOMPARE(queue.job(id)->state, AqnJobState::Cancelling);
    QVERIFY(!queue.remove(id));  // still running
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, kRunTimeoutMs);
    QCOMPARE(finished.count(), 0);
    QVERIFY(failed.isEmpty());
    QCOMPARE(queue.job(id)->state, AqnJobState::Cancelled);
    QVERIFY(!queue.job(id)->result);
    QVERIFY(!queue.isBusy());
    QVERIFY(QFile::exists(firstRun));
    QVERIFY(!QFile::exists(dir + "/comparison.json"));
    const QByteArray kept = readAll(firstRun);
    QVERIFY(!kept.isEmpty());

    // Queued again: the finished run is kept, not rerun, and the comparison completes.
    const quint64 again = queue.enqueue(settings, dir);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, kRunTimeoutMs);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
    QCOMPARE(finished.first().at(0).toULongLong(), again);
    QCOMPARE(cancelled.count(), 1);
    QCOMPARE(readAll(firstRun), kept);
    const auto& runs = queue.job(again)->result->runs;
    QCOMPARE(int(runs.size()), 4);
    const aqn::RunResult keptRun = aqn::RunResult::fromJson(nlohmann::json::parse(kept.toStdString()));
    QCOMPARE(runs[0].trainLoss, keptRun.trainLoss);
  }

  void runDialogQueuesAndCancelButtonCancels() {
    QTemporaryDir tmp;
    AqnWorkspace ws;
    ws.setModelDirectory(srdd_test::demoModelDir());
    ws.setNumLayers(6);
    ws.setTargets({4, 2});
    ws.setRunRoot(tmp.path());
    ws.show();
    AqnDialog* d = ws.showRunDialog();
    QVERIFY(d->isVisible());
    QCOMPARE(d->settings().targets, (std::vector<int>{2, 4}));
    QCOMPARE(QString::fromStdString(d->settings().modelDirectory), srdd_test::demoModelDir());
    QVERIFY(d->runDirectory().startsWith(tmp.path() + "/aqn-"));
    QVERIFY(d->isValid());
    const auto expected = d->settings();
    QSignalSpy cancelled(ws.queue(), &AqnJobQueue::jobCancelled);
    QSignalSpy finished(ws.queue(), &AqnJobQueue::jobFinished);
    d->accept();
    QCOMPARE(ws.queue()->rowCount(), 1);
    const AqnJob& job = ws.queue()->jobAt(0);
    QCOMPARE(QString::fromStdString(job.settings.toJson().dump()), QString::fromStdString(expected.toJson().dump()));
    QVERIFY(job.isActive());
    QPushButton* cancel = nullptr;
    for (auto* b : ws.findChildren<QPushButton*>())
      if (b->text() == "Cancel job") cancel = b;
    QVERIFY(cancel && cancel->isEnabled());  // the new job is selected
    cancel->click();
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, kRunTimeoutMs);
    QCOMPARE(finished.count(), 0);
    QVERIFY(!cancel->isEnabled());
    QVERIFY(ws.statusText().contains("cancelled"));
    // The next dialog starts from the last queued settings.
    AqnDialog* next = ws.showRunDialog();
    QCOMPARE(next->settings().seeds, expected.seeds);
    next->reject();
  }

  void engineErrorsAndQueuedJobs() {
    QTemporaryDir tmp;
    AqnJobQueue queue;
    QAbstractItemModelTester tester(&queue, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy failed(&queue, &AqnJobQueue::jobFailed);
    QSignalSpy cancelled(&queue, &AqnJobQueue::jobCancelled);
    QSignalSpy idle(&queue, &AqnJobQueue::idle);
    auto bad = tiny(2);
    bad.data.trainPath = (tmp.path() + "/no-such-corpus.txt").toStdString();
    const quint64 a = queue.enqueue(bad, tmp.filePath("a"));
    const quint64 b = queue.enqueue(bad, tmp.filePath("b"));
    QCOMPARE(queue.job(b)->state, AqnJobState::Queued);
    QCOMPARE(queue.index(1, AqnJobQueue::Status).data().toString(), QStringLiteral("queued"));
    QVERIFY(queue.cancel(b));  // a queued job ends at once and never runs
    QCOMPARE(queue.job(b)->state, AqnJobState::Cancelled);
    QCOMPARE(cancelled.count(), 1);
    QVERIFY(queue.remove(b));
    QCOMPARE(queue.rowCount(), 1);
    QVERIFY(!queue.cancel(b));
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kRunTimeoutMs);
    QCOMPARE(failed.first().at(0).toULongLong(), a);
    const QString message = failed.first().at(1).toString();
    QVERIFY2(message.contains("no-such-corpus.txt"), qPrintable(message));  // the engine names the file
    QCOMPARE(queue.job(a)->error, message);
    QCOMPARE(queue.index(0, AqnJobQueue::Status).data().toString(), QStringLiteral("failed"));
    QCOMPARE(queue.index(0, AqnJobQueue::Stage).data(Qt::ToolTipRole).toString(), message);
    QVERIFY(!QFile::exists(tmp.filePath("b")));
    QTRY_VERIFY(!idle.isEmpty());
    QVERIFY_THROWS_EXCEPTION(srdd::Error, queue.enqueue(bad, QString()));
  }
};

QTEST_MAIN(TestAqnQueue)
#include "test_aqn_queue.moc"
