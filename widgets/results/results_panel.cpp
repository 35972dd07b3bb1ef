#include "results/results_panel.h"

#include "results/heatmap_view.h"
#include "results/layer_selection.h"
#include "results/metric_catalog.h"
#include "results/metric_compare_view.h"
#include "results/ranked_layer_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>

namespace srdd_gui {

ResultsPanel::ResultsPanel(QWidget* parent)
    : QWidget(parent),
      m_selection(new LayerSelection(this)),
      m_stack(new QStackedWidget),
      m_header(new QLabel),
      m_metricChooser(new QComboBox),
      m_tabs(new QTabWidget),
      m_split(new QSplitter(Qt::Vertical)),
      m_compare(new MetricCompareView(m_selection)),
      m_metricHeatmap(new HeatmapView(HeatmapView::Kind::Metrics, m_selection)),
      m_moduleHeatmap(new HeatmapView(HeatmapView::Kind::Modules, m_selection)),
      m_ranked(new RankedLayerView(m_selection)) {
  m_metricChooser->setObjectName(QStringLiteral("metricChooser"));
  m_metricChooser->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_header->setObjectName(QStringLiteral("resultsHeader"));
  m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_header->setWordWrap(true);

  auto* comparePage = new QWidget;
  auto* chooserRow = new QHBoxLayout;
  chooserRow->addWidget(new QLabel(tr("Metric:")));
  chooserRow->addWidget(m_metricChooser);
  chooserRow->addStretch(1);
  auto* compareLayout = new QVBoxLayout(comparePage);
  compareLayout->addLayout(chooserRow);
  compareLayout->addWidget(m_compare, 1);

  m_tabs->addTab(comparePage, tr("BF16 | %1").arg(tr("quantized")));
  auto page = [](QWidget* view) {
    auto* w = new QWidget;
    auto* l = new QVBoxLayout(w);
    l->addWidget(view);
    return w;
  };
  m_tabs->addTab(page(m_metricHeatmap), tr("Layer × metric"));
  m_tabs->addTab(page(m_moduleHeatmap), tr("Layer × module"));

  m_split->addWidget(m_tabs);
  m_split->addWidget(m_ranked);
  m_split->setStretchFactor(0, 3);
  m_split->setStretchFactor(1, 2);
  m_tabs->setDocumentMode(true);
  m_split->setChildrenCollapsible(false);

  auto* results = new QWidget;
  auto* resultsLayout = new QVBoxLayout(results);
  resultsLayout->setContentsMargins(6, 6, 6, 6);
  resultsLayout->addWidget(m_header);
  resultsLayout->addWidget(m_split, 1);

  auto* empty = new QLabel(tr("No scan results yet. Run a scan, or open a results file (srdd scan --out FILE)."));
  empty->setAlignment(Qt::AlignCenter);
  empty->setWordWrap(true);
  m_stack->addWidget(empty);
  m_stack->addWidget(results);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_stack);

  connect(m_metricChooser, qOverload<int>(&QComboBox::activated), this,
          [this](int index) { setMetric(m_metricChooser->itemData(index).toString()); });
  connect(m_tabs, &QTabWidget::currentChanged, this, &ResultsPanel::emitFigure);
  connect(m_compare, &MetricCompareView::deltaModeChanged, this, &ResultsPanel::emitFigure);
}

void ResultsPanel::setScanData(const ScanData& data) {
  m_data = std::make_shared<const ScanData>(data);
  m_selection->setAvailableLayers(m_data->layerIndices());
  m_header->setText(
      tr("<b>%1</b> · %2 · %3 layers · %4 prompts · %5 on %6")
          .arg(m_data->modelName().toHtmlEscaped(), m_data->quantizationDescription().toHtmlEscaped())
          .arg(m_data->layerCount())
          .arg(m_data->promptCount())
          .arg(m_data->createdUtc().toHtmlEscaped(), m_data->device().toHtmlEscaped()) +
      (m_data->engineHost().isEmpty() ? QString() : tr(" of %1").arg(m_data->engineHost().toHtmlEscaped())));
  m_header->setToolTip(m_data->metadataText());
  m_tabs->setTabText(0, tr("BF16 | %1").arg(m_data->formatName()));
  m_compare->setScanData(m_data);
  m_metricHeatmap->setScanData(m_data);
  m_moduleHeatmap->setScanData(m_data);
  m_ranked->setScanData(m_data);
  fillMetricChooser();
  setMetric(m_compare->metric());
  m_stack->setCurrentIndex(1);
  emitFigure();
}

void ResultsPanel::clear() {
  m_data.reset();
  m_selection->setAvailableLayers({});
  m_compare->clear();
  m_metricHeatmap->clear();
  m_moduleHeatmap->clear();
  m_ranked->clear();
  m_metricChooser->clear();
  m_stack->setCurrentIndex(0);
  emitFigure();
}

void ResultsPanel::fillMetricChooser() {
  const QSignalBlocker blocker(m_metricChooser);
  m_metricChooser->clear();
  if (!m_data) return;
  for (const QString& m : m_data->pairedMetrics())
    if (m != "tokens") m_metricChooser->addItem(metricInfo(m).name, m);
  const QStringList single = m_data->singleMetrics();
  if (!single.isEmpty() && m_metricChooser->count() > 0) m_metricChooser->insertSeparator(m_metricChooser->count());
  for (const QString& m : single) m_metricChooser->addItem(metricInfo(m).name, m);
  for (int i = 0; i < m_metricChooser->count(); ++i) {
    const MetricInfo info = metricInfo(m_metricChooser->itemData(i).toString());
    if (!info.key.isEmpty())
      m_metricChooser->setItemData(
          i, betterText(info.better) + (info.healthy.isEmpty() ? QString() : "; healthy " + info.healthy),
          Qt::ToolTipRole);
  }
}

void ResultsPanel::setMetric(const QString& metric) {
  if (!m_data) return;
  const int index = m_metricChooser->findData(metric);
  if (index < 0) return;
  m_metricChooser->setCurrentIndex(index);
  m_compare->setMetric(metric);
  m_ranked->setMetric(metric);
  emitFigure();
}

QString ResultsPanel::metric() const { return m_compare->metric(); }

QString ResultsPanel::currentFigureId() const {
  if (!m_data) return {};
  switch (m_tabs->currentIndex()) {
    case 0: return m_compare->figureId();
    case 1: return m_metricHeatmap->figureId();
    case 2: return m_moduleHeatmap->figureId();
  }
  return {};
}

void ResultsPanel::emitFigure() { Q_EMIT currentFigureChanged(currentFigureId()); }

QJsonObject ResultsPanel::viewState() const {
  QJsonArray sizes;
  for (int s : m_split->sizes()) sizes.append(s);
  return {{"metric", metric()},
          {"delta_mode", m_compare->deltaMode() == DeltaMode::Ratio ? "ratio" : "difference"},
          {"metric_heatmap_side", static_cast<int>(m_metricHeatmap->side())},
          {"metric_heatmap_scale", static_cast<int>(m_metricHeatmap->scale())},
          {"module_heatmap_metric", m_moduleHeatmap->weightMetric()},
          {"module_heatmap_scale", static_cast<int>(m_moduleHeatmap->scale())},
          {"tab", m_tabs->currentIndex()},
          {"splitter", sizes}};
}

void ResultsPanel::restoreViewState(const QJsonObject& s) {
  auto enumIn = [&](const char* key, int count, int fallback) {
    const int v = s.value(key).toInt(fallback);
    return v >= 0 && v < count ? v : fallback;
  };
  m_compare->setDeltaMode(s.value("delta_mode").toString() == "ratio" ? DeltaMode::Ratio : DeltaMode::Difference);
  m_metricHeatmap->setSide(
      static_cast<Side>(enumIn("metric_heatmap_side", 4, static_cast<int>(m_metricHeatmap->side()))));
  m_metricHeatmap->setScale(
      static_cast<HeatScale>(enumIn("metric_heatmap_scale", 3, static_cast<int>(m_metricHeatmap->scale()))));
  if (s.contains("module_heatmap_metric"))
    m_moduleHeatmap->setWeightMetric(s.value("module_heatmap_metric").toString());
  m_moduleHeatmap->setScale(
      static_cast<HeatScale>(enumIn("module_heatmap_scale", 3, static_cast<int>(m_moduleHeatmap->scale()))));
  if (s.contains("metric")) setMetric(s.value("metric").toString());
  m_tabs->setCurrentIndex(enumIn("tab", m_tabs->count(), m_tabs->currentIndex()));
  QList<int> sizes;
  for (const auto& v : s.value("splitter").toArray()) sizes << v.toInt();
  if (sizes.size() == m_split->count()) m_split->setSizes(sizes);
  emitFigure();
}

}  // namespace srdd_gui
