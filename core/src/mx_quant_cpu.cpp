// Fused CPU fake-quantization kernel: one pass per scale group (amax, then quantize while the
// group is in cache), groups spread over threads with at::parallel_for. fp32 math; the scalar
// formulas come from mx_format.h so the CUDA kernel computes the same bits.
#include <ATen/Parallel.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "srdd/error.h"
#include "srdd/mx_quant.h"

namespace srdd::detail {
namespace {

template <typename T>
inline float load(T v) { return static_cast<float>(v); }
template <typename T>
inline T store(float v) { return static_cast<T>(v); }

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
  const float eff = st > 0.0f ? mxRoundMagnitude(mxU2F(mb) / (6.0f * st), e4m3, Rounding::NearestEven, 0.0f) * st : 0.0f;
  mapGroup<T, R == Rounding::Stochastic>(in, out, p, g, [&](float x, float u) {
    return eff > 0.0f ? std::copysign(mxRoundMagnitude(std::fabs(x) / eff, e2m1, R, u) * eff, x) : std::copysign(0.0f, x);
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
      if (p.mode == MxKernelParams::Reference) quantGroupRef<T, R>(in, out, p, g);
      else if (p.mode == MxKernelParams::Nvfp4) quantGroupNv<T, R>(in, out, p, g);
      else quantGroupMx<T, R>(in, out, p, tr, g);
    }
  });
}

template <typename T>
void runTyped(const T* in, T* out, const MxKernelParams& p) {
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
