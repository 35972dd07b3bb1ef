// The scan ETA (srdd::EtaEstimator) against hand-derived remaining times: a simulated run on a deterministic
// clock whose early stage is cheap and whose last stage is costly (the case where an average over all units
// so far told the user 14 s while a minute was left).
#include "srdd/eta.h"

#include <QtTest/QtTest>

#include <cmath>
#include <vector>

namespace {
bool near(double a, double b) { return std::fabs(a - b) < 1e-9; }
}  // namespace

class TestProgressEta : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // 28 cheap units (0.05 s, planned cost 0.2 each), then 10 costly ones (6 s, planned cost 6 each); the ETA
  // as each unit begins, the way the scan reports it.
  void costlyLastStageFromItsMeasuredSpeed() {
    srdd::EtaEstimator e;
    e.plan("activations", 28, 0.2);
    e.plan("sensitivity", 10, 6);
    QCOMPARE(e.plannedUnits(), 38L);
    double now = 100;
    std::vector<double> eta;
    auto unit = [&](const char* stage, double seconds) {
      e.begin(stage, now);
      eta.push_back(e.remaining(now));
      now += seconds;
      e.done(now);
    };
    for (int i = 0; i < 28; ++i) unit("activations", 0.05);
    for (int i = 0; i < 10; ++i) unit("sensitivity", 6);
    QCOMPARE(eta.front(), -1.0);  // nothing measured yet
    // After one cheap unit: 27 more at the measured 0.05 s, and the costly stage at the measured
    // 0.05 s / 0.2 = 0.25 s per cost unit: 10 * 6 * 0.25 = 15 s.
    QVERIFY(near(eta[1], 27 * 0.05 + 15));
    // The first costly unit starts: only the planned costs speak for it, still 15 s.
    QVERIFY(near(eta[28], 15));
    // One costly unit measured (6 s): 9 left at 6 s = 54 s, while the average over all 29 units so far
    // would say (1.4 + 6) / 29 * 9 = 2.3 s.
    QVERIFY(near(eta[29], 54));
    for (int i = 29; i < 38; ++i) QVERIFY(near(eta[static_cast<size_t>(i)], (38 - i) * 6.0));
    QVERIFY(near(e.remaining(now), 0));
  }

  // The unit in progress is counted off: 2 s into a 6 s unit with 3 more to go is 4 + 18 s.
  void runningUnitCountsOff() {
    srdd::EtaEstimator e;
    e.plan("a", 5, 1);
    QCOMPARE(e.remaining(0), -1.0);
    e.begin("a", 0);
    e.done(6);
    e.begin("a", 6);
    QVERIFY(near(e.remaining(8), 4 + 3 * 6));
    QVERIFY(near(e.remaining(20), 3 * 6));  // an overrunning unit never makes the estimate negative
    e.done(12);
    QVERIFY(near(e.remaining(12), 3 * 6));
  }

  // A stage planned per chunk keeps one unit cost (the mean); work nobody planned adds nothing left.
  void repeatedPlansAndUnplannedWork() {
    srdd::EtaEstimator e;
    e.plan("a", 2, 1);
    e.plan("a", 2, 3);  // mean cost 2
    e.plan("b", 1, 4);
    QCOMPARE(e.plannedUnits(), 5L);
    e.begin("x", 0);  // unplanned, cost 1
    e.done(1);
    // 1 s for cost 1: a 4 * 2 s + b 4 s = 12 s.
    QVERIFY(near(e.remaining(1), 12));
  }
};

QTEST_GUILESS_MAIN(TestProgressEta)
#include "test_progress_eta.moc"
