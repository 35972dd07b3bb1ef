// Fused CUDA fake-quantization kernels. The element math is mx_format.h's, shared with the CPU
// kernel, so both give the same bits (this needs IEEE fp32: no --use_fast_math / FTZ, which would
// flush the 2^-127 scale).
// * Fast path (MX formats, 1x32 row blocks, row length a multiple of 32, 16-byte aligned): every
//   thread loads 16 bytes (8 bf16/fp16 or 4 fp32 values), the 4 or 8 lanes holding one block reduce
//   max|x| with shuffles, and quantize from registers into one 16-byte store; grid-stride loop.
// * General kernel (tiles, other block sizes, ragged rows, nvfp4, reference): a segment of
//   min(blockCols, 32) lanes of a warp owns one scale group: each lane reads its columns (coalesced
//   along the row), the segment reduces max|x| with shuffles, then each lane quantizes its elements
//   (re-read from L1/L2).
#include <ATen/cuda/CUDAContext.h>
#include <algorithm>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>

#include "srdd/error.h"
#include "srdd/mx_quant.h"

namespace srdd::detail {
namespace {

constexpr int kThreads = 256;

// Output value as the CPU kernel stores it: c10's conversion (round to nearest even on both sides)
// except NaN, which only a NaN block produces, stored as the CPU's quiet NaN (the device
// conversions give 0x7FFF instead of 0x7FC0 / 0x7E00).
template <typename T>
__device__ __forceinline__ T toOut(float y) {
  return y;
}
template <>
__device__ __forceinline__ at::BFloat16 toOut<at::BFloat16>(float y) {
  return y != y ? at::BFloat16(0x7FC0, at::BFloat16::from_bits()) : at::BFloat16(y);
}
template <>
__device__ __forceinline__ at::Half toOut<at::Half>(float y) {
  return y != y ? at::Half(0x7E00, at::Half::from_bits()) : at::Half(y);
}

// ---- fast path ----
constexpr int kFastUnrollLarge = 4;  // 16-byte vectors in flight per thread for large tensors

// The 16-byte vector v as V = 16 / sizeof(T) fp32 values, and back (through c10's conversions).
__device__ __forceinline__ uint32_t word(const uint4& v, int j) {
  return j == 0 ? v.x : j == 1 ? v.y : j == 2 ? v.z : v.w;
}
template <typename T>
__device__ __forceinline__ float halfBits(uint32_t b) {
  return static_cast<float>(T(uint16_t(b & 0xFFFFu), T::from_bits()));
}

template <typename T>
__device__ __forceinline__ void unpack(const uint4& v, float* x) {
  if constexpr (sizeof(T) == 4) {
#pragma unroll
    for (int j = 0; j < 4; ++j) x[j] = __uint_as_float(word(v, j));
  } else {
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      x[2 * j] = halfBits<T>(word(v, j));
      x[2 * j + 1] = halfBits<T>(word(v, j) >> 16);
    }
  }
}

template <typename T>
__device__ __forceinline__ uint4 pack(const float* y) {
  uint32_t w[4];
  if constexpr (sizeof(T) == 4) {
#pragma unroll
    for (int j = 0; j < 4; ++j) w[j] = __float_as_uint(y[j]);
  } else {
#pragma unroll
    for (int j = 0; j < 4; ++j) w[j] = uint32_t(toOut<T>(y[2 * j]).x) | (uint32_t(toOut<T>(y[2 * j + 1]).x) << 16);
  }
  return make_uint4(w[0], w[1], w[2], w[3]);
}

// nVec 16-byte vectors; nVec * V is a multiple of 32, so a block never straddles a vector group
// boundary and the lanes of one block are all in range or all out of range.
template <typename T, ElementFormat F, Rounding R, int kFastUnroll>
__global__ void __launch_bounds__(kThreads)
    mxRowFastKernel(const uint4* in, uint4* out, int64_t nVec, ScaleRule rule, uint64_t seedMix, uint64_t indexOffset) {
  constexpr int V = 16 / int(sizeof(T));  // elements per lane
  constexpr int G = 32 / V;               // lanes per 32-element block
  const MxTraits tr = mxTraits(F);
  const int lane = threadIdx.x & 31;
  const int64_t warp = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
  const int64_t warps = (int64_t(gridDim.x) * blockDim.x) >> 5;
  for (int64_t base = warp * (32 * kFastUnroll); base < nVec; base += warps * (32 * kFastUnroll)) {  // warp-uniform
    uint4 v[kFastUnroll];
#pragma unroll
    for (int u = 0; u < kFastUnroll; ++u) {
      const int64_t i = base + u * 32 + lane;
      v[u] = i < nVec ? __ldcs(in + i) : make_uint4(0u, 0u, 0u, 0u);
    }
#pragma unroll
    for (int u = 0; u < kFastUnroll; ++u) {
      const int64_t i = base + u * 32 + lane;
      float x[V], y[V];
      unpack<T>(v[u], x);
      uint32_t mb = 0;
#pragma unroll
      for (int k = 0; k < V; ++k) mb = max(mb, __float_as_uint(x[k]) & 0x7FFFFFFFu);
#pragma unroll
      for (int off = G / 2; off > 0; off >>= 1) mb = max(mb, __shfl_xor_sync(0xFFFFFFFFu, mb, off));
      if (i < nVec) {
        if (mb >= 0x7F800000u) {
#pragma unroll
          for (int k = 0; k < V; ++k) y[k] = __int_as_float(0x7FC00000);
        } else {
          const int e = mxScaleExponent(mxU2F(mb), rule, tr);
          const float inv = mxPow2(-e), X = mxPow2(e);
#pragma unroll
          for (int k = 0; k < V; ++k) {
            const float uni = R == Rounding::Stochastic ? mxUniform(seedMix, uint64_t(i * V + k) + indexOffset) : 0.0f;
            y[k] = copysignf(mxRoundMagnitude(fabsf(x[k]) * inv, tr, R, uni) * X, x[k]);
          }
        }
        __stcs(out + i, pack<T>(y));
      }
    }
  }
}

template <typename T, ElementFormat F, Rounding R, int U>
void launchFastUnrolled(const at::Tensor& in, at::Tensor& out, const MxKernelParams& p, int64_t nVec, int64_t fill) {
  const int64_t perBlock = int64_t(kThreads) * U;
  const int64_t blocks = std::max<int64_t>(1, std::min<int64_t>((nVec + perBlock - 1) / perBlock, fill));
  mxRowFastKernel<T, F, R, U><<<unsigned(blocks), kThreads, 0, at::cuda::getCurrentCUDAStream()>>>(
      reinterpret_cast<const uint4*>(in.data_ptr()), reinterpret_cast<uint4*>(out.data_ptr()), nVec, p.scale, p.seedMix,
      p.indexOffset);
}

// Large tensors keep several loads in flight per thread; tensors too small to fill every SM that way
// (e.g. a 256x1536 k_proj weight) take one vector per thread so that more SMs share the work.
template <typename T, ElementFormat F, Rounding R>
void launchFast(const at::Tensor& in, at::Tensor& out, const MxKernelParams& p) {
  static const int perSm = [] {
    int n = 0;
    C10_CUDA_CHECK(
        cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, mxRowFastKernel<T, F, R, kFastUnrollLarge>, kThreads, 0));
    return std::max(n, 1);
  }();
  const int64_t nVec = in.numel() / (16 / int64_t(sizeof(T)));
  const int64_t fill = int64_t(perSm) * at::cuda::getCurrentDeviceProperties()->multiProcessorCount;
  if (nVec >= fill * kThreads * kFastUnrollLarge) {
    launchFastUnrolled<T, F, R, kFastUnrollLarge>(in, out, p, nVec, fill);
  } else {
    launchFastUnrolled<T, F, R, 1>(in, out, p, nVec, fill * 4);
  }
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

template <typename T, Rounding R>
void fastByFormat(const at::Tensor& in, at::Tensor& out, const MxKernelParams& p) {
  switch (p.element) {
    case ElementFormat::E2M1: return launchFast<T, ElementFormat::E2M1, R>(in, out, p);
    case ElementFormat::E2M3: return launchFast<T, ElementFormat::E2M3, R>(in, out, p);
    case ElementFormat::E3M2: return launchFast<T, ElementFormat::E3M2, R>(in, out, p);
    case ElementFormat::E4M3: return launchFast<T, ElementFormat::E4M3, R>(in, out, p);
    case ElementFormat::E5M2: return launchFast<T, ElementFormat::E5M2, R>(in, out, p);
  }
}

template <typename T>
void fastByRounding(const at::Tensor& in, at::Tensor& out, const MxKernelParams& p) {
  switch (p.rounding) {
    case Rounding::NearestEven: return fastByFormat<T, Rounding::NearestEven>(in, out, p);
    case Rounding::NearestAway: return fastByFormat<T, Rounding::NearestAway>(in, out, p);
    case Rounding::Stochastic: return fastByFormat<T, Rounding::Stochastic>(in, out, p);
  }
}

bool fastEligible(const at::Tensor& in, const at::Tensor& out, const MxKernelParams& p) {
  const auto aligned = [](const void* ptr) { return reinterpret_cast<uintptr_t>(ptr) % 16 == 0; };
  return p.mode == MxKernelParams::Mx && p.blockRows == 1 && p.blockCols == 32 && p.cols % 32 == 0 &&
         aligned(in.data_ptr()) && aligned(out.data_ptr());
}

// ---- general kernel ----

template <typename T, int MODE, Rounding R>
__global__ void __launch_bounds__(kThreads)
    mxFakeQuantKernel(const T* __restrict__ in, T* __restrict__ out, MxKernelParams p, int seg, int64_t gCols,
                      int64_t groups) {
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
      if (mb > 0x7F800000u)
        kind = 1;
      else {
        const int e = mxRefScaleExponent(amax);
        if (e < -127)
          kind = 2;
        else {
          inv = mxPow2(-e);
          X = mxPow2(e);
        }
      }
    } else if (MODE == MxKernelParams::Nvfp4) {
      if (mb >= 0x7F800000u)
        kind = 1;
      else if (p.tensorScale > 0.0f)
        eff = mxRoundMagnitude(amax / (6.0f * p.tensorScale), e4m3, Rounding::NearestEven, 0.0f) * p.tensorScale;
    } else {
      if (mb >= 0x7F800000u)
        kind = 1;
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
        out[idx] = toOut<T>(y);
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
  const int64_t blocks =
      std::max<int64_t>(1, std::min<int64_t>((groups + groupsPerBlock - 1) / groupsPerBlock, 1 << 20));
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
  if (p.mode == MxKernelParams::Reference)
    byRounding<T, MxKernelParams::Reference>(in, out, p);
  else if (p.mode == MxKernelParams::Nvfp4)
    byRounding<T, MxKernelParams::Nvfp4>(in, out, p);
  else
    byRounding<T, MxKernelParams::Mx>(in, out, p);
}

}  // namespace

void fakeQuantizeCuda(const at::Tensor& in, at::Tensor& out, const MxKernelParams& p) {
  if (p.blockCols > 32 && p.blockCols % 32 != 0)
    throw Error("fake quantization (CUDA): block width must be a power of two");
  c10::cuda::CUDAGuard guard(in.device());
  if (fastEligible(in, out, p)) {
    switch (in.scalar_type()) {
      case at::kFloat: return fastByRounding<float>(in, out, p);
      case at::kBFloat16: return fastByRounding<at::BFloat16>(in, out, p);
      case at::kHalf: return fastByRounding<at::Half>(in, out, p);
      default: break;
    }
  }
  switch (in.scalar_type()) {
    case at::kFloat: return byMode<float>(in, out, p);
    case at::kBFloat16: return byMode<at::BFloat16>(in, out, p);
    case at::kHalf: return byMode<at::Half>(in, out, p);
    default: throw Error(std::string("fake quantization (CUDA): unsupported dtype ") + c10::toString(in.scalar_type()));
  }
}

}  // namespace srdd::detail
