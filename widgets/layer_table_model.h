#pragma once
// The per-layer table: one row per ModelSummary::rows entry (embeddings, layers, final norm, lm_head).
#include <srdd/model_summary.h>

#include <QAbstractTableModel>

#include <vector>

namespace srdd_gui {

class LayerTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { NameColumn, ParametersColumn, DTypeColumn, TensorsColumn, ColumnCount };
  // Numeric key for sorting: parameter/tensor counts, and the checkpoint order for names
  // (so "layer 10" sorts after "layer 9").
  static constexpr int SortRole = Qt::UserRole + 1;

  explicit LayerTableModel(QObject* parent = nullptr);

  void setRows(std::vector<srdd::LayerSummary> rows);
  void clear();
  const srdd::LayerSummary* layerAt(int row) const;  // nullptr when out of range

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::vector<srdd::LayerSummary> m_rows;
};

}  // namespace srdd_gui
