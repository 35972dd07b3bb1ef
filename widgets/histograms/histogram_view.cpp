#include "histograms/histogram_view.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace srdd_gui {

namespace {

// Bin centres and counts as a step curve, so two histograms overlay without hiding each other.
void setSteps(QCPGraph* g, const srdd::HistogramBins& b, const std::vector<int64_t>& counts, double scale) {
  QVector<double> x, y;
  for (size_t k = 0; k < counts.size(); ++k) {
    x << 0.5 * (b.edges[k] + b.edges[k + 1]) * scale;
    y << static_cast<double>(counts[k]);
  }
  g->setData(x, y, true);
}

}  // namespace

HistogramView::HistogramView(QWidget* parent) : QWidget(parent) {
  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Layer:")));
  controls->addWidget(m_layer = new QSpinBox);
  m_layer->setObjectName(QStringLiteral("layer"));
  m_layer->setFocusPolicy(Qt::StrongFocus);  // the wheel changes it only when focused
  controls->addWidget(m_module = new QComboBox);
  m_module->setObjectName(QStringLiteral("module"));
  m_module->addItems({"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"});
  m_module->setCurrentText(QStringLiteral("down_proj"));
  controls->addWidget(m_tensor = new QComboBox);
  m_tensor->setObjectName(QStringLiteral("tensor"));
  m_tensor->addItem(tr("weight"), QStringLiteral("weight"));
  m_tensor->addItem(tr("activation (input)"), QStringLiteral("activation"));
  controls->addWidget(m_raw = new QCheckBox(tr("Raw values")));
  m_raw->setObjectName(QStringLiteral("rawValues"));
  m_raw->setToolTip(tr("Off: values in units of their block's scale, where the format's grid is exact"));
  controls->addWidget(m_compute = new QPushButton(tr("Compute")));
  m_compute->setObjectName(QStringLiteral("compute"));
  controls->addWidget(m_status = new QLabel, 1);
  m_status->setObjectName(QStringLiteral("status"));

  m_values = new QCustomPlot;
  m_values->setObjectName(QStringLiteral("valuesPlot"));
  m_values->setMinimumHeight(220);
  m_scales = new QCustomPlot;
  m_scales->setObjectName(QStringLiteral("scalesPlot"));
  m_scales->setMinimumHeight(160);
  m_clip = new QLabel;
  m_clip->setObjectName(QStringLiteral("clipShare"));

  auto* plots = new QHBoxLayout;
  plots->addWidget(m_values, 3);
  auto* right = new QVBoxLayout;
  right->addWidget(m_scales, 1);
  right->addWidget(m_clip);
  plots->addLayout(right, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addLayout(plots, 1);

  connect(m_compute, &QPushButton::clicked, this, &HistogramView::computeRequested);
  connect(m_raw, &QCheckBox::toggled, this, &HistogramView::redraw);
  setNumLayers(1);
  redraw();
}

void HistogramView::setNumLayers(int numLayers) { m_layer->setRange(0, std::max(0, numLayers - 1)); }

void HistogramView::setBusy(bool busy, const QString& message) {
  m_compute->setEnabled(!busy);
  m_status->setText(message);
}

bool HistogramView::normalized() const { return !m_raw->isChecked(); }

srdd::HistogramRequest HistogramView::selection() const {
  srdd::HistogramRequest r;
  r.layer = m_layer->value();
  r.module = m_module->currentText().toStdString();
  r.tensor = m_tensor->currentData().toString().toStdString();
  return r;
}

void HistogramView::setHistograms(const srdd::TensorHistograms& h) {
  m_h = h;
  m_status->setText(QString::fromStdString(h.tensor + " — " + h.format));
  redraw();
}

void HistogramView::redraw() {
  const bool norm = normalized();
  const srdd::HistogramBins& b = norm ? m_h.normalized : m_h.values;
  m_values->clearGraphs();
  m_values->clearItems();
  m_values->legend->setVisible(true);
  auto* bf16 = m_values->addGraph();
  bf16->setName(tr("BF16"));
  bf16->setLineStyle(QCPGraph::lsStepCenter);
  bf16->setPen(QPen(QColor(31, 119, 180), 1.5));
  bf16->setBrush(QColor(31, 119, 180, 50));
  auto* quant = m_values->addGraph();
  quant->setName(tr("quantized"));
  quant->setLineStyle(QCPGraph::lsStepCenter);
  quant->setPen(QPen(QColor(214, 39, 40), 1.5));
  if (!b.bf16.empty()) {
    setSteps(bf16, b, b.bf16, 1.0);
    setSteps(quant, b, b.quantized, 1.0);
  }
  // The representable grid: element values (block-scale units) or those of the most common block scale.
  const double gridScale = norm ? 1.0 : m_h.modalScale;
  QPen gridPen(QColor(120, 120, 120), 0.8, Qt::DashLine);
  for (double v : m_h.elementGrid) {
    auto* line = new QCPItemStraightLine(m_values);
    line->point1->setCoords(v * gridScale, 0);
    line->point2->setCoords(v * gridScale, 1);
    line->setPen(gridPen);
  }
  m_values->xAxis->setLabel(norm ? tr("value / block scale (dashed: %1 grid)")
                                       .arg(QString::fromStdString(m_h.format.substr(0, m_h.format.find(' '))))
                                 : tr("value (dashed: grid of the most common block scale %1)").arg(m_h.modalScale));
  m_values->yAxis->setLabel(tr("count"));
  m_values->rescaleAxes();
  m_values->replot();

  m_scales->clearPlottables();
  auto* bars = new QCPBars(m_scales->xAxis, m_scales->yAxis);
  bars->setName(tr("blocks"));
  bars->setWidth(0.8);
  bars->setBrush(QColor(44, 160, 44, 160));
  QVector<double> e, c;
  for (size_t i = 0; i < m_h.scaleExponents.size(); ++i) {
    e << m_h.scaleExponents[i];
    c << static_cast<double>(m_h.scaleExponentCounts[i]);
  }
  bars->setData(e, c, true);
  m_scales->xAxis->setLabel(tr("block scale exponent (log2 s_b)"));
  m_scales->yAxis->setLabel(tr("blocks"));
  m_scales->rescaleAxes();
  m_scales->xAxis->setRange(m_scales->xAxis->range().lower - 1, m_scales->xAxis->range().upper + 1);
  m_scales->yAxis->setRangeLower(0);
  m_scales->replot();
  m_clip->setText(tr("%1 of %2 blocks clip (%3 %); %4 of %5 elements clipped")
                      .arg(m_h.clippingBlocks)
                      .arg(m_h.blocks)
                      .arg(100.0 * m_h.clipShare(), 0, 'f', 2)
                      .arg(m_h.clippedElements)
                      .arg(m_h.elements));
}

}  // namespace srdd_gui
