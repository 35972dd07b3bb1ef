#pragma once
// Answers a modal dialog of the code under test: the dialog really opens (exec() runs its own event loop) and a
// polling timer acts on it once it is the active modal widget with the expected object name.
#include <QAbstractButton>
#include <QApplication>
#include <QMessageBox>
#include <QPixmap>
#include <QScreen>
#include <QTest>
#include <QTimer>
#include <QWidget>

#include <functional>

namespace modal_test {

struct Answer {
  bool seen = false;
  QString text;  // a message box's text and informative text
};

// Waits (up to 60 s) for the modal widget NAME and calls ACT on it; ANSWER records that it was seen.
inline void answerNext(const QString& name, std::function<void(QWidget*)> act, Answer* answer) {
  auto* timer = new QTimer(qApp);
  auto* left = new int(6000);
  timer->setInterval(10);
  QObject::connect(timer, &QTimer::timeout, [timer, left, name, act, answer] {
    QWidget* w = QApplication::activeModalWidget();
    if ((!w || w->objectName() != name) && --*left > 0) return;
    timer->stop();
    timer->deleteLater();
    delete left;
    if (!w || w->objectName() != name) return;
    answer->seen = true;
    if (auto* box = qobject_cast<QMessageBox*>(w))
      answer->text = box->text() + QLatin1Char('\n') + box->informativeText();
    act(w);
  });
  timer->start();
}

inline std::function<void(QWidget*)> click(QMessageBox::StandardButton button) {
  return [button](QWidget* w) { static_cast<QMessageBox*>(w)->button(button)->click(); };
}

inline std::function<void(QWidget*)> click(const char* buttonName) {
  return [buttonName](QWidget* w) { w->findChild<QAbstractButton*>(QLatin1String(buttonName))->click(); };
}

// With $SRDD_SCREENSHOT_DIR set: saves the screen (under Xvfb: every window, the dialog over its parent; where
// the screen cannot be read, the dialog alone) as FILE there, then does ACT.
inline std::function<void(QWidget*)> screenshotThen(const QString& file, std::function<void(QWidget*)> act) {
  return [file, act](QWidget* w) {
    const QString dir = qEnvironmentVariable("SRDD_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
      QTest::qWait(300);  // painted
      QPixmap shot = w->screen() ? w->screen()->grabWindow(0) : QPixmap();
      if (shot.isNull() || QGuiApplication::platformName() == QLatin1String("offscreen")) shot = w->grab();
      if (!shot.save(dir + QLatin1Char('/') + file)) qWarning("cannot save %s", qPrintable(file));
    }
    act(w);
  };
}

}  // namespace modal_test
