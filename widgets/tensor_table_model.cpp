#include "tensor_table_model.h"

#include "formatting.h"

namespace srdd_gui {

TensorTableModel::TensorTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void TensorTableModel::setTensors(std::vector<srdd::TensorSummary> tensors) {
  beginResetModel();
  m_tensors = std::move(tensors);
  endResetModel();
}

void TensorTableModel::clear() { setTensors({}); }

int TensorTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_tensors.size());
}

int TensorTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant TensorTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const srdd::TensorSummary& t = m_tensors[static_cast<size_t>(index.row())];
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case NameColumn: return QString::fromStdString(t.name);
      case ShapeColumn: return formatShape(t.shape);
      case DTypeColumn: return QString::fromStdString(t.dtype);
      case ElementsColumn: return formatExact(t.numel);
      case FileColumn: return QString::fromStdString(t.file);
    }
  } else if (role == Qt::TextAlignmentRole && index.column() == ElementsColumn) {
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  }
  return {};
}

QVariant TensorTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
    return QAbstractTableModel::headerData(section, orientation, role);
  switch (section) {
    case NameColumn: return tr("Tensor");
    case ShapeColumn: return tr("Shape");
    case DTypeColumn: return tr("DType");
    case ElementsColumn: return tr("Elements");
    case FileColumn: return tr("File");
  }
  return {};
}

}  // namespace srdd_gui
