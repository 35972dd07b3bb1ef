// The application's wheel guard on the real AQN dialog: a wheel turn over an unfocused spin box or combo box
// scrolls the dialog's form and leaves the value alone (Seeds stays 5); once the editor has the focus the
// same wheel event changes it. The wheel does not give these editors the focus.
#include "aqn/aqn_dialog.h"
#include "wheel_guard.h"

#include <QApplication>
#include <QComboBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QWheelEvent>
#include <QtTest>

using namespace srdd_gui;

namespace {

// One notch of a mouse wheel turned towards the user (scrolls down, steps a spin box down).
bool turnWheelDown(QWidget* over) {
  const QPointF local = QRectF(over->rect()).center();
  QWheelEvent e(local, QPointF(over->mapToGlobal(local.toPoint())), QPoint(), QPoint(0, -120), Qt::NoButton,
                Qt::NoModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(over, &e);
  return e.isAccepted();
}

QScrollArea* formScrollArea(QWidget* inside) {
  for (QWidget* p = inside->parentWidget(); p; p = p->parentWidget())
    if (auto* area = qobject_cast<QScrollArea*>(p)) return area;
  return nullptr;
}

}  // namespace

class TestWheelGuard : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { WheelGuard::install(qApp); }

  void unfocusedSpinBoxScrollsTheForm() {
    AqnDialog d;
    d.resize(980, 420);  // shorter than the form, so the form scrolls
    d.show();
    QVERIFY(QTest::qWaitForWindowActive(&d));
    auto* seeds = d.findChild<QSpinBox*>("seeds");
    QVERIFY(seeds);
    QCOMPARE(seeds->value(), 5);
    QCOMPARE(seeds->focusPolicy(), Qt::StrongFocus);  // not WheelFocus: the wheel never focuses it
    QScrollArea* area = formScrollArea(seeds);
    QVERIFY(area);
    QScrollBar* bar = area->verticalScrollBar();
    QVERIFY(bar->maximum() > 0);
    QCOMPARE(bar->value(), 0);
    QVERIFY(!seeds->hasFocus());

    QVERIFY(turnWheelDown(seeds));
    QCOMPARE(seeds->value(), 5);
    QVERIFY(!seeds->hasFocus());
    QVERIFY2(bar->value() > 0, "the wheel over the unfocused spin box did not scroll the form");

    const int scrolled = bar->value();
    seeds->setFocus(Qt::OtherFocusReason);
    QTRY_VERIFY(seeds->hasFocus());
    turnWheelDown(seeds);
    QCOMPARE(seeds->value(), 4);  // focused: the same wheel event steps the value
    QCOMPARE(bar->value(), scrolled);
  }

  void unfocusedComboBoxKeepsItsChoice() {
    AqnDialog d;
    d.resize(980, 420);
    d.show();
    QVERIFY(QTest::qWaitForWindowActive(&d));
    auto* dtype = d.findChild<QComboBox*>("dtype");
    QVERIFY(dtype);
    QCOMPARE(dtype->focusPolicy(), Qt::StrongFocus);
    QCOMPARE(dtype->currentText(), QStringLiteral("auto"));
    turnWheelDown(dtype);
    QCOMPARE(dtype->currentText(), QStringLiteral("auto"));
    dtype->setFocus(Qt::OtherFocusReason);
    QTRY_VERIFY(dtype->hasFocus());
    turnWheelDown(dtype);
    QCOMPARE(dtype->currentText(), QStringLiteral("bf16"));  // the next item
  }

  void installsOnce() {
    WheelGuard::install(qApp);
    WheelGuard::install(qApp);
    QCOMPARE(qApp->findChildren<WheelGuard*>(QString(), Qt::FindDirectChildrenOnly).size(), 1);
  }
};

QTEST_MAIN(TestWheelGuard)
#include "test_wheel_guard.moc"
