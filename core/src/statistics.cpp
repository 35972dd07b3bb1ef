// Student-t distribution via the regularized incomplete beta function, and the t-tests built on it.
// Formulas and edge cases: docs/statistics.md.
#include "srdd/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "srdd/error.h"

namespace srdd::stats {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kAsymptoticDf = 1e5;                   // from here on the t tail uses the large-a expansion
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // ln(2π) / 2

[[noreturn]] void fail(const std::string& what) { throw Error("statistics: " + what); }

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// ln(1 + p/q) for p, q > 0, without overflow of p/q.
double log1pRatio(double p, double q) {
  return p <= q ? std::log1p(p / q) : std::log(p) - std::log(q) + std::log1p(q / p);
}

// δ(z) = lnΓ(z) − [(z − ½) ln z − z + ½ ln 2π]. The asymptotic series is used where it is accurate to
// ~1e-16 (z ≥ 15), so that lnB(a, b) below never subtracts two huge lnΓ values.
double stirlingRemainder(double z) {
  if (z >= 15) {
    const double r = 1 / z, r2 = r * r;
    return r * (1 / 12.0 - r2 * (1 / 360.0 - r2 * (1 / 1260.0 - r2 * (1 / 1680.0 - r2 / 1188.0))));
  }
  return std::lgamma(z) - ((z - 0.5) * std::log(z) - z + kHalfLog2Pi);
}

// ln B(a, b) from the Stirling remainders; both log1p terms are negative, so nothing cancels for large a or b.
double logBeta(double a, double b) {
  return -(a - 0.5) * log1pRatio(b, a) - b * log1pRatio(a, b) - 0.5 * std::log(b) + kHalfLog2Pi + stirlingRemainder(a) +
         stirlingRemainder(b) - stirlingRemainder(a + b);
}

// The argument of I_x(a, b) with y = 1 − x and both logarithms, each known to full relative precision: the t
// distribution forms them from t and df directly, where 1 − x or log(x) of a rounded or subnormal x would not be.
struct BetaArg {
  double x, y, logX, logY;
  BetaArg swapped() const { return {y, x, logY, logX}; }
};

// ln(u (a+b)/a) where d = x b − y a = u (a+b) − a; log1p near the mode, the given log u far from it.
double logScaled(double logU, double a, double b, double d) {
  return std::fabs(d) < 0.5 * a ? std::log1p(d / a) : logU + log1pRatio(b, a);
}

// ln[x^a y^b / B(a, b)], written so that no large terms cancel (as in Boost's ibeta_power_terms).
double logPowerTerms(double a, double b, const BetaArg& u) {
  const double d = u.x * b - u.y * a;
  return a * logScaled(u.logX, a, b, d) + b * logScaled(u.logY, b, a, -d) +
         0.5 * (std::log(a) + std::log(b) - std::log(a + b)) - kHalfLog2Pi - stirlingRemainder(a) -
         stirlingRemainder(b) + stirlingRemainder(a + b);
}

// Continued fraction for I_x(a, b) (modified Lentz); converges quickly for x < (a+1)/(a+b+2). For x near 1 its
// value grows like 1/y and amplifies the rounding of x by x/y, so it runs in long double with x = 1 − y there.
double betaContinuedFraction(double a, double b, const BetaArg& u) {
  using Real = long double;
  constexpr Real tiny = 1e-300L, eps = 1e-17L;
  const int maxIter = 100000;
  const Real x = u.x <= 0.5 ? Real(u.x) : 1 - Real(u.y);
  Real c = 1, d = (a * Real(u.y) + (1 - b * x)) / (a + 1);
  d = 1 / (std::fabs(d) < tiny ? tiny : d);
  Real h = d;
  for (int m = 1; m <= maxIter; ++m) {
    for (int half = 0; half < 2; ++half) {
      // As products of ratios, so that huge a or b cannot overflow.
      const Real aa = half == 0 ? m * x * (Real(b - m) / (a + 2 * m - 1)) / (a + 2 * m)
                                : -x * (Real(a + m) / (a + 2 * m)) * (Real(a + b + m) / (a + 2 * m + 1));
      d = 1 + aa * d;
      d = 1 / (std::fabs(d) < tiny ? tiny : d);
      c = 1 + aa / c;
      if (std::fabs(c) < tiny) c = tiny;
      const Real delta = c * d;
      h *= delta;
      if (half == 1 && std::fabs(delta - 1) <= std::max(eps, 4 * std::numeric_limits<Real>::epsilon()))
        return double(h);
    }
  }
  fail("incomplete beta continued fraction did not converge for a=" + num(a) + ", b=" + num(b) + ", x=" + num(u.x));
}

// I_x(a, b) and its complement 1 − I_x(a, b) = I_y(b, a); the side with the smaller argument is computed directly.
struct BetaPair {
  double value, complement;
};
BetaPair incompleteBeta(double a, double b, const BetaArg& u) {
  if (u.logX == -kInf) return {0, 1};  // x itself may underflow to 0 while log x is finite
  if (u.logY == -kInf) return {1, 0};
  // x > (a+1)/(a+b+2), tested on the side that is not rounded to 1.
  const bool swap = u.x <= 0.5 ? u.x > (a + 1) / (a + b + 2) : u.y < (b + 1) / (a + b + 2);
  const BetaArg v = swap ? u.swapped() : u;
  if (swap) std::swap(a, b);
  const double direct = std::exp(logPowerTerms(a, b, v) - std::log(a)) * betaContinuedFraction(a, b, v);
  return swap ? BetaPair{1 - direct, direct} : BetaPair{direct, 1 - direct};
}

// e^z Γ(½, z) = √π e^z erfc(√z); past z = 700 (erfc near underflow) its asymptotic series
// z^(−½) Σ (−1)^k (2k−1)!!/(2z)^k, whose terms fall at least 1400-fold each.
double upperGammaHalfScaled(double z) {
  if (z <= 700) return 1.77245385090551602730 * std::erfc(std::sqrt(z)) * std::exp(z);
  double term = 1, sum = 1;
  for (int k = 1; k < 8; ++k) sum += term *= -(2 * k - 1) / (2 * z);
  return sum / std::sqrt(z);
}

// I_x(a, ½) for large a and x >= ½, where the continued fraction would amplify the rounding of x by x/(1−x):
// DiDonato & Morris' expansion (BGRAT). With ν = a + (b−1)/2, u = −ln x, z = νu and
// Σ c_n s^(2n) = (sinh(s/2)/(s/2))^(b−1):  I_x(a, b) = Σ_n c_n ν^(−b−2n) Γ(b+2n, z) / B(a, b),
// with Γ(s+2, z) = (s+1)s Γ(s, z) + z^s e^(−z) (s+1+z). Terms fall like (u/2π)^(2n).
double incompleteBetaHalfLargeA(double a, double u) {
  constexpr double b = 0.5;
  constexpr int kTerms = 60;
  const double nu = a + 0.5 * (b - 1), z = nu * u;
  const double scaledGamma = upperGammaHalfScaled(z);
  const double prefix = std::exp(-b * std::log(nu) - logBeta(a, b) - z) * scaledGamma;  // underflows to 0 past z≈745
  const double e0 = std::exp(b * std::log(z)) / scaledGamma;                            // z^b e^(−z) / Γ(b, z)
  if (prefix == 0) return 0;
  // c_n: coefficients of g = f^(b−1) for f = Σ f_k w^k, f_k = 1/(4^k (2k+1)!), by the power rule for series
  // n c_n = Σ_{k=1..n} (b k − n) f_k c_(n−k).
  double f[kTerms + 1], c[kTerms + 1];
  f[0] = c[0] = 1;
  double r = 1, u2n = 1, sum = 1;  // r = Γ(b+2n, z) / (Γ(b, z) ν^(2n)), u2n = u^(2n)
  for (int n = 1; n <= kTerms; ++n) {
    f[n] = f[n - 1] / (4.0 * (2 * n) * (2 * n + 1));
    c[n] = 0;
    for (int k = 1; k <= n; ++k) c[n] += (b * k - n) * f[k] * c[n - k];
    c[n] /= n;
    const double s = b + 2 * (n - 1);  // the Γ recurrence, ordered so that huge z and ν cannot overflow
    r = (s + 1) * s * r / nu / nu + e0 / nu * u2n * ((s + 1 + z) / nu);
    u2n *= u * u;
    const double term = c[n] * r;
    sum += term;
    if (std::fabs(term) <= 1e-17 * std::fabs(sum)) return prefix * sum;
  }
  fail("incomplete beta asymptotic expansion did not converge for a=" + num(a) + ", -ln x=" + num(u));
}

void checkDf(double df) {
  if (!(df > 0)) fail("degrees of freedom must be > 0 (got " + num(df) + ")");
}

// P(T > t) for t >= 0.
double upperTail(double t, double df) { return 0.5 * studentTTwoSidedP(t, df); }

// The beta argument of the t distribution: x = df/(df+t²) = 1/(1+s), y = 1 − x = s/(1+s) with s = t²/df, and
// their logs, each to full relative precision and without overflow (ln s comes from logs, not from s).
BetaArg tArgument(double at, double df) {
  const double s = at / df * at, logS = 2 * std::log(at) - std::log(df);
  if (s < 1) return {1 / (1 + s), s / (1 + s), -std::log1p(s), logS - std::log1p(s)};
  const double r = 1 / s;
  return {r / (1 + r), 1 / (1 + r), -logS - std::log1p(r), -std::log1p(r)};
}

double logDensity(double t, double df) {
  if (std::isinf(df)) return -0.5 * t * t - kHalfLog2Pi;
  if (t == 0) return -logBeta(0.5 * df, 0.5) - 0.5 * std::log(df);
  return -logBeta(0.5 * df, 0.5) - 0.5 * std::log(df) + 0.5 * (df + 1) * tArgument(std::fabs(t), df).logX;
}

struct Moments {
  int n;
  double mean, var;
};

void checkFinite(const std::vector<double>& x, const char* name, const char* who) {
  for (size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i]))
      fail(std::string(who) + ": " + name + "[" + std::to_string(i) + "] is not finite (" + num(x[i]) + ")");
}

// Mean and sample variance (n − 1), two-pass with the compensating correction; a constant sample has exactly
// zero variance and its own value as mean.
Moments moments(const std::vector<double>& x, const char* name, const char* who, size_t minN = 2) {
  if (x.size() < minN)
    fail(std::string(who) + ": " + name + " has " + std::to_string(x.size()) + " value(s); at least " +
         std::to_string(minN) + " are needed");
  checkFinite(x, name, who);
  const int n = static_cast<int>(x.size());
  bool constant = true;
  for (double v : x) constant = constant && v == x[0];
  if (constant) return {n, x[0], 0};
  double sum = 0;
  for (double v : x) sum += v;
  double m = sum / n, ss = 0, corr = 0;
  for (double v : x) {
    ss += (v - m) * (v - m);
    corr += v - m;
  }
  m += corr / n;
  const double var = n > 1 ? (ss - corr * corr / n) / (n - 1) : 0;
  if (!std::isfinite(m) || !std::isfinite(var))
    fail(std::string(who) + ": " + name + " has values too large for double arithmetic");
  return {n, m, var};
}

// t = diff / se; zero spread gives t = 0, p = 1 for equal means and t = ±inf, p = 0 otherwise.
TTest makeTest(double diff, double se, double df) {
  if (se == 0) return diff == 0 ? TTest{0, df, 1} : TTest{std::copysign(kInf, diff), df, 0};
  const double t = diff / se;
  return {t, df, studentTTwoSidedP(t, df)};
}

double pooledVariance(const Moments& a, const Moments& b) {
  return ((a.n - 1) * a.var + (b.n - 1) * b.var) / (a.n + b.n - 2);
}

}  // namespace

double regularizedIncompleteBeta(double a, double b, double x) {
  if (!(a > 0) || !(b > 0) || std::isinf(a) || std::isinf(b))
    fail("incomplete beta needs finite a > 0 and b > 0 (got a=" + num(a) + ", b=" + num(b) + ")");
  if (!(x >= 0 && x <= 1)) fail("incomplete beta needs 0 <= x <= 1 (got x=" + num(x) + ")");
  const double y = 1 - x;
  return incompleteBeta(a, b, {x, y, std::log(x), std::log(y)}).value;
}

double studentTTwoSidedP(double t, double df) {
  checkDf(df);
  if (std::isnan(t)) fail("t statistic is NaN");
  const double at = std::fabs(t);
  if (at == 0) return 1;
  if (std::isinf(at)) return 0;
  if (std::isinf(df)) return std::erfc(at / std::sqrt(2.0));
  const BetaArg u = tArgument(at, df);
  // For large df the continued fraction near x = 1 loses digits; the expansion is exact there to double precision
  // (its terms fall like (ln(1/x)/2π)^(2n) and ν^(-2n)).
  if (df >= kAsymptoticDf && u.x >= 0.5) return incompleteBetaHalfLargeA(0.5 * df, -u.logX);
  return incompleteBeta(0.5 * df, 0.5, u).value;
}

double studentTCdf(double t, double df) {
  checkDf(df);
  if (std::isnan(t)) fail("t value is NaN");
  const double tail = upperTail(std::fabs(t), df);
  return t < 0 ? tail : 1 - tail;
}

double studentTQuantile(double p, double df) {
  checkDf(df);
  if (!(p >= 0 && p <= 1)) fail("probability must be in [0, 1] (got " + num(p) + ")");
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (p == 0.5) return 0;
  const double q = p < 0.5 ? p : 1 - p;  // exact for p >= 0.5
  const double sign = p < 0.5 ? -1 : 1;
  // Bracket the root of P(T > t) = q by doubling; past the largest double the quantile is ±inf.
  double lo = 0, hi = 1;
  while (upperTail(hi, df) > q) {
    lo = hi;
    hi *= 2;
    if (std::isinf(hi)) return sign * kInf;
  }
  // Newton on ln P(T > t) − ln q (well-behaved for heavy tails), falling back to bisection outside the bracket.
  double t = 0.5 * (lo + hi);
  for (int iter = 0; iter < 2000; ++iter) {
    const double tail = upperTail(t, df);
    if (tail == q) return sign * t;
    (tail > q ? lo : hi) = t;
    const double logTail = std::log(tail);
    double next = t + (logTail - std::log(q)) * std::exp(logTail - logDensity(t, df));
    if (!(next > lo && next < hi)) next = lo > 0 && hi > 4 * lo ? std::sqrt(lo * hi) : 0.5 * (lo + hi);
    if (std::fabs(next - t) <= 4e-16 * next || next == lo || next == hi) return sign * next;
    t = next;
  }
  fail("t quantile did not converge for p=" + num(p) + ", df=" + num(df));
}

double mean(const std::vector<double>& x) { return moments(x, "sample", "mean", 1).mean; }

double sampleSd(const std::vector<double>& x) { return std::sqrt(moments(x, "sample", "sampleSd").var); }

Summary summarize(const std::vector<double>& x, double confidence) {
  if (!(confidence > 0 && confidence < 1))
    fail("summarize: confidence must be in (0, 1) (got " + num(confidence) + ")");
  const Moments m = moments(x, "sample", "summarize");
  const double sd = std::sqrt(m.var);
  const double half = studentTQuantile(0.5 + 0.5 * confidence, m.n - 1) * sd / std::sqrt(double(m.n));
  return {m.n, m.mean, sd, m.mean - half, m.mean + half};
}

TTest welchTTest(const std::vector<double>& a, const std::vector<double>& b) {
  const Moments ma = moments(a, "sample a", "welchTTest"), mb = moments(b, "sample b", "welchTTest");
  const double u = ma.var / ma.n, w = mb.var / mb.n, scale = std::max(u, w);
  if (scale == 0) return makeTest(ma.mean - mb.mean, 0, ma.n + mb.n - 2);
  const double us = u / scale, ws = w / scale;  // scaled so that the squares neither underflow nor overflow
  const double df = (us + ws) * (us + ws) / (us * us / (ma.n - 1) + ws * ws / (mb.n - 1));
  return makeTest(ma.mean - mb.mean, std::sqrt(u + w), df);
}

TTest pairedTTest(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    fail("pairedTTest: samples differ in size (" + std::to_string(a.size()) + " vs " + std::to_string(b.size()) +
         "); pairs need equal sizes");
  checkFinite(a, "sample a", "pairedTTest");
  checkFinite(b, "sample b", "pairedTTest");
  std::vector<double> diff(a.size());
  for (size_t i = 0; i < a.size(); ++i) diff[i] = a[i] - b[i];
  const Moments m = moments(diff, "the paired difference", "pairedTTest");
  return makeTest(m.mean, std::sqrt(m.var / m.n), m.n - 1);
}

TTest studentTTest(const std::vector<double>& a, const std::vector<double>& b) {
  const Moments ma = moments(a, "sample a", "studentTTest"), mb = moments(b, "sample b", "studentTTest");
  const double se = std::sqrt(pooledVariance(ma, mb) * (1.0 / ma.n + 1.0 / mb.n));
  return makeTest(ma.mean - mb.mean, se, ma.n + mb.n - 2);
}

double cohensD(const std::vector<double>& a, const std::vector<double>& b) {
  const Moments ma = moments(a, "sample a", "cohensD"), mb = moments(b, "sample b", "cohensD");
  const double diff = ma.mean - mb.mean, sd = std::sqrt(pooledVariance(ma, mb));
  if (sd == 0) return diff == 0 ? 0 : std::copysign(kInf, diff);
  return diff / sd;
}

namespace {
std::vector<double> pairedDifferences(const std::vector<double>& a, const std::vector<double>& b, const char* who) {
  if (a.size() != b.size())
    fail(std::string(who) + ": samples differ in size (" + std::to_string(a.size()) + " vs " +
         std::to_string(b.size()) + "); pairs need equal sizes");
  checkFinite(a, "sample a", who);
  checkFinite(b, "sample b", who);
  std::vector<double> diff(a.size());
  for (size_t i = 0; i < a.size(); ++i) diff[i] = a[i] - b[i];
  return diff;
}
}  // namespace

double pairedDz(const std::vector<double>& a, const std::vector<double>& b) {
  const Moments m = moments(pairedDifferences(a, b, "pairedDz"), "the paired difference", "pairedDz");
  if (m.var == 0) return m.mean == 0 ? 0 : std::copysign(kInf, m.mean);
  return m.mean / std::sqrt(m.var);
}

Interval pairedDifferenceCi(const std::vector<double>& a, const std::vector<double>& b, double confidence) {
  const Summary s = summarize(pairedDifferences(a, b, "pairedDifferenceCi"), confidence);
  return {s.ciLow, s.ciHigh};
}

namespace {
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
}  // namespace

nlohmann::json toJson(const Summary& s) {
  return {{"n", s.n}, {"mean", s.mean}, {"sd", s.sd}, {"ci_low", s.ciLow}, {"ci_high", s.ciHigh}};
}

nlohmann::json toJson(const TTest& t) { return {{"t", number(t.t)}, {"df", t.df}, {"p", t.p}}; }

}  // namespace srdd::stats
