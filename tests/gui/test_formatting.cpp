// Number formatting used by the architecture panel and the tables.
#include "formatting.h"

#include <QLocale>
#include <QtTest>

class TestFormatting : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QLocale::setDefault(QLocale::c()); }
  void count_data();
  void count();
  void shape();
  void bytes();
};

void TestFormatting::count_data() {
  QTest::addColumn<qlonglong>("n");
  QTest::addColumn<QString>("text");
  QTest::newRow("Qwen2.5-1.5B") << 1543714304LL << "1.54 B";
  QTest::newRow("Qwen2.5-0.5B") << 494032768LL << "494.03 M";
  QTest::newRow("round down below K") << 999LL << "999";
  QTest::newRow("exactly K") << 1000LL << "1.00 K";
  QTest::newRow("hidden 1.5B") << 8960LL << "8.96 K";
  QTest::newRow("zero") << 0LL << "0";
  QTest::newRow("trillion") << 2500000000000LL << "2.50 T";
}

void TestFormatting::count() {
  QFETCH(qlonglong, n);
  QFETCH(QString, text);
  QCOMPARE(srdd_gui::formatCount(n), text);
}

void TestFormatting::shape() {
  QCOMPARE(srdd_gui::formatShape({151936, 896}), QString("151936 × 896"));
  QCOMPARE(srdd_gui::formatShape({896}), QString("896"));
  QCOMPARE(srdd_gui::formatShape({}), QString("scalar"));
}

void TestFormatting::bytes() {
  QCOMPARE(srdd_gui::formatExact(136134656), QString("136134656"));  // C locale: no grouping
  QCOMPARE(srdd_gui::formatBytes(1536), QString("1.5 KiB"));
  QCOMPARE(srdd_gui::formatBytes(3 * 1024LL * 1024 * 1024), QString("3.0 GiB"));
}

QTEST_APPLESS_MAIN(TestFormatting)
#include "test_formatting.moc"
