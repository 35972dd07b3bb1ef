#pragma once
// The recommendation banner and the sortable ranked layer table; table row selection and LayerSelection are
// kept in sync both ways (the table uses Qt's own click/Ctrl/Shift handling in its visual row order).
#include "results/ranked_layer_model.h"

#include <QWidget>

#include <memory>

class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace srdd_gui {

class LayerSelection;

// Strategy in words ("Reconsider quantization") and the banner's rich text for DATA.
QString strategyTitle(const QString& strategy);
QString recommendationText(const ScanData& data);

class RankedLayerView : public QWidget {
  Q_OBJECT
 public:
  explicit RankedLayerView(LayerSelection* selection, QWidget* parent = nullptr);

  void setScanData(std::shared_ptr<const ScanData> data);
  void clear();
  void setMetric(const QString& metric);

  RankedLayerModel* model() const { return m_model; }
  QSortFilterProxyModel* proxy() const { return m_proxy; }
  QTableView* table() const { return m_table; }
  QLabel* banner() const { return m_banner; }

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void tableSelectionChanged();
  void followSelection();
  void updateBanner();

  LayerSelection* m_selection;
  RankedLayerModel* m_model;
  QSortFilterProxyModel* m_proxy;
  QTableView* m_table;
  QLabel* m_banner;
  std::shared_ptr<const ScanData> m_data;
  bool m_syncing = false;
};

}  // namespace srdd_gui
