// `srdd scan` and `srdd report` end to end on the bundled demo model.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "test_support.h"

namespace {
srdd_test::CliRun srdd(const QStringList& args) { return srdd_test::runCli(args); }
QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
}  // namespace

// Every per-layer mean, ratio and difference in the CSV parses back to exactly the JSON's double (no rounding to 6
// decimals).
void checkCsvMatchesJson(const QByteArray& csv, const nlohmann::json& j) {
  int compared = 0, tiny = 0;
  for (const QByteArray& line : csv.split('\n').mid(1)) {
    const QList<QByteArray> c = line.split(',');
    if (c.size() != 8 || c[4].isEmpty()) continue;
    const bool stat = c[2] == "bf16" || c[2] == "quantized";
    if (!stat && c[2] != "ratio" && c[2] != "difference") continue;
    const auto& cellJson = j["layers"][c[0].toInt()][c[2].toStdString()][c[3].toStdString()];
    const double fromJson = (stat ? cellJson["mean"] : cellJson).get<double>();
    const double fromCsv = std::strtod(c[4].constData(), nullptr);
    QVERIFY2(fromCsv == fromJson, qPrintable(QString("%1 vs %2").arg(QString(line)).arg(fromJson, 0, 'g', 17)));
    if (std::abs(fromJson) < 5e-4 && fromJson != 0) ++tiny;
    ++compared;
  }
  QVERIFY(compared > 50);
  QVERIFY(tiny > 0);  // values that 6 fixed decimals would have rounded away are present and exact
}

class TestScanCli : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void scanReportAndReproducibility() {
    QTemporaryDir dir;
    const QString a = dir.filePath("a.json"), b = dir.filePath("b.json");
    QStringList common = {"scan", srdd_test::demoModelDir(), "--timestamp", "2026-01-01T00:00:00Z", "--seed", "5"};
    auto r1 = srdd(common + QStringList{"--out", a, "--csv", dir.filePath("a.csv"), "--legacy-experiment",
                                        dir.filePath("exp.json"), "--legacy-scanner", dir.filePath("scn.json")});
    QVERIFY2(r1.code == 0, qPrintable(r1.err));
    QVERIFY(r1.err.contains("ETA"));              // progress on stderr
    QVERIFY(r1.out.contains("recommendation:"));  // the table on stdout
    auto r2 = srdd(common + QStringList{"--out", b, "--quiet", "--no-report"});
    QVERIFY2(r2.code == 0, qPrintable(r2.err));
    QVERIFY(!readAll(a).isEmpty());
    QVERIFY(readAll(a) == readAll(b));  // same seed -> byte-identical results

    auto j = nlohmann::json::parse(readAll(a).toStdString());
    QCOMPARE(QString::fromStdString(j["schema"].get<std::string>()), QString("srdd-scan/1"));
    QCOMPARE(j["layers"].size(), size_t(6));
    QCOMPARE(j["prompts"]["count"].get<int>(), 40);
    QCOMPARE(j["provenance"]["model"]["files"][1]["sha256"].get<std::string>().size(), size_t(64));
    QVERIFY(j["layers"][0]["quantized"].contains("gain"));

    auto exp = nlohmann::json::parse(readAll(dir.filePath("exp.json")).toStdString());
    QVERIFY(exp["comparison"]["mxfp4"]["gains"].contains("5") && exp["comparison"]["bf16"].contains("loss"));
    auto scn = nlohmann::json::parse(readAll(dir.filePath("scn.json")).toStdString());
    QCOMPARE(scn["report"]["per_layer"].size(), size_t(6));
    // The scanner layout's issues are the research thresholds on the BF16 output's fidelity (§4.3), by hand.
    const auto& thr = j["parameters"]["thresholds"];
    for (size_t l = 0; l < 6; ++l) {
      const auto& b = j["layers"][l]["bf16"];
      auto m = [&](const char* k) { return b[k]["mean"].get<double>(); };
      std::vector<std::string> expected;
      if (m("sqnr_db") < thr["sqnr_db"].get<double>()) expected.push_back("low_sqnr");
      if (m("deadzone_ratio") > thr["deadzone"].get<double>()) expected.push_back("high_deadzone");
      if (m("clipping_ratio") > thr["clipping"].get<double>()) expected.push_back("high_saturation");
      if (m("relative_error") > thr["relative_error"].get<double>()) expected.push_back("high_rel_error");
      QCOMPARE(scn["report"]["per_layer"][l]["issues"].get<std::vector<std::string>>(), expected);
    }
    QVERIFY(scn["recommendations"].contains("strategy"));
    QVERIFY(readAll(dir.filePath("a.csv")).startsWith("layer,module,section,metric"));
    checkCsvMatchesJson(readAll(dir.filePath("a.csv")), j);

    auto rep = srdd({"report", a});
    QVERIFY2(rep.code == 0, qPrintable(rep.err));
    QVERIFY(rep.out.contains("gain bf16") && rep.out.contains("recommendation:"));
    QCOMPARE(rep.out.count('\n'), r1.out.count('\n'));
  }

  // #19.13: the sensitivity scan's text windows are configurable, and every --threshold-NAME that the rules
  // know is an option (kurtosis_min was missing from a hand-kept list).
  void sensitivityWindowsAndThresholdsAreOptions() {
    QTemporaryDir dir;
    const QString out = dir.filePath("s.json");
    auto r = srdd({"scan", srdd_test::demoModelDir(), "--scans", "sensitivity", "--layers", "0,1",
                   "--sensitivity-windows", "3", "--sensitivity-tokens", "20", "--threshold-kurtosis-min", "2",
                   "--quiet", "--no-report", "--out", out});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto j = nlohmann::json::parse(readAll(out).toStdString());
    QCOMPARE(j["parameters"]["sensitivity"]["token_counts"], nlohmann::json({20, 20, 20}));
    QCOMPARE(j["layers"][1]["harm"]["tokens"].get<double>(), 60.0);  // every position of the 3 windows
    QCOMPARE(j["layers"][1]["sensitivity"]["kl_single"]["n"].get<int>(), 3);
    QCOMPARE(j["parameters"]["thresholds"]["kurtosis_min"].get<double>(), 2.0);
  }

  void badInputNamesTheProblem() {
    auto r = srdd({"scan", srdd_test::demoModelDir(), "--scans", "gain,nope", "--quiet"});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("nope"));
    r = srdd({"report", "/nonexistent/results.json"});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("/nonexistent/results.json"));
  }
};

QTEST_APPLESS_MAIN(TestScanCli)
#include "test_scan_cli.moc"
