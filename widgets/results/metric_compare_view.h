#pragma once
// BF16 | quantized bar plots of one metric on a shared value axis, plus a Δ/ratio panel (toggle).
// Bars follow the LayerSelection (selected bars highlighted, the others faded); clicking a bar clicks its layer
// (Ctrl toggles, Shift selects a range); hovering shows the exact values and the 95 % interval.
#include "results/compare_figure.h"

#include <QWidget>

#include <memory>

class QButtonGroup;
class QCheckBox;
class QCustomPlot;

namespace srdd_gui {

class LayerSelection;

class MetricCompareView : public QWidget {
  Q_OBJECT
 public:
  explicit MetricCompareView(LayerSelection* selection, QWidget* parent = nullptr);

  void setScanData(std::shared_ptr<const ScanData> data);  // keeps the metric when the new scan has it
  void clear();
  void setMetric(const QString& metric);
  QString metric() const { return m_metric; }
  void setDeltaMode(DeltaMode mode);
  DeltaMode deltaMode() const { return m_mode; }
  // Logarithmic value axes (one layer far above the others no longer flattens them); the Δ panel stays linear.
  void setLogScale(bool log);
  bool logScale() const { return m_log; }

  QCustomPlot* plot() const { return m_plot; }
  const CompareFigure& figure() const { return m_figure; }
  QString figureId() const;  // for export, see figures.h
  // Tooltip text for the bar under PIXEL (plot coordinates), empty when none.
  QString tooltipAt(const QPoint& pixel) const;

 Q_SIGNALS:
  void deltaModeChanged(DeltaMode mode);

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void rebuild();
  void applySelection();
  void onMousePress(QMouseEvent* event);
  void onMouseMove(QMouseEvent* event);

  LayerSelection* m_selection;
  QCustomPlot* m_plot;
  QButtonGroup* m_modeButtons;
  QCheckBox* m_logBox;
  std::shared_ptr<const ScanData> m_data;
  QString m_metric;
  DeltaMode m_mode = DeltaMode::Difference;
  bool m_log = false;
  CompareFigure m_figure;
  PlotTheme m_theme;
};

}  // namespace srdd_gui
