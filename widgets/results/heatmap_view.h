#pragma once
// A layer × metric or layer × module heatmap with its value/scale choosers and a colour bar.
// Clicking a cell clicks its layer in the LayerSelection (Ctrl/Shift as in item views); selected layers are
// outlined; hovering a cell shows its exact value.
#include "results/heatmap_figure.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QCustomPlot;

namespace srdd_gui {

class LayerSelection;

class HeatmapView : public QWidget {
  Q_OBJECT
 public:
  enum class Kind { Metrics, Modules };
  HeatmapView(Kind kind, LayerSelection* selection, QWidget* parent = nullptr);

  void setScanData(std::shared_ptr<const ScanData> data);
  void clear();
  Kind kind() const { return m_kind; }

  // Metric map: which values; module map: which weight metric (sqnr_db, deadzone_ratio, ...).
  void setSide(Side side);  // also picks the natural scale: diverging for ratio/difference, else linear
  Side side() const { return m_side; }
  void setWeightMetric(const QString& metric);
  QString weightMetric() const { return m_weightMetric; }
  void setScale(HeatScale scale);
  HeatScale scale() const { return m_scale; }

  QCustomPlot* plot() const { return m_plot; }
  const HeatmapFigure& figure() const { return m_figure; }
  QString figureId() const;
  QString tooltipAt(const QPoint& pixel) const;

 protected:
  void changeEvent(QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;  // a narrow plot gets the compact layout, a wide one the full

 private:
  void rebuild();
  void syncCombos();
  void applySelection();
  void onMousePress(QMouseEvent* event);
  void onMouseMove(QMouseEvent* event);

  Kind m_kind;
  LayerSelection* m_selection;
  QCustomPlot* m_plot;
  QComboBox* m_values;  // sides, or weight metrics
  QComboBox* m_scales;
  std::shared_ptr<const ScanData> m_data;
  Side m_side = Side::Quantized;
  QString m_weightMetric = QStringLiteral("sqnr_db");
  HeatScale m_scale = HeatScale::Linear;
  HeatmapFigure m_figure;
  PlotTheme m_theme;
  std::vector<QCPItemRect*> m_outlines;
  bool m_syncing = false;
  bool m_builtNarrow = false;  // the layout the figure was built with (isNarrowPlot)
};

}  // namespace srdd_gui
