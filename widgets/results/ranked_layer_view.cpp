#include "results/ranked_layer_view.h"

#include "results/layer_selection.h"

#include <QEvent>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace srdd_gui {

namespace {
QString layerList(const std::vector<int>& layers) {
  QStringList s;
  for (int l : layers) s << QString::number(l);
  return s.isEmpty() ? QObject::tr("none") : s.join(QStringLiteral(", "));
}
QString strategyColor(const QString& strategy) {
  if (strategy == "no_action") return QStringLiteral("#2e9d5b");
  if (strategy == "targeted_mitigation") return QStringLiteral("#d4a017");
  if (strategy == "mixed_approach") return QStringLiteral("#e07b00");
  return QStringLiteral("#d03030");
}
}  // namespace

QString strategyTitle(const QString& strategy) {
  if (strategy == "no_action") return QObject::tr("No action needed");
  if (strategy == "targeted_mitigation") return QObject::tr("Targeted mitigation");
  if (strategy == "mixed_approach") return QObject::tr("Mixed approach");
  if (strategy == "reconsider_quantization") return QObject::tr("Reconsider quantization");
  return strategy;
}

QString recommendationText(const ScanData& d) {
  const srdd::Recommendation& r = d.recommendation();
  QString html = QStringLiteral("<b>%1</b>").arg(strategyTitle(QString::fromStdString(r.strategy)).toHtmlEscaped());
  QStringList details;
  for (const std::string& line : r.details) details << QString::fromStdString(line);
  if (!details.isEmpty()) html += QStringLiteral(" — ") + details.join(QStringLiteral("; ")).toHtmlEscaped();
  QStringList facts;
  facts << QObject::tr("problematic layers: %1 of %2").arg(layerList(d.problematicLayers())).arg(d.layerCount());
  if (!r.mixedPrecisionLayers.empty())
    facts << QObject::tr("higher precision: %1").arg(layerList(r.mixedPrecisionLayers));
  if (!r.aqnLayers.empty()) facts << QObject::tr("AQN: %1").arg(layerList(r.aqnLayers));
  if (!r.suggestedFormat.empty())
    facts << QObject::tr("suggested format: %1").arg(QString::fromStdString(r.suggestedFormat));
  return html + QStringLiteral("<br><small>") + facts.join(QStringLiteral(" · ")).toHtmlEscaped() +
         QStringLiteral("</small>");
}

RankedLayerView::RankedLayerView(LayerSelection* selection, QWidget* parent)
    : QWidget(parent),
      m_selection(selection),
      m_model(new RankedLayerModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_table(new QTableView),
      m_banner(new QLabel) {
  m_proxy->setSourceModel(m_model);
  m_proxy->setSortRole(RankedLayerModel::SortRole);

  m_table->setObjectName(QStringLiteral("rankedLayerTable"));
  m_table->setModel(m_proxy);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_table->setSortingEnabled(true);
  m_table->sortByColumn(RankedLayerModel::RankColumn, Qt::AscendingOrder);  // the engine's ranking (#19.8)
  m_table->setAlternatingRowColors(true);
  m_table->setWordWrap(false);
  m_table->verticalHeader()->hide();
  m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->horizontalHeader()->setHighlightSections(false);

  m_banner->setObjectName(QStringLiteral("recommendationBanner"));
  m_banner->setWordWrap(true);
  m_banner->setTextFormat(Qt::RichText);
  m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_banner->hide();

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_banner);
  layout->addWidget(m_table, 1);

  connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &RankedLayerView::tableSelectionChanged);
  connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          &RankedLayerView::tableSelectionChanged);
  connect(m_selection, &LayerSelection::changed, this, &RankedLayerView::followSelection);
}

void RankedLayerView::setScanData(std::shared_ptr<const ScanData> data) {
  m_data = data;
  m_syncing = true;
  m_model->setScanData(std::move(data));
  m_syncing = false;
  m_table->resizeColumnsToContents();
  updateBanner();
  followSelection();
}

void RankedLayerView::clear() { setScanData(nullptr); }

void RankedLayerView::setMetric(const QString& metric) {
  m_model->setMetric(metric);
  m_table->resizeColumnsToContents();
}

void RankedLayerView::updateBanner() {
  if (!m_data) {
    m_banner->hide();
    return;
  }
  m_banner->setText(recommendationText(*m_data));
  // Only the border is coloured, so the banner reads well in light and dark palettes.
  m_banner->setStyleSheet(
      QStringLiteral("QLabel#recommendationBanner { border: 1px solid %1; border-left: 6px solid %1; "
                     "padding: 6px; color: %2; }")
          .arg(strategyColor(QString::fromStdString(m_data->recommendation().strategy)),
               palette().color(QPalette::WindowText).name()));
  m_banner->show();
}

void RankedLayerView::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange) updateBanner();  // a style sheet keeps the palette it was polished with
}

void RankedLayerView::tableSelectionChanged() {
  if (m_syncing) return;
  std::set<int> layers;
  for (const QModelIndex& i : m_table->selectionModel()->selectedRows())
    layers.insert(i.data(RankedLayerModel::LayerRole).toInt());
  const QModelIndex current = m_table->selectionModel()->currentIndex();
  const int currentLayer = current.isValid() && layers.count(current.data(RankedLayerModel::LayerRole).toInt())
                               ? current.data(RankedLayerModel::LayerRole).toInt()
                               : -1;
  m_syncing = true;
  m_selection->setSelection(layers, currentLayer);
  m_syncing = false;
}

void RankedLayerView::followSelection() {
  if (m_syncing) return;
  m_syncing = true;
  QItemSelection sel;
  QModelIndex current;
  for (int row = 0; row < m_proxy->rowCount(); ++row) {
    const QModelIndex first = m_proxy->index(row, 0);
    const int layer = first.data(RankedLayerModel::LayerRole).toInt();
    if (!m_selection->isSelected(layer)) continue;
    sel.select(first, m_proxy->index(row, RankedLayerModel::ColumnCount - 1));
    if (layer == m_selection->current()) current = first;
  }
  auto* sm = m_table->selectionModel();
  sm->select(sel, QItemSelectionModel::ClearAndSelect);
  if (current.isValid()) {
    sm->setCurrentIndex(current, QItemSelectionModel::NoUpdate);
    m_table->scrollTo(current);
  }
  m_syncing = false;
}

}  // namespace srdd_gui
