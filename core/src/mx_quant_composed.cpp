// The quantizer composed from plain ATen ops, written independently of mx_format.h's scalar math
// (frexp/round/floor instead of exponent-bit tricks): the speed baseline of `srdd bench quant` and
// a cross-check of the fused kernels in the tests. Deterministic roundings only.
#include "srdd/error.h"
#include "srdd/mx_quant.h"

namespace srdd {
namespace {

// 2^k for an integer tensor k in [-126, 127], built from the exponent field (exact).
at::Tensor pow2(const at::Tensor& k) { return at::bitwise_left_shift((k + 127).to(at::kInt), 23).view(at::kFloat); }

// floor(log2 a) for a > 0 (frexp's mantissa is in [0.5, 1)); -1 for a == 0.
at::Tensor floorLog2(const at::Tensor& a) { return std::get<1>(at::frexp(a)).to(at::kLong) - 1; }

// Rounds magnitudes a >= 0 onto the element grid of f with saturation.
at::Tensor roundToGrid(at::Tensor a, const MxTraits& f, Rounding r) {
  a = at::clamp_max(a, f.maxNormal);
  at::Tensor p = at::clamp(floorLog2(a), f.emin, f.emax);
  at::Tensor quantum = pow2(p - f.mbits);
  at::Tensor t = a / quantum;
  at::Tensor q;
  if (r == Rounding::NearestEven) {
    q = at::round(t);  // half to even
  } else {
    at::Tensor fl = at::floor(t);
    q = fl + at::ge(t - fl, 0.5).to(at::kFloat);
  }
  return at::clamp_max(q * quantum, f.maxNormal);
}

at::Tensor nanWhere(const at::Tensor& bad, const at::Tensor& v) {
  return at::where(bad, at::full({}, NAN, v.options()), v);
}

at::Tensor quantizeBlocks(const at::Tensor& b, const QuantSpec& spec, float tensorScale) {
  at::Tensor mag = b.abs();
  at::Tensor amax = std::get<0>(mag.max(1, true));
  at::Tensor bad = at::logical_not(at::isfinite(amax));
  if (spec.reference) {
    at::Tensor l = (amax + 1e-7).to(at::kDouble).log2().to(at::kFloat);  // fp32 log2, correctly rounded
    at::Tensor e = at::clamp(at::floor(l) - 2, -129, 125).to(at::kLong);
    at::Tensor X = pow2(at::clamp_min(e, -126));
    at::Tensor s = at::clamp_max(mag / X, 8.0);
    at::Tensor p = at::clamp(floorLog2(s), 0, 2);
    at::Tensor v = at::floor(s * pow2(1 - p) + 0.5) * pow2(p - 1);
    at::Tensor y = at::sign(b) * X * at::clamp_max(v, 6.0);
    y = at::where(at::lt(e, -127), at::zeros_like(y), y);
    return nanWhere(at::isnan(amax), y);
  }
  const MxTraits f = mxTraits(spec.element);
  if (spec.isNvfp4()) {
    if (tensorScale == 0.0f) return nanWhere(bad, b * 0.0);
    // divide by a full tensor: CUDA turns division by a scalar into a multiplication by its reciprocal
    at::Tensor eff = roundToGrid(amax / at::full_like(amax, 6.0f * tensorScale), mxTraits(ElementFormat::E4M3),
                                 Rounding::NearestEven) *
                     tensorScale;
    at::Tensor v = roundToGrid(mag / eff, f, spec.rounding) * eff;
    v = at::where(at::gt(eff, 0), v, at::zeros_like(v));
    return nanWhere(bad, at::copysign(v, b));
  }
  at::Tensor e = floorLog2(amax) - f.emax;
  if (spec.scale == ScaleRule::RCeil) {
    at::Tensor m = amax / pow2(at::clamp(floorLog2(amax), -126, 127));  // in [1, 2)
    e = e + at::gt(m, f.maxNormal / float(1 << f.emax)).to(at::kLong);
  }
  e = at::where(at::lt(amax, 1.17549435e-38f), at::full({}, -127, e.options()), at::clamp(e, -127, 127));
  at::Tensor X = pow2(at::clamp_min(e, -126)) * at::where(at::eq(e, -127), 0.5, 1.0).to(at::kFloat);
  at::Tensor v = roundToGrid(mag / X, f, spec.rounding) * X;
  return nanWhere(bad, at::copysign(v, b));
}

}  // namespace

at::Tensor fakeQuantizeComposed(const at::Tensor& x, const QuantSpec& spec) {
  spec.validate();
  if (spec.rounding == Rounding::Stochastic)
    throw Error("composed fake quantization: stochastic rounding is not supported");
  if (!x.is_floating_point()) throw Error("composed fake quantization: tensor is not floating point");
  if (x.numel() == 0) return x.detach().clone();
  const MxKernelParams p = detail::kernelParams(spec, x.sizes(), 0);
  const float st = spec.isNvfp4() ? detail::nvfp4TensorScale(x) : 0.0f;
  const int64_t bh = p.blockRows, bw = p.blockCols;
  const int64_t R = (p.rows + bh - 1) / bh * bh, C = (p.cols + bw - 1) / bw * bw;
  at::Tensor v = x.detach().to(at::kFloat).reshape({p.rows, p.cols});
  v = at::constant_pad_nd(v, {0, C - p.cols, 0, R - p.rows}, 0);
  at::Tensor blocks = v.reshape({R / bh, bh, C / bw, bw}).permute({0, 2, 1, 3}).reshape({-1, bh * bw});
  at::Tensor q = quantizeBlocks(blocks, spec, st);
  q = q.reshape({R / bh, C / bw, bh, bw}).permute({0, 2, 1, 3}).reshape({R, C});
  return q.slice(0, 0, p.rows).slice(1, 0, p.cols).reshape(x.sizes()).to(x.scalar_type()).contiguous();
}

}  // namespace srdd
