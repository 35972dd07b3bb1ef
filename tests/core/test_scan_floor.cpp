// The format's noise floor (srdd/scan_floor.h) against a semi-analytic closed form of MXFP4 on Gaussian
// blocks, and the excess of hand-built outlier tensors.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "srdd/mx_quant.h"
#include "srdd/scan_fidelity.h"
#include "srdd/scan_floor.h"

#include <QtTest/QtTest>

namespace {

double Phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double phi(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI); }

// E2M1 round-to-nearest on |x|/X, saturating at 6: decision boundaries and levels (units of X).
const double kEdges[] = {0, 0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, 1e300};
const double kLevels[] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
double q(double s) {
  for (int k = 0; k < 8; ++k)
    if (s < kEdges[k + 1]) return kLevels[k];
  return 6;
}

struct Closed {
  double sqnrDb, deadzone, relError, clipping;
};

// 32 i.i.d. N(0,1) per block, OCP floor scale X = 2^(floor(log2 amax) - 2). Given amax = m, the other 31
// elements are i.i.d. N(0,1) conditioned on |x| <= m, so every expectation is an integral over the density of
// the block maximum, f(m) = 32 * 2phi(m) * (2Phi(m) - 1)^31, of closed-form (energy, deadzone, clipping) or
// 1-D numeric (relative error) inner terms.
Closed mxfp4Gaussian() {
  const int n = 32;
  double err = 0, dz = 0, rel = 0, clip = 0, mass = 0;
  const double lo = 0.3, hi = 7.5, h = 5e-4;
  for (double m = lo + h / 2; m < hi; m += h) {
    const double cdf = 2 * Phi(m) - 1;
    const double f = n * 2 * phi(m) * std::pow(cdf, n - 1) * h;
    const double X = std::ldexp(1.0, static_cast<int>(std::floor(std::log2(m))) - 2);
    double e2 = 0;  // 2 * integral_0^m (q(x) - x)^2 phi(x) dx, interval by interval
    for (int k = 0; k < 8; ++k) {
      const double a = kEdges[k] * X, b = std::min(kEdges[k + 1] * X, m), c = kLevels[k] * X;
      if (a >= m) break;
      e2 += 2 * ((c * c + 1) * (Phi(b) - Phi(a)) - 2 * c * (phi(a) - phi(b)) - b * phi(b) + a * phi(a));
    }
    double r = 0;  // 2 * integral_0^m |q(x) - x| / x phi(x) dx (midpoint rule)
    const int steps = 3000;
    for (int i = 0; i < steps; ++i) {
      const double x = (i + 0.5) * m / steps;
      r += 2 * std::fabs(q(x / X) * X - x) / x * phi(x) * m / steps;
    }
    const double emax = q(m / X) * X - m;
    err += f * (emax * emax + (n - 1) * e2 / cdf);
    dz += f * (n - 1) * (2 * Phi(0.25 * X) - 1) / cdf / n;
    rel += f * (std::fabs(emax) / m + (n - 1) * r / cdf) / n;
    clip += f * ((m > 6 * X ? 1.0 : 0.0) + (n - 1) * std::max(0.0, 2 * Phi(m) - 2 * Phi(6 * X)) / cdf) / n;
    mass += f;
  }
  return {10 * std::log10(n / (err / mass)), dz / mass, rel / mass, clip / mass};
}

at::Tensor gaussian(std::vector<int64_t> shape, uint64_t seed) {
  at::Generator g = at::detail::createCPUGenerator(seed);
  return at::randn(shape, g, at::TensorOptions().dtype(at::kFloat));
}

}  // namespace

class TestScanFloor : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // The documented numbers (docs/scans.md): MXFP4 on N(0,1) gives about 18.8 dB, 8.8 % deadzone, 0.21.
  void closedFormMatchesDocumentedNumbers() {
    const Closed c = mxfp4Gaussian();
    qInfo("closed form: SQNR %.3f dB, deadzone %.4f, rel. error %.4f, clipping %.5f", c.sqnrDb, c.deadzone, c.relError,
          c.clipping);
    QVERIFY(std::fabs(c.sqnrDb - 18.8) < 0.1);
    QVERIFY(std::fabs(c.deadzone - 0.088) < 0.002);
    QVERIFY(std::fabs(c.relError - 0.21) < 0.01);
  }

  // Monte Carlo of the real quantizer on N(0,1) equals the closed form, and so does the floor of an N(0,1)
  // tensor. The floor also follows a scale structure: with row scales spread over four decades the block
  // scales' mantissa phase changes (MXFP4 is invariant only under powers of two), and the floor tracks the
  // real tensor's fidelity, not the N(0,1) number.
  void floorOfGaussianEqualsMonteCarloAndClosedForm() {
    const Closed c = mxfp4Gaussian();
    const srdd::QuantSpec spec = srdd::parseQuantSpec("mxfp4");
    at::Tensor x = gaussian({1024, 1024}, 3);
    // The reference keeps each block's amax but not the (weak) dependence of a Gaussian block's bulk on its
    // maximum, which shows mostly in the share of near-max elements that clip: a looser clipping tolerance
    // for the floor (0.5 % points, half the default excess threshold).
    auto near = [](const srdd::Fidelity& f, double sqnr, double dz, double rel, double clip, double clipTol,
                   double sqnrTol = 0.05) {
      qInfo("SQNR %.3f deadzone %.4f rel %.4f clip %.4f", f.sqnrDb, f.deadzone, f.relativeError, f.clipping);
      return std::fabs(f.sqnrDb - sqnr) < sqnrTol && std::fabs(f.deadzone - dz) < 0.0015 &&
             std::fabs(f.relativeError - rel) < 0.003 && std::fabs(f.clipping - clip) < clipTol;
    };
    QVERIFY(near(srdd::measureFidelity(x, spec), c.sqnrDb, c.deadzone, c.relError, c.clipping, 0.0015));
    QVERIFY(near(srdd::floorFidelity(x, spec, 11), c.sqnrDb, c.deadzone, c.relError, c.clipping, 0.005));
    at::Tensor scaled = x * at::pow(10.0, at::rand({1024, 1}, at::detail::createCPUGenerator(5)) * 4 - 2);
    const srdd::Fidelity real = srdd::measureFidelity(scaled, spec);
    qInfo("real scaled: SQNR %.3f deadzone %.4f rel %.4f clip %.4f", real.sqnrDb, real.deadzone, real.relativeError,
          real.clipping);
    QVERIFY(real.deadzone < c.deadzone - 0.002);  // a different phase mix really changes the numbers
    QVERIFY(near(srdd::floorFidelity(scaled, spec, 11), real.sqnrDb, real.deadzone, real.relativeError, real.clipping,
                 0.005, 0.15));  // pooled SQNR over rows four decades apart: the largest rows dominate it
    // Deterministic: the same seed gives the same reference tensor.
    QVERIFY(at::equal(srdd::floorReference(x, spec, 11), srdd::floorReference(x, spec, 11)));
    QVERIFY(!at::equal(srdd::floorReference(x, spec, 11), srdd::floorReference(x, spec, 12)));
  }

  // blockAmax: every element carries the amax of its own 32-block (a short last block included).
  void blockAmaxByHand() {
    at::Tensor x = at::zeros({2, 40});
    x[0][0] = 3;
    x[0][1] = -4;
    x[1][35] = 2;
    at::Tensor a = srdd::blockAmax(x, srdd::parseQuantSpec("mxfp4"));
    QCOMPARE(a[0][5].item<float>(), 4.0f);
    QCOMPARE(a[1][39].item<float>(), 2.0f);
    QCOMPARE(a[0][35].item<float>(), 0.0f);
    QCOMPARE(srdd::floorReference(x, srdd::parseQuantSpec("mxfp4"), 1).abs().amax(1)[0].item<float>(), 4.0f);
  }

  // One element per block at 100x: the block scale becomes 2^(6-2) = 16, so every other element
  // (|x| < 4 = 0.25 * 16 with probability 0.99994) falls in the deadzone: deadzone 31/32. The floor keeps the
  // scale 16 but has a Gaussian block under the maximum: only elements below 4 % of the block max (about
  // 0.04 * 2.1 standard deviations for 32 Gaussians) fall in its deadzone, some 7 %.
  void outliersGiveTheirExcess() {
    const srdd::QuantSpec spec = srdd::parseQuantSpec("mxfp4");
    at::Tensor x = gaussian({256, 1024}, 7);
    x.index_put_({at::indexing::Slice(), at::indexing::Slice(0, at::indexing::None, 32)}, 100.0);
    const srdd::Fidelity m = srdd::measureFidelity(x, spec), f = srdd::floorFidelity(x, spec, 1);
    QVERIFY(std::fabs(m.deadzone - 31.0 / 32 * (2 * Phi(4) - 1)) < 0.002);
    QVERIFY2(f.deadzone > 0.03 && f.deadzone < 0.12, qPrintable(QString::number(f.deadzone)));
    QVERIFY(m.deadzone - f.deadzone > 0.85);
    QVERIFY(m.relativeError - f.relativeError > 0.7);
  }
};

QTEST_APPLESS_MAIN(TestScanFloor)
#include "test_scan_floor.moc"
