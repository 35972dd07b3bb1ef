// Fused CPU fake-quantization kernel: one pass per scale group (amax, then quantize while the
// group is in cache), groups spread over threads with at::parallel_for. fp32 math; the scalar
// formulas come from mx_format.h so the CUDA kernel computes the same bits.
// Fast path (MX formats, 1x32 row blocks, rne/away): each block is widened to 32 fp32 bit patterns
// and quantized by loops with compile-time format constants that GCC vectorizes (AVX2/AVX-512
// clones chosen at run time); everything else takes the general per-group path.
#include <ATen/Parallel.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "srdd/error.h"
#include "srdd/mx_quant.h"

namespace srdd::detail {
namespace {

template <typename T>
inline float load(T v) {
  return static_cast<float>(v);
}
template <typename T>
inline T store(float v) {
  return static_cast<T>(v);
}

struct Group {
  int64_t r0, c0;
  int h, w;
};

// Bits of max|x| over the group (|x| as fp32 bits: >= 0x7F800000 means Inf, > means NaN).
template <typename T>
inline uint32_t groupMaxBits(const T* in, int64_t cols, const Group& g) {
  uint32_t m = 0;
  for (int r = 0; r < g.h; ++r) {
    const T* row = in + (g.r0 + r) * cols + g.c0;
    for (int c = 0; c < g.w; ++c) m = std::max(m, mxF2U(load(row[c])) & 0x7FFFFFFFu);
  }
  return m;
}

template <typename T>
inline void fillGroup(T* out, int64_t cols, const Group& g, float v) {
  for (int r = 0; r < g.h; ++r) std::fill_n(out + (g.r0 + r) * cols + g.c0, g.w, store<T>(v));
}

// Applies elem(x, u) to every element of the group; u is the stochastic-rounding uniform.
template <typename T, bool STOCH, typename F>
inline void mapGroup(const T* in, T* out, const MxKernelParams& p, const Group& g, F elem) {
  for (int r = 0; r < g.h; ++r) {
    int64_t base = (g.r0 + r) * p.cols + g.c0;
    const T* src = in + base;
    T* dst = out + base;
    if (STOCH) {
      uint64_t idx0 = uint64_t(base) + p.indexOffset;
      for (int c = 0; c < g.w; ++c) dst[c] = store<T>(elem(load(src[c]), mxUniform(p.seedMix, idx0 + c)));
    } else {
      for (int c = 0; c < g.w; ++c) dst[c] = store<T>(elem(load(src[c]), 0.0f));
    }
  }
}

template <typename T, Rounding R>
void quantGroupMx(const T* in, T* out, const MxKernelParams& p, const MxTraits& tr, const Group& g) {
  uint32_t mb = groupMaxBits(in, p.cols, g);
  if (mb >= 0x7F800000u) return fillGroup(out, p.cols, g, std::numeric_limits<float>::quiet_NaN());
  int e = mxScaleExponent(mxU2F(mb), p.scale, tr);
  const float inv = mxPow2(-e), X = mxPow2(e);
  mapGroup<T, R == Rounding::Stochastic>(in, out, p, g, [&](float x, float u) {
    return std::copysign(mxRoundMagnitude(std::fabs(x) * inv, tr, R, u) * X, x);
  });
}

template <typename T, Rounding R>
void quantGroupRef(const T* in, T* out, const MxKernelParams& p, const Group& g) {
  uint32_t mb = groupMaxBits(in, p.cols, g);
  if (mb > 0x7F800000u) return fillGroup(out, p.cols, g, std::numeric_limits<float>::quiet_NaN());
  int e = mxRefScaleExponent(mxU2F(mb));
  if (e < -127) return fillGroup(out, p.cols, g, 0.0f);  // the scripts' underflow rule (unreachable)
  const float inv = mxPow2(-e), X = mxPow2(e);
  const bool bug = p.refHalfBug;
  mapGroup<T, R == Rounding::Stochastic>(in, out, p, g, [&](float x, float u) {
    float y = mxRefRoundMagnitude(std::fabs(x) * inv, R == Rounding::Stochastic, bug, u) * X;
    return x > 0.0f ? y : (x < 0.0f ? -y : 0.0f);  // sign(x) * y, as torch.sign
  });
}

template <typename T, Rounding R>
void quantGroupNv(const T* in, T* out, const MxKernelParams& p, const Group& g) {
  static const MxTraits e2m1 = mxTraits(ElementFormat::E2M1), e4m3 = mxTraits(ElementFormat::E4M3);
  uint32_t mb = groupMaxBits(in, p.cols, g);
  if (mb >= 0x7F800000u) return fillGroup(out, p.cols, g, std::numeric_limits<float>::quiet_NaN());
  const float st = p.tensorScale;
  const float eff =
      st > 0.0f ? mxRoundMagnitude(mxU2F(mb) / (6.0f * st), e4m3, Rounding::NearestEven, 0.0f) * st : 0.0f;
  mapGroup<T, R == Rounding::Stochastic>(in, out, p, g, [&](float x, float u) {
    return eff > 0.0f ? std::copysign(mxRoundMagnitude(std::fabs(x) / eff, e2m1, R, u) * eff, x)
                      : std::copysign(0.0f, x);
  });
}

template <typename T, Rounding R>
void run(const T* in, T* out, const MxKernelParams& p) {
  const MxTraits tr = mxTraits(p.element);
  const int64_t gRows = (p.rows + p.blockRows - 1) / p.blockRows;
  const int64_t gCols = (p.cols + p.blockCols - 1) / p.blockCols;
  const int64_t groupElems = int64_t(p.blockRows) * p.blockCols;
  const int64_t grain = std::max<int64_t>(1, 65536 / groupElems);
  at::parallel_for(0, gRows * gCols, grain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      Group g;
      g.r0 = (i / gCols) * p.blockRows;
      g.c0 = (i % gCols) * p.blockCols;
      g.h = int(std::min<int64_t>(p.blockRows, p.rows - g.r0));
      g.w = int(std::min<int64_t>(p.blockCols, p.cols - g.c0));
      if (p.mode == MxKernelParams::Reference)
        quantGroupRef<T, R>(in, out, p, g);
      else if (p.mode == MxKernelParams::Nvfp4)
        quantGroupNv<T, R>(in, out, p, g);
      else
        quantGroupMx<T, R>(in, out, p, tr, g);
    }
  });
}

// ---- fast path ----
constexpr int kB = 32;
// Everything the per-ISA copies below call must be inlined into them, or it runs as baseline code.
#define SRDD_INLINE __attribute__((always_inline)) inline

// Block <-> 32 fp32 bit patterns (w < 32: the tail of a ragged row; the rest stays 0, which never
// changes amax). Conversions are exactly c10's: bf16 -> fp32 is a shift, fp32 -> bf16 rounds to
// nearest even with NaN -> 0x7FC0 (c10::detail::round_to_nearest_even, written out so it vectorizes).
template <typename T>
SRDD_INLINE void loadBits(const T* src, int w, uint32_t* b) {
  for (int i = 0; i < w; ++i) b[i] = mxF2U(static_cast<float>(src[i]));
}
template <>
SRDD_INLINE void loadBits(const float* src, int w, uint32_t* b) {
  std::memcpy(b, src, sizeof(float) * w);
}
template <>
SRDD_INLINE void loadBits(const at::BFloat16* src, int w, uint32_t* b) {
  for (int i = 0; i < w; ++i) b[i] = uint32_t(src[i].x) << 16;
}
template <typename T>
SRDD_INLINE void storeBits(const uint32_t* b, int w, T* dst) {
  for (int i = 0; i < w; ++i) dst[i] = static_cast<T>(mxU2F(b[i]));
}
template <>
SRDD_INLINE void storeBits(const uint32_t* b, int w, float* dst) {
  std::memcpy(dst, b, sizeof(float) * w);
}
template <>
SRDD_INLINE void storeBits(const uint32_t* b, int w, at::BFloat16* dst) {
  for (int i = 0; i < w; ++i) {
    const uint32_t u = b[i];
    const uint16_t r = uint16_t((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
    dst[i].x = (u & 0x7FFFFFFFu) > 0x7F800000u ? uint16_t(0x7FC0) : r;
  }
}

// quantGroupMx on one block held as fp32 bits (same operations, so the same bits).
template <ElementFormat F, Rounding R>
SRDD_INLINE void quantBlockBits(uint32_t* b, ScaleRule rule) {
  const MxTraits tr = mxTraits(F);
  uint32_t mb = 0;
  for (int i = 0; i < kB; ++i) mb = std::max(mb, b[i] & 0x7FFFFFFFu);
  if (mb >= 0x7F800000u) {
    for (int i = 0; i < kB; ++i) b[i] = mxF2U(std::numeric_limits<float>::quiet_NaN());
    return;
  }
  const int e = mxScaleExponent(mxU2F(mb), rule, tr);
  const float inv = mxPow2(-e), X = mxPow2(e);
  for (int i = 0; i < kB; ++i) {
    const float q = mxRoundMagnitude(mxU2F(b[i] & 0x7FFFFFFFu) * inv, tr, R, 0.0f) * X;
    b[i] = mxF2U(q) | (b[i] & 0x80000000u);  // copysign
  }
}

struct RowBlocks {
  int64_t cols, gCols;  // row length, blocks per row
  ScaleRule rule;
};

// Blocks [g0, g1) of the row-major block grid.
template <typename T, ElementFormat F, Rounding R>
SRDD_INLINE void blocksImpl(const void* inV, void* outV, const RowBlocks& a, int64_t g0, int64_t g1) {
  const T* in = static_cast<const T*>(inV);
  T* out = static_cast<T*>(outV);
  alignas(64) uint32_t b[kB];
  int64_t r = g0 / a.gCols, c = (g0 % a.gCols) * kB;
  for (int64_t g = g0; g < g1; ++g) {
    const int64_t off = r * a.cols + c;
    if (c + kB <= a.cols) {
      loadBits(in + off, kB, b);
      quantBlockBits<F, R>(b, a.rule);
      storeBits(b, kB, out + off);
    } else {
      const int w = int(a.cols - c);
      std::fill_n(b, kB, 0u);
      loadBits(in + off, w, b);
      quantBlockBits<F, R>(b, a.rule);
      storeBits(b, w, out + off);
    }
    c += kB;
    if (c >= a.cols) {
      c = 0;
      ++r;
    }
  }
}

using BlocksFn = void (*)(const void*, void*, const RowBlocks&, int64_t, int64_t);

// One copy per ISA; never FMA (not needed: every product is exact, but keep the code identical).
template <typename T, ElementFormat F, Rounding R>
void blocksBase(const void* in, void* out, const RowBlocks& a, int64_t g0, int64_t g1) {
  blocksImpl<T, F, R>(in, out, a, g0, g1);
}
template <typename T, ElementFormat F, Rounding R>
__attribute__((target("avx2"))) void blocksAvx2(const void* in, void* out, const RowBlocks& a, int64_t g0, int64_t g1) {
  blocksImpl<T, F, R>(in, out, a, g0, g1);
}
template <typename T, ElementFormat F, Rounding R>
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq"))) void blocksAvx512(const void* in, void* out,
                                                                                const RowBlocks& a, int64_t g0,
                                                                                int64_t g1) {
  blocksImpl<T, F, R>(in, out, a, g0, g1);
}

template <typename T, ElementFormat F, Rounding R>
BlocksFn pickIsa() {
  static const int isa =
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") ? 2
      : __builtin_cpu_supports("avx2")                                                                               ? 1
                                       : 0;
  return isa == 2 ? &blocksAvx512<T, F, R> : isa == 1 ? &blocksAvx2<T, F, R> : &blocksBase<T, F, R>;
}

template <typename T, Rounding R>
BlocksFn pickFormat(ElementFormat f) {
  switch (f) {
    case ElementFormat::E2M1: return pickIsa<T, ElementFormat::E2M1, R>();
    case ElementFormat::E2M3: return pickIsa<T, ElementFormat::E2M3, R>();
    case ElementFormat::E3M2: return pickIsa<T, ElementFormat::E3M2, R>();
    case ElementFormat::E4M3: return pickIsa<T, ElementFormat::E4M3, R>();
    case ElementFormat::E5M2:
    default: return pickIsa<T, ElementFormat::E5M2, R>();
  }
}

template <typename T>
void runFast(const T* in, T* out, const MxKernelParams& p) {
  const BlocksFn fn = p.rounding == Rounding::NearestEven ? pickFormat<T, Rounding::NearestEven>(p.element)
                                                          : pickFormat<T, Rounding::NearestAway>(p.element);
  const RowBlocks a{p.cols, (p.cols + kB - 1) / kB, p.scale};
  at::parallel_for(0, p.rows * a.gCols, 2048, [&](int64_t g0, int64_t g1) { fn(in, out, a, g0, g1); });
}

bool fastEligible(const MxKernelParams& p) {
  return p.mode == MxKernelParams::Mx && p.blockRows == 1 && p.blockCols == kB && p.rounding != Rounding::Stochastic;
}

template <typename T>
void runTyped(const T* in, T* out, const MxKernelParams& p) {
  if (fastEligible(p)) return runFast(in, out, p);
  switch (p.rounding) {
    case Rounding::NearestEven: return run<T, Rounding::NearestEven>(in, out, p);
    case Rounding::NearestAway: return run<T, Rounding::NearestAway>(in, out, p);
    case Rounding::Stochastic: return run<T, Rounding::Stochastic>(in, out, p);
  }
}

}  // namespace

void fakeQuantizeCpu(const at::Tensor& in, at::Tensor& out, const MxKernelParams& p) {
  switch (in.scalar_type()) {
    case at::kFloat: return runTyped(in.data_ptr<float>(), out.data_ptr<float>(), p);
    case at::kBFloat16: return runTyped(in.data_ptr<at::BFloat16>(), out.data_ptr<at::BFloat16>(), p);
    case at::kHalf: return runTyped(in.data_ptr<at::Half>(), out.data_ptr<at::Half>(), p);
    default: throw Error(std::string("fake quantization: unsupported dtype ") + c10::toString(in.scalar_type()));
  }
}

}  // namespace srdd::detail
