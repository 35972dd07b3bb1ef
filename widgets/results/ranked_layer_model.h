#pragma once
// One row per scanned layer: the chosen metric (BF16, quantized, ratio), problematic marker, anomaly score and
// the metric behind it, and the rule names that fired. SortRole gives numbers for numeric columns.
#include "results/scan_data.h"

#include <QAbstractTableModel>

#include <memory>

namespace srdd_gui {

class RankedLayerModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    LayerColumn,
    RankColumn,  // position in the engine's ranking (verdict.ranking: single-layer harm first), 1 = most harmful
    ProblematicColumn,
    AnomalyColumn,
    AnomalyMetricColumn,
    Bf16Column,
    QuantizedColumn,
    RatioColumn,
    FlagsColumn,
    ColumnCount
  };
  static constexpr int SortRole = Qt::UserRole + 1;   // double (or layer/bool as number); invalid when absent
  static constexpr int LayerRole = Qt::UserRole + 2;  // the row's layer index, any column

  explicit RankedLayerModel(QObject* parent = nullptr);

  void setScanData(std::shared_ptr<const ScanData> data);
  void clear();
  // The metric of the BF16 / quantized / ratio columns.
  void setMetric(const QString& metric);
  QString metric() const { return m_metric; }
  int rowOfLayer(int layer) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  double number(int row, int column) const;  // NaN when the cell has no number

  std::shared_ptr<const ScanData> m_data;
  QString m_metric;
};

}  // namespace srdd_gui
