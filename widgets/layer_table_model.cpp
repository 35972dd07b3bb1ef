#include "layer_table_model.h"

#include "formatting.h"

namespace srdd_gui {

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void LayerTableModel::setRows(std::vector<srdd::LayerSummary> rows) {
  beginResetModel();
  m_rows = std::move(rows);
  endResetModel();
}

void LayerTableModel::clear() { setRows({}); }

const srdd::LayerSummary* LayerTableModel::layerAt(int row) const {
  return row >= 0 && row < static_cast<int>(m_rows.size()) ? &m_rows[static_cast<size_t>(row)] : nullptr;
}

int LayerTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LayerTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const srdd::LayerSummary& r = m_rows[static_cast<size_t>(index.row())];
  const auto tensorCount = static_cast<qlonglong>(r.tensors.size());
  switch (role) {
    case Qt::DisplayRole:
      switch (index.column()) {
        case NameColumn: return QString::fromStdString(r.name);
        case ParametersColumn: return formatExact(r.parameters);
        case DTypeColumn: return QString::fromStdString(r.dtype);
        case TensorsColumn: return tensorCount;
      }
      break;
    case SortRole:
      switch (index.column()) {
        case NameColumn: return index.row();
        case ParametersColumn: return static_cast<qlonglong>(r.parameters);
        case DTypeColumn: return QString::fromStdString(r.dtype);
        case TensorsColumn: return tensorCount;
      }
      break;
    case Qt::ToolTipRole:
      if (index.column() == ParametersColumn) return formatCount(r.parameters) + tr(" parameters");
      break;
    case Qt::TextAlignmentRole:
      if (index.column() == ParametersColumn || index.column() == TensorsColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      break;
  }
  return {};
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
    return QAbstractTableModel::headerData(section, orientation, role);
  switch (section) {
    case NameColumn: return tr("Name");
    case ParametersColumn: return tr("Parameters");
    case DTypeColumn: return tr("DType");
    case TensorsColumn: return tr("Tensors");
  }
  return {};
}

}  // namespace srdd_gui
