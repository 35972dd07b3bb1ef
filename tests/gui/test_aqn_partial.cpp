// Quitting during an AQN run and partial run directories (issue #19, point 2), with a real comparison of the
// bundled demo model: quitting asks first (Cancel keeps the run going; "Quit Anyway" stops it between two
// training steps and then closes), the stopped directory holds config.json and the finished runs only, a new
// window opens it with the finished runs shown and the missing ones marked, and Resume completes it through
// the engine without rerunning the finished runs.
#include "aqn/aqn_job_queue.h"
#include "aqn/aqn_partial_run_panel.h"
#include "aqn/aqn_results_view.h"
#include "aqn/aqn_table_models.h"
#include "aqn/aqn_workspace.h"
#include "main_window.h"
#include "modal_answer.h"
#include "studio_app.h"
#include "aqn_tiny.h"
#include "test_support.h"

#include <srdd/aqn.h>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace srdd_gui;
using modal_test::Answer;
using modal_test::answerNext;
using modal_test::click;
namespace aqn = srdd::aqn;
using aqn_test::readAll;
using aqn_test::tiny;

namespace {

constexpr int kRunTimeoutMs = 540000;

// result.json of each finished run, by run name.
QMap<QString, QByteArray> finishedRuns(const QString& dir) {
  QMap<QString, QByteArray> runs;
  for (const QString& run : QDir(dir + "/runs").entryList(QDir::Dirs | QDir::NoDotAndDotDot))
    if (QFile::exists(dir + "/runs/" + run + "/result.json"))
      runs[run] = readAll(dir + "/runs/" + run + "/result.json");
  return runs;
}

}  // namespace

class TestAqnPartial : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    setApplicationIdentity();
    QSettings().clear();
  }

  void quitDuringRunThenOpenAndResume() {
    QTemporaryDir tmp;
    const QString dir = tmp.filePath("run");
    const aqn::ComparisonSettings settings = tiny(6);
    {
      MainWindow w;
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      AqnJobQueue* queue = w.aqnWorkspace()->queue();
      QSignalSpy failed(queue, &AqnJobQueue::jobFailed);
      const quint64 id = w.aqnWorkspace()->enqueue(settings, dir);
      QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(dir + "/runs/baseline-seed0/result.json") || !failed.isEmpty(),
                               kRunTimeoutMs);
      QVERIFY(failed.isEmpty());
      QVERIFY(queue->isBusy());

      // Cancel: the window stays and the run goes on.
      Answer keep;
      answerNext("quitDuringAqnQuestion",
                 modal_test::screenshotThen("quit-during-aqn-question.png", click(QMessageBox::Cancel)), &keep);
      QVERIFY(!w.close());
      QVERIFY(keep.seen);
      QVERIFY2(keep.text.contains(QDir::toNativeSeparators(queue->job(id)->runDirectory)), qPrintable(keep.text));
      QVERIFY(w.isVisible());
      QVERIFY(queue->isBusy());
      QCOMPARE(queue->job(id)->state, AqnJobState::Running);

      // Quit Anyway: the run is cancelled and the window closes once it has stopped.
      Answer quit;
      answerNext("quitDuringAqnQuestion", click("quitAnyway"), &quit);
      w.close();
      QVERIFY(quit.seen);
      QTRY_VERIFY_WITH_TIMEOUT(!w.isVisible(), kRunTimeoutMs);
      QVERIFY(!queue->isBusy());
      QCOMPARE(queue->job(id)->state, AqnJobState::Cancelled);
    }

    // What is left: the configuration and whole finished runs, nothing half-written, no comparison.
    QVERIFY(QFile::exists(dir + "/config.json"));
    QVERIFY(!QFile::exists(dir + "/comparison.json"));
    const QMap<QString, QByteArray> kept = finishedRuns(dir);
    QVERIFY(kept.contains("baseline-seed0"));
    QVERIFY(kept.size() < 4);
    for (QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories); it.hasNext();)
      QVERIFY2(!it.next().contains(".tmp."), qPrintable(it.filePath()));

    // A new window opens the partial directory: finished runs shown, missing ones marked.
    MainWindow w;
    w.resize(1500, 950);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.showPage(MainWindow::AqnPage);
    AqnWorkspace* ws = w.aqnWorkspace();
    QVERIFY2(ws->openRunDirectory(dir), qPrintable(ws->statusText()));
    AqnPartialRunPanel* panel = ws->partialRunPanel();
    QVERIFY(panel->isVisible());
    QVERIFY2(panel->headline().contains(QStringLiteral("%1 of 4 runs finished").arg(kept.size())),
             qPrintable(panel->headline()));
    QListWidget* list = panel->runList();
    QCOMPARE(list->count(), 4);
    const QStringList order = {"baseline-seed0", "baseline-seed1", "targeted-seed0", "targeted-seed1"};
    for (int i = 0; i < 4; ++i) {
      QListWidgetItem* item = list->item(i);
      QCOMPARE(item->data(Qt::UserRole).toString(), order[i]);
      QCOMPARE(item->data(Qt::UserRole + 1).toBool(), kept.contains(order[i]));
      QCOMPARE(item->text().endsWith("missing"), !kept.contains(order[i]));
    }
    const aqn::ComparisonResult* shown = ws->resultsView()->result();
    QVERIFY(shown);
    QCOMPARE(int(shown->runs.size()), kept.size());
    const aqn::RunResult first = aqn::RunResult::fromJson(nlohmann::json::parse(kept["baseline-seed0"].toStdString()));
    QCOMPARE(shown->runs[0].evalLossQuantized, first.evalLossQuantized);
    QCOMPARE(shown->runs[0].trainLoss, first.trainLoss);
    // Statistics for the configurations with two finished seeds (the first runs are baseline's).
    const bool baselineDone = kept.contains("baseline-seed1");
    QCOMPARE(ws->resultsView()->configModel()->rowCount(), baselineDone ? 1 : 0);
    if (baselineDone)
      QCOMPARE(ws->resultsView()->configModel()->index(0, AqnConfigTableModel::Config).data().toString(),
               QStringLiteral("baseline"));
    QVERIFY(ws->statusText().contains("missing"));
    const QString shots = qEnvironmentVariable("SRDD_SCREENSHOT_DIR");
    if (!shots.isEmpty()) {
      QTest::qWait(200);
      QVERIFY(w.grab().save(shots + "/aqn-partial-run-directory.png"));
    }

    // Resume: the directory's own settings queued again; the finished runs are kept, the rest is trained.
    QSignalSpy finished(ws->queue(), &AqnJobQueue::jobFinished);
    QSignalSpy failed(ws->queue(), &AqnJobQueue::jobFailed);
    QPushButton* resume = panel->resumeButton();
    QVERIFY(resume->isEnabled());
    resume->click();
    QCOMPARE(ws->queue()->rowCount(), 1);
    const AqnJob& job = ws->queue()->jobAt(0);
    QVERIFY(QDir(job.runDirectory) == QDir(dir));
    const nlohmann::json config = nlohmann::json::parse(readAll(dir + "/config.json").toStdString());
    QCOMPARE(QString::fromStdString(job.settings.toJson().dump()), QString::fromStdString(config["settings"].dump()));
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, kRunTimeoutMs);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
    QVERIFY(QFile::exists(dir + "/comparison.json"));
    const QMap<QString, QByteArray> all = finishedRuns(dir);
    QCOMPARE(all.size(), 4);
    for (auto it = kept.begin(); it != kept.end(); ++it) QCOMPARE(all[it.key()], it.value());  // not rerun
    QTRY_VERIFY(!panel->isVisible());
    QCOMPARE(int(ws->resultsView()->result()->runs.size()), 4);
  }

  void directoryWithoutConfigIsRefused() {
    QTemporaryDir tmp;
    AqnWorkspace ws;
    QVERIFY(!ws.openRunDirectory(tmp.path()));
    QVERIFY2(ws.statusText().contains("neither comparison.json nor config.json"), qPrintable(ws.statusText()));
    QVERIFY(ws.partialRunPanel()->isHidden());
  }
};

QTEST_MAIN(TestAqnPartial)
#include "test_aqn_partial.moc"
