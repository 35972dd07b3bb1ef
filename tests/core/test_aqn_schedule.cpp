// AQN σ schedule against the QeRL values published in the reference (§5.3), its validation (§7 item 25),
// and the settings: layer lists, configuration layer sets, validation errors, test pairs.
#include <cmath>
#include <functional>

#include "srdd/aqn.h"
#include "srdd/error.h"

#include <QtTest/QtTest>

namespace {

using srdd::aqn::Schedule;

// Runs fn and checks that it throws srdd::Error whose message contains `part`.
bool throwsWith(const std::function<void()>& fn, const std::string& part) {
  try {
    fn();
  } catch (const srdd::Error& e) {
    if (std::string(e.what()).find(part) != std::string::npos) return true;
    qWarning("message '%s' lacks '%s'", e.what(), part.c_str());
    return false;
  }
  qWarning("no srdd::Error thrown (expected '%s')", part.c_str());
  return false;
}

srdd::aqn::ComparisonSettings settings() {
  srdd::aqn::ComparisonSettings s;
  s.targets = {1, 4};
  return s;
}

}  // namespace

class TestAqnSchedule : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void qerlTrendMatchesPublishedList() {
    // Reference §5.3: 10 stages, 0.05 -> 0.0005 (values printed to 6 decimals).
    const std::vector<double> published = {0.05,     0.028117, 0.015811, 0.008891, 0.005,
                                           0.002812, 0.001581, 0.000889, 0.0005};
    const auto s = Schedule::qerl(0.05, 0.0005, 10);
    QCOMPARE(s.levels, 9);
    QCOMPARE(s.warmupFraction, 0.1);
    const auto v = s.levelValues();
    QCOMPARE(v.size(), published.size());
    for (size_t k = 0; k < v.size(); ++k)
      QVERIFY2(std::abs(v[k] - published[k]) < 5e-7, qPrintable(QString::number(k)));
    // The decay ratio is 0.01^(1/8).
    QVERIFY(std::abs(v[1] / v[0] - std::pow(0.01, 1.0 / 8)) < 1e-12);
  }

  void qerlStepTableS58() {
    // Reference §5.3, S = 58: steps 0-5 -> 0; 6-11 -> 0.05; 12-17 -> 0.0281; 18-23 -> 0.0158; 24-28 -> 0.00889;
    // 29-34 -> 0.005; ...; 53-58 -> 0.0005. The elided rows follow QeRL's interval = floor(step / (58 / 10)).
    struct Row {
      int first, last;
      double sigma;
    };
    const Row rows[] = {{0, 5, 0.0},     {6, 11, 0.05},      {12, 17, 0.028117}, {18, 23, 0.015811}, {24, 28, 0.008891},
                        {29, 34, 0.005}, {35, 40, 0.002812}, {41, 46, 0.001581}, {47, 52, 0.000889}, {53, 58, 0.0005}};
    const auto s = Schedule::qerl(0.05, 0.0005, 10);
    for (const auto& r : rows)
      for (int step = r.first; step <= r.last; ++step)
        QVERIFY2(std::abs(s.sigmaAt(step, 58) - r.sigma) < 5e-7, qPrintable(QString("step %1").arg(step)));
    const auto perStep = s.sigmaPerStep(58);
    QCOMPARE(perStep.size(), size_t(58));
    QCOMPARE(perStep[29], s.sigmaAt(29, 58));
  }

  void exactBoundariesFollowIntegerIntervals() {
    // S = 50, 10 stages: QeRL's interval = step / 5 is an exact integer at multiples of 5.
    const auto s = Schedule::qerl(0.05, 0.0005, 10);
    const auto v = s.levelValues();
    QCOMPARE(s.sigmaAt(4, 50), 0.0);
    QCOMPARE(s.sigmaAt(5, 50), v[0]);
    QCOMPARE(s.sigmaAt(9, 50), v[0]);
    QCOMPARE(s.sigmaAt(10, 50), v[1]);
    QCOMPARE(s.sigmaAt(45, 50), v[8]);
    QCOMPARE(s.sigmaAt(44, 50), v[7]);
    QCOMPARE(s.sigmaAt(500, 50), v[8]);  // beyond the run: the last level
  }

  void edgeCasesHaveDocumentedMeanings() {
    // QeRL num_stages = 2 (a division by zero there): one constant level after a warm-up of half the run.
    const auto two = Schedule::qerl(0.01, 0.001, 2);
    QCOMPARE(two.levelValues(), std::vector<double>{0.01});
    QCOMPARE(two.sigmaAt(4, 10), 0.0);
    QCOMPARE(two.sigmaAt(5, 10), 0.01);
    QCOMPARE(two.sigmaAt(9, 10), 0.01);
    // levels = 1 is constant sigma_start; sigma_end (even 0) is not used.
    Schedule c;
    c.levels = 1;
    c.sigmaEnd = 0;
    c.warmupFraction = 0;
    QCOMPARE(c.sigmaPerStep(4), (std::vector<double>{0.05, 0.05, 0.05, 0.05}));
    // No warm-up: the first step already has sigma_start; two levels are [start, end].
    Schedule d;
    d.levels = 2;
    d.warmupFraction = 0;
    QCOMPARE(d.sigmaPerStep(4), (std::vector<double>{0.05, 0.05, 0.0005, 0.0005}));
    // A run shorter than the schedule: defined values, never NaN.
    const auto q = Schedule::qerl(0.05, 0.0005, 10);
    for (long total = 1; total < 30; ++total)
      for (double v : q.sigmaPerStep(total)) QVERIFY(std::isfinite(v) && v >= 0);
  }

  void invalidSchedulesAreErrors() {
    QVERIFY(throwsWith([] { Schedule::qerl(0.05, 0.0005, 1); }, "num_stages = 1"));
    QVERIFY(throwsWith([] { Schedule::qerl(0.05, 0.0005, 0); }, "num_stages = 0"));
    auto bad = [](std::function<void(Schedule&)> edit, const std::string& part) {
      Schedule s;
      edit(s);
      return throwsWith([&] { s.validate(); }, part) && throwsWith([&] { s.sigmaAt(0, 10); }, part);
    };
    QVERIFY(bad([](Schedule& s) { s.sigmaEnd = 0; }, "sigma_end = 0"));
    QVERIFY(bad([](Schedule& s) { s.sigmaStart = -0.01; }, "negative"));
    QVERIFY(bad([](Schedule& s) { s.sigmaEnd = -1e-4; }, "negative"));
    QVERIFY(bad([](Schedule& s) { s.sigmaStart = NAN; }, "not a finite"));
    QVERIFY(bad([](Schedule& s) { s.sigmaStart = 0; }, "sigma_start = 0"));
    QVERIFY(bad([](Schedule& s) { s.sigmaEnd = 0.1; }, "larger than sigma_start"));
    QVERIFY(bad([](Schedule& s) { s.levels = 0; }, "levels = 0"));
    QVERIFY(bad([](Schedule& s) { s.warmupFraction = 1.0; }, "warmup_fraction"));
    QVERIFY(bad([](Schedule& s) { s.warmupFraction = -0.1; }, "negative"));
    Schedule ok;
    QVERIFY(throwsWith([&] { ok.sigmaAt(0, 0); }, "at least 1 step"));
    QVERIFY(throwsWith([&] { ok.sigmaAt(-1, 10); }, "negative step"));
  }

  void scheduleJsonRoundTrip() {
    Schedule s = Schedule::qerl(0.01, 0.0001, 6);
    const auto j = s.toJson();
    QCOMPARE(j["level_values"].size(), size_t(5));
    const auto back = Schedule::fromJson(j);
    QCOMPARE(back.levelValues(), s.levelValues());
    QCOMPARE(back.warmupFraction, s.warmupFraction);
    QVERIFY(throwsWith([] { Schedule::fromJson({{"levels", "nine"}}); }, "wrong type"));
    QVERIFY(throwsWith([] { Schedule::fromJson({{"sigma_end", 0.0}}); }, "sigma_end = 0"));
  }

  void configurationLayerSets() {
    auto s = settings();
    s.custom["edges"] = {0, 5};
    s.configs = {"baseline", "global", "targeted", "healthy", "edges"};
    const auto c = srdd::aqn::resolveConfigs(s, 6);
    QCOMPARE(c.size(), size_t(5));
    QVERIFY(c[0].noiseLayers.empty());
    QCOMPARE(c[1].noiseLayers, (std::vector<int>{0, 1, 2, 3, 4, 5}));
    QCOMPARE(c[2].noiseLayers, (std::vector<int>{1, 4}));
    QCOMPARE(c[3].noiseLayers, (std::vector<int>{0, 2, 3, 5}));
    QCOMPARE(c[4].noiseLayers, (std::vector<int>{0, 5}));
  }

  void invalidSettingsAreErrors() {
    auto with = [](std::function<void(srdd::aqn::ComparisonSettings&)> edit, const std::string& part, int layers = 6) {
      auto s = settings();
      edit(s);
      return throwsWith([&] { srdd::aqn::resolveConfigs(s, layers); }, part);
    };
    QVERIFY(with([](auto& s) { s.configs = {"baseline", "bogus"}; }, "unknown configuration 'bogus'"));
    QVERIFY(with([](auto& s) { s.targets = {1, 9}; }, "target layer 9 is outside the model's 6 layers"));
    QVERIFY(with([](auto& s) { s.targets.clear(); }, "needs target layers"));
    QVERIFY(with([](auto& s) { s.targets = {0, 1, 2, 3, 4, 5}; }, "healthy configuration is empty"));
    QVERIFY(with([](auto& s) { s.configs = {"global", "global"}; }, "listed twice"));
    QVERIFY(with([](auto& s) { s.seeds = 1; }, "seeds = 1"));
    QVERIFY(with([](auto& s) { s.custom["global"] = {1}; }, "name of a built-in"));
    QVERIFY(with([](auto& s) { s.custom["bad/name"] = {1}; }, "custom configuration name"));
    QVERIFY(with([](auto& s) { s.custom["x"] = {7}; }, "layer 7 is outside"));
    QVERIFY(with([](auto& s) { s.train.steps = 0; }, "steps = 0"));
    QVERIFY(with([](auto& s) { s.train.learningRate = -1; }, "learning rate"));
    QVERIFY(with([](auto& s) { s.train.trainable = "model.(layers"; }, "not a valid regular expression"));
    QVERIFY(with([](auto& s) { s.train.quantization = {{"mode", "w16a4"}}; }, "must be w4a16"));
    QVERIFY(with([](auto& s) { s.noise.schedule.sigmaEnd = 0; }, "sigma_end = 0"));
    QVERIFY(with([](auto& s) { s.dtype = "int8"; }, "unknown dtype"));
    // Without training quantization any plan is allowed (the evaluation uses it).
    auto s = settings();
    s.train.quantizeTraining = false;
    s.train.quantization = {{"mode", "w16a4"}};
    QCOMPARE(srdd::aqn::resolveConfigs(s, 6).size(), size_t(4));
  }

  void settingsJsonRoundTrip() {
    auto s = settings();
    s.custom["mid"] = {2, 3};
    s.configs.push_back("mid");
    s.train.steps = 7;
    s.noise.scale = srdd::aqn::NoiseScale::RelativeRms;
    s.noise.schedule = Schedule::qerl(0.02, 0.002, 4);
    const auto j = s.toJson();
    const auto back = srdd::aqn::ComparisonSettings::fromJson(j);
    QCOMPARE(back.toJson(), j);
    QCOMPARE(back.train.steps, 7);
    QCOMPARE(back.custom.at("mid"), (std::vector<int>{2, 3}));
    QVERIFY(throwsWith([] { srdd::aqn::ComparisonSettings::fromJson({{"seeds", "five"}}); }, "settings.seeds"));
    QVERIFY(throwsWith(
        [] {
          srdd::aqn::ComparisonSettings::fromJson({{"protocol", "magic"}});
        },
        "unknown AQN protocol"));
  }

  void testPairsAndLegacySign() {
    // targeted vs global first, then each configuration vs baseline; the scripts' t_stat is
    // ttest_ind(global, targeted), the negative of our targeted-minus-global Student t.
    const std::vector<srdd::aqn::ConfigSpec> specs = {{"baseline", {}}, {"global", {0, 1}}, {"targeted", {1}}};
    const std::vector<double> b = {3.10, 3.12, 3.08}, g = {3.00, 3.05, 2.98}, t = {2.90, 2.97, 2.91};
    std::vector<srdd::aqn::RunResult> runs;
    for (const auto& [name, values] :
         {std::make_pair("baseline", b), std::make_pair("global", g), std::make_pair("targeted", t)})
      for (int k = 0; k < 3; ++k) {
        srdd::aqn::RunResult r;
        r.config = name;
        r.seedIndex = k;
        r.evalLossQuantized = values[static_cast<size_t>(k)];
        r.evalLossBf16 = values[static_cast<size_t>(k)] - 0.1;
        runs.push_back(r);
      }
    const auto configs = srdd::aqn::summarizeConfigs(specs, runs, true);
    QCOMPARE(configs[2].lossesQuantized, t);
    QCOMPARE(configs[1].quantized.n, 3);
    QVERIFY(std::abs(configs[0].quantized.mean - 3.10) < 1e-12);
    QVERIFY(std::abs(configs[0].bf16.mean - 3.00) < 1e-12);
    const auto tests = srdd::aqn::compareConfigs(configs);
    QCOMPARE(tests.size(), size_t(3));
    QCOMPARE(QString::fromStdString(tests[0].a + "/" + tests[0].b), QString("targeted/global"));
    QCOMPARE(QString::fromStdString(tests[1].a + "/" + tests[1].b), QString("global/baseline"));
    QCOMPARE(QString::fromStdString(tests[2].a + "/" + tests[2].b), QString("targeted/baseline"));
    QVERIFY(std::abs(tests[0].meanDifference - (stats(t) - stats(g))) < 1e-12);
    QCOMPARE(tests[0].paired.p, srdd::stats::pairedTTest(t, g).p);
    QCOMPARE(tests[0].welch.p, srdd::stats::welchTTest(t, g).p);
    QCOMPARE(-tests[0].student.t, srdd::stats::studentTTest(g, t).t);
    QVERIFY(tests[0].cohensD < 0);  // targeted is lower
    QVERIFY(tests[0].error.empty());

    srdd::aqn::ComparisonResult r;
    r.settings.protocol = srdd::aqn::Protocol::Reference;
    r.configs = configs;
    r.tests = tests;
    r.runs = runs;
    const auto j = r.toJson();
    QVERIFY(j.at("label").get<std::string>().find("NOT AQN training") != std::string::npos);
    const auto legacy = j.at("legacy_aqn_results");
    QCOMPARE(legacy.at("comparison").at("t_stat").get<double>(), srdd::stats::studentTTest(g, t).t);
    QCOMPARE(legacy.at("comparison").at("targeted_better").get<bool>(), true);
    // Population standard deviation (np.std), as the scripts printed it.
    const double m = (3.00 + 3.05 + 2.98) / 3;
    const double pop = std::sqrt(((3.00 - m) * (3.00 - m) + (3.05 - m) * (3.05 - m) + (2.98 - m) * (2.98 - m)) / 3);
    QVERIFY(std::abs(legacy.at("global_aqn").at("std").get<double>() - pop) < 1e-12);
  }

  void identicalValuesGiveAnExplainedTest() {
    // No spread at all (e.g. the reference protocol's noise-free baseline vs itself): no NaN, an explanation.
    const std::vector<srdd::aqn::ConfigSpec> specs = {{"baseline", {}}, {"global", {0}}};
    std::vector<srdd::aqn::RunResult> runs;
    for (const char* name : {"baseline", "global"})
      for (int k = 0; k < 3; ++k) {
        srdd::aqn::RunResult r;
        r.config = name;
        r.seedIndex = k;
        r.evalLossQuantized = 3.0;
        runs.push_back(r);
      }
    const auto tests = srdd::aqn::compareConfigs(srdd::aqn::summarizeConfigs(specs, runs, false));
    QCOMPARE(tests.size(), size_t(1));
    QVERIFY(!tests[0].error.empty() || std::isfinite(tests[0].welch.p));
  }

 private:
  static double stats(const std::vector<double>& v) { return srdd::stats::mean(v); }
};

QTEST_APPLESS_MAIN(TestAqnSchedule)
#include "test_aqn_schedule.moc"
