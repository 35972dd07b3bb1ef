// TargetSet edits through its QUndoStack, top-K rule, and the clipboard text forms with parse-back.
#include "targets/target_formats.h"
#include "targets/target_set.h"

#include <srdd/error.h>

#include <QRegularExpression>
#include <QSignalSpy>
#include <QUndoStack>
#include <QtTest>

#include <cmath>

using srdd_gui::TargetSet;
using Worst = srdd_gui::TargetSet::Worst;
using Layers = QList<int>;

class TestTargetsSet : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init();
  void everyEditUndoesAndRedoes_data();
  void everyEditUndoesAndRedoes();
  void noOpEditsPushNothing();
  void outOfRangeThrowsAndChangesNothing();
  void resetClearsHistory();
  void topKWithTies();
  void topKSkipsNaNAndChecksLength();
  void invertTwiceIsIdentity();
  void commandTextShortensLongLists();
  void copyForms();
  void parseBackRoundTrip_data();
  void parseBackRoundTrip();
  void parseOtherForms();
  void parseErrors_data();
  void parseErrors();
  void regexMatchesTheRightModules();

 private:
  std::unique_ptr<TargetSet> m_set;
};

void TestTargetsSet::init() {
  m_set = std::make_unique<TargetSet>();
  m_set->reset(28, {1, 3, 5});
}

void TestTargetsSet::everyEditUndoesAndRedoes_data() {
  QTest::addColumn<QString>("kind");
  QTest::addColumn<Layers>("after");
  QTest::addColumn<QString>("text");
  QTest::newRow("add") << "add" << Layers{1, 3, 5, 7, 12} << "Add layers 7, 12";
  QTest::newRow("add one (already there ignored)") << "add1" << Layers{1, 3, 5, 9} << "Add layer 9";
  QTest::newRow("remove") << "remove" << Layers{1} << "Remove layers 3, 5";
  QTest::newRow("problematic") << "problematic" << Layers{0, 27} << "Set to all problematic (layers 0, 27)";
  QTest::newRow("top-K") << "topk" << Layers{2, 3} << "Top 2 by kurtosis (highest)";
  QTest::newRow("invert") << "invert" << Layers{0,  2,  4,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                                16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27}
                          << "Invert target set";
  QTest::newRow("clear") << "clear" << Layers{} << "Clear target set";
  QTest::newRow("paste") << "replace" << Layers{4, 8} << "Paste layers 4, 8";
}

void TestTargetsSet::everyEditUndoesAndRedoes() {
  QFETCH(QString, kind);
  QFETCH(Layers, after);
  QFETCH(QString, text);
  QSignalSpy changed(m_set.get(), &TargetSet::changed);
  QVector<double> kurtosis(28, 1.0);
  kurtosis[2] = 9;
  kurtosis[3] = 7;
  if (kind == "add") m_set->add({12, 7});
  if (kind == "add1") m_set->add({9, 3});
  if (kind == "remove") m_set->remove({3, 5, 6});
  if (kind == "problematic") m_set->setToProblematic({27, 0});
  if (kind == "topk") m_set->setToTopK(kurtosis, 2, Worst::Highest, "kurtosis");
  if (kind == "invert") m_set->invert();
  if (kind == "clear") m_set->clear();
  if (kind == "replace") m_set->replace({8, 4}, "Paste layers 4, 8");

  QUndoStack* stack = m_set->undoStack();
  QCOMPARE(m_set->layers(), after);
  QCOMPARE(stack->count(), 1);
  QCOMPARE(stack->undoText(), text);
  QCOMPARE(changed.count(), 1);
  stack->undo();
  QCOMPARE(m_set->layers(), (Layers{1, 3, 5}));
  QCOMPARE(stack->redoText(), text);
  stack->redo();
  QCOMPARE(m_set->layers(), after);
  QCOMPARE(changed.count(), 3);
}

void TestTargetsSet::noOpEditsPushNothing() {
  m_set->add({3});
  m_set->remove({4});
  m_set->replace({1, 5, 3}, "same");
  m_set->setToProblematic({5, 3, 1});
  QCOMPARE(m_set->undoStack()->count(), 0);
  m_set->clear();
  m_set->clear();
  QCOMPARE(m_set->undoStack()->count(), 1);
}

void TestTargetsSet::outOfRangeThrowsAndChangesNothing() {
  QVERIFY_THROWS_EXCEPTION(srdd::Error, m_set->add({2, 28}));
  QVERIFY_THROWS_EXCEPTION(srdd::Error, m_set->remove({-1}));
  QVERIFY_THROWS_EXCEPTION(srdd::Error, m_set->setToProblematic({40}));
  QVERIFY_THROWS_EXCEPTION(srdd::Error, m_set->reset(4, {4}));
  QCOMPARE(m_set->layers(), (Layers{1, 3, 5}));
  QCOMPARE(m_set->numLayers(), 28);
  QCOMPARE(m_set->undoStack()->count(), 0);
}

void TestTargetsSet::resetClearsHistory() {
  m_set->add({7});
  m_set->reset(4, {0, 2});
  QCOMPARE(m_set->undoStack()->count(), 0);
  QCOMPARE(m_set->layers(), (Layers{0, 2}));
  m_set->invert();
  QCOMPARE(m_set->layers(), (Layers{1, 3}));
}

// Values by hand: the worst-by-highest order is 4 (9.0), then 1, 2, 6 tied at 5.0, then the rest.
void TestTargetsSet::topKWithTies() {
  const QVector<double> v{0.5, 5.0, 5.0, 1.0, 9.0, 2.0, 5.0, 0.1};
  QCOMPARE(TargetSet::topK(v, 1, Worst::Highest), (Layers{4}));
  QCOMPARE(TargetSet::topK(v, 2, Worst::Highest), (Layers{1, 4}));  // lower index wins the tie
  QCOMPARE(TargetSet::topK(v, 3, Worst::Highest), (Layers{1, 2, 4}));
  QCOMPARE(TargetSet::topK(v, 4, Worst::Highest), (Layers{1, 2, 4, 6}));
  QCOMPARE(TargetSet::topK(v, 2, Worst::Lowest), (Layers{0, 7}));
  QCOMPARE(TargetSet::topK(v, 0, Worst::Lowest), Layers{});
  QCOMPARE(TargetSet::topK(v, 100, Worst::Lowest).size(), 8);
  // SQNR-like: lowest is worst; ties at the boundary again go to the lower index
  const QVector<double> sqnr{20, 12, 12, 30, 12};
  QCOMPARE(TargetSet::topK(sqnr, 2, Worst::Lowest), (Layers{1, 2}));
}

void TestTargetsSet::topKSkipsNaNAndChecksLength() {
  const double nan = std::nan("");
  QCOMPARE(TargetSet::topK({nan, 3, nan, 1}, 3, Worst::Highest), (Layers{1, 3}));
  QVERIFY_THROWS_EXCEPTION(srdd::Error, m_set->setToTopK(QVector<double>(27, 1.0), 3, Worst::Highest, "gain"));
  QCOMPARE(m_set->layers(), (Layers{1, 3, 5}));
}

void TestTargetsSet::invertTwiceIsIdentity() {
  m_set->invert();
  QCOMPARE(m_set->size(), 25);
  QVERIFY(!m_set->contains(3) && m_set->contains(0) && m_set->contains(27));
  m_set->invert();
  QCOMPARE(m_set->layers(), (Layers{1, 3, 5}));
  QCOMPARE(m_set->undoStack()->count(), 2);
}

void TestTargetsSet::commandTextShortensLongLists() {
  m_set->add({0, 2, 4, 6, 8, 10, 12, 14});
  QCOMPARE(m_set->undoStack()->undoText(), QString("Add layers 0, 2, 4, 6, 8, 10, \u2026 (8 layers)"));
}

void TestTargetsSet::copyForms() {
  const Layers l{3, 7, 12};
  QCOMPARE(srdd_gui::toJsonList(l), QString("[3, 7, 12]"));
  QCOMPARE(srdd_gui::toIndexList(l), QString("3,7,12"));
  QCOMPARE(srdd_gui::toModuleRegex(l), QString("model\\.layers\\.(3|7|12)\\."));
  QCOMPARE(srdd_gui::toLlmCompressorTarget(l),
           QString("re:^model\\.layers\\.(3|7|12)\\.(self_attn|mlp)\\.[a-z_]+_proj$"));
  QCOMPARE(srdd_gui::toModuleRegex({7}), QString("model\\.layers\\.7\\."));
  QCOMPARE(srdd_gui::toJsonList({}), QString("[]"));
  QCOMPARE(srdd_gui::toModuleRegex({}), QString());
  QCOMPARE(srdd_gui::toModuleRegex({1}, "model.language_model.layers"),
           QString("model\\.language_model\\.layers\\.1\\."));
}

void TestTargetsSet::parseBackRoundTrip_data() {
  QTest::addColumn<Layers>("layers");
  QTest::newRow("three") << Layers{3, 7, 12};
  QTest::newRow("one") << Layers{0};
  QTest::newRow("edges") << Layers{0, 27};
  QTest::newRow("all") << [] {
    Layers all;
    for (int i = 0; i < 28; ++i) all << i;
    return all;
  }();
}

void TestTargetsSet::parseBackRoundTrip() {
  QFETCH(Layers, layers);
  QCOMPARE(srdd_gui::parseLayerList(srdd_gui::toJsonList(layers), 28), layers);
  QCOMPARE(srdd_gui::parseLayerList(srdd_gui::toIndexList(layers), 28), layers);
  QCOMPARE(srdd_gui::parseLayerList(srdd_gui::toModuleRegex(layers), 28), layers);
  QCOMPARE(srdd_gui::parseLayerList(srdd_gui::toLlmCompressorTarget(layers), 28), layers);
}

void TestTargetsSet::parseOtherForms() {
  QCOMPARE(srdd_gui::parseLayerList("  12 3; 7 ,3\n", 28), (Layers{3, 7, 12}));
  QCOMPARE(srdd_gui::parseLayerList("2-4, 9 - 10", 28), (Layers{2, 3, 4, 9, 10}));
  QCOMPARE(srdd_gui::parseLayerList("[12,3,3]", 28), (Layers{3, 12}));
  QCOMPARE(srdd_gui::parseLayerList("re:.*layers\\.12\\.mlp\\.down_proj", 28), (Layers{12}));
}

void TestTargetsSet::parseErrors_data() {
  QTest::addColumn<QString>("text");
  QTest::addColumn<QString>("message");
  QTest::newRow("empty") << "  "
                         << "empty";
  QTest::newRow("word") << "3, seven"
                        << "'seven' is not a layer index";
  QTest::newRow("out of range") << "3,28"
                                << "layer 28 is out of range";
  QTest::newRow("negative") << "-1"
                            << "out of range";
  QTest::newRow("bad json") << "[3, 7"
                            << "not a JSON list";
  QTest::newRow("json fraction") << "[3.5]"
                                 << "not a whole number";
  QTest::newRow("json string") << "[\"3\"]"
                               << "not a whole number";
  QTest::newRow("backwards range") << "9-2"
                                   << "runs backwards";
  QTest::newRow("regex out of range") << "model\\.layers\\.(3|99)\\."
                                      << "layer 99 is out of range";
}

void TestTargetsSet::parseErrors() {
  QFETCH(QString, text);
  QFETCH(QString, message);
  try {
    srdd_gui::parseLayerList(text, 28);
    QFAIL("no error");
  } catch (const srdd::Error& e) {
    QVERIFY2(QString(e.what()).startsWith("pasted text: ") && QString(e.what()).contains(message), e.what());
  }
}

// The regexes are used with the semantics their consumers use: search for the plain one (Python re.search,
// grep), and re.match (anchored at the start; we also anchor the end) for the llm-compressor target.
void TestTargetsSet::regexMatchesTheRightModules() {
  const Layers l{3, 7, 12};
  const QRegularExpression plain(srdd_gui::toModuleRegex(l));
  const QRegularExpression target(srdd_gui::toLlmCompressorTarget(l).mid(3));
  QVERIFY(plain.isValid() && target.isValid());
  const QStringList in{"model.layers.7.mlp.down_proj",     "model.layers.3.self_attn.q_proj",
                       "model.layers.12.self_attn.o_proj", "model.layers.7.mlp.gate_proj",
                       "model.layers.12.mlp.up_proj",      "model.layers.3.self_attn.v_proj"};
  const QStringList out{"model.layers.17.mlp.down_proj",
                        "model.layers.1.mlp.down_proj",
                        "model.layers.33.self_attn.q_proj",
                        "model.layers.71.mlp.up_proj",
                        "model.layers.120.mlp.up_proj",
                        "model.layers.2.self_attn.k_proj",
                        "lm_head",
                        "model.embed_tokens"};
  for (const QString& name : in) {
    QVERIFY2(plain.match(name).hasMatch(), qPrintable(name));
    QVERIFY2(target.match(name, 0, QRegularExpression::NormalMatch, QRegularExpression::AnchorAtOffsetMatchOption)
                 .hasMatch(),
             qPrintable(name));
  }
  for (const QString& name : out) {
    QVERIFY2(!plain.match(name).hasMatch(), qPrintable(name));
    QVERIFY2(!target.match(name).hasMatch(), qPrintable(name));
  }
  // The plain one also finds weights and norms of the layers; the llm-compressor one only the Linear projections.
  QVERIFY(plain.match("model.layers.7.input_layernorm.weight").hasMatch());
  QVERIFY(!target.match("model.layers.7.input_layernorm").hasMatch());
  QVERIFY(!target.match("model.layers.7.mlp.down_proj.weight").hasMatch());
  QVERIFY(!target.match("xmodel.layers.7.mlp.down_proj").hasMatch());
}

QTEST_MAIN(TestTargetsSet)
#include "test_targets_set.moc"
