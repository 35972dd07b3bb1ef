// The one layer-list grammar (srdd/layer_list.h): lists, ranges, all, all-but, errors naming the token,
// and the three front ends that use it (scan --layers, aqn --targets, scan request files).
#include "srdd/layer_list.h"

#include <QtTest/QtTest>

#include "srdd/error.h"
#include "srdd/scan_job.h"
#include "test_support.h"

using Layers = std::vector<int>;

class TestLayerList : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void listsAndRanges() {
    QCOMPARE(srdd::parseLayerList("3,7,12", 28, "--layers"), (Layers{3, 7, 12}));
    QCOMPARE(srdd::parseLayerList("4-6, 1,5", 28, "--layers"), (Layers{1, 4, 5, 6}));
    QCOMPARE(srdd::parseLayerList("  12 3; 7 ,3\n", 28, "x"), (Layers{3, 7, 12}));
    QCOMPARE(srdd::parseLayerList("2-4, 9 - 10", 28, "x"), (Layers{2, 3, 4, 9, 10}));
    QCOMPARE(srdd::parseLayerList("0\xE2\x80\x93"
                                  "2",
                                  28, "x"),
             (Layers{0, 1, 2}));                                // en dash
    QCOMPARE(srdd::parseLayerList("5", -1, "x"), (Layers{5}));  // unknown layer count: no upper bound
    QCOMPARE(srdd::parseLayerList("99", -1, "x"), (Layers{99}));
  }

  void allAndAllBut() {
    QCOMPARE(srdd::parseLayerList("all", 4, "x"), (Layers{0, 1, 2, 3}));
    QCOMPARE(srdd::parseLayerList(" ALL ", 3, "x"), (Layers{0, 1, 2}));
    QCOMPARE(srdd::parseLayerList("all-but 1,3", 6, "x"), (Layers{0, 2, 4, 5}));
    QCOMPARE(srdd::parseLayerList("all but 0-2", 6, "x"), (Layers{3, 4, 5}));
    QCOMPARE(srdd::parseLayerList("all-but:5", 6, "x"), (Layers{0, 1, 2, 3, 4}));
    const auto sel = srdd::parseLayerSelection("all-but 2,4", "x");
    QVERIFY(sel.all);
    QCOMPARE(sel.listed, (std::set<int>{2, 4}));
    QVERIFY(srdd::parseLayerSelection("all", "x").listed.empty());
  }

  void errorsNameTheToken_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("numLayers");
    QTest::addColumn<QString>("message");
    QTest::newRow("word") << "3, seven" << 28 << "--layers: 'seven' is not a layer index";
    QTest::newRow("half range") << "3-" << 28 << "--layers: '3-' is not a layer index";
    QTest::newRow("out of range") << "3,28" << 28
                                  << "--layers: layer 28 is out of range (the model has 28 layers, 0-27)";
    QTest::newRow("negative") << "-1" << 28 << "--layers: layer -1 is out of range";
    QTest::newRow("backwards") << "9-2" << 28 << "--layers: range '9-2' runs backwards";
    QTest::newRow("empty") << " , ;" << 28 << "--layers is empty";
    QTest::newRow("blank") << "" << 28 << "--layers is empty";
    QTest::newRow("all plus") << "all,3" << 28 << "'all' takes no other layers";
    QTest::newRow("allx") << "allx" << 28 << "'allx' is not a layer index";
    QTest::newRow("all-but nothing") << "all-but" << 28 << "'all-but' needs the layers to leave out";
    QTest::newRow("all-but bad") << "all-but 1,z" << 28 << "'z' is not a layer index";
    QTest::newRow("all-but all") << "all-but 0-3" << 4 << "leaves no layer";
    QTest::newRow("all unknown count") << "all" << -1 << "need the model's layer count";
    QTest::newRow("too long") << "0-999999" << -1 << "is too long";
  }
  void errorsNameTheToken() {
    QFETCH(QString, text);
    QFETCH(int, numLayers);
    QFETCH(QString, message);
    const QString e = srdd_test::errorOf([&] { srdd::parseLayerList(text.toStdString(), numLayers, "--layers"); });
    QVERIFY2(e.contains(message), qPrintable(e));
  }

  void formatRoundTrips() {
    QCOMPARE(srdd::formatLayerList({0, 1, 2, 5, 7, 8, 9}), std::string("0-2,5,7-9"));
    QCOMPARE(srdd::formatLayerList({3, 4}), std::string("3,4"));
    QCOMPARE(srdd::formatLayerList({}), std::string());
    const Layers l{0, 2, 3, 4, 10, 11};
    QCOMPARE(srdd::parseLayerList(srdd::formatLayerList(l), 12, "x"), l);
  }

  // A scan request file may give its layers in the same grammar as a string.
  void scanRequestFileTakesTheGrammar() {
    nlohmann::json j = srdd::ScanRequest().toJson();
    j["layers"] = "all-but 1-2";
    auto r = srdd::ScanRequest::fromJson(j);
    QCOMPARE(r.layers, (Layers{1, 2}));
    QVERIFY(r.invertLayers);
    j["layers"] = "0-2,5";
    r = srdd::ScanRequest::fromJson(j);
    QCOMPARE(r.layers, (Layers{0, 1, 2, 5}));
    QVERIFY(!r.invertLayers);
    j["layers"] = "0,q";
    QVERIFY(srdd_test::errorOf([&] { srdd::ScanRequest::fromJson(j); }).contains("layers: 'q' is not a layer index"));
  }

  // The same grammar on the command line: scan --layers takes a range (it used to refuse "0-5").
  void cliScanLayersTakesRangesAndAllBut() {
    const auto run = srdd_test::runCli({"scan", "--layers", "0-2", "--scans", "gain", "--prompts", "builtin:srdd",
                                        "--max-tokens", "8", "--out", QDir::temp().filePath("srdd-ll-scan.json")});
    QVERIFY2(run.code == 0, qPrintable(run.err));
    const auto bad = srdd_test::runCli({"scan", "--layers", "0-x", "--out", QDir::temp().filePath("srdd-ll-bad.json")});
    QVERIFY(bad.code != 0);
    QVERIFY2(bad.err.contains("--layers: '0-x' is not a layer index"), qPrintable(bad.err));
    const auto range =
        srdd_test::runCli({"scan", "--layers", "0-9", "--out", QDir::temp().filePath("srdd-ll-bad.json")});
    QVERIFY2(range.code != 0 && range.err.contains("layer 6 is out of range (the model has 6 layers, 0-5)"),
             qPrintable(range.err));
  }

  void cliAqnTargetsTakeAllBut() {
    const auto run =
        srdd_test::runCli({"aqn", "--targets", "all-but 9", "--out", QDir::temp().filePath("srdd-ll-aqn")});
    QVERIFY(run.code != 0);
    QVERIFY2(run.err.contains("--targets: layer 9 is out of range (the model has 6 layers, 0-5)"), qPrintable(run.err));
  }
};

QTEST_GUILESS_MAIN(TestLayerList)
#include "test_layer_list.moc"
