// ScanJobRunner over the engine client (in-process engine) on the bundled demo model: results arrive on the
// GUI thread, progress is throttled, cancelled and superseded jobs never report, engine errors arrive as messages.
#include "scan/scan_job_runner.h"
#include "test_support.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using srdd_gui::ScanJobRunner;
using srdd_gui::ScanOutcomePtr;
using srdd_gui::ScanProgress;

namespace {

constexpr int kTimeoutMs = 300000;

srdd::ScanRequest smallRequest() {
  srdd::ScanRequest r;
  r.modelDir = srdd_test::demoModelDir().toStdString();
  r.scans = {"gain", "kurtosis"};
  r.prompts = "builtin:srdd";
  r.maxTokens = 16;
  return r;
}

// The default scan of the demo model: long enough to be interrupted.
srdd::ScanRequest defaultRequest() {
  srdd::ScanRequest r;
  r.modelDir = srdd_test::demoModelDir().toStdString();
  return r;
}

quint64 idAt(const QSignalSpy& spy, int i) { return spy.at(i).at(0).value<quint64>(); }

}  // namespace

class TestScanRunner : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QVERIFY(QFile::exists(srdd_test::demoModelDir() + "/model.safetensors")); }

  void capsEngineThreadsForTheGui() {
    ScanJobRunner runner;
    if (!qEnvironmentVariableIsEmpty("SRDD_THREADS") || !qEnvironmentVariableIsEmpty("OMP_NUM_THREADS"))
      QSKIP("thread count set by the environment");
    QCOMPARE(srdd::engineThreads(), std::max(1, QThread::idealThreadCount() - 1));
  }

  void resultArrives() {
    ScanJobRunner runner;
    QSignalSpy started(&runner, &ScanJobRunner::started);
    QSignalSpy finished(&runner, &ScanJobRunner::finished);
    QSignalSpy failed(&runner, &ScanJobRunner::failed);
    QSignalSpy busy(&runner, &ScanJobRunner::busyChanged);
    srdd::ScanRequest request = smallRequest();
    request.seed = 11;
    const quint64 id = runner.start(request);
    QVERIFY(id != 0);
    QCOMPARE(runner.currentJob(), id);
    QVERIFY(runner.isBusy());
    QCOMPARE(started.count(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, kTimeoutMs);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(1).toString()));
    QCOMPARE(idAt(finished, 0), id);
    QVERIFY(!runner.isBusy());
    QCOMPARE(busy.count(), 2);
    QCOMPARE(busy.at(0).at(0).toBool(), true);
    QCOMPARE(busy.at(1).at(0).toBool(), false);

    const ScanOutcomePtr outcome = finished.at(0).at(1).value<ScanOutcomePtr>();
    QVERIFY(outcome);
    QCOMPARE(QString::fromStdString(outcome->scan["schema"].get<std::string>()), QString("srdd-scan/1"));
    QCOMPARE(outcome->scan["layers"].size(), size_t(6));
    QCOMPARE(outcome->scan["parameters"]["seed"].get<int>(), 11);
    QCOMPARE(outcome->scan["parameters"]["scans"], nlohmann::json({"gain", "kurtosis"}));
    QCOMPARE(outcome->request.toJson(), request.toJson());
    QCOMPARE(outcome->report, QString::fromStdString(srdd::scanReportText(outcome->scan)));
    QVERIFY(outcome->report.contains("recommendation:"));
    QVERIFY(outcome->seconds > 0);

    QCOMPARE(outcome->engine, QString("in-process"));
    QVERIFY(!outcome->engineHost.isEmpty());

    // A second job reuses the loaded model: the engine reports no "loading model" stage for it.
    QVERIFY(outcome->loadedModel);
    runner.start(smallRequest());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kTimeoutMs);
    QVERIFY(!finished.at(1).at(1).value<ScanOutcomePtr>()->loadedModel);
    QCOMPARE(runner.jobsStarted(), 2);
  }

  void progressIsThrottled() {
    ScanJobRunner runner;
    QSignalSpy finished(&runner, &ScanJobRunner::finished);
    QElapsedTimer clock;
    std::vector<qint64> times;
    std::vector<ScanProgress> reports;
    connect(&runner, &ScanJobRunner::progress, this, [&](quint64, const ScanProgress& p) {
      times.push_back(clock.elapsed());
      reports.push_back(p);
    });
    clock.start();
    runner.start(defaultRequest());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QVERIFY2(reports.size() >= 5, qPrintable(QString::number(reports.size())));
    qint64 minGap = LLONG_MAX;
    for (size_t i = 1; i < times.size(); ++i) minGap = std::min(minGap, times[i] - times[i - 1]);
    qInfo("%zu progress signals, smallest gap %lld ms", times.size(), static_cast<long long>(minGap));
    QVERIFY2(minGap >= ScanJobRunner::kProgressIntervalMs - 2, qPrintable(QString::number(minGap)));  // <= 20 Hz
    bool sawLayer = false, sawEta = false;
    for (size_t i = 0; i < reports.size(); ++i) {
      const ScanProgress& p = reports[i];
      if (p.layer >= 0) {
        sawLayer = true;
        QCOMPARE(p.numLayers, 6);
        QVERIFY(p.layer < 6);
        QVERIFY(p.text().contains(QString("layer %1/6").arg(p.layer + 1)));
      }
      if (p.etaS >= 0) {
        sawEta = true;
        QVERIFY(p.text().contains("ETA"));
        QVERIFY(p.text().contains(QString(" %1% ").arg(static_cast<int>(100 * p.fraction))));
      }
      if (i > 0 && reports[i - 1].etaS >= 0) QVERIFY(p.fraction >= reports[i - 1].fraction);
    }
    QVERIFY(sawLayer);
    QVERIFY(sawEta);
  }

  void cancelledJobNeverReports() {
    ScanJobRunner runner;
    QSignalSpy finished(&runner, &ScanJobRunner::finished);
    QSignalSpy failed(&runner, &ScanJobRunner::failed);
    QSignalSpy cancelled(&runner, &ScanJobRunner::cancelled);
    QSignalSpy progress(&runner, &ScanJobRunner::progress);
    const quint64 id = runner.start(defaultRequest());
    // Wait until the engine is inside the scan (a unit of work done).
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(1).value<ScanProgress>().etaS >= 0, kTimeoutMs);
    QElapsedTimer clock;
    clock.start();
    runner.cancel();
    QVERIFY2(clock.elapsed() < 20, qPrintable(QString::number(clock.elapsed())));  // returns at once
    QVERIFY(!runner.isBusy());
    QCOMPARE(cancelled.count(), 1);
    QCOMPARE(idAt(cancelled, 0), id);
    QTRY_COMPARE_WITH_TIMEOUT(runner.runningWorkers(), 0, kTimeoutMs);
    qInfo("the cancelled worker ended %lld ms after cancel()", static_cast<long long>(clock.elapsed()));
    QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));  // stopped at its next check
    QTest::qWait(100);  // anything still queued would arrive now
    QCOMPARE(finished.count(), 0);
    QCOMPARE(failed.count(), 0);
    const int progressAfterCancel = static_cast<int>(progress.count());
    QTest::qWait(2 * ScanJobRunner::kProgressIntervalMs);
    QCOMPARE(progress.count(), progressAfterCancel);

    // The runner and its engine work after a cancel.
    const quint64 next = runner.start(smallRequest());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count() + failed.count(), 1, kTimeoutMs);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(idAt(finished, 0), next);
  }

  void onlyTheLastJobReports() {
    ScanJobRunner runner;
    QSignalSpy finished(&runner, &ScanJobRunner::finished);
    QSignalSpy failed(&runner, &ScanJobRunner::failed);
    QSignalSpy cancelled(&runner, &ScanJobRunner::cancelled);
    QSignalSpy workersDone(&runner, &ScanJobRunner::workersFinished);
    srdd::ScanRequest a = defaultRequest(), b = smallRequest(), c = smallRequest();
    a.seed = 1;
    b.seed = 2;
    c.seed = 3;
    const quint64 ida = runner.start(a);
    QTest::qWait(200);
    const quint64 idb = runner.start(b);
    const quint64 idc = runner.start(c);
    QCOMPARE(runner.currentJob(), idc);
    QCOMPARE(cancelled.count(), 2);
    QCOMPARE(idAt(cancelled, 0), ida);
    QCOMPARE(idAt(cancelled, 1), idb);
    QTRY_VERIFY_WITH_TIMEOUT(!workersDone.isEmpty() && runner.runningWorkers() == 0, kTimeoutMs);
    QTest::qWait(100);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(idAt(finished, 0), idc);
    QCOMPARE(finished.at(0).at(1).value<ScanOutcomePtr>()->scan["parameters"]["seed"].get<int>(), 3);
  }

  void engineErrorsArriveAsMessages_data() {
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown format") << "format"
                                    << "mxfp3"
                                    << "mxfp3";
    QTest::newRow("missing prompt file") << "prompts"
                                         << "/nonexistent/prompts.txt"
                                         << "/nonexistent/prompts.txt";
    QTest::newRow("truncated weights") << "truncate"
                                       << ""
                                       << "model.safetensors";
  }

  void engineErrorsArriveAsMessages() {
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, expected);
    QTemporaryDir tmp;
    nlohmann::json j = smallRequest().toJson();
    if (field == "truncate") {  // config and tokenizer intact, weights cut after 1 MiB
      for (const char* f : {"config.json", "tokenizer.json"})
        QVERIFY(QFile::copy(srdd_test::demoModelDir() + "/" + f, tmp.filePath(f)));
      QFile in(srdd_test::demoModelDir() + "/model.safetensors"), out(tmp.filePath("model.safetensors"));
      QVERIFY(in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly));
      out.write(in.read(1 << 20));
      out.close();
      j["model_dir"] = tmp.path().toStdString();
    } else {
      j[field.toStdString()] = value.toStdString();
    }
    ScanJobRunner runner;
    QSignalSpy finished(&runner, &ScanJobRunner::finished);
    QSignalSpy failed(&runner, &ScanJobRunner::failed);
    const quint64 id = runner.start(srdd::ScanRequest::fromJson(j));
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kTimeoutMs);
    QCOMPARE(idAt(failed, 0), id);
    const QString message = failed.at(0).at(1).toString();
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY(!message.contains('\n'));
    QCOMPARE(finished.count(), 0);
    QVERIFY(!runner.isBusy());
  }
};

QTEST_MAIN(TestScanRunner)
#include "test_scan_runner.moc"
