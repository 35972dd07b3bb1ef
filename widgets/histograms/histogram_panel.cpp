#include "histograms/histogram_panel.h"

#include <srdd/error.h>
#include <srdd/model_config.h>

#include <QDir>
#include <QPointer>
#include <QThread>

#include <exception>

namespace srdd_gui {

HistogramPanel::HistogramPanel(std::function<QString()> modelDirectory, QWidget* parent)
    : HistogramView(parent), m_modelDirectory(std::move(modelDirectory)) {
  connect(this, &HistogramView::computeRequested, this, &HistogramPanel::compute);
}

HistogramPanel::~HistogramPanel() {
  if (m_thread) m_thread->wait();
}

void HistogramPanel::showEvent(QShowEvent* event) {
  HistogramView::showEvent(event);
  readLayerCount();
}

void HistogramPanel::readLayerCount() {
  const QString dir = m_modelDirectory ? m_modelDirectory() : QString();
  if (dir.isEmpty()) return;
  try {
    setNumLayers(
        static_cast<int>(srdd::ModelConfig::fromFile(QDir(dir).filePath("config.json").toStdString()).numLayers));
  } catch (const srdd::Error&) {
    // no readable model here yet; the computation reports the problem
  }
}

void HistogramPanel::compute() {
  if (m_thread) return;
  readLayerCount();
  srdd::HistogramRequest r = selection();
  r.modelDir = m_modelDirectory ? m_modelDirectory().toStdString() : std::string();
  setBusy(true, tr("computing histograms of layer %1 %2…").arg(r.layer).arg(QString::fromStdString(r.module)));
  QPointer<HistogramPanel> self(this);
  m_thread = QThread::create([self, r] {
    try {
      srdd::TensorHistograms h = srdd::computeHistograms(r);
      QMetaObject::invokeMethod(
          self,
          [self, h] {
            if (!self) return;
            self->setBusy(false);
            self->setHistograms(h);
            Q_EMIT self->computed();
          },
          Qt::QueuedConnection);
    } catch (const std::exception& e) {
      const QString message = QString::fromUtf8(e.what());
      QMetaObject::invokeMethod(
          self,
          [self, message] {
            if (!self) return;
            self->setBusy(false, message);
            Q_EMIT self->failed(message);
          },
          Qt::QueuedConnection);
    }
  });
  connect(m_thread, &QThread::finished, this, [this] {
    m_thread->deleteLater();
    m_thread = nullptr;
  });
  m_thread->start();
}

}  // namespace srdd_gui
