#pragma once
// The scan results page: metric chooser, BF16 | quantized compare plot, layer × metric and layer × module
// heatmaps (tabs), and the recommendation with the ranked layer table. All views share one LayerSelection.
#include "results/scan_data.h"

#include <QJsonObject>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QStackedWidget;
class QSplitter;
class QTabWidget;

namespace srdd_gui {

class HeatmapView;
class LayerSelection;
class MetricCompareView;
class RankedLayerView;

class ResultsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ResultsPanel(QWidget* parent = nullptr);

  // Shows DATA; the selection keeps the layers the new scan also has. View choices are kept where possible.
  void setScanData(const ScanData& data);
  void clear();
  bool hasData() const { return m_data != nullptr; }
  const ScanData* scanData() const { return m_data.get(); }
  LayerSelection* layerSelection() const { return m_selection; }

  void setMetric(const QString& metric);  // compare plot and table columns
  QString metric() const;
  // The figure id (figures.h) of the visible tab, empty without data.
  QString currentFigureId() const;

  // Metric, Δ/ratio mode, heatmap choices, tab and splitter sizes, for sessions.
  QJsonObject viewState() const;
  void restoreViewState(const QJsonObject& state);

  MetricCompareView* compareView() const { return m_compare; }
  HeatmapView* metricHeatmap() const { return m_metricHeatmap; }
  HeatmapView* moduleHeatmap() const { return m_moduleHeatmap; }
  RankedLayerView* rankedView() const { return m_ranked; }
  QTabWidget* tabs() const { return m_tabs; }
  QComboBox* metricChooser() const { return m_metricChooser; }

 Q_SIGNALS:
  void currentFigureChanged(const QString& id);

 private:
  void fillMetricChooser();
  void emitFigure();

  LayerSelection* m_selection;
  std::shared_ptr<const ScanData> m_data;
  QStackedWidget* m_stack;
  QLabel* m_header;
  QComboBox* m_metricChooser;
  QTabWidget* m_tabs;
  QSplitter* m_split;
  MetricCompareView* m_compare;
  HeatmapView* m_metricHeatmap;
  HeatmapView* m_moduleHeatmap;
  RankedLayerView* m_ranked;
};

}  // namespace srdd_gui
