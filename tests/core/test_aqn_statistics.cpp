// The statistics of an AQN comparison against hand computations: paired d_z and CI, Holm's correction over
// the table's tests, the seeds' minimum detectable effect, the one-line answer to the research plan's success
// criterion, their JSON (schema-compatible), the bf16-aqn arm and the QeRL-faithful preset.
#include <cmath>

#include "srdd/aqn.h"
#include "srdd/error.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "test_support.h"

namespace aqn = srdd::aqn;

namespace {

// Runs with the given quantized losses per configuration (seed order).
aqn::ComparisonResult resultOf(const std::vector<std::pair<std::string, std::vector<double>>>& losses) {
  aqn::ComparisonResult r;
  r.settings.targets = {1};
  std::vector<aqn::ConfigSpec> specs;
  for (const auto& [name, values] : losses) {
    specs.push_back({name, name == "baseline" ? std::vector<int>{} : std::vector<int>{1}});
    for (size_t k = 0; k < values.size(); ++k) {
      aqn::RunResult run;
      run.config = name;
      run.seedIndex = static_cast<int>(k);
      run.seed = 42 + k;
      run.noiseLayers = specs.back().noiseLayers;
      run.evalLossQuantized = values[k];
      run.evalLossBf16 = values[k] - 0.1;
      r.runs.push_back(run);
    }
  }
  r.settings.configs.clear();
  for (const auto& s : specs) r.settings.configs.push_back(s.name);
  aqn::computeStatistics(r, specs);
  return r;
}

const aqn::ConfigTest& testOf(const aqn::ComparisonResult& r, const std::string& a, const std::string& b) {
  for (const auto& t : r.tests)
    if (t.a == a && t.b == b) return t;
  throw srdd::Error("no test " + a + " - " + b);
}

bool near(double a, double b, double tol) {
  if (std::fabs(a - b) <= tol) return true;
  qWarning("got %.17g, expected %.17g", a, b);
  return false;
}

}  // namespace

class TestAqnStatistics : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // targeted − global per seed: d = {−0.02, −0.01, −0.03, −0.02, −0.02}: mean −0.02, sd √(0.0002/4) = 0.0070711,
  // d_z = −2.8284, t = d_z·√5 = −6.3246 (df 4), CI −0.02 ± 2.776445·0.0070711/√5.
  void pairedEffectAndCiByHand() {
    const auto r = resultOf({{"baseline", {5.10, 5.12, 5.08, 5.11, 5.09}},
                             {"global", {5.00, 5.02, 5.04, 5.01, 5.03}},
                             {"targeted", {4.98, 5.01, 5.01, 4.99, 5.01}}});
    const auto& t = testOf(r, "targeted", "global");
    const double sd = std::sqrt(0.0002 / 4);
    QVERIFY(near(t.meanDifference, -0.02, 1e-12));
    QVERIFY(near(t.pairedDz, -0.02 / sd, 1e-9));
    QVERIFY(near(t.paired.t, -0.02 / sd * std::sqrt(5.0), 1e-8));
    QVERIFY(near(t.pairedCi.low, -0.02 - 2.7764451052 * sd / std::sqrt(5.0), 1e-9));
    QVERIFY(near(t.pairedCi.high, -0.02 + 2.7764451052 * sd / std::sqrt(5.0), 1e-9));
    // The pooled Cohen's d is a different number: the between-seed spread is in its denominator. Pooled
    // variance (0.001 + 0.0008) / 8 = 0.000225, so d = -0.02 / 0.015 = -1.3333.
    QVERIFY(near(t.cohensD, -0.02 / 0.015, 1e-9));
    // The report prints d_z next to Cohen's d (#19.14).
    const QString report = QString::fromStdString(aqn::formatComparison(r));
    QVERIFY(report.contains("d_z     Cohen's d"));
    const QString line = report.split('\n').filter(QRegularExpression("^targeted - global ")).value(0);
    QVERIFY2(line.simplified().endsWith("-2.828 -1.333"), qPrintable(line));
    // MDE for 5 pairs: d_z 1.681997 (exact noncentral t); in loss units times the sd of the differences.
    QCOMPARE(r.power.pairs, 5);
    QVERIFY(near(r.power.mdeDz, 1.68199696595555, 1e-8));
    QVERIFY(near(t.mdeLoss, 1.68199696595555 * sd, 1e-10));
  }

  // Holm over the table's tests (targeted−global, global−baseline, targeted−baseline): sorted paired p
  // multiplied by 3, 2, 1 with a running maximum.
  void holmAcrossTheTable() {
    const auto r = resultOf({{"baseline", {5.10, 5.12, 5.08, 5.11, 5.09}},
                             {"global", {5.00, 5.02, 5.04, 5.01, 5.03}},
                             {"targeted", {4.98, 5.01, 5.01, 4.99, 5.01}}});
    QCOMPARE(r.tests.size(), size_t(3));
    std::vector<std::pair<double, size_t>> p;
    for (size_t i = 0; i < r.tests.size(); ++i) p.push_back({r.tests[i].paired.p, i});
    std::sort(p.begin(), p.end());
    double running = 0;
    for (size_t k = 0; k < p.size(); ++k) {
      running = std::max(running, std::min(1.0, (3.0 - k) * p[k].first));
      QVERIFY(near(r.tests[p[k].second].holmP, running, 1e-15));
      QCOMPARE(r.tests[p[k].second].significant, running < 0.05);
    }
  }

  void primaryAnswerInOneLine() {
    const auto yes =
        resultOf({{"global", {5.00, 5.02, 5.04, 5.01, 5.03}}, {"targeted", {4.98, 5.01, 5.01, 4.99, 5.01}}});
    QVERIFY(yes.primary.available && yes.primary.yes);
    const QString line = QString::fromStdString(yes.primary.line);
    QVERIFY2(
        line.startsWith("SRDD-guided AQN lower loss than Global AQN, p < 0.05? yes — targeted - global = -0.02 nats"),
        qPrintable(line));
    QVERIFY(line.contains("95% CI") && line.contains("paired t(4)") && !line.contains('\n'));
    // Lower but not significant: no.
    const auto no =
        resultOf({{"global", {5.00, 5.02, 5.04, 5.01, 5.03}}, {"targeted", {5.01, 5.00, 5.03, 5.02, 5.00}}});
    QVERIFY(no.primary.available && !no.primary.yes);
    QVERIFY(QString::fromStdString(no.primary.line).contains("p < 0.05? no — "));
    // Significantly higher is also a no.
    const auto worse =
        resultOf({{"global", {4.98, 5.01, 5.01, 4.99, 5.01}}, {"targeted", {5.00, 5.02, 5.04, 5.01, 5.03}}});
    QVERIFY(worse.primary.available && !worse.primary.yes && worse.tests[0].paired.p < 0.05);
    const auto none = resultOf({{"baseline", {5.1, 5.2}}, {"global", {5.0, 5.1}}});
    QVERIFY(!none.primary.available);
    QVERIFY(QString::fromStdString(none.primary.line)
                .contains("not answered: the comparison needs the targeted and global"));
    QVERIFY(QString::fromStdString(aqn::formatComparison(yes)).contains(QString::fromStdString(yes.primary.line)));
  }

  // The new numbers are added beside the old fields (schema srdd-aqn/1 unchanged) and survive a round trip.
  void jsonKeepsTheSchemaAndRoundTrips() {
    auto r =
        resultOf({{"baseline", {5.10, 5.12, 5.08}}, {"global", {5.00, 5.02, 5.04}}, {"targeted", {4.98, 5.01, 5.01}}});
    const auto j = r.toJson();
    QCOMPARE(j.at("schema").get<std::string>(), std::string("srdd-aqn/1"));
    const auto& t0 = j.at("tests")[0];
    for (const char* k :
         {"welch", "paired", "student", "cohens_d", "paired_dz", "paired_ci", "holm_p", "significant_holm", "mde_loss"})
      QVERIFY2(t0.contains(k), k);
    QCOMPARE(j.at("power").at("pairs").get<int>(), 3);
    QVERIFY(near(j.at("power").at("mde_dz").get<double>(), r.power.mdeDz, 0));
    QCOMPARE(j.at("primary").at("answer").get<std::string>(), std::string(r.primary.yes ? "yes" : "no"));
    const auto back = aqn::comparisonFromJson(j);
    QCOMPARE(back.tests.size(), r.tests.size());
    QCOMPARE(back.primary.line, r.primary.line);
    QVERIFY(near(back.tests[0].holmP, r.tests[0].holmP, 0));
    QVERIFY(srdd_test::errorOf([] { aqn::comparisonFromJson({{"schema", "x"}}); }).contains("not an AQN comparison"));
  }

  void bf16ArmAndPreset() {
    aqn::ComparisonSettings s;
    s.targets = {1};
    s.configs = {"global", "bf16-aqn"};
    const auto specs = aqn::resolveConfigs(s, 4);
    QCOMPARE(specs[1].noiseLayers, (std::vector<int>{0, 1, 2, 3}));
    QVERIFY(specs[0].quantizeTraining && !specs[1].quantizeTraining);
    s.protocol = aqn::Protocol::Reference;
    QVERIFY(srdd_test::errorOf([&] { s.validate(4); }).contains("bf16-aqn configuration needs the training protocol"));
    // QeRL-faithful: both RMSNorm weights, absolute σ, 10 stages 1e-2 → 5e-4: 9 levels after a 10 % warm-up.
    const auto q = aqn::noisePreset("qerl");
    QCOMPARE(q.target, aqn::NoiseTarget::Norms);
    QCOMPARE(q.scale, aqn::NoiseScale::Absolute);
    const auto levels = q.schedule.levelValues();
    QCOMPARE(levels.size(), size_t(9));
    QVERIFY(near(levels.front(), 1e-2, 1e-15) && near(levels.back(), 5e-4, 1e-15));
    QVERIFY(near(levels[4], std::sqrt(1e-2 * 5e-4), 1e-12));  // the geometric middle
    QVERIFY(near(q.schedule.warmupFraction, 0.1, 1e-15));
    QCOMPARE(aqn::matchingNoisePreset(aqn::NoiseSettings()), std::string("default"));
    QCOMPARE(aqn::matchingNoisePreset(q), std::string("qerl"));
    auto other = q;
    other.schedule.sigmaEnd = 1e-4;
    QCOMPARE(aqn::matchingNoisePreset(other), std::string("custom"));
    QVERIFY(srdd_test::errorOf([] { aqn::noisePreset("x"); }).contains("expected default or qerl"));
  }

  // bf16-aqn trains with the plain forward: its runs equal global's runs with quantized training turned off
  // (same seeds, same noise), and differ from global's quantized-training runs.
  void bf16ArmTrainsWithoutQuantization() {
    QTemporaryDir tmp;
    aqn::ComparisonSettings s;
    s.modelDirectory = (srdd_test::fixturesDir() + "/hf/qwen2-tiny-gqa2-tied-f32").toStdString();
    s.configs = {"global", "bf16-aqn"};
    s.seeds = 2;
    s.train.steps = 2;
    s.train.batchSize = 2;
    s.train.seqLength = 32;
    s.train.learningRate = 1e-3;
    s.noise.schedule = aqn::Schedule::qerl(0.05, 0.005, 3);
    const std::string text = (srdd_test::demoModelDir() + "/heldout.txt").toStdString();
    s.data.trainPath = s.data.evalPath = text;
    s.data.evalSeqLength = 64;
    s.data.evalTokens = 128;
    const auto r = aqn::runComparison(s, (tmp.path() + "/a").toStdString(), {}, nullptr, false, "2026-01-01T00:00:00Z");
    auto plain = s;
    plain.configs = {"global"};
    plain.train.quantizeTraining = false;
    const auto p =
        aqn::runComparison(plain, (tmp.path() + "/b").toStdString(), {}, nullptr, false, "2026-01-01T00:00:00Z");
    QCOMPARE(r.runs.size(), size_t(4));
    for (int k = 0; k < 2; ++k) {
      const auto& bf16 = r.runs[2 + k];
      QCOMPARE(bf16.config, std::string("bf16-aqn"));
      QCOMPARE(bf16.trainLoss, p.runs[k].trainLoss);
      QCOMPARE(bf16.evalLossQuantized, p.runs[k].evalLossQuantized);
      QVERIFY(bf16.trainLoss != r.runs[k].trainLoss);
    }
    QCOMPARE(r.tests.size(), size_t(1));  // global − bf16-aqn
    QCOMPARE(r.tests[0].a + " " + r.tests[0].b, std::string("global bf16-aqn"));
    QCOMPARE(r.provenance.at("model").at("tied_embeddings").get<bool>(), true);
  }
};

QTEST_GUILESS_MAIN(TestAqnStatistics)
#include "test_aqn_statistics.moc"
