// Statistics against independent truth: closed forms of the incomplete beta and Student-t functions
// (Abramowitz & Stegun 26.7.3-4), published t-table values, published test results (R's `sleep` example, the
// research reference §3.6), numeric integration of the t density, and hand-computed samples.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "srdd/error.h"
#include "srdd/statistics.h"

#include <QtTest/QtTest>

namespace st = srdd::stats;

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kInf = std::numeric_limits<double>::infinity();
using Vec = std::vector<double>;

bool srdd_errorContains(const std::function<void()>& f, const char* part) {
  try {
    f();
  } catch (const srdd::Error& e) {
    if (std::string(e.what()).find(part) != std::string::npos) return true;
    qWarning("message '%s' lacks '%s'", e.what(), part);
    return false;
  }
  qWarning("no srdd::Error (expected '%s')", part);
  return false;
}

bool near(double actual, double expected, double relTol, double absTol = 0) {
  const double err = std::fabs(actual - expected);
  if (err <= absTol || err <= relTol * std::fabs(expected)) return true;
  qWarning("got %.17g, expected %.17g (rel err %.3g)", actual, expected, err / std::fabs(expected));
  return false;
}

// A&S 26.7.3-4: A(t|ν) = P(|T| <= t) for integer ν, in elementary functions.
double closedFormA(double t, int nu) {
  const double th = std::atan(std::fabs(t) / std::sqrt(double(nu))), s = std::sin(th), c = std::cos(th);
  if (nu == 1) return 2 * th / kPi;
  double term = nu % 2 == 0 ? 1 : c, sum = term;
  for (int k = nu % 2 == 0 ? 2 : 3; k <= nu - 2; k += 2) sum += term *= c * c * (k - 1) / k;
  return nu % 2 == 0 ? s * sum : 2 / kPi * (th + s * sum);
}

// P(|T| >= |t|) by composite Simpson integration of the t density over [0, |t|] (any real ν > 0); as 1 − 2∫ it is
// good to ~1e-14 absolute, not relative, so callers compare with kIntegrationAbsTol.
constexpr double kIntegrationAbsTol = 3e-14;
double integratedTwoSidedP(double t, double nu) {
  const double norm = std::tgamma((nu + 1) / 2) / std::tgamma(nu / 2) / std::sqrt(nu * kPi);  // ν < 300 here
  auto f = [&](double s) { return norm * std::pow(1 + s * s / nu, -(nu + 1) / 2); };
  const int n = 20000;
  const double h = std::fabs(t) / n;
  double sum = f(0) + f(std::fabs(t));
  for (int i = 1; i < n; ++i) sum += (i % 2 ? 4 : 2) * f(i * h);
  return 1 - 2 * sum * h / 3;
}

double meanOf(const Vec& x) {
  double s = 0;
  for (double v : x) s += v;
  return s / x.size();
}
double varOf(const Vec& x) {  // sample variance, textbook formula
  const double m = meanOf(x);
  double s = 0;
  for (double v : x) s += (v - m) * (v - m);
  return s / (x.size() - 1);
}

template <class F>
QString errorOf(F&& f) {
  try {
    f();
  } catch (const srdd::Error& e) {
    return QString::fromUtf8(e.what());
  }
  return {};
}

// R's `sleep` data set (Cushny & Peebles, used by Student 1908): extra sleep under two drugs, same 10 patients.
const Vec kSleep1{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
const Vec kSleep2{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
}  // namespace

class TestStatistics : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void incompleteBetaClosedForms() {
    for (double x : {1e-12, 1e-4, 0.05, 0.3, 0.5, 0.77, 0.95, 0.9999}) {
      for (double p : {0.2, 1.0, 2.5, 7.0, 40.0, 1000.0}) {
        // I_x(1, b) = 1 − (1−x)^b and I_x(a, 1) = x^a.
        QVERIFY(near(st::regularizedIncompleteBeta(1, p, x), -std::expm1(p * std::log1p(-x)), 1e-13));
        const double xa = std::pow(x, p);
        if (xa > 1e-290) QVERIFY(near(st::regularizedIncompleteBeta(p, 1, x), xa, 1e-13));
      }
      // I_x(½, ½) = (2/π) asin √x.
      QVERIFY(near(st::regularizedIncompleteBeta(0.5, 0.5, x), 2 / kPi * std::asin(std::sqrt(x)), 1e-13));
    }
    // Symmetry I_x(a, b) = 1 − I_{1−x}(b, a), on both sides of the continued fraction's switch point.
    for (double a : {0.3, 2.0, 17.5, 300.0})
      for (double b : {0.7, 4.0, 55.0})
        for (double x : {0.01, 0.25, 0.5, 0.75, 0.99})
          QVERIFY(
              near(st::regularizedIncompleteBeta(a, b, x) + st::regularizedIncompleteBeta(b, a, 1 - x), 1, 0, 4e-15));
    QCOMPARE(st::regularizedIncompleteBeta(3, 4, 0), 0.0);
    QCOMPARE(st::regularizedIncompleteBeta(3, 4, 1), 1.0);
  }

  // For integers, I_x(k, n−k+1) = P(Binomial(n, x) >= k), an exactly summable binomial tail.
  void incompleteBetaBinomialTail() {
    struct Case {
      int n, k;
      double x;
    };
    for (const Case c : {Case{49, 30, 0.6}, Case{49, 45, 0.3}, Case{200, 10, 0.2}, Case{20, 1, 0.01}}) {
      std::vector<double> term(c.n + 1);
      term[0] = std::pow(1 - c.x, c.n);
      for (int j = 1; j <= c.n; ++j) term[j] = term[j - 1] * (c.n - j + 1) / j * c.x / (1 - c.x);
      double tail = 0;
      for (int j = c.n; j >= c.k; --j) tail += term[j];
      QVERIFY(near(st::regularizedIncompleteBeta(c.k, c.n - c.k + 1, c.x), tail, 1e-12));
    }
  }

  void incompleteBetaRejectsBadArguments() {
    const double nan = std::nan("");
    for (auto [a, b, x] : {std::tuple{0.0, 1.0, 0.5},
                           {1.0, -2.0, 0.5},
                           {1.0, 1.0, 1.5},
                           {1.0, 1.0, -0.1},
                           {nan, 1.0, 0.5},
                           {1.0, 1.0, nan},
                           {kInf, 1.0, 0.5}})
      QVERIFY(errorOf([&] { st::regularizedIncompleteBeta(a, b, x); }).contains("incomplete beta"));
  }

  void cdfClosedForms() {
    for (double t : {-50.0, -3.0, -1.0, -0.2, 0.0, 0.7, 2.0, 10.0}) {
      QVERIFY(near(st::studentTCdf(t, 1), 0.5 + std::atan(t) / kPi, 1e-14, 1e-15));  // Cauchy
      QVERIFY(near(st::studentTCdf(t, 2), 0.5 + t / (2 * std::sqrt(t * t + 2)), 1e-14, 1e-15));
      for (int nu = 3; nu <= 9; ++nu)
        QVERIFY(near(st::studentTCdf(t, nu), 0.5 + std::copysign(0.5, t) * closedFormA(t, nu), 1e-13, 1e-15));
      QVERIFY(near(st::studentTCdf(t, 3.7) + st::studentTCdf(-t, 3.7), 1, 0, 2e-16));
    }
    // Far lower tails keep relative precision: F(−t) = atan(1/t)/π for ν = 1, 1/(√(t²+2)(√(t²+2)+t)) for ν = 2.
    for (double t : {1e3, 1e8, 1e150}) {
      QVERIFY(near(st::studentTCdf(-t, 1), std::atan(1 / t) / kPi, 1e-13));
      const double r = std::sqrt(t * t + 2);
      if (std::isfinite(r)) QVERIFY(near(st::studentTCdf(-t, 2), 1 / (r * (r + t)), 1e-13));
    }
    QVERIFY(near(st::studentTCdf(1.959963984540054, kInf), 0.975, 1e-15));  // ν = ∞: the normal distribution
  }

  void fractionalDfAgainstIntegration() {
    for (double nu : {0.7, 2.5, 7.3, 17.776, 123.4})
      for (double t : {0.3, 1.3, 2.2, 4.0})
        QVERIFY(near(st::studentTTwoSidedP(t, nu), integratedTwoSidedP(t, nu), 1e-11, kIntegrationAbsTol));
  }

  // Tiny two-sided p-values are computed directly, not as 1 − CDF.
  void twoSidedPRelativeTails() {
    QVERIFY(near(st::studentTTwoSidedP(1e10, 1), 2 * std::atan(1e-10) / kPi, 1e-13));
    const double r = std::sqrt(1e10 + 2);
    QVERIFY(near(st::studentTTwoSidedP(-1e5, 2), 2 / (r * (r + 1e5)), 1e-13));
    // Large ν: P(T > t) = Q(t) + φ(t)(t³ + t)/(4ν) + O(ν⁻²) (Edgeworth); the O(ν⁻²) term is below 2e-13 here.
    // (1e12, 37.5) reaches p ≈ 1e-307, where erfc is near underflow.
    for (auto [nu, t] :
         {std::pair{1e9, 0.5}, {1e9, 1.0}, {1e9, 3.0}, {1e9, 6.0}, {1e12, 1.0}, {1e12, 6.0}, {1e12, 37.5}}) {
      const double phi = std::exp(-t * t / 2) / std::sqrt(2 * kPi);
      const double tail = 0.5 * std::erfc(t / std::sqrt(2.0)) + phi * (t * t * t + t) / (4 * nu);
      QVERIFY(near(st::studentTTwoSidedP(t, nu), 2 * tail, 1e-12));
    }
    QCOMPARE(st::studentTTwoSidedP(0, 3), 1.0);
    QCOMPARE(st::studentTTwoSidedP(-kInf, 3), 0.0);
  }

  // Extreme but valid arguments give finite, sensible answers (never NaN, never a hang).
  void extremeArguments() {
    QVERIFY(near(st::studentTQuantile(0.95, 1e300), 1.6448536269514722, 1e-14));  // z_{0.95} of the normal
    QVERIFY(near(st::studentTCdf(2, 1e300), 0.5 * std::erfc(-2 / std::sqrt(2.0)), 1e-14));
    for (double t : {1e149, 1e150, 1e160}) QCOMPARE(st::studentTTwoSidedP(t, 1e300), 0.0);  // p < 1e-308
    QVERIFY(near(st::studentTCdf(1, 1e-320), 0.5, 1e-12));  // ν → 0: all mass at ±∞
    QCOMPARE(st::studentTQuantile(0.3, 1e-5), -kInf);       // the quantile lies beyond the largest double
    // I_x(a, 2) = x^a (1 + a(1−x)). Huge a with x near 1 and b ≠ ½ is the continued fraction's weak spot (see
    // docs/statistics.md): relative error ~1e-19 x/(1−x) with long double.
    const double x = 1 - 1e-10, y = 1 - x;
    QVERIFY(near(st::regularizedIncompleteBeta(1e12, 2, x), std::exp(1e12 * std::log1p(-y)) * (1 + 1e12 * y), 1e-8));
  }

  void quantileTableValues() {
    struct Row {
      double p, df, t, tol;
    };
    // Published t-table critical values (6–7 significant digits).
    for (const Row r : {Row{0.975, 4, 2.776445, 1e-6},
                        {0.975, 10, 2.228139, 1e-6},
                        {0.995, 1, 63.65674, 1e-5},
                        {0.975, 30, 2.042272, 1e-6},
                        {0.975, 1, 12.70620, 1e-5},
                        {0.975, 2, 4.302653, 1e-6},
                        {0.95, 5, 2.015048, 1e-6},
                        {0.99, 20, 2.527977, 1e-6},
                        {0.999, 3, 10.21453, 1e-5},
                        {0.975, 7, 2.364624, 1e-6},
                        {0.95, 1e6, 1.644854, 2e-6}}) {
      QVERIFY(near(st::studentTQuantile(r.p, r.df), r.t, 0, r.tol));
      QVERIFY(near(st::studentTQuantile(1 - r.p, r.df), -r.t, 0, r.tol));
    }
  }

  void quantileClosedFormsAndRoundTrip() {
    // ν = 1: tan(π(p − ½)); ν = 2: (2p − 1)/√(2p(1 − p)).
    for (double p : {1e-100, 1e-10, 0.001, 0.2, 0.5, 0.6, 0.975, 0.999999}) {
      const double q = std::min(p, 1 - p);  // tan(π(p − ½)) = ∓cot(πq), without the pole's rounding
      QVERIFY(near(st::studentTQuantile(p, 1), std::copysign(1 / std::tan(kPi * q), p - 0.5), 1e-12, 1e-15));
      QVERIFY(near(st::studentTQuantile(p, 2), (2 * p - 1) / std::sqrt(2 * p * (1 - p)), 1e-12, 1e-15));
    }
    for (double df : {0.3, 1.0, 2.5, 7.0, 30.0, 1e4, 1e8})
      for (double p : {1e-300, 1e-50, 1e-8, 0.01, 0.3, 0.7, 0.99, 1 - 1e-12}) {
        const double t = st::studentTQuantile(p, df);
        if (std::isinf(t)) {  // only where the quantile lies beyond the largest double
          QVERIFY(p < 0.5 && st::studentTCdf(-std::numeric_limits<double>::max(), df) > p);
          continue;
        }
        QVERIFY(near(st::studentTCdf(-std::fabs(t), df), std::min(p, 1 - p), 1e-12));  // 1 − p is exact here
      }
    QCOMPARE(st::studentTQuantile(0.5, 3), 0.0);
    QCOMPARE(st::studentTQuantile(0, 3), -kInf);
    QCOMPARE(st::studentTQuantile(1, 3), kInf);
    for (auto [p, df] : {std::pair{-0.1, 3.0}, {1.1, 3.0}, {std::nan(""), 3.0}, {0.5, 0.0}, {0.5, -1.0}})
      QVERIFY(!errorOf([&] { st::studentTQuantile(p, df); }).isEmpty());
    QVERIFY(errorOf([] { st::studentTCdf(1, 0); }).contains("degrees of freedom"));
    QVERIFY(errorOf([] { st::studentTCdf(std::nan(""), 3); }).contains("NaN"));
  }

  void summaryHandExamples() {
    // {2,4,4,4,5,5,7,9}: mean 5, Σ(x−5)² = 32, sd = √(32/7); CI half-width t_{0.975,7} sd/√8 (table 2.364624).
    const st::Summary s = st::summarize({2, 4, 4, 4, 5, 5, 7, 9});
    QCOMPARE(s.n, 8);
    QVERIFY(near(s.mean, 5, 1e-15));
    QVERIFY(near(s.sd, std::sqrt(32.0 / 7), 1e-15));
    QVERIFY(near(s.ciHigh, 5 + 2.364624 * std::sqrt(32.0 / 7) / std::sqrt(8.0), 0, 1e-6));
    QVERIFY(near(s.ciLow, 5 - 2.364624 * std::sqrt(32.0 / 7) / std::sqrt(8.0), 0, 1e-6));
    // {1,2,3}: mean 2, sd 1; ν = 2 quantiles are closed-form, so the CI is exact: 2 ± t/√3.
    for (double conf : {0.95, 0.9, 0.5}) {
      const double p = 0.5 + conf / 2, t = (2 * p - 1) / std::sqrt(2 * p * (1 - p));
      const st::Summary m = st::summarize({1, 2, 3}, conf);
      QVERIFY(near(m.sd, 1, 1e-15));
      QVERIFY(near(m.ciLow, 2 - t / std::sqrt(3.0), 1e-13));
      QVERIFY(near(m.ciHigh, 2 + t / std::sqrt(3.0), 1e-13));
    }
    const st::Summary c = st::summarize({3.1, 3.1, 3.1});
    QVERIFY(c.mean == 3.1 && c.sd == 0 && c.ciLow == 3.1 && c.ciHigh == 3.1);
    const st::Summary big = st::summarize({1e9 + 1, 1e9 + 2, 1e9 + 3});  // no cancellation from large offsets
    QVERIFY(near(big.sd, 1, 1e-12));
    QVERIFY(near(st::mean({4.0}), 4, 0));
    QVERIFY(near(st::sampleSd({1, 2, 3, 4}), std::sqrt(5.0 / 3), 1e-15));
  }

  // Research reference §3.6: 5.0012±0.3624 vs 4.9306±0.3248 (population sd, n = 5) under scipy's ttest_ind
  // (Student, equal variances) gives p = 0.7791. z below has mean 0 and population sd exactly 1.
  void studentReferenceExample() {
    const Vec z{-1.5, -0.5, 0, 0.5, 1.5};
    Vec a, b;
    for (double v : z) {
      a.push_back(5.0012 + 0.3624 * v);
      b.push_back(4.9306 + 0.3248 * v);
    }
    const st::TTest r = st::studentTTest(a, b);
    QCOMPARE(r.df, 8.0);
    // By hand: sample variance = 1.25 × population variance; t = Δ / √(s²_pooled (1/5 + 1/5)).
    const double sp2 = 1.25 * (0.3624 * 0.3624 + 0.3248 * 0.3248) / 2;
    QVERIFY(near(r.t, (5.0012 - 4.9306) / std::sqrt(sp2 * 0.4), 1e-12));
    QVERIFY(near(r.p, 0.7791, 0, 5e-5));
    QVERIFY(near(r.p, 1 - closedFormA(r.t, 8), 1e-12));
  }

  // Published: R `t.test(extra ~ group, data = sleep, ...)`.
  void sleepDataPublishedResults() {
    const st::TTest paired = st::pairedTTest(kSleep1, kSleep2);
    QVERIFY(near(paired.t, -4.0621, 0, 5e-5));
    QCOMPARE(paired.df, 9.0);
    QVERIFY(near(paired.p, 0.002833, 0, 5e-7));
    const st::TTest welch = st::welchTTest(kSleep1, kSleep2);
    QVERIFY(near(welch.t, -1.8608, 0, 5e-5));
    QVERIFY(near(welch.df, 17.776, 0, 5e-4));
    QVERIFY(near(welch.p, 0.07939, 0, 5e-6));
    const st::TTest student = st::studentTTest(kSleep1, kSleep2);
    QVERIFY(near(student.t, -1.8608, 0, 5e-5));
    QCOMPARE(student.df, 18.0);
    QVERIFY(near(student.p, 0.07919, 0, 5e-6));
  }

  // Welch's t and Welch–Satterthwaite df from the textbook formulas; p by integrating the density (fractional df).
  void welchAgainstFormulas() {
    const Vec a{27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
    const Vec b{27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4, 26.0, 19.8};
    for (const auto& [x, y] : {std::pair{a, b}, {kSleep1, kSleep2}, {kSleep1, Vec{1.2, 3.5, 0.4, 2.8, 5.1}}}) {
      const double u = varOf(x) / x.size(), w = varOf(y) / y.size();
      const double t = (meanOf(x) - meanOf(y)) / std::sqrt(u + w);
      const double df = (u + w) * (u + w) / (u * u / (x.size() - 1) + w * w / (y.size() - 1));
      const st::TTest r = st::welchTTest(x, y);
      QVERIFY(near(r.t, t, 1e-12));
      QVERIFY(near(r.df, df, 1e-12));
      QVERIFY(near(r.p, integratedTwoSidedP(t, df), 1e-11, kIntegrationAbsTol));
      const st::TTest swapped = st::welchTTest(y, x);
      QVERIFY(swapped.t == -r.t && swapped.df == r.df && swapped.p == r.p);
    }
    // Equal sizes and equal variances: Welch's df is 2(n − 1) and its t equals Student's.
    const st::TTest w = st::welchTTest({1, 2, 3, 4}, {3, 5, 7, 9}), s = st::studentTTest({1, 2, 3, 4}, {3, 5, 7, 9});
    QVERIFY(near(w.t, s.t, 1e-14));
    const st::TTest e = st::welchTTest({1, 2, 3, 4}, {2, 3, 4, 5});
    QVERIFY(near(e.df, 6, 1e-14));
    QVERIFY(near(e.t, -1 / std::sqrt(2 * (5.0 / 3) / 4), 1e-14));
  }

  void pairedByHand() {
    // d = {0.5, 1, 2}: mean 7/6, var 7/12, t = (7/6)/√(7/36) = √7, df 2, p = 1 − t/√(t²+2) = 1 − √7/3.
    const st::TTest r = st::pairedTTest({1, 2, 4}, {0.5, 1, 2});
    QVERIFY(near(r.t, std::sqrt(7.0), 1e-14));
    QCOMPARE(r.df, 2.0);
    QVERIFY(near(r.p, 1 - std::sqrt(7.0) / 3, 1e-13));
    // d = {2, 3}: mean 2.5, sd √0.5, se 0.5, t = 5, df 1, p = 1 − 2 atan(5)/π.
    const st::TTest q = st::pairedTTest({3, 5}, {1, 2});
    QVERIFY(near(q.t, 5, 1e-14));
    QVERIFY(near(q.p, 1 - 2 * std::atan(5.0) / kPi, 1e-13));
  }

  // d_z = mean(d)/sd(d): d = {0.5, 1, 2} has mean 7/6 and sd √(7/12), so d_z = (7/6)/√(7/12) = √(7/3).
  void pairedDzByHand() {
    QVERIFY(near(st::pairedDz({1, 2, 4}, {0.5, 1, 2}), std::sqrt(7.0 / 3), 1e-14));
    // Sleep data: differences mean −1.58, sd 1.2300; d_z = −1.2846 (t/√n = −4.0621/√10).
    QVERIFY(near(st::pairedDz(kSleep1, kSleep2), st::pairedTTest(kSleep1, kSleep2).t / std::sqrt(10.0), 1e-13));
    QVERIFY(near(st::pairedDz(kSleep1, kSleep2), -1.2846, 0, 5e-5));
    QCOMPARE(st::pairedDz({2, 3}, {1, 2}), kInf);  // constant differences
    QCOMPARE(st::pairedDz({2, 3}, {2, 3}), 0.0);
    QVERIFY(!std::isnan(st::pairedDz({2, 3}, {2, 3})));
    QVERIFY(srdd_errorContains([] { st::pairedDz({1, 2}, {1}); }, "differ in size"));
    // Paired CI: d = {2, 3}: mean 2.5, se 0.5, t_{0.975,1} = 12.706205: 2.5 ± 6.3531.
    const st::Interval ci = st::pairedDifferenceCi({3, 5}, {1, 2});
    QVERIFY(near(ci.low, 2.5 - 0.5 * 12.706204736, 1e-9));
    QVERIFY(near(ci.high, 2.5 + 0.5 * 12.706204736, 1e-9));
    // Sleep data (R t.test paired): 95 % CI of the difference −2.4598858 to −0.7001142.
    const st::Interval sleep = st::pairedDifferenceCi(kSleep1, kSleep2);
    QVERIFY(near(sleep.low, -2.4598858, 0, 5e-7));
    QVERIFY(near(sleep.high, -0.7001142, 0, 5e-7));
  }

  // Noncentral t: ncp 0 is the central t; df = ∞ is the shifted normal; published power values.
  void noncentralT() {
    for (double df : {1.0, 2.0, 4.0, 9.0, 30.0, 1000.0})
      for (double t : {-3.0, -0.7, 0.0, 0.4, 2.5, 8.0})
        QVERIFY(near(st::noncentralTCdf(t, df, 0), st::studentTCdf(t, df), 1e-10, 1e-13));
    const double inf = std::numeric_limits<double>::infinity();
    QVERIFY(near(st::noncentralTCdf(1.3, inf, 0.5), 0.5 * std::erfc(-(0.8) / std::sqrt(2.0)), 1e-14));
    QVERIFY(near(st::noncentralTCdf(1.3, 1e7, 0.5), 0.5 * std::erfc(-(0.8) / std::sqrt(2.0)), 1e-5));
    // mpmath (30 digits, integral over the chi-square density): P(T' <= 1.5 | 4, 1) and P(T' <= −2 | 7, 0.5).
    QVERIFY(near(st::noncentralTCdf(1.5, 4, 1.0), 0.640340865590047, 1e-11));
    QVERIFY(near(st::noncentralTCdf(-2, 7, 0.5), 0.0149907798727142, 1e-10));
    // R documentation, example of power.t.test(n = 20, delta = 1): power = 0.8689528 (two-sample, df 38,
    // ncp √10, upper tail only).
    const double c38 = st::studentTQuantile(0.975, 38);
    QVERIFY(near(1 - st::noncentralTCdf(c38, 38, std::sqrt(10.0)), 0.8689528, 0, 5e-8));
    QVERIFY(srdd_errorContains([] { st::noncentralTCdf(1, 0.5, 0); }, "df >= 1"));
  }

  // G*Power's paired-t example: d_z = 0.5, α = 0.05 two-sided needs 34 pairs for power 0.8, actual power 0.8077775.
  void pairedPowerAndMinimumDetectableEffect() {
    QVERIFY(near(st::pairedTTestPower(34, 0.5), 0.8077775, 0, 5e-8));
    QVERIFY(st::pairedTTestPower(33, 0.5) < 0.8);
    QVERIFY(near(st::pairedTTestPower(10, 0), 0.05, 1e-9));  // no effect: power = α
    // MDE (power 0.8, α 0.05) for n pairs, mpmath root of the exact power: n=2 11.54989, 3 3.26404, 5 1.68200, 10
    // 0.99600.
    const std::pair<int, double> mde[] = {
        {2, 11.5498884358824}, {3, 3.26404354969957}, {5, 1.68199696595555}, {10, 0.99600137145544}};
    for (const auto& [n, d] : mde) QVERIFY(near(st::pairedMinimumDetectableEffect(n), d, 1e-8));
    QVERIFY(near(st::pairedTTestPower(5, st::pairedMinimumDetectableEffect(5)), 0.8, 1e-9));
    QVERIFY(srdd_errorContains([] { st::pairedTTestPower(1, 1); }, "at least 2 pairs"));
  }

  // Holm: p = {0.01, 0.04, 0.03, 0.005} sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.02, 0.03, 0.06, 0.04,
  // running max 0.02, 0.03, 0.06, 0.06 (R p.adjust(c(.01,.04,.03,.005), "holm") = 0.03 0.06 0.06 0.02).
  void holmByHand() {
    const Vec adj = st::holmAdjust({0.01, 0.04, 0.03, 0.005});
    const Vec expected{0.03, 0.06, 0.06, 0.02};
    for (size_t i = 0; i < adj.size(); ++i) QVERIFY(near(adj[i], expected[i], 1e-15));
    QCOMPARE(st::holmAdjust({0.6, 0.9}), (Vec{1.0, 1.0}));
    QCOMPARE(st::holmAdjust({0.2}), (Vec{0.2}));
    QVERIFY(st::holmAdjust({}).empty());
    QVERIFY(srdd_errorContains([] { st::holmAdjust({0.1, 1.5}); }, "p[1]"));
  }

  void cohensDHandExamples() {
    QVERIFY(near(st::cohensD({1, 2, 3}, {4, 5, 6}), -3, 1e-15));
    // {2,4,6,8}: mean 5, var 20/3; {1,2,3}: mean 2, var 1; pooled var (3·20/3 + 2·1)/5 = 4.4.
    QVERIFY(near(st::cohensD({2, 4, 6, 8}, {1, 2, 3}), 3 / std::sqrt(4.4), 1e-15));
    QCOMPARE(st::cohensD({2, 2}, {2, 2}), 0.0);
    QCOMPARE(st::cohensD({3, 3}, {2, 2}), kInf);
  }

  // Zero spread: equal means give t = 0, p = 1; different means give t = ±inf, p = 0. Never NaN.
  void zeroSpread() {
    for (auto test : {st::welchTTest, st::studentTTest, st::pairedTTest}) {
      const st::TTest same = test({1.1, 1.1, 1.1}, {1.1, 1.1, 1.1});
      QVERIFY(same.t == 0 && same.p == 1 && std::isfinite(same.df));
      const st::TTest up = test({2.2, 2.2, 2.2}, {1.1, 1.1, 1.1});
      QVERIFY(up.t == kInf && up.p == 0);
      const st::TTest down = test({1.1, 1.1, 1.1}, {2.2, 2.2, 2.2});
      QVERIFY(down.t == -kInf && down.p == 0);
    }
    QCOMPARE(st::pairedTTest({2, 3, 4}, {1, 2, 3}).t, kInf);  // constant differences
    // One constant sample: Welch's df is the other sample's n − 1.
    const st::TTest one = st::welchTTest({5, 5, 5}, {1, 2, 3, 4, 5});
    QVERIFY(near(one.df, 4, 1e-14));
    QVERIFY(near(one.t, (5 - 3) / std::sqrt(2.5 / 5), 1e-14));
  }

  void badSamples() {
    QVERIFY(errorOf([] { st::welchTTest({1}, {1, 2}); }).contains("at least 2"));
    QVERIFY(errorOf([] { st::studentTTest({1, 2}, {}); }).contains("sample b"));
    QVERIFY(errorOf([] { st::summarize({7}); }).contains("at least 2"));
    QVERIFY(errorOf([] { st::pairedTTest({1, 2, 3}, {1, 2}); }).contains("differ in size"));
    QVERIFY(errorOf([] { st::pairedTTest({1}, {2}); }).contains("at least 2"));
    QVERIFY(errorOf([] { st::cohensD({1, 2}, {3}); }).contains("cohensD"));
    QVERIFY(errorOf([] { st::mean({}); }).contains("at least 1"));
    QVERIFY(errorOf([] { st::welchTTest({1, std::nan("")}, {1, 2}); }).contains("sample a[1] is not finite"));
    QVERIFY(errorOf([] { st::pairedTTest({1, 2}, {kInf, 2}); }).contains("not finite"));
    QVERIFY(errorOf([] { st::summarize({1, 2}, 1.0); }).contains("confidence"));
    QVERIFY(errorOf([] { st::summarize({1, 2}, 0.0); }).contains("confidence"));
    QVERIFY(errorOf([] { st::summarize({1e300, -1e300, 1e300}); }).contains("too large"));
  }

  void json() {
    const nlohmann::json s = st::toJson(st::summarize({1, 2, 3}));
    QCOMPARE(s.at("n").get<int>(), 3);
    QCOMPARE(s.at("mean").get<double>(), 2.0);
    QCOMPARE(s.at("sd").get<double>(), 1.0);
    QVERIFY(s.at("ci_low").get<double>() < 2 && s.at("ci_high").get<double>() > 2);
    const nlohmann::json t = st::toJson(st::pairedTTest({3, 5}, {1, 2}));
    QVERIFY(near(t.at("t").get<double>(), 5, 1e-14));
    QCOMPARE(t.at("df").get<double>(), 1.0);
    QVERIFY(st::toJson(st::welchTTest({2, 2}, {1, 1})).at("t").is_null());
  }
};

QTEST_APPLESS_MAIN(TestStatistics)
#include "test_statistics.moc"
