#pragma once
// The model page: architecture panel on the left; per-layer table and the selected row's tensors on the right.
#include <srdd/model_summary.h>

#include <QWidget>

class QGroupBox;
class QSortFilterProxyModel;
class QTableView;

namespace srdd_gui {

class ArchitecturePanel;
class LayerTableModel;
class TensorTableModel;

class ModelSummaryView : public QWidget {
  Q_OBJECT
 public:
  explicit ModelSummaryView(QWidget* parent = nullptr);

  void setSummary(const srdd::ModelSummary& summary);
  void clear();
  // Selects a row of the per-layer table by its checkpoint order (a source-model row).
  void selectLayer(int sourceRow);

  ArchitecturePanel* architecturePanel() const { return m_architecture; }
  LayerTableModel* layerModel() const { return m_layers; }
  QSortFilterProxyModel* layerProxy() const { return m_proxy; }
  TensorTableModel* tensorModel() const { return m_tensors; }
  QTableView* layerView() const { return m_layerView; }
  QTableView* tensorView() const { return m_tensorView; }

 private:
  void showTensorsOf(const QModelIndex& proxyIndex);

  ArchitecturePanel* m_architecture;
  LayerTableModel* m_layers;
  QSortFilterProxyModel* m_proxy;
  TensorTableModel* m_tensors;
  QTableView* m_layerView;
  QTableView* m_tensorView;
  QGroupBox* m_tensorBox;
};

}  // namespace srdd_gui
