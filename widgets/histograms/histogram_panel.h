#pragma once
// The histogram view with its engine call: computes srdd::computeHistograms for the selected tensor of the
// current model in a background thread (the GUI stays responsive) and shows the result.
#include <functional>

#include "histograms/histogram_view.h"

class QThread;

namespace srdd_gui {

class HistogramPanel : public HistogramView {
  Q_OBJECT
 public:
  // modelDirectory: the model the histograms are of (e.g. the scan setup's), asked at each computation.
  explicit HistogramPanel(std::function<QString()> modelDirectory, QWidget* parent = nullptr);
  ~HistogramPanel() override;
  void compute();  // of the current selection; a second call while one runs is ignored

 Q_SIGNALS:
  void computed();
  void failed(const QString& message);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void readLayerCount();
  std::function<QString()> m_modelDirectory;
  QThread* m_thread = nullptr;
};

}  // namespace srdd_gui
