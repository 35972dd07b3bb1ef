// AQN results without training: hand-made runs through the engine's statistics, checked against
// hand-derived numbers (curves, summaries, t statistics), the table models against QAbstractItemModelTester,
// the CSV/JSON data and the loss-curve figure export (PNG/SVG/PDF).
#include <srdd/aqn.h>

#include "aqn/aqn_figures.h"
#include "aqn/aqn_format.h"
#include "aqn/aqn_results_data.h"
#include "aqn/aqn_results_view.h"
#include "aqn/aqn_table_models.h"
#include "export/export_options.h"
#include "export/figure_export.h"
#include "export/paper_theme.h"
#include "svg_text.h"
#include "test_support.h"

#include <qcustomplot.h>

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace srdd_gui;
namespace aqn = srdd::aqn;

namespace {

aqn::RunResult run(const std::string& config, int seed, std::vector<double> loss, double evalQ, double evalB) {
  aqn::RunResult r;
  r.config = config;
  r.seedIndex = seed;
  r.seed = 42 + static_cast<uint64_t>(seed);
  r.trainLoss = std::move(loss);
  r.sigma.assign(r.trainLoss.size(), 0.01);
  r.evalLossQuantized = evalQ;
  r.evalLossBf16 = evalB;
  return r;
}

// baseline: final losses 2.0, 2.2, 2.4; targeted: 2.5, 2.9, 2.7 (same spread, means 0.5 apart; the paired
// differences 0.5, 0.7, 0.3 have mean 0.5 and sd 0.2).
aqn::ComparisonResult handResult() {
  aqn::ComparisonResult r;
  r.settings.configs = {"baseline", "targeted"};
  r.settings.targets = {2, 4};
  r.settings.seeds = 3;
  r.settings.train.steps = 3;
  r.runs = {run("baseline", 0, {3, 2, 1}, 2.0, 1.9), run("baseline", 1, {5, 4, 3}, 2.2, 2.1),
            run("baseline", 2, {4, 3, 2}, 2.4, 2.3), run("targeted", 0, {4, 4, 4}, 2.5, 2.4),
            run("targeted", 1, {4, 4, 4}, 2.9, 2.8), run("targeted", 2, {4, 4, 4}, 2.7, 2.6)};
  for (auto& x : r.runs)
    if (x.config == "targeted") x.noiseLayers = {2, 4};
  const std::vector<aqn::ConfigSpec> specs{{"baseline", {}}, {"targeted", {2, 4}}};
  r.configs = aqn::summarizeConfigs(specs, r.runs, true);
  r.tests = aqn::compareConfigs(r.configs);
  r.initialLossQuantized = 3.1;
  r.initialLossBf16 = 3.0;
  return r;
}

QStringList csvLines(const QString& csv) { return csv.split(QStringLiteral("\r\n"), Qt::SkipEmptyParts); }

}  // namespace

class TestAqnResults : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void pValueFormatting() {
    QCOMPARE(formatPValue(0.0123), QStringLiteral("0.0123"));
    QCOMPARE(formatPValue(0.5), QStringLiteral("0.5"));
    QCOMPARE(formatPValue(1), QStringLiteral("1"));
    QCOMPARE(formatPValue(0.123456), QStringLiteral("0.123"));
    QCOMPARE(formatPValue(0.001), QStringLiteral("0.001"));
    QCOMPARE(formatPValue(1.23e-5), QStringLiteral("1.2e-05"));
    QCOMPARE(formatPValue(9.87e-4), QStringLiteral("9.9e-04"));
    QCOMPARE(formatPValue(0), QStringLiteral("0"));
    QCOMPARE(formatPValue(std::nan("")), QStringLiteral("—"));
    QCOMPARE(formatLayerList({0, 1, 2, 5, 7, 8}), QStringLiteral("0-2, 5, 7-8"));
    QCOMPARE(formatLayerList({}), QStringLiteral("none"));
  }

  void lossCurvesByHand() {
    const auto curves = lossCurves(handResult());
    QCOMPARE(int(curves.size()), 2);
    const AqnLossCurve& b = curves[0];
    QCOMPARE(b.config, QStringLiteral("baseline"));
    QCOMPARE(b.seeds, 3);
    QCOMPARE(b.step, (QVector<double>{1, 2, 3}));
    QCOMPARE(b.mean, (QVector<double>{4, 3, 2}));
    QCOMPARE(b.min, (QVector<double>{3, 2, 1}));
    QCOMPARE(b.max, (QVector<double>{5, 4, 3}));
    for (double sd : b.sd) QVERIFY(std::fabs(sd - 1.0) < 1e-15);  // {3,5,4}: sample sd 1
    QCOMPARE(curves[1].sd, (QVector<double>{0, 0, 0}));
    // The reference protocol has no training losses: no curves.
    auto ref = handResult();
    for (auto& x : ref.runs) x.trainLoss.clear();
    QVERIFY(lossCurves(ref).empty());
  }

  void configTableShowsSummaries() {
    const auto r = handResult();
    AqnConfigTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConfigs(r.configs);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(AqnConfigTableModel::ColumnCount));
    auto cell = [&](int row, int col, int role = Qt::DisplayRole) { return model.index(row, col).data(role); };
    QCOMPARE(cell(0, AqnConfigTableModel::Config).toString(), QStringLiteral("baseline"));
    QCOMPARE(cell(0, AqnConfigTableModel::Layers).toString(), QStringLiteral("none"));
    QCOMPARE(cell(1, AqnConfigTableModel::Layers).toString(), QStringLiteral("2, 4"));
    QCOMPARE(cell(0, AqnConfigTableModel::N).toInt(), 3);
    // mean 2.2, sd 0.2; CI 2.2 ± t(0.975, 2) · 0.2/√3 = 2.2 ± 4.302653 · 0.1154701 = [1.70317, 2.69683]
    QCOMPARE(cell(0, AqnConfigTableModel::MeanSd).toString(), QStringLiteral("2.2 ± 0.2"));
    QCOMPARE(cell(0, AqnConfigTableModel::Ci).toString(), QStringLiteral("[1.7032, 2.6968]"));
    QCOMPARE(cell(1, AqnConfigTableModel::MeanSd).toString(), QStringLiteral("2.7 ± 0.2"));
    QCOMPARE(cell(0, AqnConfigTableModel::Bf16).toString(), QStringLiteral("2.1 ± 0.2"));
    QVERIFY(std::fabs(cell(0, AqnConfigTableModel::MeanSd, AqnSortRole).toDouble() - 2.2) < 1e-12);
    QCOMPARE(cell(0, AqnConfigTableModel::MeanSd, Qt::FontRole).value<QFont>().bold(), true);  // lowest loss
    model.setConfigs({});
    QCOMPARE(model.rowCount(), 0);
  }

  void testTableShowsTests() {
    const auto r = handResult();
    QCOMPARE(int(r.tests.size()), 1);
    AqnTestTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTests(r.tests);
    auto cell = [&](int col, int role = Qt::DisplayRole) { return model.index(0, col).data(role); };
    QCOMPARE(cell(AqnTestTableModel::Pair).toString(), QStringLiteral("targeted vs baseline"));
    // Δ = 2.7 - 2.2 = 0.5; Welch t = 0.5 / √(0.04/3 + 0.04/3) = 3.0619, df = 4 (equal n and variance).
    QCOMPARE(cell(AqnTestTableModel::MeanDiff).toString(), QStringLiteral("0.5"));
    QCOMPARE(cell(AqnTestTableModel::WelchT).toString(), QStringLiteral("3.06"));
    QVERIFY(std::fabs(cell(AqnTestTableModel::WelchT, AqnSortRole).toDouble() - 3.0618621784789726) < 1e-9);
    QCOMPARE(cell(AqnTestTableModel::WelchDf).toString(), QStringLiteral("4"));
    // Paired: t = 0.5 / (0.2/√3) = 4.3301, df 2.
    QVERIFY(std::fabs(cell(AqnTestTableModel::PairedT, AqnSortRole).toDouble() - 4.330127018922193) < 1e-9);
    QCOMPARE(cell(AqnTestTableModel::PairedT).toString(), QStringLiteral("4.33"));
    QCOMPARE(cell(AqnTestTableModel::PairedP).toString(), formatPValue(r.tests[0].paired.p));
    const double welchP = r.tests[0].welch.p;
    QCOMPARE(cell(AqnTestTableModel::WelchP).toString(), formatPValue(welchP));
    QCOMPARE(cell(AqnTestTableModel::WelchP, AqnSortRole).toDouble(), welchP);
    // p for |t| = 3.0619 with 4 df (t tables: t(0.975, 4) = 2.776, t(0.99, 4) = 3.747) lies in (0.02, 0.05).
    QVERIFY(welchP > 0.02 && welchP < 0.05);
    QCOMPARE(cell(AqnTestTableModel::StudentP).toString(), formatPValue(r.tests[0].student.p));
    QCOMPARE(cell(AqnTestTableModel::WelchP, Qt::FontRole).value<QFont>().bold(), true);
    // Cohen's d = 0.5 / 0.2 = 2.5
    QCOMPARE(cell(AqnTestTableModel::CohensD).toString(), QStringLiteral("2.5"));
    // Paired d_z = 0.5 / 0.2 = 2.5 too here (the pooled sd equals the sd of the differences by construction);
    // CI 0.5 ± t(0.975, 2)·0.2/√3 = 0.5 ± 4.302653·0.11547 = [0.00317, 0.997]; one test: Holm p = p.
    QCOMPARE(cell(AqnTestTableModel::PairedDz).toString(), QStringLiteral("2.5"));
    QCOMPARE(cell(AqnTestTableModel::PairedCi).toString(), QStringLiteral("[0.00317, 0.997]"));
    QVERIFY(cell(AqnTestTableModel::HolmP).toString().startsWith(formatPValue(r.tests[0].paired.p)));
    QCOMPARE(cell(AqnTestTableModel::HolmP).toString().endsWith(" *"), r.tests[0].paired.p < 0.05);
  }

  // The comparison view answers the research plan's success criterion in one line.
  void primaryAnswerLine() {
    auto r = handResult();
    r.settings.configs = {"global", "targeted"};
    for (auto& x : r.runs) x.config = x.config == "baseline" ? "global" : "targeted";
    aqn::computeStatistics(r, {{"global", {0, 1, 2, 3, 4, 5}}, {"targeted", {2, 4}}});
    AqnResultsView view;
    view.setResult(r);
    // targeted − global = +0.5: higher loss, so the answer is no.
    QVERIFY2(view.primaryAnswer().startsWith(
                 "SRDD-guided AQN lower loss than Global AQN, p < 0.05? no — targeted - global = +0.5"),
             qPrintable(view.primaryAnswer()));
    auto* label = view.findChild<QLabel*>("primaryAnswer");
    QVERIFY(label && label->text().contains("<b>no</b>"));
    view.clear();
    QVERIFY(label->text().isEmpty());
  }

  void csvAndJson() {
    const auto r = handResult();
    const QStringList configs = csvLines(configTableCsv(r));
    QCOMPARE(configs.size(), 3);
    QVERIFY(configs[0].startsWith("config,noise_layers,n,mean,sd,ci95_low,ci95_high,bf16_n"));
    const QStringList base = configs[1].split(',');
    QCOMPARE(base[0], QStringLiteral("baseline"));
    QCOMPARE(base[2], QStringLiteral("3"));
    QVERIFY(std::fabs(base[3].toDouble() - 2.2) < 1e-15);
    QCOMPARE(base[3], QString::number(r.configs[0].quantized.mean, 'g', 17));  // full precision
    QVERIFY(configs[2].startsWith(QStringLiteral("targeted,\"2, 4\",3,")));

    const QStringList tests = csvLines(testTableCsv(r));
    QCOMPARE(tests.size(), 2);
    QVERIFY(tests[0].startsWith("a,b,mean_difference,welch_t,welch_df,welch_p,paired_t"));
    QCOMPARE(tests[1].split(',')[5], QString::number(r.tests[0].welch.p, 'g', 17));
    // #19.14: the paired d_z next to the pooled Cohen's d (made different here, so that a swap shows).
    QVERIFY(tests[0].endsWith(",cohens_d,paired_dz,error"));
    auto distinct = r;
    distinct.tests[0].pairedDz = 1.25;
    const QStringList row = csvLines(testTableCsv(distinct))[1].split(',');
    QCOMPARE(row[12].toDouble(), r.tests[0].cohensD);
    QCOMPARE(row[13].toDouble(), 1.25);

    const QStringList curves = csvLines(lossCurvesCsv(lossCurves(r)));
    QCOMPARE(curves.size(), 1 + 2 * 3);
    QCOMPARE(curves[0], QStringLiteral("config,step,seeds,mean,sd,min,max"));
    QCOMPARE(curves[1], QStringLiteral("baseline,1,3,4,1,3,5"));

    const QJsonObject json = comparisonJson(r).object();
    QCOMPARE(json.value("schema").toString(), QStringLiteral("srdd-aqn/1"));
    const QJsonArray lc = json.value("loss_curves").toArray();
    QCOMPARE(lc.size(), 2);
    QCOMPARE(lc[0].toObject().value("mean").toArray().at(2).toDouble(), 2.0);
  }

  void lossPlotHasBandsAndLegend() {
    AqnResultsView view;
    view.setResult(handResult());
    QCustomPlot* plot = view.lossPlot();
    QCOMPARE(plot->graphCount(), 6);  // bands (lower, upper filled to lower) per configuration, then the means
    auto values = [](QCPGraph* g) {
      QVector<double> v;
      for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) v << it->value;
      return v;
    };
    QCOMPARE(values(plot->graph(0)), (QVector<double>{3, 2, 1}));
    QCOMPARE(values(plot->graph(1)), (QVector<double>{5, 4, 3}));
    QCOMPARE(values(plot->graph(4)), (QVector<double>{4, 3, 2}));
    QCOMPARE(values(plot->graph(5)), (QVector<double>{4, 4, 4}));
    QCOMPARE(plot->graph(1)->channelFillGraph(), plot->graph(0));
    QCOMPARE(plot->graph(3)->channelFillGraph(), plot->graph(2));
    view.setBand(AqnBand::PlusMinusSd);
    QCOMPARE(values(plot->graph(0)), (QVector<double>{3, 2, 1}));  // mean − sd (sd = 1)
    QCOMPARE(values(plot->graph(1)), (QVector<double>{5, 4, 3}));
    QCOMPARE(values(plot->graph(2)), (QVector<double>{4, 4, 4}));  // targeted has no spread
    QCOMPARE(values(plot->graph(3)), (QVector<double>{4, 4, 4}));
    QCPLegend* legend = nullptr;
    for (QCPLayoutElement* e : plot->plotLayout()->elements(true))
      if (auto* l = qobject_cast<QCPLegend*>(e)) legend = l;
    QVERIFY(legend);
    QCOMPARE(legend->itemCount(), 2);
    auto* item = qobject_cast<QCPPlottableLegendItem*>(legend->item(1));
    QVERIFY(item);
    QCOMPARE(item->plottable()->name(), QStringLiteral("targeted (n = 3)"));
    QVERIFY(plot->graph(4)->pen().color() != plot->graph(5)->pen().color());
    QVERIFY(plot->graph(4)->scatterStyle().shape() != plot->graph(5)->scatterStyle().shape());
    // The σ schedule stored with the comparison is plotted next to the tables.
    QCOMPARE(view.sigmaPlot()->graphCount(), 0);  // the hand-made result stores none
  }

  void exportsFigureAndData() {
    QTemporaryDir dir;
    AqnResultsView view;
    view.setResult(handResult(), dir.path());
    const struct {
      ExportOptions::Format format;
      const char* name;
      QByteArray magic;
    } cases[] = {{ExportOptions::Png, "curves.png", QByteArray("\x89PNG", 4)},
                 {ExportOptions::Svg, "curves.svg", QByteArray("<?xml")},
                 {ExportOptions::Pdf, "curves.pdf", QByteArray("%PDF")}};
    for (const auto& c : cases) {
      ExportOptions o;
      o.format = c.format;
      const QString path = dir.filePath(c.name);
      view.exportLossFigure(path, o);
      QFile f(path);
      QVERIFY2(f.open(QIODevice::ReadOnly), c.name);
      const QByteArray bytes = f.readAll();
      QVERIFY2(bytes.size() > 1000, c.name);
      QVERIFY2(bytes.startsWith(c.magic), c.name);
      if (c.format == ExportOptions::Svg) QVERIFY(bytes.contains("targeted (n = 3)"));
    }
    if (const QString shots = qEnvironmentVariable("SRDD_SCREENSHOT_DIR"); !shots.isEmpty()) {
      ExportOptions o;
      o.format = ExportOptions::Png;
      o.dpi = 200;
      view.exportLossFigure(shots + "/aqn-loss-curves-export.png", o);
    }
    const QStringList files = view.exportData(dir.filePath("aqn"));
    QCOMPARE(files.size(), 4);
    for (const QString& f : files) QVERIFY2(QFileInfo(f).size() > 20, qPrintable(f));
    QFile csv(dir.filePath("aqn-configs.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(csv.readAll()), configTableCsv(handResult()));
  }

  // Issue #19 (5): every AQN figure exported at single- and double-column width with a small and a large font,
  // as SVG/PDF/PNG, with its legend, axis names and caption whole in the file's own text (no "baseline (n").
  void exportsEveryFigureUncut() {
    QTemporaryDir dir;
    AqnResultsView view;
    auto r = handResult();
    r.sigmaPerStep = {0.05, 0.01, 0.002};
    view.setResult(r, dir.path());
    for (double width : {252.0, 516.0})
      for (double font : {8.0, 11.0}) {
        ExportOptions o;
        o.format = ExportOptions::Svg;
        o.widthPt = width;
        o.fontPt = font;
        const QString sub = dir.filePath(QString("w%1-f%2").arg(width).arg(font));
        const QStringList files = view.exportFigures(sub, o);
        QVERIFY2(files.contains(sub + "/aqn-loss-curves.svg") && files.contains(sub + "/aqn-final-loss.svg") &&
                     files.contains(sub + "/aqn-sigma-schedule.svg") && files.contains(sub + "/aqn-loss-curves.csv"),
                 qPrintable(files.join(", ")));
        const QString where = QString(" at %1 pt, %2 pt text").arg(width).arg(font);
        const QStringList curves = svg_test::svgTexts(sub + "/aqn-loss-curves.svg");
        for (const char* entry : {"baseline (n = 3)", "targeted (n = 3)", "Training step", "Training loss"})
          QVERIFY2(curves.contains(entry), qPrintable(entry + where + ": " + curves.join('|')));
        QVERIFY2(svg_test::svgProse(sub + "/aqn-loss-curves.svg")
                     .contains("line: mean over seeds; band: min–max over seeds"),
                 qPrintable(where));
        const QStringList finalTexts = svg_test::svgTexts(sub + "/aqn-final-loss.svg");
        for (const char* entry : {"baseline", "targeted", "Final loss per configuration"})
          QVERIFY2(finalTexts.contains(entry), qPrintable(entry + where + ": " + finalTexts.join('|')));
        QVERIFY2(svg_test::svgProse(sub + "/aqn-final-loss.svg").contains("error bars: 95 % CI (Student t)"),
                 qPrintable(where));
        // σ comes from a fallback font, so it is a text element of its own: read the prose.
        QVERIFY2(
            svg_test::svgProse(sub + "/aqn-sigma-schedule.svg").contains("σ schedule: AQN noise per training step"),
            qPrintable(where));
      }
    for (auto format : {ExportOptions::Pdf, ExportOptions::Png}) {
      ExportOptions o;
      o.format = format;
      o.widthPt = 516;
      const QString path = dir.filePath("final." + o.extension());
      view.exportFigure(AqnResultsView::Figure::FinalLoss, path, o);
      QVERIFY(QFileInfo(path).size() > 1000);
    }
    if (const QString shots = qEnvironmentVariable("SRDD_SCREENSHOT_DIR"); !shots.isEmpty())
      for (double width : {252.0, 516.0})
        for (auto format : {ExportOptions::Pdf, ExportOptions::Svg, ExportOptions::Png}) {
          ExportOptions o;
          o.format = format;
          o.widthPt = width;
          view.exportFigures(QString("%1/aqn-%2").arg(shots).arg(width), o);
        }
  }

  // The loss legend fits the figure: at 252 pt with 11 pt text its entries wrap onto lines inside the plot.
  void lossLegendFitsTheWidth() {
    QCustomPlot plot;
    plot.resize(252, 189);
    plot.setViewport(plot.rect());
    auto r = handResult();
    r.settings.configs = {"baseline", "global", "targeted", "healthy"};
    for (const char* c : {"global", "healthy"})
      for (int k = 0; k < 3; ++k) r.runs.push_back(run(c, k, {4, 3, 2}, 2.1, 2.0));
    renderLossCurves(&plot, lossCurves(r), AqnBand::MinMax, PlotTheme::light());
    QFont big(QStringLiteral("DejaVu Sans"));
    big.setPointSizeF(11 * 72.0 / layoutTextDpi());
    const PaperThemeScope paper(&plot, big);
    plot.replot();
    QCPLegend* legend = nullptr;
    for (QCPLayoutElement* e : plot.plotLayout()->elements(true))
      if (auto* l = qobject_cast<QCPLegend*>(e)) legend = l;
    QVERIFY(legend);
    QCOMPARE(legend->itemCount(), 4);
    for (int i = 0; i < legend->itemCount(); ++i) {
      const QRect item = legend->item(i)->outerRect();
      QVERIFY2(plot.viewport().contains(item), qPrintable(QString("entry %1 at %2,%3 %4x%5")
                                                              .arg(i)
                                                              .arg(item.x())
                                                              .arg(item.y())
                                                              .arg(item.width())
                                                              .arg(item.height())));
    }
    QVERIFY(legend->rowCount() >= 2);
  }

  void emptyViewAndReferenceNote() {
    AqnResultsView view;
    QVERIFY(!view.result());
    QVERIFY_THROWS_EXCEPTION(srdd::Error, view.exportData(QStringLiteral("/tmp/x")));
    auto ref = handResult();
    for (auto& x : ref.runs) x.trainLoss.clear();
    view.setResult(ref);
    QCOMPARE(view.lossPlot()->graphCount(), 0);
    QVERIFY(view.lossPlot()->plotLayout()->elementCount() == 1);
    QVERIFY_THROWS_EXCEPTION(srdd::Error, view.openRunDirectory(QStringLiteral("/nonexistent/aqn-run")));
  }
};

QTEST_MAIN(TestAqnResults)
#include "test_aqn_results.moc"
