#include "wheel_guard.h"

#include <QAbstractScrollArea>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QWheelEvent>

namespace srdd_gui {

namespace {

bool isGuarded(const QObject* o) {
  return qobject_cast<const QAbstractSpinBox*>(o) || qobject_cast<const QComboBox*>(o);
}

QAbstractScrollArea* scrollAreaAround(QWidget* w) {
  for (QWidget* p = w->parentWidget(); p; p = p->parentWidget())
    if (auto* area = qobject_cast<QAbstractScrollArea*>(p)) return area;
  return nullptr;
}

}  // namespace

void WheelGuard::install(QCoreApplication* app) {
  if (app->findChild<WheelGuard*>(QString(), Qt::FindDirectChildrenOnly)) return;
  app->installEventFilter(new WheelGuard(app));
}

bool WheelGuard::eventFilter(QObject* watched, QEvent* event) {
  // Every event of the application passes here: the type test comes first, as it is the cheapest.
  if ((event->type() != QEvent::Wheel && event->type() != QEvent::Polish) || !isGuarded(watched)) return false;
  auto* widget = static_cast<QWidget*>(watched);
  if (event->type() == QEvent::Polish && widget->focusPolicy() == Qt::WheelFocus) {
    widget->setFocusPolicy(Qt::StrongFocus);
    return false;
  }
  if (event->type() != QEvent::Wheel || widget->hasFocus()) return false;
  auto* wheel = static_cast<QWheelEvent*>(event);
  // The scroll area gets the wheel directly: Qt passes an ignored wheel event on to the parent only when it
  // came from the window system, and the widgets between the editor and the area would drop it anyway.
  if (QAbstractScrollArea* area = scrollAreaAround(widget)) {
    QWidget* viewport = area->viewport();
    const QPointF pos = viewport->mapFromGlobal(wheel->globalPosition());
    QWheelEvent forwarded(pos, wheel->globalPosition(), wheel->pixelDelta(), wheel->angleDelta(), wheel->buttons(),
                          wheel->modifiers(), wheel->phase(), wheel->inverted(), wheel->source(),
                          wheel->pointingDevice());
    QCoreApplication::sendEvent(viewport, &forwarded);
    event->accept();
  } else {
    event->ignore();
  }
  return true;
}

}  // namespace srdd_gui
