#include "model_summary_view.h"

#include "architecture_panel.h"
#include "layer_table_model.h"
#include "tensor_table_model.h"

#include <QGroupBox>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace srdd_gui {

static QTableView* makeTable(QAbstractItemModel* model, QWidget* parent) {
  auto* view = new QTableView(parent);
  view->setModel(model);
  view->setSelectionBehavior(QAbstractItemView::SelectRows);
  view->setSelectionMode(QAbstractItemView::SingleSelection);
  view->setAlternatingRowColors(true);
  view->setWordWrap(false);
  view->verticalHeader()->hide();
  view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
  view->horizontalHeader()->setHighlightSections(false);
  return view;
}

static QGroupBox* boxAround(const QString& title, QWidget* content, QWidget* parent) {
  auto* box = new QGroupBox(title, parent);
  auto* layout = new QVBoxLayout(box);
  layout->addWidget(content);
  return box;
}

ModelSummaryView::ModelSummaryView(QWidget* parent)
    : QWidget(parent),
      m_architecture(new ArchitecturePanel),
      m_layers(new LayerTableModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_tensors(new TensorTableModel(this)) {
  m_proxy->setSourceModel(m_layers);
  m_proxy->setSortRole(LayerTableModel::SortRole);

  m_layerView = makeTable(m_proxy, this);
  m_layerView->setObjectName("layerTable");
  m_layerView->setSortingEnabled(true);
  m_layerView->sortByColumn(LayerTableModel::NameColumn, Qt::AscendingOrder);
  m_layerView->horizontalHeader()->setSectionResizeMode(LayerTableModel::NameColumn, QHeaderView::Stretch);

  m_tensorView = makeTable(m_tensors, this);
  m_tensorView->setObjectName("tensorTable");
  m_tensorView->horizontalHeader()->setSectionResizeMode(TensorTableModel::NameColumn, QHeaderView::Stretch);

  auto* archBox = new QGroupBox(tr("Architecture"));
  auto* archLayout = new QVBoxLayout(archBox);
  archLayout->addWidget(m_architecture);
  archLayout->addStretch(1);

  auto* right = new QSplitter(Qt::Vertical);
  right->addWidget(boxAround(tr("Layers"), m_layerView, right));
  m_tensorBox = boxAround(tr("Tensors"), m_tensorView, right);
  right->addWidget(m_tensorBox);
  right->setStretchFactor(0, 1);
  right->setStretchFactor(1, 1);

  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(archBox);
  split->addWidget(right);
  split->setStretchFactor(0, 0);
  split->setStretchFactor(1, 1);
  split->setChildrenCollapsible(false);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);

  connect(m_layerView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) { showTensorsOf(current); });
  clear();
}

void ModelSummaryView::setSummary(const srdd::ModelSummary& summary) {
  m_architecture->setSummary(summary);
  m_layers->setRows(summary.rows);
  m_layerView->resizeColumnsToContents();
  // Start on the first decoder layer: its tensors are the interesting ones.
  int first = 0;
  while (first < m_layers->rowCount() && m_layers->layerAt(first)->index < 0) ++first;
  selectLayer(first < m_layers->rowCount() ? first : 0);
}

void ModelSummaryView::clear() {
  m_architecture->clear();
  m_layers->clear();
  showTensorsOf({});
}

void ModelSummaryView::selectLayer(int sourceRow) {
  const QModelIndex proxyIndex = m_proxy->mapFromSource(m_layers->index(sourceRow, 0));
  if (!proxyIndex.isValid()) return showTensorsOf({});
  m_layerView->selectionModel()->setCurrentIndex(proxyIndex,
                                                 QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  m_layerView->scrollTo(proxyIndex);
}

void ModelSummaryView::showTensorsOf(const QModelIndex& proxyIndex) {
  const srdd::LayerSummary* layer = m_layers->layerAt(m_proxy->mapToSource(proxyIndex).row());
  if (!layer) {
    m_tensors->clear();
    m_tensorBox->setTitle(tr("Tensors (select a layer)"));
    return;
  }
  m_tensors->setTensors(layer->tensors);
  m_tensorBox->setTitle(tr("Tensors of %1").arg(QString::fromStdString(layer->name)));
  m_tensorView->resizeColumnsToContents();
}

}  // namespace srdd_gui
