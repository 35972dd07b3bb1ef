// The histogram view with real widgets: it shows the bins, grid and block statistics of a known tensor (the
// hand-derived tensor of test_histograms), and the panel computes a demo-model weight in the background.
#include <srdd/histograms.h>

#include <qcustomplot.h>

#include <QCheckBox>
#include <QLabel>
#include <QSignalSpy>
#include <QtTest/QtTest>

#include "histograms/histogram_panel.h"
#include "histogram_fixture.h"
#include "test_support.h"

namespace {

QVector<double> values(QCPGraph* g) {
  QVector<double> out;
  for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) out << it->value;
  return out;
}

QVector<double> keys(QCPGraph* g) {
  QVector<double> out;
  for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) out << it->key;
  return out;
}

}  // namespace

class TestHistogramView : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void showsTheBinsOfAKnownTensor() {
    srdd_gui::HistogramView view;
    view.resize(1100, 420);
    view.setHistograms(srdd::histogramsOf(srdd_test::knownHistogramTensor(), 2, 32, "mxfp4", 15, "known tensor"));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCustomPlot* plot = view.valuesPlot();
    QCOMPARE(plot->graphCount(), 2);
    // Block-scale units by default; the counts derived by hand in test_histograms.
    QCOMPARE(values(plot->graph(0)), (QVector<double>{0, 2, 0, 2, 2, 2, 4, 36, 4, 4, 2, 2, 0, 2, 2}));
    QCOMPARE(values(plot->graph(1)), (QVector<double>{0, 2, 0, 2, 2, 2, 4, 36, 4, 4, 2, 2, 0, 4, 0}));
    QCOMPARE(keys(plot->graph(0)).front(), -7.0);  // bin centres on [-7.5, 7.5], width 1
    QCOMPARE(keys(plot->graph(0)).back(), 7.0);
    // The E2M1 grid: 15 dashed lines at the element values.
    QCOMPARE(plot->itemCount(), 15);
    QVector<double> grid;
    for (int i = 0; i < plot->itemCount(); ++i)
      grid << static_cast<QCPItemStraightLine*>(plot->item(i))->point1->coords().x();
    QCOMPARE(grid, (QVector<double>{-6, -4, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 6}));
    // Block statistics: exponents -2 and 0, one block each; both blocks clip.
    auto* bars = qobject_cast<QCPBars*>(view.scalesPlot()->plottable(0));
    QVERIFY(bars);
    QCOMPARE(bars->data()->size(), 2);
    QCOMPARE(bars->data()->at(0)->key, -2.0);
    QCOMPARE(bars->data()->at(1)->value, 1.0);
    QVERIFY2(view.findChild<QLabel*>("clipShare")->text().startsWith("2 of 2 blocks clip (100.00 %)"),
             qPrintable(view.findChild<QLabel*>("clipShare")->text()));
    if (const QString shots = qEnvironmentVariable("SRDD_SCREENSHOT_DIR"); !shots.isEmpty())
      QVERIFY(view.grab().save(shots + "/histograms-known.png"));
    // Raw values: the grid of the most common block scale (0.25).
    view.findChild<QCheckBox*>("rawValues")->setChecked(true);
    QVERIFY(!view.normalized());
    QCOMPARE(static_cast<QCPItemStraightLine*>(plot->item(14))->point1->coords().x(), 6 * 0.25);
    double total = 0;
    for (double v : values(plot->graph(0))) total += v;
    QCOMPARE(total, 64.0);
  }

  void panelComputesADemoWeight() {
    srdd_gui::HistogramPanel panel([] { return srdd_test::demoModelDir(); });
    panel.resize(1100, 420);
    panel.show();
    QSignalSpy done(&panel, &srdd_gui::HistogramPanel::computed), failed(&panel, &srdd_gui::HistogramPanel::failed);
    panel.compute();
    QVERIFY(done.wait(120000) || !failed.isEmpty());
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
    QCOMPARE(panel.histograms().tensor, std::string("model.layers.0.mlp.down_proj.weight"));
    QVERIFY(panel.histograms().blocks > 0);
    QCOMPARE(panel.valuesPlot()->graph(0)->data()->size(), 80);
    if (const QString shots = qEnvironmentVariable("SRDD_SCREENSHOT_DIR"); !shots.isEmpty())
      QVERIFY(panel.grab().save(shots + "/histograms.png"));
  }
};

QTEST_MAIN(TestHistogramView)
#include "test_histogram_view.moc"
