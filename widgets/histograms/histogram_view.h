#pragma once
// Histograms of one weight or activation, BF16 and fake-quantized overlaid, with the format's representable
// grid drawn as lines, and the tensor's MX block statistics (block-scale exponent histogram, share of blocks
// that clip). Draws srdd::TensorHistograms; the engine computes them (srdd/histograms.h).
#include <srdd/histograms.h>

#include <QWidget>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QSpinBox;

namespace srdd_gui {

class HistogramView : public QWidget {
  Q_OBJECT
 public:
  explicit HistogramView(QWidget* parent = nullptr);
  void setHistograms(const srdd::TensorHistograms& h);
  const srdd::TensorHistograms& histograms() const { return m_h; }
  void setNumLayers(int numLayers);
  void setBusy(bool busy, const QString& message = {});
  // The tensor the controls select (layer, module, weight/activation); model and format are the caller's.
  srdd::HistogramRequest selection() const;
  QCustomPlot* valuesPlot() const { return m_values; }
  QCustomPlot* scalesPlot() const { return m_scales; }
  // Shown in block-scale units (x / s_b, where the grid is exact) unless raw values are chosen.
  bool normalized() const;

 Q_SIGNALS:
  void computeRequested();

 private:
  void redraw();
  srdd::TensorHistograms m_h;
  QSpinBox* m_layer;
  QComboBox* m_module;
  QComboBox* m_tensor;
  QCheckBox* m_raw;
  QPushButton* m_compute;
  QLabel* m_status;
  QLabel* m_clip;
  QCustomPlot* m_values;
  QCustomPlot* m_scales;
};

}  // namespace srdd_gui
