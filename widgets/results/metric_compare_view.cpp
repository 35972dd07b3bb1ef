#include "results/metric_compare_view.h"

#include "results/figures.h"
#include "results/layer_selection.h"
#include "results/metric_catalog.h"

#include <QApplication>
#include <QButtonGroup>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QRadioButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace srdd_gui {

namespace {
QString intervalText(const QString& metric, const Stat& s) {
  return QStringLiteral("  [95 %: %1 … %2]")
      .arg(formatMetricValue(metric, s.ciLow), formatMetricValue(metric, s.ciHigh));
}

QString statText(const QString& metric, const Stat& s) {
  QString text = formatMetricValue(metric, s.mean);
  if (hasCi(s)) text += intervalText(metric, s);
  if (s.n > 0) text += QStringLiteral("  n=%1").arg(s.n);
  return text;
}
}  // namespace

MetricCompareView::MetricCompareView(LayerSelection* selection, QWidget* parent)
    : QWidget(parent),
      m_selection(selection),
      m_plot(new QCustomPlot(this)),
      m_modeButtons(new QButtonGroup(this)),
      m_logBox(new QCheckBox(tr("Log axis"))) {
  m_plot->setObjectName(QStringLiteral("comparePlot"));
  m_plot->setMouseTracking(true);
  m_plot->setMinimumSize(420, 260);
  resetPlot(m_plot);

  auto* diff = new QRadioButton(tr("Δ difference"));
  auto* ratio = new QRadioButton(tr("ratio"));
  diff->setObjectName(QStringLiteral("differenceMode"));
  ratio->setObjectName(QStringLiteral("ratioMode"));
  diff->setChecked(true);
  m_modeButtons->addButton(diff, static_cast<int>(DeltaMode::Difference));
  m_modeButtons->addButton(ratio, static_cast<int>(DeltaMode::Ratio));
  connect(m_modeButtons, &QButtonGroup::idClicked, this, [this](int id) { setDeltaMode(static_cast<DeltaMode>(id)); });

  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Third panel:")));
  bar->addWidget(diff);
  bar->addWidget(ratio);
  bar->addSpacing(12);
  m_logBox->setObjectName(QStringLiteral("logAxis"));
  m_logBox->setToolTip(
      tr("Logarithmic value axes, so that one large layer does not flatten the others "
         "(values ≤ 0 are not drawn; the Δ panel stays linear)"));
  connect(m_logBox, &QCheckBox::toggled, this, &MetricCompareView::setLogScale);
  bar->addWidget(m_logBox);
  bar->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(bar);
  layout->addWidget(m_plot, 1);

  connect(m_plot, &QCustomPlot::mousePress, this, &MetricCompareView::onMousePress);
  connect(m_plot, &QCustomPlot::mouseMove, this, &MetricCompareView::onMouseMove);
  connect(m_selection, &LayerSelection::changed, this, &MetricCompareView::applySelection);
}

void MetricCompareView::setScanData(std::shared_ptr<const ScanData> data) {
  m_data = std::move(data);
  if (m_data) {
    const QStringList all = m_data->pairedMetrics() + m_data->singleMetrics();
    if (!all.contains(m_metric)) m_metric = all.isEmpty() ? QString() : all.front();
  }
  rebuild();
}

void MetricCompareView::clear() { setScanData(nullptr); }

void MetricCompareView::setMetric(const QString& metric) {
  if (metric == m_metric) return;
  m_metric = metric;
  rebuild();
}

void MetricCompareView::setDeltaMode(DeltaMode mode) {
  if (auto* b = m_modeButtons->button(static_cast<int>(mode))) b->setChecked(true);
  if (mode == m_mode) return;
  m_mode = mode;
  rebuild();
  Q_EMIT deltaModeChanged(mode);
}

void MetricCompareView::setLogScale(bool log) {
  if (m_logBox->isChecked() != log) m_logBox->setChecked(log);  // emits toggled, which comes back here
  if (log == m_log) return;
  m_log = log;
  rebuild();
}

QString MetricCompareView::figureId() const {
  return m_data && !m_metric.isEmpty() ? compareFigureId(m_metric, m_mode, m_log) : QString();
}

void MetricCompareView::rebuild() {
  m_theme = PlotTheme::fromPalette(palette(), QApplication::font());
  m_figure = CompareFigure();
  const bool valid = m_data && !m_data->isEmpty() &&
                     (m_data->pairedMetrics().contains(m_metric) || m_data->singleMetrics().contains(m_metric));
  if (!valid) {
    resetPlot(m_plot);
    m_plot->setBackground(m_theme.background);
  } else {
    m_figure = buildCompareFigure(m_plot, *m_data, m_metric, m_mode, m_theme, m_log);
  }
  for (auto* b : m_modeButtons->buttons()) b->setEnabled(valid && m_figure.series.paired);
  applySelection();
}

void MetricCompareView::applySelection() {
  const bool any = !m_selection->isEmpty();
  for (size_t p = 0; p < m_figure.bars.size(); ++p) {
    QCPBars* bars = m_figure.bars[p];
    QColor color = bars->brush().color();
    color.setAlpha(255);
    QCPDataSelection sel;
    for (int i = 0; i < bars->dataCount(); ++i)
      if (m_selection->isSelected(static_cast<int>(std::lround(bars->data()->at(i)->key))))
        sel.addDataRange(QCPDataRange(i, i + 1), false);
    sel.simplify();
    bars->setSelection(sel);
    QColor faded = color;
    faded.setAlpha(any ? 70 : 255);
    bars->setBrush(faded);
    bars->selectionDecorator()->setBrush(color);
    bars->selectionDecorator()->setPen(QPen(m_theme.selection, 2));
  }
  m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void MetricCompareView::onMousePress(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return;
  int panel = -1;
  const int layer = compareLayerAt(m_figure, event->position(), &panel);
  if (layer >= 0)
    m_selection->click(layer, event->modifiers());
  else if (panel >= 0 && !(event->modifiers() & (Qt::ControlModifier | Qt::ShiftModifier)))
    m_selection->clear();
}

void MetricCompareView::onMouseMove(QMouseEvent* event) {
  const QString text = tooltipAt(event->position().toPoint());
  if (text.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
}

QString MetricCompareView::tooltipAt(const QPoint& pixel) const {
  const int layer = compareLayerAt(m_figure, pixel);
  if (layer < 0 || !m_data) return {};
  const CompareSeries& s = m_figure.series;
  const size_t i = static_cast<size_t>(std::find(s.layers.begin(), s.layers.end(), layer) - s.layers.begin());
  QStringList lines;
  lines << tr("Layer %1 · %2").arg(layer).arg(metricInfo(m_metric).name);
  if (s.paired) {
    lines << tr("BF16: %1").arg(statText(m_metric, s.bf16[i]));
    lines << tr("%1: %2").arg(m_data->formatName(), statText(m_metric, s.quantized[i]));
    const int row = m_data->rowOfLayer(layer);
    const Stat ratio =
        pairedDeltaStat(s.bf16[i], s.quantized[i], m_data->value(row, m_metric, Side::Ratio), DeltaMode::Ratio);
    const Stat diff = pairedDeltaStat(s.bf16[i], s.quantized[i], m_data->value(row, m_metric, Side::Difference),
                                      DeltaMode::Difference);
    QString ratioText = QString::number(ratio.mean, 'g', 4);
    if (hasCi(ratio))
      ratioText += QStringLiteral("  [95 %: %1 … %2]")
                       .arg(QString::number(ratio.ciLow, 'g', 4), QString::number(ratio.ciHigh, 'g', 4));
    lines << tr("ratio: %1").arg(ratioText);
    lines << tr("Δ: %1").arg(formatMetricValue(m_metric, diff.mean) +
                             (hasCi(diff) ? intervalText(m_metric, diff) : QString()));
  } else {
    lines << statText(m_metric, s.quantized[i]);
  }
  const srdd::LayerVerdict& v = m_data->verdict(m_data->rowOfLayer(layer));
  if (!v.flags.empty()) lines << tr("flags: %1").arg(ruleNames(v).join(QStringLiteral(", ")));
  if (!v.quantized) lines << tr("not quantized: the plan leaves this layer in BF16 (not scored)");
  return lines.join('\n');
}

void MetricCompareView::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange) rebuild();
}

}  // namespace srdd_gui
