// Power of the paired (one-sample) t-test through the exact noncentral t distribution, the minimum
// detectable effect for a number of pairs, and Holm's step-down adjustment. docs/statistics.md.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "srdd/error.h"
#include "srdd/statistics.h"

namespace srdd::stats {

namespace {

// Gauss–Legendre nodes and weights on [-1, 1], 10 points (Abramowitz & Stegun table 25.4).
constexpr double kNodes[5] = {0.1488743389816312, 0.4333953941292472, 0.6794095682990244, 0.8650633666889845,
                              0.9739065285171717};
constexpr double kWeights[5] = {0.2955242247147529, 0.2692667193099963, 0.2190863625159820, 0.1494513491505806,
                                0.0666713443086881};

double normalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// ln of the density of S = sqrt(V / ν), V ~ χ²(ν): 2 (ν/2)^(ν/2) / Γ(ν/2) · s^(ν−1) · exp(−ν s² / 2).
double logScaledChiDensity(double s, double df) {
  return std::log(2.0) + 0.5 * df * std::log(0.5 * df) - std::lgamma(0.5 * df) + (df - 1) * std::log(s) -
         0.5 * df * s * s;
}

// E_S[f(S)] by composite Gauss–Legendre over the range where the density is above e^-60 of its peak.
template <class F>
double expectOverS(double df, F f) {
  const double mode = df > 1 ? std::sqrt((df - 1) / df) : 0.0;
  const double peak = logScaledChiDensity(std::max(mode, 1e-300), df);
  const double step = 0.25 / std::sqrt(df) + 1e-3;
  auto negligible = [&](double s) { return logScaledChiDensity(s, df) < peak - 60; };
  double hi = std::max(mode, step);
  while (!negligible(hi)) hi += step;
  double lo = mode;
  while (lo > 0 && !negligible(lo)) lo = std::max(0.0, lo - step);
  const int panels = 400;
  const double h = (hi - lo) / panels;
  double sum = 0;
  for (int k = 0; k < panels; ++k) {
    const double mid = lo + (k + 0.5) * h, half = 0.5 * h;
    for (int i = 0; i < 5; ++i)
      for (double sign : {-1.0, 1.0}) {
        const double s = mid + sign * half * kNodes[i];
        if (s <= 0) continue;
        sum += kWeights[i] * half * std::exp(logScaledChiDensity(s, df)) * f(s);
      }
  }
  return sum;
}

void checkNoncentral(double t, double df, double ncp, const char* who) {
  if (!(df >= 1) || std::isnan(t) || !std::isfinite(ncp))
    throw Error(std::string(who) + ": needs df >= 1, a number t and a finite noncentrality (got t=" +
                std::to_string(t) + ", df=" + std::to_string(df) + ", ncp=" + std::to_string(ncp) + ")");
}

// P(T' > t) computed directly (not 1 − CDF), so small powers keep their precision.
double noncentralTUpper(double t, double df, double ncp) {
  if (std::isinf(df)) return normalCdf(ncp - t);
  return expectOverS(df, [&](double s) { return normalCdf(ncp - t * s); });
}

}  // namespace

double noncentralTCdf(double t, double df, double ncp) {
  checkNoncentral(t, df, ncp, "noncentralTCdf");
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  if (std::isinf(df)) return normalCdf(t - ncp);
  // T' = (Z + δ) / S: P(T' <= t) = E_S[Φ(t·S − δ)].
  return expectOverS(df, [&](double s) { return normalCdf(t * s - ncp); });
}

double pairedTTestPower(int n, double dz, double alpha) {
  if (n < 2) throw Error("pairedTTestPower: needs at least 2 pairs (got " + std::to_string(n) + ")");
  if (!(alpha > 0 && alpha < 1)) throw Error("pairedTTestPower: alpha must be in (0, 1)");
  if (!std::isfinite(dz)) throw Error("pairedTTestPower: the effect size must be finite");
  const double df = n - 1, c = studentTQuantile(1 - alpha / 2, df), ncp = dz * std::sqrt(double(n));
  return noncentralTUpper(c, df, ncp) + noncentralTUpper(c, df, -ncp);  // P(T' > c) + P(T' < −c)
}

double pairedMinimumDetectableEffect(int n, double alpha, double power) {
  if (!(power > alpha / 2 && power < 1))
    throw Error("pairedMinimumDetectableEffect: power must be in (alpha, 1) (got " + std::to_string(power) + ")");
  double lo = 0, hi = 1;
  while (pairedTTestPower(n, hi, alpha) < power) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (pairedTTestPower(n, mid, alpha) < power ? lo : hi) = mid;
  }
  return hi;
}

std::vector<double> holmAdjust(const std::vector<double>& p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (!(p[i] >= 0 && p[i] <= 1))
      throw Error("holmAdjust: p[" + std::to_string(i) + "] = " + std::to_string(p[i]) + " is not in [0, 1]");
  std::vector<size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> out(p.size());
  double running = 0;
  const double m = static_cast<double>(p.size());
  for (size_t r = 0; r < order.size(); ++r) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(r)) * p[order[r]]));
    out[order[r]] = running;
  }
  return out;
}

}  // namespace srdd::stats
