#pragma once
// Small-sample statistics for comparing runs (AQN configurations): summaries with Student-t confidence
// intervals, Welch / paired / Student t-tests with exact two-sided p-values, Cohen's d. Torch-free.
// Bad input (fewer than 2 values, NaN/inf, mismatched paired sizes, parameters out of range) throws
// srdd::Error; no function returns NaN. Formulas and edge cases: docs/statistics.md.
#include <nlohmann/json_fwd.hpp>
#include <vector>

namespace srdd::stats {

struct Summary {
  int n = 0;
  double mean = 0, sd = 0, ciLow = 0, ciHigh = 0;  // sd: sample (n-1); CI: Student t interval
};
Summary summarize(const std::vector<double>& x, double confidence = 0.95);

struct TTest {
  double t = 0, df = 0, p = 1;  // two-sided p
};
TTest welchTTest(const std::vector<double>& a, const std::vector<double>& b);    // Welch–Satterthwaite df
TTest pairedTTest(const std::vector<double>& a, const std::vector<double>& b);   // df = n-1
TTest studentTTest(const std::vector<double>& a, const std::vector<double>& b);  // pooled variance, df = na+nb-2
double cohensD(const std::vector<double>& a, const std::vector<double>& b);      // (mean a - mean b) / pooled sd
// Paired effect size d_z = mean(a_i - b_i) / sd(a_i - b_i) (sd with n-1); 0 or ±inf when the differences are constant.
double pairedDz(const std::vector<double>& a, const std::vector<double>& b);
// Confidence interval of the mean paired difference: d̄ ± t_{(1+c)/2, n-1} · s_d / √n.
struct Interval {
  double low = 0, high = 0;
};
Interval pairedDifferenceCi(const std::vector<double>& a, const std::vector<double>& b, double confidence = 0.95);

// Noncentral t: T' = (Z + ncp) / sqrt(V/df), V ~ χ²(df), df >= 1 (or +inf). P(T' <= t) by Gauss–Legendre
// quadrature of E_S[Φ(t·S − ncp)] over the scaled-χ density (relative error ~1e-12; docs/statistics.md).
double noncentralTCdf(double t, double df, double ncp);
// Power of the two-sided paired (one-sample) t-test with n pairs at true effect dz = μ_d / σ_d and level alpha:
// P(|T'| > t_{1-α/2, n-1}) with df = n-1, ncp = dz·√n.
double pairedTTestPower(int n, double dz, double alpha = 0.05);
// The smallest dz that this test detects with the given power (bisection on pairedTTestPower).
double pairedMinimumDetectableEffect(int n, double alpha = 0.05, double power = 0.8);
// Holm's step-down adjusted p-values, in the input order: sorted ascending, p_(r) · (m − r + 1), running max, capped
// at 1.
std::vector<double> holmAdjust(const std::vector<double>& p);

double mean(const std::vector<double>& x);      // n >= 1
double sampleSd(const std::vector<double>& x);  // n >= 2, divides by n-1

double studentTCdf(double t, double df);       // any real df > 0 (df = +inf: standard normal)
double studentTQuantile(double p, double df);  // inverse CDF; p = 0 / 1 give -inf / +inf
// P(|T| >= |t|), computed directly (not as 1 - CDF) so that tiny p-values keep full relative precision.
double studentTTwoSidedP(double t, double df);
double regularizedIncompleteBeta(double a, double b, double x);  // I_x(a, b), a, b > 0, 0 <= x <= 1

// {"n","mean","sd","ci_low","ci_high"} and {"t","df","p"}; a non-finite t (zero spread, different means) is null.
nlohmann::json toJson(const Summary& s);
nlohmann::json toJson(const TTest& t);

}  // namespace srdd::stats
