// Issue #19 (4, 6): the scan figures read correctly at paper sizes. Every metric column and module is labelled
// (no label cut or overlapping, at 252 and 516 pt with 8 pt text, in the exported SVG's own text), layer labels
// never overlap, one colour always means "worse" (the worst cell of a higher-is-better metric takes the top
// colour), the colour bar says which way is worse, the compare figure names its 95 % intervals, gives the Δ
// panel paired intervals (hand-derived) and offers a log axis. Hand-made and synthetic srdd-scan/1 documents.
#include "export/figure_export.h"
#include "export/paper_theme.h"
#include "results/figures.h"
#include "results/heatmap_view.h"
#include "results/layer_selection.h"
#include "results/metric_catalog.h"
#include "results/metric_compare_view.h"
#include "results/spaced_ticker.h"
#include "axis_overlap.h"
#include "svg_text.h"
#include "test_results_fixture.h"

#include <srdd/error.h>

#include <QCheckBox>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace srdd_gui;
using axis_test::overlap;

namespace {

nlohmann::json statOf(std::vector<double> values) {
  double mean = 0;
  for (double v : values) mean += v / static_cast<double>(values.size());
  return {{"mean", mean}, {"std", 0.1}, {"ci95", {mean - 0.1, mean + 0.1}}, {"n", values.size()}, {"values", values}};
}

// 28 layers with every catalogue metric on both variants, the sensitivity metrics, pooled and per-module weight
// metrics and lm_head: the widest figures a full scan of Qwen2.5-1.5B makes.
ScanData wideScan() {
  nlohmann::json j = results_test::handMadeScan();
  nlohmann::json layers = nlohmann::json::array(), weights = nlohmann::json::array();
  QStringList paired, weightKeys;
  for (const QString& k : metricOrder()) {
    if (k.startsWith("weights."))
      weightKeys << k.mid(8);
    else if (!k.startsWith("kl_") && !k.startsWith("dloss_") && !k.startsWith("top1_") && k != "drift_sqnr_db")
      paired << k;
  }
  const char* modules[] = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  for (int i = 0; i < 28; ++i) {
    nlohmann::json l = {{"layer", i}};
    for (const QString& k : paired) {
      const double v = 1.0 + 0.01 * ((i * 7 + k.size()) % 13);
      l["bf16"][k.toStdString()] = statOf({v, v + 0.02, v - 0.02});
      l["quantized"][k.toStdString()] = statOf({v * 0.98, v * 1.01, v * 0.97});
      l["ratio"][k.toStdString()] = 0.98;
      l["difference"][k.toStdString()] = -0.02;
    }
    l["quantized"]["drift_sqnr_db"] = statOf({30.0 - i, 31.0 - i, 29.0 - i});
    for (const char* k : {"kl_single", "dloss_single", "kl_all_but", "dloss_all_but", "top1_single"})
      l["sensitivity"][k] = statOf({0.01 * (i + 1), 0.012 * (i + 1), 0.008 * (i + 1)});
    for (const QString& k : weightKeys) l["weights"][k.toStdString()] = 0.1 + 0.001 * i;
    layers.push_back(l);
    for (const char* m : modules) {
      nlohmann::json metrics;
      for (const QString& k : weightKeys) metrics[k.toStdString()] = 18.0 + 0.01 * i;
      weights.push_back({{"layer", i}, {"module", m}, {"shape", {8, 8}}, {"metrics", metrics}});
    }
  }
  weights.push_back({{"layer", -1}, {"module", "lm_head"}, {"shape", {8, 8}}, {"metrics", {{"sqnr_db", 17.0}}}});
  j["layers"] = layers;
  j["weights"] = weights;
  j["provenance"]["model"]["num_layers"] = 28;
  return ScanData::fromJson(j, "wide.json");
}

ScanData handMade() { return ScanData::fromJson(results_test::handMadeScan(), "hand-made.json"); }

QFont exportFont(double pt = 8) {
  QFont font(QStringLiteral("DejaVu Sans"));
  font.setPointSizeF(pt * 72.0 / layoutTextDpi());
  return font;
}

// Lays FIGURE out as an export of WIDTH x 3/4 WIDTH pt does (paper theme, export font) and calls CHECK with it.
void laidOut(const ScanData& data, const QString& id, int width, const std::function<void(QCustomPlot&)>& check) {
  QCustomPlot plot;
  plot.resize(width, width * 3 / 4);
  plot.setViewport(QRect(0, 0, width, width * 3 / 4));
  renderFigure(&plot, data, id, true);
  const PaperThemeScope paper(&plot, exportFont());
  plot.replot();
  plot.replot();
  check(plot);
}

// The tick labels of AXIS do not overlap, at its rotation. Horizontal labels starting with a line break sit a
// line lower (staggered), so each only meets the previous label on its own line.
QColor pixelAt(QCustomPlot& plot, double x, double y) {
  const QImage image = plot.toPixmap(plot.width(), plot.height(), 1.0).toImage();
  return QColor(image.pixel(qRound(x), qRound(y)));
}

bool close(const QColor& a, const QColor& b) {
  return std::abs(a.red() - b.red()) <= 3 && std::abs(a.green() - b.green()) <= 3 && std::abs(a.blue() - b.blue()) <= 3;
}

const QColor kWorse(253, 231, 37);            // viridis' top
const QColor kBetter(68, 1, 84);              // viridis' bottom
const QColor kWorseChange(0xb2, 0x18, 0x2b);  // the diverging map's red end
}  // namespace

class TestFigureReadability : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QVERIFY(m_tmp.isValid()); }

  // Every column of the layer x metric maps is labelled, names or keyed letters with a key legend, with no two
  // labels overlapping; the exported SVG holds every label and key entry whole.
  void everyMetricColumnLabelled_data() {
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("width");
    for (int w : {252, 516})
      for (const char* id :
           {"heatmap-metrics:quantized:linear", "heatmap-metrics:bf16:log", "heatmap-metrics:ratio:diverging"})
        QTest::newRow(qPrintable(QString("%1@%2").arg(id).arg(w))) << QString(id) << w;
  }
  void everyMetricColumnLabelled() {
    QFETCH(QString, id);
    QFETCH(int, width);
    const ScanData data = wideScan();
    const QStringList parts = id.split(':');
    const Side side = static_cast<Side>(QStringList({"bf16", "quantized", "ratio", "difference"}).indexOf(parts[1]));
    const HeatmapGrid grid = metricHeatmap(data, side,
                                           parts[2] == "log"         ? HeatScale::Log
                                           : parts[2] == "diverging" ? HeatScale::Diverging
                                                                     : HeatScale::Linear);
    QVERIFY(grid.columnCount() >= 16);
    laidOut(data, id, width, [&](QCustomPlot& plot) {
      QCPAxis* x = plot.xAxis;
      QCOMPARE(x->tickVector().size(), grid.columnCount());  // every column has its tick and label
      QCOMPARE(x->tickVectorLabels().size(), grid.columnCount());
      const QString bad = overlap(x);
      QVERIFY2(bad.isEmpty(), qPrintable("overlapping column labels " + bad));
      QVERIFY2(overlap(plot.yAxis).isEmpty(), qPrintable("overlapping layer labels " + overlap(plot.yAxis)));
    });

    ExportOptions o;
    o.format = ExportOptions::Svg;
    o.widthPt = width;
    const QString path = m_tmp.filePath(figureFileStem(id) + QString("-%1.svg").arg(width));
    exportFigure(
        path, [&](QCustomPlot* p) { renderFigure(p, data, id, true); }, o);
    const QStringList texts = svg_test::svgTexts(path);
    QVERIFY(!texts.isEmpty());
    // Δ and ¬ come from a fallback font, so they are text elements of their own: compare without them.
    auto plain = [](QString t) { return t.remove(QChar(0x394)).remove(QChar(0xac)).simplified(); };
    const QString prose = plain(svg_test::svgProse(path));
    for (int c = 0; c < grid.columnCount(); ++c) {
      const QString key(QChar(c < 26 ? 'A' + c : 'a' + c - 26));
      const bool named =
          prose.contains(plain(grid.columnLabels[c])) || prose.contains(plain(grid.columnShortLabels[c]));
      const bool viaKey = texts.contains(key) && prose.contains(plain(key + ' ' + grid.columnLabels[c]));
      QVERIFY2(named || viaKey,
               qPrintable(QString("column %1 (%2) has no label in %3").arg(c).arg(grid.columnLabels[c], path)));
    }
    QVERIFY2(prose.contains("worse →"), qPrintable(prose));
  }

  // Layer labels never overlap on any heatmap at either width; every module is named, lm_head labelled.
  void layerAndModuleLabels() {
    const ScanData data = wideScan();
    for (int width : {252, 516})
      for (const QString& id :
           {QString("heatmap-modules:sqnr_db:linear"), QString("heatmap-modules:deadzone_ratio:log")})
        laidOut(data, id, width, [&](QCustomPlot& plot) {
          const QString where = id + QString(" at %1").arg(width);
          QVERIFY2(overlap(plot.yAxis).isEmpty(), qPrintable(where + ": " + overlap(plot.yAxis)));
          QVERIFY2(overlap(plot.xAxis).isEmpty(), qPrintable(where + ": " + overlap(plot.xAxis)));
          const QVector<QString> modules = plot.xAxis->tickVectorLabels();
          // At both widths every module is named: at 252 pt the eight names turn upright instead of leaving any out.
          QCOMPARE(QStringList(modules.begin(), modules.end()),
                   QStringList({"q", "k", "v", "o", "gate", "up", "down", "head"}));
          QCOMPARE(plot.xAxis->tickLabelRotation(), width == 516 ? 0.0 : 90.0);
          QCOMPARE(plot.yAxis->tickVectorLabels().last(), QString("lm_head"));
          // 29 rows: every 4th layer at 516 pt; the single column has room for a few (never overlapping).
          QVERIFY(plot.yAxis->tickVectorLabels().size() >= (width == 516 ? 8 : 2));
        });
  }

  // On screen, the first render of the module map (a new view, shown once) names every module, and the
  // narrow layout comes and goes with the width.
  void moduleNamesOnFirstRender() {
    LayerSelection selection;
    HeatmapView view(HeatmapView::Kind::Modules, &selection);
    view.resize(900, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setScanData(std::make_shared<ScanData>(wideScan()));
    QApplication::processEvents();
    const QVector<QString> labels = view.plot()->xAxis->tickVectorLabels();
    QCOMPARE(QStringList(labels.begin(), labels.end()),
             QStringList({"q", "k", "v", "o", "gate", "up", "down", "head"}));
    QCOMPARE(view.figure().colorScale->type(), QCPAxis::atRight);
    view.resize(380, 600);
    QTRY_COMPARE(view.figure().colorScale->type(), QCPAxis::atBottom);  // rebuilt for the narrow plot
    QCOMPARE(view.plot()->xAxis->tickVectorLabels().size(), 8);
  }

  // One colour means worse everywhere: the lowest weight SQNR (q_proj of layer 2: 10 dB) is viridis' top, the
  // highest (k_proj of layer 1: 22 dB) its bottom; the colour bar shows the top colour at its low end and its
  // arrow points there.
  void worseCellsTakeTheWorseColour() {
    const ScanData data = handMade();
    QCustomPlot plot;
    plot.resize(600, 450);
    plot.setViewport(plot.rect());
    HeatmapFigure fig =
        buildHeatmapFigure(&plot, data, moduleHeatmap(data, "sqnr_db", HeatScale::Linear), PlotTheme::light());
    QCOMPARE(fig.grid.columns, QStringList({"q_proj", "k_proj"}));
    QCOMPARE(fig.grid.rowLayers, (std::vector<int>{2, 10, 1}));
    QVERIFY(fig.grid.lowIsWorse);
    QVERIFY2(fig.colorScale->axis()->label().startsWith("← worse"), qPrintable(fig.colorScale->axis()->label()));
    auto cell = [&](int c, int r) { return pixelAt(plot, plot.xAxis->coordToPixel(c), plot.yAxis->coordToPixel(r)); };
    QVERIFY2(close(cell(0, 0), kWorse), qPrintable(cell(0, 0).name()));
    QVERIFY2(close(cell(1, 2), kBetter), qPrintable(cell(1, 2).name()));
    const QRect bar = fig.colorScale->axis()->axisRect()->rect();
    QVERIFY2(close(pixelAt(plot, bar.center().x(), bar.bottom() - 2), kWorse), "the low end is the worse one");
    QVERIFY2(close(pixelAt(plot, bar.center().x(), bar.top() + 2), kBetter), "the high end is the better one");
    QVERIFY(fig.colorScale->axis()->pixelToCoord(bar.bottom() - 2) <
            fig.colorScale->axis()->pixelToCoord(bar.top() + 2));

    // Layer x metric, BF16: SQNR 21 / 18 / 25 dB -> layer 10 worst; gain 9.5 / 10.25 / 100 -> farthest from 1 is
    // layer 1. Ratio map: gain 9/9.5, 1, 0.5 -> layer 1's drop is the worst change (red); SQNR rose everywhere.
    fig = buildHeatmapFigure(&plot, data, metricHeatmap(data, Side::Bf16, HeatScale::Linear), PlotTheme::light());
    const int sqnr = int(fig.grid.columns.indexOf("sqnr_db")), gain = int(fig.grid.columns.indexOf("gain"));
    QVERIFY(sqnr >= 0 && gain >= 0);
    QCOMPARE(fig.grid.shown[1][size_t(sqnr)], 1.0);
    QCOMPARE(fig.grid.shown[2][size_t(sqnr)], 0.0);
    QVERIFY2(close(cell(sqnr, 1), kWorse), qPrintable(cell(sqnr, 1).name()));
    QVERIFY2(close(cell(gain, 2), kWorse), qPrintable(cell(gain, 2).name()));
    QVERIFY2(close(cell(gain, 0), kBetter), qPrintable(cell(gain, 0).name()));
    QVERIFY(fig.colorScale->axis()->label().contains("worse →"));
    fig = buildHeatmapFigure(&plot, data, metricHeatmap(data, Side::Ratio, HeatScale::Diverging), PlotTheme::light());
    QCOMPARE(fig.grid.shown[2][size_t(fig.grid.columns.indexOf("gain"))], 1.0);
    QVERIFY2(close(cell(fig.grid.columns.indexOf("gain"), 2), kWorseChange), qPrintable(cell(gain, 2).name()));
    QVERIFY(fig.grid.shown[0][size_t(fig.grid.columns.indexOf("sqnr_db"))] < 0);
  }

  // Δ intervals by hand: layer 2's gain per prompt, BF16 {9, 10, 9, 10} and quantized {8, 10, 8, 10}.
  // Differences {-1, 0, -1, 0}: mean -0.5, sd sqrt(1/3), 95 % half-width t(0.975, 3) sqrt(1/3) / 2.
  // Ratio R = 9 / 9.5 (delta method): q_i - R b_i = {-e, +e, -e, +e} with e = 10 - 10 R = 0.5263, sd e sqrt(4/3),
  // half-width t * sd / (sqrt(4) * 9.5).
  void deltaPanelIntervals() {
    nlohmann::json j = results_test::handMadeScan();
    j["layers"][0]["bf16"]["gain"] = statOf({9, 10, 9, 10});
    j["layers"][0]["quantized"]["gain"] = statOf({8, 10, 8, 10});
    j["layers"][0]["difference"]["gain"] = -0.5;
    j["layers"][0]["ratio"]["gain"] = 9 / 9.5;
    const ScanData data = ScanData::fromJson(j, "deltas.json");
    const double t3 = 3.182446305284263;
    const CompareSeries diff = compareSeries(data, "gain", DeltaMode::Difference);
    QCOMPARE(diff.layers.front(), 2);
    const double h = t3 * std::sqrt(1.0 / 3) / 2;
    // The engine's t table holds t(0.975, 3) to 5 digits.
    QVERIFY2(std::abs(diff.delta[0].ciLow - (-0.5 - h)) < 1e-4 && std::abs(diff.delta[0].ciHigh - (-0.5 + h)) < 1e-4,
             qPrintable(QString("%1 %2 %3 n=%4")
                            .arg(diff.delta[0].mean)
                            .arg(diff.delta[0].ciLow)
                            .arg(diff.delta[0].ciHigh)
                            .arg(diff.delta[0].n)));
    const CompareSeries ratio = compareSeries(data, "gain", DeltaMode::Ratio);
    const double e = 10 - 9 / 9.5 * 10;  // = 0.5263...: the residuals are -e, +e, -e, +e
    const double hr = t3 * e * std::sqrt(4.0 / 3) / (2 * 9.5);
    QVERIFY(std::abs(ratio.delta[0].ciLow - (9 / 9.5 - hr)) < 1e-5 &&
            std::abs(ratio.delta[0].ciHigh - (9 / 9.5 + hr)) < 1e-5);
    // The hand-made prompts are all equal: a zero-width interval, drawn as none.
    QCOMPARE(diff.delta[1].ciLow, diff.delta[1].ciHigh);

    // The figure draws them on the Δ panel and says what the error bars are.
    QCustomPlot plot;
    plot.resize(700, 500);
    plot.setViewport(plot.rect());
    const CompareFigure fig = buildCompareFigure(&plot, data, "gain", DeltaMode::Difference, PlotTheme::light());
    QCPErrorBars* deltaErrors = nullptr;
    for (int i = 0; i < plot.plottableCount(); ++i)
      if (auto* eb = qobject_cast<QCPErrorBars*>(plot.plottable(i)))
        if (eb->dataPlottable() == fig.bars[2]) deltaErrors = eb;
    QVERIFY(deltaErrors);
    QVERIFY(std::abs(deltaErrors->data()->at(0).errorMinus - h) < 1e-4);
    QVERIFY(std::abs(deltaErrors->data()->at(0).errorPlus - h) < 1e-4);
    ExportOptions o;
    o.format = ExportOptions::Svg;
    for (double w : {252.0, 516.0}) {
      o.widthPt = w;
      const QString path = m_tmp.filePath(QString("compare-%1.svg").arg(w));
      exportFigure(
          path, [&](QCustomPlot* p) { renderFigure(p, data, "compare:gain:difference", true); }, o);
      const QString prose = svg_test::svgProse(path);
      QVERIFY2(prose.contains("error bars: 95 % CI (Student t)"), qPrintable(prose));
      QVERIFY2(prose.contains("Δ: 95 % CI of the per-prompt differences"), qPrintable(prose));
    }
  }

  // The log axis: the view's check box makes the value panels logarithmic (Δ stays linear), the figure id
  // carries it, and the export draws the same.
  // Value axes step by 1, 2, 2.5 or 5 times a power of ten, never finer than the room for their labels.
  void niceValueSteps() {
    QCOMPARE(niceStepAtLeast(0.13), 0.2);
    QCOMPARE(niceStepAtLeast(0.2), 0.2);
    QCOMPARE(niceStepAtLeast(0.21), 0.25);
    QCOMPARE(niceStepAtLeast(0.3), 0.5);
    QCOMPARE(niceStepAtLeast(7.0), 10.0);
    QCOMPARE(niceStepAtLeast(1e-5), 1e-5);
    QCOMPARE(niceStepAtLeast(0.0), 1.0);  // a degenerate range still gets a step
  }

  void logAxis() {
    LayerSelection selection;
    MetricCompareView view(&selection);
    view.resize(900, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setScanData(std::make_shared<ScanData>(handMade()));
    view.setMetric("gain");
    auto* box = view.findChild<QCheckBox*>("logAxis");
    QVERIFY(box && !box->isChecked());
    QCOMPARE(view.figure().rects[0]->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLinear);
    QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(4, box->height() / 2));
    QVERIFY(view.logScale());
    QCOMPARE(view.figureId(), QString("compare:gain:difference:log"));
    const CompareFigure& fig = view.figure();
    QCOMPARE(fig.rects[0]->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(fig.rects[1]->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(fig.rects[2]->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLinear);  // signed differences
    // The range covers the intervals (7 … 101) and the bars rise from its bottom.
    QCPAxis* v = fig.rects[0]->axis(QCPAxis::atLeft);
    QVERIFY2(v->range().lower > 0 && v->range().lower < 7 && v->range().upper > 101,
             qPrintable(QString("%1 %2").arg(v->range().lower).arg(v->range().upper)));
    QCOMPARE(fig.bars[0]->baseValue(), v->range().lower);
    QCustomPlot plot;
    renderFigure(&plot, handMade(), view.figureId(), true);
    QCOMPARE(plot.axisRects().at(0)->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLogarithmic);
    QVERIFY_THROWS_EXCEPTION(srdd::Error, renderFigure(&plot, handMade(), "compare:gain:difference:sqrt", true));
    view.setDeltaMode(DeltaMode::Ratio);  // a ratio is positive: its panel goes logarithmic too
    QCOMPARE(view.figure().rects[2]->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLogarithmic);
  }

  // A single-column export of a 28-layer scan needs more than 3/4 of its width: it grows instead of squeezing
  // titles and captions, so every text element of the exported layout has the height of all its lines.
  void exportsGrowToFitTheirContent() {
    const ScanData data = wideScan();
    for (const FigureSpec& spec : availableFigures(data)) {
      ExportOptions o;
      o.format = ExportOptions::Png;
      o.widthPt = 252;
      o.dpi = 72;
      QCustomPlot plot;
      plot.resize(252, 189);
      renderFigure(&plot, data, spec.id, true);
      const QString file = m_tmp.filePath(figureFileStem(spec.id) + ".png");
      exportPlot(&plot, file, o);  // the plot keeps the layout of the export
      const QImage image(file);
      QVERIFY2(image.height() >= 189, qPrintable(spec.id));
      for (QCPLayoutElement* e : plot.plotLayout()->elements(true))
        if (auto* text = qobject_cast<QCPTextElement*>(e); text && text->visible() && !text->text().isEmpty()) {
          QFont exported(o.fontFamily);  // the export's font (the plot has its own back), bold where the text is
          exported.setPointSizeF(o.fontPt * 72.0 / layoutTextDpi());
          exported.setBold(text->font().bold());
          const int lines = text->text().count('\n') + 1;
          const int need = lines * QFontMetrics(exported).height();
          QVERIFY2(text->rect().height() >= need - 1, qPrintable(QString("%1: \"%2\" squeezed to %3 of %4 units")
                                                                     .arg(spec.id, text->text().left(40))
                                                                     .arg(text->rect().height())
                                                                     .arg(need)));
        }
    }
  }

  // With SRDD_SCREENSHOT_DIR: the figures of #19 exported as PDF, SVG and PNG at both widths.
  void exportsForTheDocs() {
    const QString dir = qEnvironmentVariable("SRDD_SCREENSHOT_DIR");
    if (dir.isEmpty()) QSKIP("set SRDD_SCREENSHOT_DIR to export the figures");
    const QString file = qEnvironmentVariable("SRDD_RESULTS_SCAN");
    const ScanData data = file.isEmpty() ? wideScan() : ScanData::fromJsonFile(file);
    for (const QString& id : {QString("heatmap-metrics:quantized:linear"), QString("heatmap-metrics:ratio:diverging"),
                              QString("heatmap-modules:sqnr_db:linear"), QString("compare:kurtosis:difference:log"),
                              QString("compare:gain:ratio")})
      for (int w : {252, 516})
        for (auto format : {ExportOptions::Pdf, ExportOptions::Svg, ExportOptions::Png}) {
          ExportOptions o;
          o.format = format;
          o.widthPt = w;
          exportFigure(
              QString("%1/%2-%3.%4").arg(dir, figureFileStem(id)).arg(w).arg(o.extension()),
              [&](QCustomPlot* p) { renderFigure(p, data, id, true); }, o);
        }
  }

 private:
  QTemporaryDir m_tmp;
};

QTEST_MAIN(TestFigureReadability)
#include "test_figure_readability.moc"
