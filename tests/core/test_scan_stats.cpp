// Scan statistics and fidelity metrics against closed-form values and hand computations.
#include <ATen/ATen.h>

#include <cmath>

#include "srdd/mx_quant.h"
#include "srdd/scan_fidelity.h"
#include "srdd/scan_stats.h"

#include <QtTest/QtTest>

class TestScanStats : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // Population excess kurtosis: Gaussian 0, uniform -1.2, Laplace 3. Bounds are ~5 standard errors
  // of the estimator at these sample sizes (sqrt(24/n) for the Gaussian).
  void kurtosisOfKnownDistributions() {
    at::manual_seed(1);
    const int64_t n = 4'000'000;
    QVERIFY(std::fabs(srdd::excessKurtosis(at::randn({n}, at::kDouble))) < 5 * std::sqrt(24.0 / n));
    QVERIFY(std::fabs(srdd::excessKurtosis(at::rand({n}, at::kDouble)) + 1.2) < 0.005);
    at::Tensor u = at::rand({n}, at::kDouble) - 0.5;
    at::Tensor laplace = -u.sign() * at::log1p(-2 * u.abs());
    QVERIFY(std::fabs(srdd::excessKurtosis(laplace) - 3.0) < 0.15);
    // By hand: {1,2,3,4}: m2 = 1.25, m4 = 2.5625, k = 2.5625/1.5625 - 3 = -1.36.
    QVERIFY(std::fabs(srdd::excessKurtosis(at::tensor({1.0, 2.0, 3.0, 4.0})) + 1.36) < 1e-12);
    QVERIFY(std::isnan(srdd::excessKurtosis(at::ones({10}))));
  }

  void maskedStatisticsIgnorePadding() {
    at::Tensor x = at::randn({2, 5, 8}, at::kDouble);
    at::Tensor mask = at::tensor({1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, at::kLong).view({2, 5}).to(at::kBool);
    x[1].narrow(0, 3, 2).fill_(1e6);  // padding garbage must not matter
    auto k = srdd::maskedKurtosis(x, mask);
    auto s = srdd::maskedStd(x, mask, true);
    QVERIFY(std::fabs(k[0] - srdd::excessKurtosis(x[0])) < 1e-9);
    QVERIFY(std::fabs(k[1] - srdd::excessKurtosis(x[1].narrow(0, 0, 3))) < 1e-9);
    QVERIFY(std::fabs(s[1] - x[1].narrow(0, 0, 3).std().item<double>()) < 1e-9);
  }

  void robustZByHand() {
    // med 3, |v - med| = {2,1,0,1,97} -> MAD 1; z = (v - 3) / 1.4826.
    auto z = srdd::robustZ({1, 2, 3, 4, 100});
    QVERIFY(std::fabs(z[4] - 97 / 1.4826) < 1e-9 && std::fabs(z[0] + 2 / 1.4826) < 1e-9);
    // MAD 0 -> floor max(0.01 * |med|, 1e-6) = 0.05.
    z = srdd::robustZ({5, 5, 5, 5, 6});
    QVERIFY(std::fabs(z[4] - 1 / (1.4826 * 0.05)) < 1e-9 && z[0] == 0.0);
    z = srdd::robustZ({0, 0, 0, NAN});
    QVERIFY(z[0] == 0.0 && std::isnan(z[3]));
  }

  void tIntervalByHand() {
    // t(0.975, df) from tables: 12.7062047 (df 1), 2.0210754 (df 40). {0, 2}: mean 1, sd sqrt(2);
    // 41 values alternating 0, 2 (21 zeros): mean 40/41, sd sqrt(Σ(x - m)^2 / 40).
    auto two = srdd::summarize({0, 2});
    QVERIFY(std::fabs(two.ciHigh - (1 + 12.7062047 * std::sqrt(2.0) / std::sqrt(2.0))) < 1e-6);
    std::vector<double> alt;
    for (int i = 0; i < 41; ++i) alt.push_back(i % 2 ? 2 : 0);
    const double m = 40.0 / 41, sd = std::sqrt((21 * m * m + 20 * (2 - m) * (2 - m)) / 40);
    QVERIFY(std::fabs(srdd::summarize(alt).ciHigh - (m + 2.0210754 * sd / std::sqrt(41.0))) < 1e-6);
    auto s = srdd::summarize({1, 2, 3, NAN});
    QCOMPARE(s.n, 3);
    QVERIFY(std::fabs(s.mean - 2) < 1e-12 && std::fabs(s.stddev - 1) < 1e-12);
    QVERIFY(std::fabs(s.ciHigh - (2 + 4.30265273 / std::sqrt(3.0))) < 1e-7);
    QVERIFY(std::isnan(srdd::summarize({}).mean));
  }

  // Every value on the E2M1 grid with block amax 6 -> scale 2^0: quantization is exact.
  void exactlyRepresentableTensor() {
    const float grid[] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
    at::Tensor x = at::empty({4, 64});
    for (int64_t i = 0; i < x.numel(); ++i) x.view({-1})[i] = (i % 3 ? -1 : 1) * grid[(i * 5) % 8];
    for (int64_t b = 0; b < 8; ++b) x.view({-1})[b * 32] = 6;  // amax 6 in every block
    auto spec = srdd::parseQuantSpec("mxfp4");
    auto f = srdd::measureFidelity(x, spec);
    QCOMPARE(f.sqnrDb, srdd::kSqnrCapDb);
    QCOMPARE(f.deadzone, 0.0);
    QCOMPARE(f.clipping, 0.0);
    QCOMPARE(f.relativeError, 0.0);
    QCOMPARE(f.maxAbsError, 0.0);
  }

  // One block of 32: amax 7.5 -> scale 2^(floor(log2 7.5) - 2) = 1; 7.5 > 6 clips (1 of 32); 0.2 < 0.25
  // rounds to 0 (deadzone 1 of 32); 1.0 is exact.
  void clippingAndDeadzoneByHand() {
    at::Tensor x = at::ones({1, 32});
    x[0][0] = 7.5;
    x[0][1] = 0.2f;
    auto spec = srdd::parseQuantSpec("mxfp4");
    auto f = srdd::measureFidelity(x, spec);
    QCOMPARE(f.clipping, 1.0 / 32);
    QCOMPARE(f.deadzone, 1.0 / 32);
    // e = {-1.5, -0.2, 0...}: SQNR = 10 log10((56.25 + 0.04 + 30) / (2.25 + 0.04)).
    const double expected = 10 * std::log10((56.25 + 0.04000000298 + 30) / (2.25 + 0.04000000298));
    QVERIFY(std::fabs(f.sqnrDb - expected) < 1e-6);
    QVERIFY(std::fabs(f.relativeError - (1.5 / 7.5 + 1.0) / 32) < 1e-7);
    // With the RCEIL scale rule the block scale is 2 and nothing clips.
    spec.scale = srdd::ScaleRule::RCeil;
    QCOMPARE(srdd::measureFidelity(x, spec).clipping, 0.0);
  }

  void poolingSumsEnergies() {
    at::Tensor a = at::randn({8, 32}), b = at::randn({4, 64}) * 3;
    auto spec = srdd::parseQuantSpec("mxfp4");
    auto pooled = srdd::poolFidelity({srdd::measureFidelity(a, spec), srdd::measureFidelity(b, spec)});
    at::Tensor all = at::cat({a.reshape({-1, 32}), b.reshape({-1, 32})});
    auto direct = srdd::measureFidelity(all, spec);
    QVERIFY(std::fabs(pooled.sqnrDb - direct.sqnrDb) < 1e-9);
    QVERIFY(std::fabs(pooled.relativeError - direct.relativeError) < 1e-9);
  }

  void edgePileUp() {
    at::manual_seed(3);
    at::Tensor x = at::cat({at::rand({100000}), at::ones({20000})});  // a pile at the right edge
    const double r = srdd::edgePileupRatio(x);
    QVERIFY2(r > 18 && r < 24, qPrintable(QString::number(r)));  // ≈ (1000 + 20000) / 1000 = 21
    QCOMPARE(srdd::edgePileupRatio(at::ones({1000})), 0.0);
  }
};

QTEST_APPLESS_MAIN(TestScanStats)
#include "test_scan_stats.moc"
