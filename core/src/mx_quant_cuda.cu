// Fused CUDA fake-quantization kernel: one pass over the data. A segment of min(blockCols, 32)
// lanes of a warp owns one scale group: each lane reads its columns (coalesced along the row),
// the segment reduces max|x| with shuffles, then each lane quantizes its elements (re-read from
// L1/L2). The element math is mx_format.h's, shared with the CPU kernel, so both give the same bits
// (this needs IEEE fp32: no --use_fast_math / FTZ, which would flush the 2^-127 scale).
#include <ATen/cuda/CUDAContext.h>
#include <algorithm>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>

#include "srdd/error.h"
#include "srdd/mx_quant.h"

namespace srdd::detail {
namespace {

constexpr int kThreads = 256;

template <typename T, int MODE, Rounding R>
__global__ void __launch_bounds__(kThreads) mxFakeQuantKernel(const T* __restrict__ in, T* __restrict__ out,
                                                              MxKernelParams p, int seg, int64_t gCols, int64_t groups) {
  const int lane = threadIdx.x & 31;
  const int sub = lane / seg, j = lane % seg;
  const int perWarp = 32 / seg;
  const int64_t warp = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
  const int64_t warps = (int64_t(gridDim.x) * blockDim.x) >> 5;
  const MxTraits tr = mxTraits(p.element);
  const MxTraits e4m3 = mxTraits(ElementFormat::E4M3);
  for (int64_t base = warp * perWarp; base < groups; base += warps * perWarp) {  // uniform per warp
    const int64_t g = base + sub;
    const bool valid = g < groups;
    int64_t r0 = 0, c0 = 0;
    int h = 0, w = 0;
    if (valid) {
      r0 = (g / gCols) * p.blockRows;
      c0 = (g % gCols) * p.blockCols;
      h = int(min(int64_t(p.blockRows), p.rows - r0));
      w = int(min(int64_t(p.blockCols), p.cols - c0));
    }
    uint32_t mb = 0;
    for (int r = 0; r < h; ++r) {
      const T* row = in + (r0 + r) * p.cols + c0;
      for (int c = j; c < w; c += seg) mb = max(mb, mxF2U(static_cast<float>(row[c])) & 0x7FFFFFFFu);
    }
    for (int off = seg >> 1; off > 0; off >>= 1) mb = max(mb, __shfl_xor_sync(0xFFFFFFFFu, mb, off));
    if (!valid) continue;

    // Per-group constants; `kind` 0 = quantize, 1 = NaN block, 2 = zero block.
    int kind = 0;
    float inv = 1.0f, X = 1.0f, eff = 0.0f;
    const float amax = mxU2F(mb);
    if (MODE == MxKernelParams::Reference) {
      if (mb > 0x7F800000u) kind = 1;
      else {
        const int e = mxRefScaleExponent(amax);
        if (e < -127) kind = 2;
        else { inv = mxPow2(-e); X = mxPow2(e); }
      }
    } else if (MODE == MxKernelParams::Nvfp4) {
      if (mb >= 0x7F800000u) kind = 1;
      else if (p.tensorScale > 0.0f)
        eff = mxRoundMagnitude(amax / (6.0f * p.tensorScale), e4m3, Rounding::NearestEven, 0.0f) * p.tensorScale;
    } else {
      if (mb >= 0x7F800000u) kind = 1;
      else {
        const int e = mxScaleExponent(amax, p.scale, tr);
        inv = mxPow2(-e);
        X = mxPow2(e);
      }
    }
    for (int r = 0; r < h; ++r) {
      const int64_t rowBase = (r0 + r) * p.cols + c0;
      for (int c = j; c < w; c += seg) {
        const int64_t idx = rowBase + c;
        const float x = static_cast<float>(in[idx]);
        const float u = R == Rounding::Stochastic ? mxUniform(p.seedMix, uint64_t(idx) + p.indexOffset) : 0.0f;
        float y;
        if (kind == 1) {
          y = __int_as_float(0x7FC00000);
        } else if (kind == 2) {
          y = 0.0f;
        } else if (MODE == MxKernelParams::Reference) {
          const float v = mxRefRoundMagnitude(fabsf(x) * inv, R == Rounding::Stochastic, p.refHalfBug, u) * X;
          y = x > 0.0f ? v : (x < 0.0f ? -v : 0.0f);
        } else if (MODE == MxKernelParams::Nvfp4) {
          y = eff > 0.0f ? copysignf(mxRoundMagnitude(fabsf(x) / eff, tr, R, u) * eff, x) : copysignf(0.0f, x);
        } else {
          y = copysignf(mxRoundMagnitude(fabsf(x) * inv, tr, R, u) * X, x);
        }
        out[idx] = static_cast<T>(y);
      }
    }
  }
}

template <typename T, int MODE, Rounding R>
void launch(const at::Tensor& in, at::Tensor& out, const MxKernelParams& p) {
  const int seg = p.blockCols < 32 ? p.blockCols : 32;
  const int64_t gRows = (p.rows + p.blockRows - 1) / p.blockRows;
  const int64_t gCols = (p.cols + p.blockCols - 1) / p.blockCols;
  const int64_t groups = gRows * gCols;
  const int64_t groupsPerBlock = int64_t(kThreads / 32) * (32 / seg);
  const int64_t blocks = std::max<int64_t>(1, std::min<int64_t>((groups + groupsPerBlock - 1) / groupsPerBlock, 1 << 20));
  auto stream = at::cuda::getCurrentCUDAStream();
  mxFakeQuantKernel<T, MODE, R><<<unsigned(blocks), kThreads, 0, stream>>>(
      reinterpret_cast<const T*>(in.data_ptr()), reinterpret_cast<T*>(out.data_ptr()), p, seg, gCols, groups);
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

template <typename T, int MODE>
void byRounding(const at::Tensor& in, at::Tensor& out, const MxKernelParams& p) {
  switch (p.rounding) {
    case Rounding::NearestEven: return launch<T, MODE, Rounding::NearestEven>(in, out, p);
    case Rounding::NearestAway: return launch<T, MODE, Rounding::NearestAway>(in, out, p);
    case Rounding::Stochastic: return launch<T, MODE, Rounding::Stochastic>(in, out, p);
  }
}

template <typename T>
void byMode(const at::Tensor& in, at::Tensor& out, const MxKernelParams& p) {
  if (p.mode == MxKernelParams::Reference) byRounding<T, MxKernelParams::Reference>(in, out, p);
  else if (p.mode == MxKernelParams::Nvfp4) byRounding<T, MxKernelParams::Nvfp4>(in, out, p);
  else byRounding<T, MxKernelParams::Mx>(in, out, p);
}

}  // namespace

void fakeQuantizeCuda(const at::Tensor& in, at::Tensor& out, const MxKernelParams& p) {
  if (p.blockCols > 32 && p.blockCols % 32 != 0) throw Error("fake quantization (CUDA): block width must be a power of two");
  c10::cuda::CUDAGuard guard(in.device());
  switch (in.scalar_type()) {
    case at::kFloat: return byMode<float>(in, out, p);
    case at::kBFloat16: return byMode<at::BFloat16>(in, out, p);
    case at::kHalf: return byMode<at::Half>(in, out, p);
    default: throw Error(std::string("fake quantization (CUDA): unsupported dtype ") + c10::toString(in.scalar_type()));
  }
}

}  // namespace srdd::detail
