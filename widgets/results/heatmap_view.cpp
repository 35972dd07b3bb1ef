#include "results/heatmap_view.h"

#include "results/figures.h"
#include "results/layer_selection.h"
#include "results/metric_catalog.h"

#include <QApplication>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

namespace srdd_gui {

HeatmapView::HeatmapView(Kind kind, LayerSelection* selection, QWidget* parent)
    : QWidget(parent),
      m_kind(kind),
      m_selection(selection),
      m_plot(new QCustomPlot(this)),
      m_values(new QComboBox),
      m_scales(new QComboBox) {
  m_plot->setObjectName(kind == Kind::Metrics ? QStringLiteral("metricHeatmapPlot")
                                              : QStringLiteral("moduleHeatmapPlot"));
  m_plot->setMouseTracking(true);
  m_plot->setMinimumSize(360, 260);
  resetPlot(m_plot);
  m_values->setObjectName(QStringLiteral("heatmapValues"));
  m_scales->setObjectName(QStringLiteral("heatmapScale"));
  for (HeatScale s : {HeatScale::Linear, HeatScale::Log, HeatScale::Diverging})
    m_scales->addItem(scaleName(s), static_cast<int>(s));
  if (kind == Kind::Modules) m_weightMetric = QStringLiteral("sqnr_db");

  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(kind == Kind::Metrics ? tr("Values:") : tr("Weight metric:")));
  bar->addWidget(m_values);
  bar->addSpacing(12);
  bar->addWidget(new QLabel(tr("Colour scale:")));
  bar->addWidget(m_scales);
  bar->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(bar);
  layout->addWidget(m_plot, 1);

  connect(m_values, qOverload<int>(&QComboBox::activated), this, [this](int index) {
    if (m_kind == Kind::Metrics)
      setSide(static_cast<Side>(m_values->itemData(index).toInt()));
    else
      setWeightMetric(m_values->itemData(index).toString());
  });
  connect(m_scales, qOverload<int>(&QComboBox::activated), this,
          [this](int index) { setScale(static_cast<HeatScale>(m_scales->itemData(index).toInt())); });
  connect(m_plot, &QCustomPlot::mousePress, this, &HeatmapView::onMousePress);
  connect(m_plot, &QCustomPlot::mouseMove, this, &HeatmapView::onMouseMove);
  connect(m_selection, &LayerSelection::changed, this, &HeatmapView::applySelection);
}

void HeatmapView::setScanData(std::shared_ptr<const ScanData> data) {
  m_data = std::move(data);
  if (m_data && m_kind == Kind::Modules) {
    const QStringList metrics = m_data->weightMetrics();
    if (!metrics.contains(m_weightMetric) && !metrics.isEmpty()) m_weightMetric = metrics.front();
  }
  rebuild();
}

void HeatmapView::clear() { setScanData(nullptr); }

void HeatmapView::setSide(Side side) {
  m_side = side;
  m_scale = side == Side::Ratio || side == Side::Difference ? HeatScale::Diverging : HeatScale::Linear;
  rebuild();
}

void HeatmapView::setWeightMetric(const QString& metric) {
  m_weightMetric = metric;
  rebuild();
}

void HeatmapView::setScale(HeatScale scale) {
  m_scale = scale;
  rebuild();
}

QString HeatmapView::figureId() const {
  if (!m_data || !m_figure.map) return {};
  return m_kind == Kind::Metrics ? metricHeatmapId(m_side, m_scale) : moduleHeatmapId(m_weightMetric, m_scale);
}

void HeatmapView::syncCombos() {
  const QSignalBlocker b1(m_values), b2(m_scales);
  m_values->clear();
  if (m_kind == Kind::Metrics) {
    for (Side s : {Side::Bf16, Side::Quantized, Side::Ratio, Side::Difference})
      m_values->addItem(m_data ? sideName(*m_data, s) : QString(), static_cast<int>(s));
    m_values->setCurrentIndex(m_values->findData(static_cast<int>(m_side)));
  } else if (m_data) {
    for (const QString& m : m_data->weightMetrics()) m_values->addItem(metricInfo("weights." + m).name, m);
    m_values->setCurrentIndex(m_values->findData(m_weightMetric));
  }
  m_scales->setCurrentIndex(m_scales->findData(static_cast<int>(m_scale)));
  m_values->setEnabled(m_data != nullptr);
  m_scales->setEnabled(m_data != nullptr);
}

void HeatmapView::rebuild() {
  m_theme = PlotTheme::fromPalette(palette(), QApplication::font());
  m_outlines.clear();  // owned by the plot, deleted by resetPlot
  m_figure = HeatmapFigure();
  const bool valid =
      m_data && !m_data->isEmpty() && (m_kind == Kind::Metrics || m_data->weightMetrics().contains(m_weightMetric));
  if (valid) {
    HeatmapGrid grid = m_kind == Kind::Metrics ? metricHeatmap(*m_data, m_side, m_scale)
                                               : moduleHeatmap(*m_data, m_weightMetric, m_scale);
    m_figure = buildHeatmapFigure(m_plot, *m_data, std::move(grid), m_theme);
    m_builtNarrow = isNarrowPlot(m_plot);
  } else {
    resetPlot(m_plot);
    m_plot->setBackground(m_theme.background);
  }
  syncCombos();
  applySelection();
}

void HeatmapView::applySelection() {
  for (auto* item : m_outlines) m_plot->removeItem(item);
  m_outlines.clear();
  if (m_figure.map) {
    QCPLayer* layer = overlayLayer(m_plot);
    const HeatmapGrid& g = m_figure.grid;
    for (int r = 0; r < g.rowCount(); ++r) {
      const int l = g.rowLayers[static_cast<size_t>(r)];
      if (l < 0 || !m_selection->isSelected(l)) continue;
      // A dark band with a light core stays visible on every colour of the map.
      const bool current = l == m_selection->current();
      for (const QPen& pen : {QPen(m_theme.dark ? Qt::white : Qt::black, current ? 5 : 4),
                              QPen(m_theme.dark ? Qt::black : Qt::white, current ? 2 : 1.5)}) {
        auto* rect = new QCPItemRect(m_plot);
        rect->setLayer(layer);
        rect->setClipAxisRect(m_figure.rect);
        for (auto* p : {rect->topLeft, rect->bottomRight})
          p->setAxes(m_figure.rect->axis(QCPAxis::atBottom), m_figure.rect->axis(QCPAxis::atLeft));
        rect->topLeft->setCoords(-0.5, r - 0.5);
        rect->bottomRight->setCoords(g.columnCount() - 0.5, r + 0.5);
        rect->setPen(pen);
        rect->setBrush(Qt::NoBrush);
        rect->setSelectable(false);
        m_outlines.push_back(rect);
      }
    }
  }
  m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapView::onMousePress(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return;
  int c = -1, r = -1;
  if (heatmapCellAt(m_figure, event->position(), &c, &r)) {
    const int layer = m_figure.grid.rowLayers[static_cast<size_t>(r)];
    if (layer >= 0) m_selection->click(layer, event->modifiers());
  } else if (m_figure.rect && m_figure.rect->rect().contains(event->position().toPoint()) &&
             !(event->modifiers() & (Qt::ControlModifier | Qt::ShiftModifier))) {
    m_selection->clear();
  }
}

void HeatmapView::onMouseMove(QMouseEvent* event) {
  const QString text = tooltipAt(event->position().toPoint());
  if (text.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
}

QString HeatmapView::tooltipAt(const QPoint& pixel) const {
  int c = -1, r = -1;
  if (!m_data || !heatmapCellAt(m_figure, pixel, &c, &r)) return {};
  const HeatmapGrid& g = m_figure.grid;
  const double raw = g.raw[static_cast<size_t>(r)][static_cast<size_t>(c)];
  const int layer = g.rowLayers[static_cast<size_t>(r)];
  QString where = layer < 0 ? QStringLiteral("lm_head") : tr("Layer %1").arg(layer);
  const int row = m_data->rowOfLayer(layer);
  if (row >= 0 && !m_data->verdict(row).quantized) where += tr(" (not quantized)");
  QStringList lines;
  if (m_kind == Kind::Metrics) {
    const QString key = g.columns[c];
    lines << where + " · " + metricInfo(key).name;
    const QString value = m_side == Side::Ratio ? QString::number(raw, 'g', 6) : formatMetricValue(key, raw);
    lines << tr("%1: %2").arg(sideName(*m_data, m_side), value);
    lines << tr("colour: %1 (%2)")
                 .arg(QString::number(g.shown[static_cast<size_t>(r)][static_cast<size_t>(c)], 'g', 3), g.colorLabel);
  } else {
    const QString module = g.columns[c];
    const srdd::WeightFidelityRow* w = m_data->weight(layer, module);
    QStringList dims;
    if (w)
      for (int64_t d : w->shape) dims << QString::number(d);
    lines << where + " · " + module + (dims.isEmpty() ? QString() : " (" + dims.join(QStringLiteral(" × ")) + ")");
    lines << tr("%1: %2").arg(metricInfo("weights." + m_weightMetric).name,
                              formatMetricValue("weights." + m_weightMetric, raw));
  }
  return lines.join('\n');
}

void HeatmapView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  // After the layout has resized the plot: the colour bar's place and the label style depend on its width.
  QTimer::singleShot(0, this, [this] {
    if (m_figure.map && isNarrowPlot(m_plot) != m_builtNarrow) rebuild();
  });
}

void HeatmapView::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange) rebuild();
}

}  // namespace srdd_gui
