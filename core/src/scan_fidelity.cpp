#include "srdd/scan_fidelity.h"

#include "srdd/fixed_order_sum.h"

#include <algorithm>
#include <cmath>

namespace srdd {

std::map<std::string, double> Fidelity::toMap() const {
  return {{"sqnr_db", sqnrDb},
          {"deadzone_ratio", deadzone},
          {"clipping_ratio", clipping},
          {"global_max_level_ratio", globalMaxLevel},
          {"relative_error", relativeError},
          {"mean_abs_error", meanAbsError},
          {"max_abs_error", maxAbsError},
          {"norm", norm}};
}

at::Tensor blockScaleUnits(const at::Tensor& x, const QuantSpec& spec) {
  at::Tensor in = x.detach().to(at::kFloat).contiguous();
  const MxKernelParams p = detail::kernelParams(spec, in.sizes(), 0);
  const int64_t gR = (p.rows + p.blockRows - 1) / p.blockRows, gC = (p.cols + p.blockCols - 1) / p.blockCols;
  at::Tensor m = in.abs().reshape({p.rows, p.cols});
  m = at::constant_pad_nd(m, {0, gC * p.blockCols - p.cols, 0, gR * p.blockRows - p.rows}, 0.0);
  at::Tensor amax = m.reshape({gR, p.blockRows, gC, p.blockCols}).amax({1, 3}).cpu().contiguous();
  const float tensorScale = p.mode == MxKernelParams::Nvfp4 ? detail::nvfp4TensorScale(in) : 1.0f;
  const MxTraits elem = mxTraits(spec.element), e4m3 = mxTraits(ElementFormat::E4M3);
  at::Tensor unit = at::empty_like(amax);
  const float* a = amax.data_ptr<float>();
  float* u = unit.data_ptr<float>();
  for (int64_t i = 0; i < amax.numel(); ++i) {
    if (!std::isfinite(a[i])) {
      u[i] = NAN;
    } else if (p.mode == MxKernelParams::Nvfp4) {
      u[i] = tensorScale == 0.0f
                 ? 0.0f
                 : mxRoundMagnitude(a[i] / (6.0f * tensorScale), e4m3, Rounding::NearestEven, 0.0f) * tensorScale;
    } else {
      const int e =
          p.mode == MxKernelParams::Reference ? mxRefScaleExponent(a[i]) : mxScaleExponent(a[i], p.scale, elem);
      u[i] = std::ldexp(1.0f, e);
    }
  }
  unit = unit.to(in.device()).repeat_interleave(p.blockRows, 0).repeat_interleave(p.blockCols, 1);
  return unit.narrow(0, 0, p.rows).narrow(1, 0, p.cols).reshape(in.sizes());
}

at::Tensor fidelityTerms(const at::Tensor& x, const QuantSpec& spec, const at::Tensor& xqIn) {
  if (x.numel() == 0) return at::zeros({kFidelityTerms}, x.options().dtype(at::kDouble));
  at::Tensor xq = xqIn.defined() ? xqIn : fakeQuantize(x, spec);
  at::Tensor xd = x.detach().to(at::kDouble), qd = xq.detach().to(at::kDouble);
  at::Tensor e = qd - xd, ae = e.abs(), ax = xd.abs(), aq = qd.abs();
  const double maxNormal = mxTraits(spec.element).maxNormal;
  // The counts are exact integers (any order gives the same); the sums are fixed-order (thread-count free).
  return at::stack({fixedOrderSum(xd.pow(2)), fixedOrderSum(e.pow(2)), (xd.ne(0) & qd.eq(0)).sum().to(at::kDouble),
                    ax.gt(blockScaleUnits(x, spec).to(at::kDouble) * maxNormal).sum().to(at::kDouble),
                    aq.ge(aq.max() * 0.99).sum().to(at::kDouble), fixedOrderMean(ae / (ax + 1e-10)), fixedOrderMean(ae),
                    ae.max()});
}

Fidelity fidelityFromTerms(const double* t, int64_t numel) {
  Fidelity f;
  f.numel = numel;
  if (numel == 0) return f;
  const double signal = t[0], noise = t[1], n = static_cast<double>(numel);
  f.sqnrDb = noise > 0 ? std::min(kSqnrCapDb, 10.0 * std::log10(signal / noise)) : kSqnrCapDb;
  f.deadzone = t[2] / n;
  f.clipping = t[3] / n;
  f.globalMaxLevel = t[4] / n;
  f.relativeError = t[5];
  f.meanAbsError = t[6];
  f.maxAbsError = t[7];
  f.norm = std::sqrt(signal);
  f.signalEnergy = signal;
  f.errorEnergy = noise;
  return f;
}

Fidelity measureFidelity(const at::Tensor& x, const QuantSpec& spec, const at::Tensor& xq) {
  at::Tensor t = fidelityTerms(x, spec, xq).cpu().contiguous();
  return fidelityFromTerms(t.data_ptr<double>(), x.numel());
}

Fidelity poolFidelity(const std::vector<Fidelity>& parts) {
  Fidelity f;
  double signal = 0, noise = 0, n = 0;
  for (const auto& p : parts) {
    const double pn = static_cast<double>(p.numel);
    signal += p.signalEnergy;
    noise += p.errorEnergy;
    n += pn;
    f.deadzone += p.deadzone * pn;
    f.clipping += p.clipping * pn;
    f.globalMaxLevel += p.globalMaxLevel * pn;
    f.relativeError += p.relativeError * pn;
    f.meanAbsError += p.meanAbsError * pn;
    f.maxAbsError = std::max(f.maxAbsError, p.maxAbsError);
    f.numel += p.numel;
  }
  if (n > 0) {
    f.deadzone /= n;
    f.clipping /= n;
    f.globalMaxLevel /= n;
    f.relativeError /= n;
    f.meanAbsError /= n;
  }
  f.sqnrDb = noise > 0 ? std::min(kSqnrCapDb, 10.0 * std::log10(signal / noise)) : kSqnrCapDb;
  f.norm = std::sqrt(signal);
  f.signalEnergy = signal;
  f.errorEnergy = noise;
  return f;
}

}  // namespace srdd
