#pragma once
// The status-bar indicator of the engine: a coloured dot and "engine · device · state"
// (connecting / connected / busy / failed), the handshake in the tooltip. Clicking it opens the Engine dialog.
#include <QWidget>

class QLabel;

namespace srdd_gui {

class EngineClient;

class EngineStatusWidget : public QWidget {
  Q_OBJECT
 public:
  explicit EngineStatusWidget(EngineClient* client, QWidget* parent = nullptr);
  QString text() const;
  QString stateName() const;  // "connecting", "connected", "busy", "failed"

 Q_SIGNALS:
  void clicked();

 protected:
  void mousePressEvent(QMouseEvent* event) override;

 private:
  void refresh();
  EngineClient* m_client;
  QLabel* m_dot;
  QLabel* m_label;
};

}  // namespace srdd_gui
