// Property tests of the fused quantizer on random data (fixed seeds): agreement with the composed
// ATen path bit for bit, idempotence, sign symmetry, power-of-two scaling, the RNE error bound,
// unbiased stochastic rounding, tiles, dtypes, the STE and input errors.
#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <vector>

#include "srdd/error.h"
#include "srdd/mx_quant.h"

#include <QtTest/QtTest>

using namespace srdd;

namespace {

// Gaussian data with per-row magnitudes spread over many binades, plus exact zeros.
at::Tensor testData(int64_t rows, int64_t cols, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  at::Tensor x = at::randn({rows, cols}, gen, at::kFloat);
  at::Tensor mags = at::exp2(at::randint(-12, 12, {rows, 1}, gen, at::kFloat));
  x = x * mags;
  x.index_put_({at::rand({rows, cols}, gen) < 0.02}, 0.0);
  return x;
}

bool bitEqual(const at::Tensor& a, const at::Tensor& b) {
  at::Tensor x = a.contiguous(), y = b.contiguous();
  if (x.sizes() != y.sizes() || x.scalar_type() != y.scalar_type()) return false;
  return std::memcmp(x.data_ptr(), y.data_ptr(), x.numel() * x.element_size()) == 0;
}

std::vector<QuantSpec> deterministicSpecs() {
  std::vector<QuantSpec> out;
  for (const auto& name : quantFormatNames()) {
    for (auto r : {Rounding::NearestEven, Rounding::NearestAway}) {
      for (auto s : {ScaleRule::Floor, ScaleRule::RCeil}) {
        for (auto b : {BlockShape::Row1x32, BlockShape::Tile32x32}) {
          QuantSpec q = parseQuantSpec(name);
          if (q.isNvfp4() && s == ScaleRule::RCeil) continue;
          q.rounding = r;
          q.scale = s;
          q.block = b;
          out.push_back(q);
        }
      }
    }
  }
  return out;
}

}  // namespace

class TestMxProperties : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void fusedEqualsComposedBitForBit() {
    // Odd shapes: partial blocks along the row and partial tiles.
    const std::vector<std::vector<int64_t>> shapes = {{67, 100}, {3, 5, 64}, {1000}, {40, 33}};
    for (const QuantSpec& q : deterministicSpecs()) {
      for (const auto& shape : shapes) {
        int64_t n = 1;
        for (auto s : shape) n *= s;
        at::Tensor x = testData(1, n, 7).reshape(shape);
        for (auto dt : {at::kFloat, at::kBFloat16, at::kHalf}) {
          at::Tensor xi = x.to(dt);
          at::Tensor f = fakeQuantize(xi, q), c = fakeQuantizeComposed(xi, q);
          if (!bitEqual(f, c)) QFAIL(qPrintable(QString::fromStdString(q.describe() + " dtype " + c10::toString(dt))));
          QCOMPARE(f.sizes(), xi.sizes());
        }
      }
    }
  }

  void idempotentAndSignSymmetric() {
    at::Tensor x = testData(64, 96, 2);
    for (const QuantSpec& q : deterministicSpecs()) {
      at::Tensor y = fakeQuantize(x, q);
      const QByteArray d = QByteArray::fromStdString(q.describe());
      QVERIFY2(bitEqual(fakeQuantize(-x, q), -y), d);
      if (!q.isNvfp4()) QVERIFY2(at::equal(fakeQuantize(y, q), y), d);  // nvfp4 re-derives non-power-of-two scales
    }
  }

  void powerOfTwoScaling() {
    at::Tensor x = testData(32, 64, 3);
    for (const QuantSpec& q : deterministicSpecs()) {
      at::Tensor y = fakeQuantize(x, q);
      for (int k : {-9, -1, 1, 13}) {
        const double s = std::ldexp(1.0, k);
        QVERIFY2(at::equal(fakeQuantize(x * s, q), y * s), q.describe().c_str());
      }
    }
  }

  void rneErrorBoundForUnclippedElements() {
    // |q - x| <= half a grid step at x, where the grid step is X * 2^(p - mbits) with
    // p = clamp(floor(log2(|x|/X)), emin, emax); clipped elements (|x|/X > max) are excluded.
    at::Tensor x = testData(16, 256, 4);
    for (const auto& name : {"mxfp4", "mxfp6-e2m3", "mxfp6-e3m2", "mxfp8-e4m3", "mxfp8-e5m2"}) {
      QuantSpec q = parseQuantSpec(name);
      QuantDetail d = quantizeWithDetail(x, q);
      const MxTraits f = mxTraits(q.element);
      at::Tensor X = d.scaleValues.repeat_interleave(32, 1).reshape(x.sizes());
      at::Tensor a = x.abs() / X;
      at::Tensor p = at::clamp(at::floor(at::log2(a)), f.emin, f.emax);
      at::Tensor halfStep = at::exp2(p - f.mbits - 1) * X;
      at::Tensor err = (d.dequantized - x).abs();
      at::Tensor unclipped = a <= f.maxNormal;
      QVERIFY(unclipped.sum().item<int64_t>() > x.numel() / 2);
      QVERIFY2(at::all(at::le(err, halfStep) | at::logical_not(unclipped)).item<bool>(), name);
      // and the bound is attained up to a factor of 2, so it is not vacuous
      QVERIFY(at::gt(at::where(unclipped, err / halfStep, at::zeros_like(err)), 0.9).any().item<bool>());
    }
  }

  void stochasticRoundingIsUnbiasedAndSeeded() {
    // One block per row: element 0 = 6 pins X = 1 (MXFP4); the others are uniform in (0, 6).
    const int64_t rows = 64, trials = 4000;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
    at::Tensor x = at::rand({rows, 32}, gen) * 6;
    x.select(1, 0).fill_(6.0);
    QuantSpec q = parseQuantSpec("mxfp4");
    q.rounding = Rounding::Stochastic;
    q.seed = 1234;
    at::Tensor sum = at::zeros_like(x, at::kDouble), sumSq = at::zeros_like(x, at::kDouble);
    for (int64_t t = 0; t < trials; ++t) {
      at::Tensor y = fakeQuantize(x, q, uint64_t(t) * x.numel()).to(at::kDouble);
      sum += y;
      sumSq += y * y;
    }
    at::Tensor mean = sum / trials;
    // Per element the result is lo or hi (neighbouring grid points) with variance (x-lo)(hi-x).
    at::Tensor xd = x.to(at::kDouble);
    at::Tensor grid = at::tensor({0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0}, at::kDouble);
    at::Tensor idx = at::searchsorted(grid, xd, /*out_int32=*/false, /*right=*/true) - 1;
    at::Tensor gl = grid.index({idx}), gh = grid.index({at::clamp_max(idx + 1, 7)});
    at::Tensor var = (xd - gl) * (gh - xd);
    at::Tensor z = (mean - xd).abs() / at::sqrt(var / trials + 1e-30);
    QVERIFY2(at::all(at::le(z, 6.0) | at::eq(var, 0)).item<bool>(), "stochastic rounding is biased");
    // The spread matches the two-point variance: sum of sample variances ~ sum of (x-lo)(hi-x).
    double sampleVar = (sumSq / trials - mean * mean).sum().item<double>();
    double expectVar = var.sum().item<double>();
    QVERIFY(std::abs(sampleVar / expectVar - 1.0) < 0.05);
    // Same seed and offset give the same bits; another seed gives others.
    QVERIFY(bitEqual(fakeQuantize(x, q, 5), fakeQuantize(x, q, 5)));
    QuantSpec q2 = q;
    q2.seed = 99;
    QVERIFY(!bitEqual(fakeQuantize(x, q, 5), fakeQuantize(x, q2, 5)));
  }

  void tilesShareOneScalePer32x32() {
    // An outlier at (0,0) of a 64x64 matrix coarsens only its own 32x32 tile.
    at::Tensor w = at::full({64, 64}, 0.01f);
    w.index_put_({0, 0}, 1000.0f);
    QuantSpec q = parseQuantSpec("mxfp4");
    q.block = BlockShape::Tile32x32;
    at::Tensor y = fakeQuantize(w, q);
    QCOMPARE(y.slice(0, 0, 32).slice(1, 0, 32).abs().sum().item<float>(), 768.0f);  // all but the outlier vanish
    // other tiles: amax 0.01 = 1.28 * 2^-7 -> X = 2^-9; 0.01 / X = 5.12 -> 6 -> 6 * 2^-9
    const float other = 6.0f * std::ldexp(1.0f, -9);
    QVERIFY(at::all(at::eq(y.slice(0, 32, 64), other)).item<bool>());
    QVERIFY(at::all(at::eq(y.slice(0, 0, 32).slice(1, 32, 64), other)).item<bool>());
    QuantDetail d = quantizeWithDetail(w, q);
    QCOMPARE(d.scaleBytes.sizes(), (at::IntArrayRef{2, 2}));
    QCOMPARE(int(d.scaleBytes.index({0, 0}).item<uint8_t>()), 127 + 7);
  }

  void bf16OutputIsExact() {
    at::Tensor x = testData(8, 64, 5);
    for (const auto& name : {"mxfp4", "mxfp6-e2m3", "mxfp6-e3m2", "mxfp8-e4m3"}) {
      QuantSpec q = parseQuantSpec(name);
      at::Tensor xb = x.to(at::kBFloat16);
      at::Tensor y32 = fakeQuantize(xb.to(at::kFloat), q);
      QVERIFY(at::equal(fakeQuantize(xb, q).to(at::kFloat), y32));
      QVERIFY(at::equal(y32.to(at::kBFloat16).to(at::kFloat), y32));
      QVERIFY(at::equal(fakeQuantize(x.to(at::kDouble), q), fakeQuantize(x, q).to(at::kDouble)));
    }
  }

  void nvfp4UsesTensorAndE4M3BlockScales() {
    // amax_tensor = 2688 -> s_t = 1; a block with amax 6*1.25 gets scale e4m3(1.25) = 1.25 exactly.
    at::Tensor x = at::zeros({2, 16});
    x.index_put_({0, 0}, 2688.0f);
    x.index_put_({1, 0}, 7.5f);
    x.index_put_({1, 1}, 1.25f * 2.5f);   // 2.5 (tie) -> 2 under RNE -> 2.5
    x.index_put_({1, 2}, -1.25f * 0.3f);  // 0.3 -> 0.5 -> -0.625
    QuantDetail d = quantizeWithDetail(x, parseQuantSpec("nvfp4"));
    QCOMPARE(d.tensorScale, 1.0f);
    QCOMPARE(d.scaleValues.index({1, 0}).item<float>(), 1.25f);
    QCOMPARE(int(d.scaleBytes.index({1, 0}).item<uint8_t>()), (7 << 3) | 2);  // 1.25 = 2^0 * (1 + 2/8)
    QCOMPARE(d.dequantized.index({1, 0}).item<float>(), 7.5f);
    QCOMPARE(d.dequantized.index({1, 1}).item<float>(), 2.5f);
    QCOMPARE(d.dequantized.index({1, 2}).item<float>(), -0.625f);
    QCOMPARE(d.scaleValues.index({0, 0}).item<float>(), 448.0f);
    QCOMPARE(d.dequantized.index({0, 0}).item<float>(), 2688.0f);
  }

  void steForwardQuantizesBackwardIsIdentity() {
    at::Tensor w = testData(4, 64, 6).requires_grad_(true);
    QuantSpec q = parseQuantSpec("mxfp4");
    at::Tensor y = fakeQuantizeSTE(w, q);
    QVERIFY(at::equal(y.detach(), fakeQuantize(w.detach(), q)));
    at::Tensor g = at::randn({4, 64});
    auto grads = torch::autograd::grad({(y * g).sum()}, {w});
    QVERIFY(at::equal(grads[0], g));
  }

  void invalidInputsThrow() {
    QVERIFY_THROWS_EXCEPTION(srdd::Error, parseQuantSpec("mxfp3"));
    QVERIFY_THROWS_EXCEPTION(srdd::Error, fakeQuantize(at::ones({4}, at::kInt), parseQuantSpec("mxfp4")));
    QuantSpec q = parseQuantSpec("nvfp4");
    q.scale = ScaleRule::RCeil;
    QVERIFY_THROWS_EXCEPTION(srdd::Error, q.validate());
    q = parseQuantSpec("mxfp8-e4m3");
    q.reference = true;
    q.rounding = Rounding::NearestAway;
    QVERIFY_THROWS_EXCEPTION(srdd::Error, q.validate());
    q = parseQuantSpec("mxfp4");
    q.blockSize = 24;
    QVERIFY_THROWS_EXCEPTION(srdd::Error, q.validate());
    q = parseQuantSpec("mxfp4");
    q.rounding = Rounding::Stochastic;
    QVERIFY_THROWS_EXCEPTION(srdd::Error, fakeQuantizeComposed(at::ones({32}), q));
    QVERIFY_THROWS_EXCEPTION(srdd::Error, parseBlockShape("16x32", nullptr));
    // JSON round trip keeps every option
    q.seed = 77;
    q.block = BlockShape::Tile32x32;
    QuantSpec back = QuantSpec::fromJson(q.toJson());
    QCOMPARE(back.describe(), q.describe());
    QCOMPARE(QString::fromStdString(q.describe()),
             QString("mxfp4 scale=floor rounding=stochastic block=32x32 seed=77"));
  }
};

QTEST_APPLESS_MAIN(TestMxProperties)
#include "test_mx_properties.moc"
