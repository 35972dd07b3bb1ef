// quantizeWithDetail: the fused result plus each block's scale byte and each element's code, for
// checking blocks by hand (`srdd quantize`). Scalar CPU code; meant for small tensors.
#include <algorithm>
#include <cmath>

#include "srdd/error.h"
#include "srdd/mx_quant.h"

namespace srdd {

QuantDetail quantizeWithDetail(const at::Tensor& x, const QuantSpec& spec) {
  spec.validate();
  QuantDetail d;
  at::Tensor in = x.detach().to(at::kCPU).to(at::kFloat).contiguous();
  d.dequantized = fakeQuantize(in, spec, 0);
  const MxKernelParams p = detail::kernelParams(spec, in.sizes(), 0);
  if (p.mode == MxKernelParams::Nvfp4) d.tensorScale = detail::nvfp4TensorScale(in);
  d.scalesAreE8M0 = p.mode != MxKernelParams::Nvfp4;
  const int64_t gRows = (p.rows + p.blockRows - 1) / p.blockRows, gCols = (p.cols + p.blockCols - 1) / p.blockCols;
  d.scaleBytes = at::zeros({gRows, gCols}, at::kByte);
  d.scaleValues = at::zeros({gRows, gCols}, at::kFloat);
  d.codes = at::zeros(in.sizes(), at::kByte);
  if (in.numel() == 0) return d;

  const MxTraits elem = mxTraits(spec.element), e4m3 = mxTraits(ElementFormat::E4M3);
  const float* src = in.data_ptr<float>();
  const float* deq = d.dequantized.data_ptr<float>();
  uint8_t* codes = d.codes.data_ptr<uint8_t>();
  uint8_t* sb = d.scaleBytes.data_ptr<uint8_t>();
  float* sv = d.scaleValues.data_ptr<float>();
  for (int64_t gr = 0; gr < gRows; ++gr) {
    for (int64_t gc = 0; gc < gCols; ++gc) {
      const int64_t r0 = gr * p.blockRows, c0 = gc * p.blockCols;
      const int64_t r1 = std::min(p.rows, r0 + p.blockRows), c1 = std::min(p.cols, c0 + p.blockCols);
      uint32_t mb = 0;
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t c = c0; c < c1; ++c) mb = std::max(mb, mxF2U(src[r * p.cols + c]) & 0x7FFFFFFFu);
      const float amax = mxU2F(mb);
      const bool nan = p.mode == MxKernelParams::Reference ? mb > 0x7F800000u : mb >= 0x7F800000u;
      float unit;  // the factor between element grid values and dequantized values
      const int64_t g = gr * gCols + gc;
      if (p.mode == MxKernelParams::Nvfp4) {
        float s8 = (nan || d.tensorScale == 0.0f)
                       ? 0.0f
                       : mxRoundMagnitude(amax / (6.0f * d.tensorScale), e4m3, Rounding::NearestEven, 0.0f);
        sb[g] = nan ? 0x7F : uint8_t(mxEncode(s8, false, e4m3));
        sv[g] = nan ? NAN : s8;
        unit = s8 * d.tensorScale;
      } else {
        int e = nan ? 0
                    : (p.mode == MxKernelParams::Reference ? mxRefScaleExponent(amax)
                                                           : mxScaleExponent(amax, p.scale, elem));
        sb[g] = nan ? 0xFF : uint8_t(e + 127);
        sv[g] = nan ? NAN : std::ldexp(1.0f, e);
        unit = sv[g];
      }
      for (int64_t r = r0; r < r1; ++r) {
        for (int64_t c = c0; c < c1; ++c) {
          const int64_t i = r * p.cols + c;
          if (nan || unit == 0.0f) continue;
          float v = mxRoundMagnitude(std::fabs(deq[i]) / unit, elem, Rounding::NearestEven, 0.0f);
          codes[i] = uint8_t(mxEncode(v, std::signbit(deq[i]), elem));
        }
      }
    }
  }
  if (spec.reference) {
    d.scaleBytes = d.scaleBytes.reshape({-1});
    d.scaleValues = d.scaleValues.reshape({-1});
  }
  return d;
}

}  // namespace srdd
