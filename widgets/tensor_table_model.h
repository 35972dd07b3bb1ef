#pragma once
// The detail table under the per-layer table: the tensors of the selected row.
#include <srdd/model_summary.h>

#include <QAbstractTableModel>

#include <vector>

namespace srdd_gui {

class TensorTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { NameColumn, ShapeColumn, DTypeColumn, ElementsColumn, FileColumn, ColumnCount };

  explicit TensorTableModel(QObject* parent = nullptr);

  void setTensors(std::vector<srdd::TensorSummary> tensors);
  void clear();

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::vector<srdd::TensorSummary> m_tensors;
};

}  // namespace srdd_gui
