// The linked results views on a real `srdd scan` of the demo model: selection semantics, clicks on bars and
// heatmap cells at their pixel positions, table <-> plot propagation, numeric sorting, model tester, theming.
// With SRDD_RESULTS_SCREENSHOT=/path/stem the panel is also grabbed to /path/stem-{compare,metrics,modules}[-dark].png
// and three exported figures to /path/stem-export-*.png; SRDD_RESULTS_SCAN=FILE shows that scan instead of the demo's.
#include "export/figure_export.h"
#include "export/paper_theme.h"
#include "results/figures.h"
#include "results/heatmap_view.h"
#include "results/layer_selection.h"
#include "results/metric_catalog.h"
#include "results/metric_compare_view.h"
#include "results/ranked_layer_model.h"
#include "results/ranked_layer_view.h"
#include "results/results_panel.h"
#include "axis_overlap.h"
#include "test_results_fixture.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace srdd_gui;

namespace {
std::set<int> layers(std::initializer_list<int> l) { return std::set<int>(l); }

// Layers whose bars are drawn selected in every panel of the compare plot (must agree across panels).
std::set<int> selectedBars(const CompareFigure& fig) {
  std::set<int> first;
  for (size_t p = 0; p < fig.bars.size(); ++p) {
    std::set<int> s;
    for (const QCPDataRange& r : fig.bars[p]->selection().dataRanges())
      for (int i = r.begin(); i < r.end(); ++i) s.insert(int(std::lround(fig.bars[p]->data()->at(i)->key)));
    if (p == 0) first = s;
    if (s != first) return {-1};
  }
  return first;
}
std::set<int> selectedRows(QTableView* table) {
  std::set<int> s;
  for (const QModelIndex& i : table->selectionModel()->selectedRows())
    s.insert(i.data(RankedLayerModel::LayerRole).toInt());
  return s;
}
// Heatmap rows with a selection outline.
int outlineCount(QCustomPlot* plot) {
  std::set<double> rows;
  for (int i = 0; i < plot->itemCount(); ++i)
    if (auto* r = qobject_cast<QCPItemRect*>(plot->item(i))) rows.insert(r->topLeft->coords().y());
  return int(rows.size());
}
// Pixel of the middle of LAYER's bar in compare panel P.
QPoint barPixel(const CompareFigure& fig, size_t p, int layer) {
  QCPBars* bars = fig.bars[p];
  for (int i = 0; i < bars->dataCount(); ++i)
    if (int(std::lround(bars->data()->at(i)->key)) == layer) {
      const double mid = bars->baseValue() + bars->data()->at(i)->value / 2;
      return QPoint(int(bars->keyAxis()->coordToPixel(layer)), int(bars->valueAxis()->coordToPixel(mid)));
    }
  return {};
}
QPoint cellPixel(QCustomPlot* plot, int column, int row) {
  return QPoint(int(plot->xAxis->coordToPixel(column)), int(plot->yAxis->coordToPixel(row)));
}
}  // namespace

class TestResultsViews : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void selectionClickCtrlShift();
  void selectionRangeUsesAvailableLayers();
  void modelsPassModelTester();
  void sortingIsNumeric();
  void clickingBarsSelectsLayers();
  void clickingHeatmapCellsSelectsLayers();
  void tableSelectionPropagatesToPlots();
  void metricChooserAndViewState();
  void paletteChangeRethemesButExportStaysLight();
  void clearShowsPlaceholder();
  void singleColumnFiguresFit();
  void screenshot();

 private:
  void showPanel(ResultsPanel& panel, int tab);
  QTemporaryDir m_tmp;
  ScanData m_data;
};

void TestResultsViews::initTestCase() {
  QVERIFY(m_tmp.isValid());
  const QString path = m_tmp.filePath("scan.json");
  bool ok = false;
  const QString out = results_test::runDemoScan(path, {"--scans", "all", "--lm-head"}, &ok);
  QVERIFY2(ok, qPrintable(out));
  m_data = ScanData::fromJsonFile(path);
  QCOMPARE(m_data.layerCount(), 6);
}

void TestResultsViews::showPanel(ResultsPanel& panel, int tab) {
  panel.resize(1500, 850);
  panel.tabs()->setCurrentIndex(tab);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  for (QCustomPlot* p : {panel.compareView()->plot(), panel.metricHeatmap()->plot(), panel.moduleHeatmap()->plot()})
    p->replot();  // lays out the axis rects so coordToPixel matches what is on screen
}

void TestResultsViews::selectionClickCtrlShift() {
  LayerSelection s;
  QSignalSpy changed(&s, &LayerSelection::changed);
  s.setAvailableLayers({0, 1, 2, 3, 4, 5});
  s.click(2, Qt::NoModifier);
  QCOMPARE(s.selected(), layers({2}));
  QCOMPARE(s.current(), 2);
  QCOMPARE(changed.count(), 1);
  s.click(2, Qt::NoModifier);  // no change, no signal
  QCOMPARE(changed.count(), 1);
  s.click(4, Qt::ControlModifier);
  QCOMPARE(s.selected(), layers({2, 4}));
  s.click(2, Qt::ControlModifier);  // toggles off, becomes the anchor
  QCOMPARE(s.selected(), layers({4}));
  QCOMPARE(s.anchor(), 2);
  s.click(0, Qt::ShiftModifier);  // range from the anchor replaces the selection
  QCOMPARE(s.selected(), layers({0, 1, 2}));
  QCOMPARE(s.anchor(), 2);
  QCOMPARE(s.current(), 0);
  s.click(4, Qt::ShiftModifier);  // same anchor, other direction
  QCOMPARE(s.selected(), layers({2, 3, 4}));
  s.click(0, Qt::NoModifier);
  s.click(4, Qt::ControlModifier | Qt::ShiftModifier);  // Ctrl+Shift adds the range 0..4
  QCOMPARE(s.selected(), layers({0, 1, 2, 3, 4}));
  s.click(9, Qt::NoModifier);  // not a scanned layer
  QCOMPARE(s.selected(), layers({0, 1, 2, 3, 4}));
  s.setAvailableLayers({3, 4, 5});
  QCOMPARE(s.selected(), layers({3, 4}));
  s.clear();
  QVERIFY(s.isEmpty());
  QCOMPARE(s.current(), -1);
}

void TestResultsViews::selectionRangeUsesAvailableLayers() {
  LayerSelection s;
  s.setAvailableLayers({0, 3, 7, 10});
  s.click(10, Qt::NoModifier);
  s.click(3, Qt::ShiftModifier);
  QCOMPARE(s.selected(), layers({3, 7, 10}));
  s.setSelection({0, 5, 7}, 5);  // 5 is not available: dropped, current falls back to the first
  QCOMPARE(s.selected(), layers({0, 7}));
  QCOMPARE(s.current(), 0);
}

void TestResultsViews::modelsPassModelTester() {
  RankedLayerModel model;
  QSortFilterProxyModel proxy;
  proxy.setSourceModel(&model);
  proxy.setSortRole(RankedLayerModel::SortRole);
  QAbstractItemModelTester t1(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
  auto data = std::make_shared<const ScanData>(m_data);
  model.setScanData(data);
  QCOMPARE(model.rowCount(), 6);
  QCOMPARE(model.columnCount(), int(RankedLayerModel::ColumnCount));
  for (const char* m : {"kurtosis", "kl_single", "weights.sqnr_db"}) {
    model.setMetric(m);
    for (int c = 0; c < RankedLayerModel::ColumnCount; ++c) {
      proxy.sort(c, Qt::AscendingOrder);
      proxy.sort(c, Qt::DescendingOrder);
    }
  }
  // The kl_single columns: no BF16 value, quantized = the sensitivity mean, no ratio.
  model.setMetric("kl_single");
  const int row = model.rowOfLayer(0);
  QVERIFY(!model.index(row, RankedLayerModel::Bf16Column).data(RankedLayerModel::SortRole).isValid());
  QCOMPARE(model.index(row, RankedLayerModel::QuantizedColumn).data(RankedLayerModel::SortRole).toDouble(),
           m_data.layer(0).sensitivity.at("kl_single").mean);
  QCOMPARE(model.index(row, RankedLayerModel::FlagsColumn).data().toString(), ruleNames(m_data.verdict(0)).join(", "));
  QCOMPARE(model.index(row, RankedLayerModel::ProblematicColumn).data().toString(),
           m_data.verdict(0).problematic ? QString("problematic") : QString("ok"));
  QVERIFY(model.headerData(RankedLayerModel::QuantizedColumn, Qt::Horizontal).toString().contains("KL"));
  model.clear();
  QCOMPARE(proxy.rowCount(), 0);
}

void TestResultsViews::sortingIsNumeric() {
  // Hand-made: layers 2, 10, 1 with BF16 gain 9.5, 10.25, 100 — text order would give 1, 10, 2 and 10.25, 100, 9.5.
  LayerSelection selection;
  RankedLayerView view(&selection);
  view.setScanData(std::make_shared<const ScanData>(ScanData::fromJson(results_test::handMadeScan(), "hand.json")));
  auto column = [&](int c, int role) {
    QList<double> v;
    for (int r = 0; r < view.proxy()->rowCount(); ++r) v << view.proxy()->index(r, c).data(role).toDouble();
    return v;
  };
  view.table()->sortByColumn(RankedLayerModel::LayerColumn, Qt::AscendingOrder);
  QCOMPARE(column(RankedLayerModel::LayerColumn, Qt::DisplayRole), QList<double>({1, 2, 10}));
  view.table()->sortByColumn(RankedLayerModel::Bf16Column, Qt::AscendingOrder);
  QCOMPARE(column(RankedLayerModel::Bf16Column, RankedLayerModel::SortRole), QList<double>({9.5, 10.25, 100}));
  QCOMPARE(column(RankedLayerModel::LayerColumn, Qt::DisplayRole), QList<double>({2, 10, 1}));
  // The engine's ranking is by anomaly score: sorting the column descending reproduces verdict.ranking.
  view.table()->sortByColumn(RankedLayerModel::AnomalyColumn, Qt::DescendingOrder);
  QCOMPARE(column(RankedLayerModel::LayerColumn, Qt::DisplayRole), QList<double>({1, 10, 2}));
  QVERIFY(view.banner()->text().contains("Mixed approach"));
  QVERIFY(view.banner()->text().contains("problematic layers: 1, 10 of 3"));

  RankedLayerView real(&selection);
  real.setScanData(std::make_shared<const ScanData>(m_data));
  real.table()->sortByColumn(RankedLayerModel::AnomalyColumn, Qt::DescendingOrder);
  // Descending anomaly score, computed here from the verdicts (the engine's ranking is by single-layer harm now).
  std::vector<std::pair<double, int>> scored;
  for (int r = 0; r < static_cast<int>(m_data.ranking().size()); ++r) {
    const double z = m_data.verdict(r).anomalyScore;
    scored.push_back({std::isfinite(z) ? z : -1e300, m_data.verdict(r).layer});
  }
  std::stable_sort(scored.begin(), scored.end(), [](auto& a, auto& b) { return a.first > b.first; });
  QList<double> expected;
  for (const auto& [z, layer] : scored) expected << layer;
  QList<double> got;
  for (int r = 0; r < real.proxy()->rowCount(); ++r) got << real.proxy()->index(r, 0).data().toDouble();
  QCOMPARE(got, expected);
}

void TestResultsViews::clickingBarsSelectsLayers() {
  ResultsPanel panel;
  panel.setScanData(m_data);
  showPanel(panel, 0);
  LayerSelection* sel = panel.layerSelection();
  QCustomPlot* plot = panel.compareView()->plot();
  const CompareFigure& fig = panel.compareView()->figure();
  QCOMPARE(fig.rects.size(), size_t(3));
  QCOMPARE(fig.series.metric, QString("gain"));

  // BF16 panel, the plot's own x axis: click at the bar of layer 3.
  const QPoint p3(int(plot->xAxis->coordToPixel(3)), barPixel(fig, 0, 3).y());
  QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, p3);
  QCOMPARE(sel->selected(), layers({3}));
  QCOMPARE(selectedBars(fig), layers({3}));
  QCOMPARE(selectedRows(panel.rankedView()->table()), layers({3}));
  // Ctrl+click on the quantized panel, Shift+click on the ratio/Δ panel.
  QTest::mouseClick(plot, Qt::LeftButton, Qt::ControlModifier, barPixel(fig, 1, 5));
  QCOMPARE(sel->selected(), layers({3, 5}));
  QTest::mouseClick(plot, Qt::LeftButton, Qt::ShiftModifier, barPixel(fig, 2, 1));
  QCOMPARE(sel->selected(), layers({1, 2, 3, 4, 5}));
  QCOMPARE(selectedBars(fig), layers({1, 2, 3, 4, 5}));
  QCOMPARE(selectedRows(panel.rankedView()->table()), layers({1, 2, 3, 4, 5}));
  // Selected bars are drawn in full colour, the others faded.
  QCOMPARE(fig.bars[0]->brush().color().alpha(), 70);
  QCOMPARE(fig.bars[0]->selectionDecorator()->brush().color().alpha(), 255);

  // Hover text: exact values with the interval.
  const QString tip = panel.compareView()->tooltipAt(barPixel(fig, 0, 3));
  const Stat b = m_data.stat(3, "gain", Side::Bf16);
  QVERIFY2(tip.startsWith("Layer 3 · Gain"), qPrintable(tip));
  QVERIFY2(tip.contains("BF16: " + QString::number(b.mean, 'g', 4) + "  [95 %: " + QString::number(b.ciLow, 'g', 4)),
           qPrintable(tip));
  QVERIFY(tip.contains("MXFP4: "));
  QCOMPARE(tip.contains("flags: "), !m_data.verdict(3).flags.empty());

  // A click beside every bar (inside the panel) clears the selection.
  const QPoint empty(int(plot->xAxis->coordToPixel(5.58)), p3.y());
  QVERIFY(panel.compareView()->tooltipAt(empty).isEmpty());
  QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, empty);
  QVERIFY(sel->isEmpty());
  QCOMPARE(selectedBars(fig), std::set<int>());
  QCOMPARE(fig.bars[0]->brush().color().alpha(), 255);
}

void TestResultsViews::clickingHeatmapCellsSelectsLayers() {
  ResultsPanel panel;
  panel.setScanData(m_data);
  showPanel(panel, 1);
  LayerSelection* sel = panel.layerSelection();
  HeatmapView* view = panel.metricHeatmap();
  QCustomPlot* plot = view->plot();
  const HeatmapGrid& g = view->figure().grid;
  QCOMPARE(g.rowCount(), 6);
  QVERIFY(g.columnCount() > 15);

  QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, cellPixel(plot, 2, 4));
  QCOMPARE(sel->selected(), layers({4}));
  QCOMPARE(outlineCount(plot), 1);
  QTest::mouseClick(plot, Qt::LeftButton, Qt::ControlModifier, cellPixel(plot, g.columnCount() - 1, 0));
  QCOMPARE(sel->selected(), layers({0, 4}));
  QCOMPARE(outlineCount(plot), 2);
  QCOMPARE(selectedRows(panel.rankedView()->table()), layers({0, 4}));
  QCOMPARE(selectedBars(panel.compareView()->figure()), layers({0, 4}));

  const QString tip = view->tooltipAt(cellPixel(plot, 0, 5));
  const QString metric = g.columns[0];
  QVERIFY2(tip.startsWith("Layer 5 · " + metricInfo(metric).name), qPrintable(tip));
  QVERIFY2(tip.contains(formatMetricValue(metric, m_data.value(5, metric, Side::Quantized))), qPrintable(tip));

  // Switching the values to ratios picks the diverging scale and keeps the outlines.
  view->setSide(Side::Ratio);
  QCOMPARE(view->scale(), HeatScale::Diverging);
  QCOMPARE(view->figureId(), QString("heatmap-metrics:ratio:diverging"));
  QCOMPARE(outlineCount(plot), 2);

  // Layer × module: the lm_head row is not a layer; a layer row selects its layer.
  panel.tabs()->setCurrentIndex(2);
  QCustomPlot* mplot = panel.moduleHeatmap()->plot();
  mplot->replot();
  const HeatmapGrid& mg = panel.moduleHeatmap()->figure().grid;
  QCOMPARE(mg.rowLabels.last(), QString("lm_head"));
  QTest::mouseClick(mplot, Qt::LeftButton, Qt::NoModifier, cellPixel(mplot, mg.columnCount() - 1, mg.rowCount() - 1));
  QCOMPARE(sel->selected(), layers({0, 4}));
  QVERIFY(panel.moduleHeatmap()
              ->tooltipAt(cellPixel(mplot, mg.columnCount() - 1, mg.rowCount() - 1))
              .startsWith("lm_head · lm_head"));
  QTest::mouseClick(mplot, Qt::LeftButton, Qt::NoModifier, cellPixel(mplot, 0, 2));
  QCOMPARE(sel->selected(), layers({2}));
  QCOMPARE(outlineCount(mplot), 1);
  const QString mtip = panel.moduleHeatmap()->tooltipAt(cellPixel(mplot, 0, 2));
  QVERIFY2(mtip.contains("Layer 2 · q_proj (192 × 192)"), qPrintable(mtip));
  QVERIFY(mtip.contains(formatMetricValue("weights.sqnr_db", m_data.weight(2, "q_proj")->metrics.at("sqnr_db"))));
}

void TestResultsViews::tableSelectionPropagatesToPlots() {
  ResultsPanel panel;
  panel.setScanData(m_data);
  showPanel(panel, 0);
  LayerSelection* sel = panel.layerSelection();
  QTableView* table = panel.rankedView()->table();
  auto rowRect = [&](int row) { return table->visualRect(table->model()->index(row, RankedLayerModel::LayerColumn)); };
  auto layerAt = [&](int row) { return table->model()->index(row, 0).data(RankedLayerModel::LayerRole).toInt(); };

  QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, rowRect(1).center());
  QCOMPARE(sel->selected(), layers({layerAt(1)}));
  QCOMPARE(sel->current(), layerAt(1));
  QCOMPARE(selectedBars(panel.compareView()->figure()), layers({layerAt(1)}));
  QCOMPARE(outlineCount(panel.metricHeatmap()->plot()), 1);
  QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::ControlModifier, rowRect(4).center());
  QCOMPARE(sel->selected(), layers({layerAt(1), layerAt(4)}));
  QCOMPARE(selectedBars(panel.compareView()->figure()), layers({layerAt(1), layerAt(4)}));
  QCOMPARE(outlineCount(panel.moduleHeatmap()->plot()), 2);

  sel->selectOnly(2);  // and back: the table follows
  QCOMPARE(selectedRows(table), layers({2}));
  QCOMPARE(table->currentIndex().data(RankedLayerModel::LayerRole).toInt(), 2);
  // Re-sorting keeps the selected layer.
  table->sortByColumn(RankedLayerModel::LayerColumn, Qt::DescendingOrder);
  QCOMPARE(selectedRows(table), layers({2}));
}

void TestResultsViews::metricChooserAndViewState() {
  ResultsPanel panel;
  QSignalSpy figures(&panel, &ResultsPanel::currentFigureChanged);
  panel.setScanData(m_data);
  QCOMPARE(panel.currentFigureId(), QString("compare:gain:difference"));
  QComboBox* chooser = panel.metricChooser();
  QVERIFY(chooser->findData("kl_single") > chooser->findData("edge_pileup"));  // single-variant metrics after paired
  QCOMPARE(chooser->findData("tokens"), -1);
  panel.setMetric("sqnr_db");
  QCOMPARE(panel.compareView()->figure().series.metric, QString("sqnr_db"));
  QCOMPARE(chooser->currentData().toString(), QString("sqnr_db"));
  QVERIFY(panel.rankedView()
              ->model()
              ->headerData(RankedLayerModel::Bf16Column, Qt::Horizontal)
              .toString()
              .contains("Output SQNR"));
  panel.compareView()->setDeltaMode(DeltaMode::Ratio);
  QCOMPARE(panel.currentFigureId(), QString("compare:sqnr_db:ratio"));
  QCOMPARE(figures.last().at(0).toString(), QString("compare:sqnr_db:ratio"));
  panel.moduleHeatmap()->setWeightMetric("deadzone_ratio");
  panel.moduleHeatmap()->setScale(HeatScale::Log);
  panel.tabs()->setCurrentIndex(2);
  QCOMPARE(panel.currentFigureId(), QString("heatmap-modules:deadzone_ratio:log"));

  const QJsonObject state = panel.viewState();
  ResultsPanel other;
  other.setScanData(m_data);
  other.restoreViewState(state);
  QCOMPARE(other.currentFigureId(), panel.currentFigureId());
  QCOMPARE(other.metric(), QString("sqnr_db"));
  QCOMPARE(other.compareView()->deltaMode(), DeltaMode::Ratio);
  // Every on-screen figure id is one the exporter can render.
  QCustomPlot plot;
  renderFigure(&plot, m_data, other.currentFigureId(), true);
  renderFigure(&plot, m_data, other.compareView()->figureId(), true);
}

void TestResultsViews::paletteChangeRethemesButExportStaysLight() {
  ResultsPanel panel;
  panel.setScanData(m_data);
  showPanel(panel, 0);
  panel.layerSelection()->selectOnly(1);
  const QColor lightBars = panel.compareView()->figure().bars[0]->selectionDecorator()->brush().color();
  QPalette dark;
  dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
  dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
  dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
  dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
  panel.setPalette(dark);
  QCustomPlot* plot = panel.compareView()->plot();
  plot->replot();
  const QImage img = plot->toPixmap().toImage();
  QCOMPARE(img.pixelColor(2, 2), QColor(0x1e, 0x1e, 0x1e));
  QVERIFY(panel.compareView()->figure().bars[0]->selectionDecorator()->brush().color() != lightBars);
  QCOMPARE(selectedBars(panel.compareView()->figure()), layers({1}));  // the rebuilt figure keeps the selection
  // Exporting from the dark UI still gives the paper theme.
  QCustomPlot exportPlot;
  exportPlot.setPalette(dark);
  renderFigure(&exportPlot, m_data, panel.currentFigureId(), true);
  QCOMPARE(exportPlot.toPixmap(600, 400).toImage().pixelColor(2, 2), QColor(Qt::white));
}

void TestResultsViews::clearShowsPlaceholder() {
  ResultsPanel panel;
  panel.setScanData(m_data);
  panel.layerSelection()->selectOnly(3);
  panel.clear();
  QVERIFY(!panel.hasData());
  QVERIFY(panel.currentFigureId().isEmpty());
  QVERIFY(panel.layerSelection()->isEmpty());
  QCOMPARE(panel.rankedView()->model()->rowCount(), 0);
  QCOMPARE(panel.compareView()->plot()->plottableCount(), 0);
  QCOMPARE(panel.metricHeatmap()->plot()->plottableCount(), 0);
  panel.setScanData(m_data);  // and back
  QVERIFY(panel.compareView()->plot()->plottableCount() > 0);
}

// Every figure laid out as the export lays it out at single-column (252 × 189 pt, 8 pt text) and double-column
// width: panels and texts inside the figure, panels apart, texts whole, tick labels of an axis not touching.
void TestResultsViews::singleColumnFiguresFit() {
  QFont font(QStringLiteral("DejaVu Sans"));
  font.setPointSizeF(8.0 * 72.0 / layoutTextDpi());
  for (int width : {252, 516})
    for (const FigureSpec& spec : availableFigures(m_data)) {
      const QString where = QString("%1 at %2 pt").arg(spec.id).arg(width);
      QCustomPlot plot;
      plot.resize(width, width * 3 / 4);
      plot.setViewport(QRect(0, 0, width, width * 3 / 4));  // a hidden widget gets no resize event
      renderFigure(&plot, m_data, spec.id, true);
      const PaperThemeScope paper(&plot, font);
      plot.replot();
      plot.replot();  // the second pass spaces category labels for the final layout
      const QRect view = plot.viewport().adjusted(0, 0, 1, 1);  // the layout may round up by one unit
      std::vector<QRect> panels;
      for (QCPLayoutElement* e : plot.plotLayout()->elements(true)) {
        if (auto* rect = qobject_cast<QCPAxisRect*>(e)) {
          QVERIFY2(view.contains(rect->outerRect()), qPrintable(where));
          for (const QRect& other : panels) QVERIFY2(!other.intersects(rect->outerRect()), qPrintable(where));
          panels.push_back(rect->outerRect());
          for (QCPAxis* axis : rect->axes()) {
            if (!axis->visible() || !axis->tickLabels()) continue;
            const QString collision = axis_test::overlap(axis);
            QVERIFY2(collision.isEmpty(), qPrintable(where + ": tick labels " + collision + " overlap"));
          }
        } else if (auto* scale = qobject_cast<QCPColorScale*>(e)) {
          const QString collision = axis_test::overlap(scale->axis());
          QVERIFY2(collision.isEmpty(), qPrintable(where + ": colour scale labels " + collision + " overlap"));
        } else if (auto* text = qobject_cast<QCPTextElement*>(e)) {
          QVERIFY2(view.contains(text->outerRect()), qPrintable(where + ": " + text->text()));
          int textWidth = 0;  // captions wrap: their widest line
          for (const QString& line : text->text().split('\n'))
            textWidth = std::max(textWidth, QFontMetrics(text->font()).horizontalAdvance(line));
          QVERIFY2(textWidth <= text->rect().width(), qPrintable(where + ": title cut: " + text->text()));
        }
      }
    }
}

void TestResultsViews::screenshot() {
  const QString stem = qEnvironmentVariable("SRDD_RESULTS_SCREENSHOT");
  if (stem.isEmpty()) QSKIP("set SRDD_RESULTS_SCREENSHOT=/path/stem to grab the panel");
  const QString file = qEnvironmentVariable("SRDD_RESULTS_SCAN");
  const ScanData data = file.isEmpty() ? m_data : ScanData::fromJsonFile(file);
  ResultsPanel panel;
  panel.setScanData(data);
  showPanel(panel, 0);
  panel.layerSelection()->setSelection({0, 3}, 3);
  const char* names[] = {"compare", "metrics", "modules"};
  auto grabTabs = [&](const QString& suffix) {
    for (int tab = 0; tab < 3; ++tab) {
      panel.tabs()->setCurrentIndex(tab);
      QTest::qWait(50);
      for (QCustomPlot* p : {panel.compareView()->plot(), panel.metricHeatmap()->plot(), panel.moduleHeatmap()->plot()})
        p->replot();
      QVERIFY(panel.grab().save(QString("%1-%2%3.png").arg(stem, names[tab], suffix)));
    }
  };
  grabTabs("");
  QPalette dark;
  dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
  dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
  dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
  dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
  for (auto role : {QPalette::Text, QPalette::WindowText, QPalette::ButtonText})
    dark.setColor(role, QColor(0xe0, 0xe0, 0xe0));
  panel.setPalette(dark);
  grabTabs("-dark");
  // Exports: the paper theme at double-column size (516 × 300 pt) rendered at 2x.
  QCustomPlot plot;
  for (const QString& id : {QString("compare:sqnr_db:ratio"), QString("heatmap-metrics:ratio:diverging"),
                            QString("heatmap-modules:deadzone_ratio:linear")}) {
    renderFigure(&plot, data, id, true);
    QVERIFY(plot.toPixmap(516, 300, 2.0).save(QString("%1-export-%2.png").arg(stem, figureFileStem(id))));
  }
}

QTEST_MAIN(TestResultsViews)
#include "test_results_views.moc"
