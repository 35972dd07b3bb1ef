#include "engine/engine_status_widget.h"

#include "engine/engine_client.h"
#include "engine/handshake_text.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>

namespace srdd_gui {

EngineStatusWidget::EngineStatusWidget(EngineClient* client, QWidget* parent)
    : QWidget(parent), m_client(client), m_dot(new QLabel), m_label(new QLabel) {
  setObjectName(QStringLiteral("engineStatus"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(4, 0, 4, 0);
  layout->setSpacing(4);
  layout->addWidget(m_dot);
  layout->addWidget(m_label);
  m_label->setObjectName(QStringLiteral("engineStatusText"));
  setCursor(Qt::PointingHandCursor);
  connect(client, &EngineClient::stateChanged, this, &EngineStatusWidget::refresh);
  connect(client, &EngineClient::busyChanged, this, &EngineStatusWidget::refresh);
  refresh();
}

QString EngineStatusWidget::text() const { return m_label->text(); }

QString EngineStatusWidget::stateName() const {
  switch (m_client->state()) {
    case EngineClient::State::Connecting: return QStringLiteral("connecting");
    case EngineClient::State::Failed: return QStringLiteral("failed");
    case EngineClient::State::Connected:
      return m_client->isBusy() ? QStringLiteral("busy") : QStringLiteral("connected");
  }
  return {};
}

void EngineStatusWidget::refresh() {
  const QString state = stateName();
  QString color = QStringLiteral("#2e9d5b");
  if (state == "busy") color = QStringLiteral("#e07b00");
  if (state == "connecting") color = QStringLiteral("#888888");
  if (state == "failed") color = QStringLiteral("#c0392b");
  m_dot->setText(QStringLiteral("<span style='color:%1'>\u25cf</span>").arg(color));
  QString engine = m_client->connectionName();
  if (engine.isEmpty()) engine = m_client->description();
  QStringList parts{tr("Engine: %1").arg(engine)};
  if (m_client->state() == EngineClient::State::Connected) parts << m_client->deviceSummary();
  parts << state;
  m_label->setText(parts.join(QStringLiteral(" \u00b7 ")));
  if (m_client->state() == EngineClient::State::Failed)
    setToolTip(m_client->errorMessage());
  else if (m_client->state() == EngineClient::State::Connected)
    setToolTip(handshakeLines(m_client->handshake()).join('\n'));
  else
    setToolTip(m_client->spec());
}

void EngineStatusWidget::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) Q_EMIT clicked();
  QWidget::mousePressEvent(event);
}

}  // namespace srdd_gui
