// The target-set panel driven through its real buttons, menu and clipboard.
#include "targets/target_set_panel.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QUndoStack>
#include <QtTest>

#include <cmath>

using srdd_gui::TargetSet;
using srdd_gui::TargetSetPanel;
using Layers = QList<int>;

class TestTargetsPanel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init();
  void cleanup();
  void addRemoveUndoRedoByButtons();
  void problematicTopKInvertClear();
  void removeUsesHighlightedEntriesFirst();
  void copyMenuAndPaste();
  void pasteErrorIsShownAndChangesNothing();
  void listShowsProblematicLayers();

 private:
  QPushButton* button(const char* name) const { return m_panel->findChild<QPushButton*>(name); }
  QToolButton* tool(const char* name) const { return m_panel->findChild<QToolButton*>(name); }
  QListWidget* list() const { return m_panel->findChild<QListWidget*>("targetList"); }
  Layers shownLayers() const {
    Layers out;
    for (int i = 0; i < list()->count(); ++i) out << list()->item(i)->data(Qt::UserRole).toInt();
    return out;
  }

  TargetSet* m_set = nullptr;
  TargetSetPanel* m_panel = nullptr;
};

void TestTargetsPanel::init() {
  m_set = new TargetSet;
  m_set->reset(8);
  m_panel = new TargetSetPanel(m_set);
  m_panel->show();
}

void TestTargetsPanel::cleanup() {
  delete m_panel;
  delete m_set;
}

void TestTargetsPanel::addRemoveUndoRedoByButtons() {
  QVERIFY(!button("addSelected")->isEnabled());
  m_panel->setCurrentSelection(Layers{2, 5});
  QVERIFY(button("addSelected")->isEnabled());
  QVERIFY(!button("removeSelected")->isEnabled());
  QTest::mouseClick(button("addSelected"), Qt::LeftButton);
  QCOMPARE(m_set->layers(), (Layers{2, 5}));
  QCOMPARE(shownLayers(), (Layers{2, 5}));
  QCOMPARE(m_panel->findChild<QLabel*>("targetSummary")->text(), QString("Target set: 2 of 8 layers"));
  QVERIFY(!button("addSelected")->isEnabled());  // nothing left to add
  QVERIFY(tool("undo")->isEnabled());
  QCOMPARE(tool("undo")->text(), QString("Undo"));  // fixed, so the panel keeps its width
  QCOMPARE(tool("undo")->toolTip(), QString("Undo Add layers 2, 5"));

  m_panel->setCurrentSelection(std::set<int>{5});  // LayerSelection::selected() hands in a std::set
  QTest::mouseClick(button("removeSelected"), Qt::LeftButton);
  QCOMPARE(m_set->layers(), (Layers{2}));

  QTest::mouseClick(tool("undo"), Qt::LeftButton);
  QCOMPARE(m_set->layers(), (Layers{2, 5}));
  QTest::mouseClick(tool("undo"), Qt::LeftButton);
  QCOMPARE(m_set->layers(), Layers{});
  QVERIFY(!tool("undo")->isEnabled());
  QTest::mouseClick(tool("redo"), Qt::LeftButton);
  QTest::mouseClick(tool("redo"), Qt::LeftButton);
  QCOMPARE(m_set->layers(), (Layers{2}));
  QCOMPARE(shownLayers(), (Layers{2}));
}

void TestTargetsPanel::problematicTopKInvertClear() {
  QVERIFY(!button("allProblematic")->isEnabled());
  QVERIFY(!button("topK")->isEnabled());
  m_panel->setProblematicLayers({6, 1});
  QTest::mouseClick(button("allProblematic"), Qt::LeftButton);
  QCOMPARE(m_set->layers(), (Layers{1, 6}));

  const double nan = std::nan("");
  m_panel->setMetrics({{"kurtosis", {1, 9, 3, 9, 2, nan, 0, 4}, TargetSet::Worst::Highest},
                       {"SQNR", {30, 12, 25, 40, 11, 20, 28, 35}, TargetSet::Worst::Lowest}});
  auto* metric = m_panel->findChild<QComboBox*>("topKMetric");
  auto* k = m_panel->findChild<QSpinBox*>("topKCount");
  QCOMPARE(metric->count(), 2);
  QCOMPARE(k->maximum(), 8);
  metric->setCurrentIndex(1);
  k->setValue(3);
  QTest::mouseClick(button("topK"), Qt::LeftButton);
  QCOMPARE(m_set->layers(), (Layers{1, 4, 5}));  // SQNR 11, 12, 20
  QCOMPARE(m_set->undoStack()->undoText(), QString("Top 3 by SQNR (lowest)"));
  metric->setCurrentIndex(0);
  k->setValue(2);
  QTest::mouseClick(button("topK"), Qt::LeftButton);
  QCOMPARE(m_set->layers(), (Layers{1, 3}));  // kurtosis 9, 9

  QTest::mouseClick(button("invert"), Qt::LeftButton);
  QCOMPARE(m_set->layers(), (Layers{0, 2, 4, 5, 6, 7}));
  QTest::mouseClick(button("clear"), Qt::LeftButton);
  QCOMPARE(m_set->layers(), Layers{});
  QVERIFY(!button("clear")->isEnabled());
  QCOMPARE(m_set->undoStack()->count(), 5);
  for (int i = 0; i < 5; ++i) m_set->undoStack()->undo();
  QCOMPARE(m_set->layers(), Layers{});
}

void TestTargetsPanel::removeUsesHighlightedEntriesFirst() {
  m_set->reset(8, {0, 3, 4, 7});
  m_panel->setCurrentSelection(Layers{0});
  list()->item(1)->setSelected(true);  // layer 3
  list()->item(3)->setSelected(true);  // layer 7
  QTest::mouseClick(button("removeSelected"), Qt::LeftButton);
  QCOMPARE(m_set->layers(), (Layers{0, 4}));
  // with nothing highlighted, the view selection is removed
  list()->clearSelection();
  QTest::mouseClick(button("removeSelected"), Qt::LeftButton);
  QCOMPARE(m_set->layers(), (Layers{4}));
  // Delete key on the list removes highlighted entries
  list()->item(0)->setSelected(true);
  QTest::keyClick(list(), Qt::Key_Delete);
  QCOMPARE(m_set->layers(), Layers{});
}

void TestTargetsPanel::copyMenuAndPaste() {
  m_set->reset(28, {3, 7, 12});
  QMenu* menu = tool("copy")->menu();
  QVERIFY(menu);
  QCOMPARE(menu->actions().size(), 4);
  const QStringList expected{"[3, 7, 12]", "3,7,12", "model\\.layers\\.(3|7|12)\\.",
                             "re:^model\\.layers\\.(3|7|12)\\.(self_attn|mlp)\\.[a-z_]+_proj$"};
  for (int i = 0; i < 4; ++i) {
    menu->actions()[i]->trigger();
    QCOMPARE(QApplication::clipboard()->text(), expected[i]);
    // paste back into an emptied set gives the same layers
    m_set->clear();
    QTest::mouseClick(button("paste"), Qt::LeftButton);
    QCOMPARE(m_set->layers(), (Layers{3, 7, 12}));
    QCOMPARE(m_set->undoStack()->undoText(), QString("Paste layers 3, 7, 12"));
  }
}

void TestTargetsPanel::pasteErrorIsShownAndChangesNothing() {
  m_set->reset(8, {1});
  const QString error = m_panel->pasteText("1, 9");
  QVERIFY2(error.contains("layer 9 is out of range"), qPrintable(error));
  auto* message = m_panel->findChild<QLabel*>("targetMessage");
  QVERIFY(message->isVisible());
  QCOMPARE(message->text(), error);
  QCOMPARE(m_set->layers(), Layers{1});
  QVERIFY(m_panel->pasteText("2-3").isEmpty());
  QVERIFY(!message->isVisible());
  QCOMPARE(m_set->layers(), (Layers{2, 3}));
}

void TestTargetsPanel::listShowsProblematicLayers() {
  m_set->reset(8, {2, 4});
  m_panel->setProblematicLayers({4});
  QCOMPARE(list()->item(0)->text(), QString("Layer 2"));
  QCOMPARE(list()->item(1)->text(), QString("Layer 4  (problematic)"));
  if (const QString dir = qEnvironmentVariable("SRDD_SCREENSHOT_DIR"); !dir.isEmpty()) {  // to look at it
    m_panel->setMetrics({{"kurtosis", QVector<double>(8, 1.0), TargetSet::Worst::Highest}});
    m_panel->resize(320, 420);
    m_panel->grab().save(dir + "/target_set_panel.png");
  }
  QSignalSpy activated(m_panel, &TargetSetPanel::layerActivated);
  const QRect r = list()->visualItemRect(list()->item(1));
  QTest::mouseClick(list()->viewport(), Qt::LeftButton, {}, r.center());  // a double click starts with a click
  QTest::mouseDClick(list()->viewport(), Qt::LeftButton, {}, r.center());
  QCOMPARE(activated.count(), 1);
  QCOMPARE(activated.front().front().toInt(), 4);
}

QTEST_MAIN(TestTargetsPanel)
#include "test_targets_panel.moc"
