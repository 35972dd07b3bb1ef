#pragma once
// Mouse-wheel guard for the whole application: spin boxes and combo boxes take the wheel only when they have
// the keyboard focus (and no longer take the focus from the wheel), so scrolling a long form scrolls the form
// instead of changing the value under the pointer. An unfocused editor passes the wheel to the scroll area
// around it.
#include <QObject>

class QCoreApplication;

namespace srdd_gui {

class WheelGuard : public QObject {
  Q_OBJECT
 public:
  // Installs the guard on APP once (later calls do nothing).
  static void install(QCoreApplication* app);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  using QObject::QObject;
};

}  // namespace srdd_gui
