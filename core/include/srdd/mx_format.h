#pragma once
// Microscaling element formats and the scalar quantizer math shared by the CPU kernel, the CUDA
// kernel and the detail path, so that all of them produce the same bits. Torch-free; compiles
// as host+device code under nvcc. Semantics: docs/quantization.md.
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define SRDD_HD __host__ __device__ __forceinline__
#else
#define SRDD_HD inline
#endif

namespace srdd {

enum class ElementFormat { E2M1, E2M3, E3M2, E4M3, E5M2 };
enum class ScaleRule { Floor, RCeil };  // OCP floor, or round the scale up
enum class Rounding { NearestEven, NearestAway, Stochastic };
enum class BlockShape { Row1x32, Tile32x32 };  // 1xK along the last axis, or KxK tiles

// Parameters of an element format: value = 2^p * q / 2^mbits with p in [emin, emax].
struct MxTraits {
  int ebits, mbits, bias, emin, emax;  // emax = exponent of the largest normal ("emax_elem")
  float maxNormal;                     // saturation value
  uint32_t maxMantBits;                // fp32 mantissa field of maxNormal (for the RCEIL rule)
};

SRDD_HD MxTraits mxTraits(ElementFormat f) {
  switch (f) {
    case ElementFormat::E2M1: return {2, 1, 1, 0, 2, 6.0f, 0x400000u};
    case ElementFormat::E2M3: return {2, 3, 1, 0, 2, 7.5f, 0x700000u};
    case ElementFormat::E3M2: return {3, 2, 3, -2, 4, 28.0f, 0x600000u};
    case ElementFormat::E4M3: return {4, 3, 7, -6, 8, 448.0f, 0x600000u};
    case ElementFormat::E5M2:
    default: return {5, 2, 15, -14, 15, 57344.0f, 0x600000u};
  }
}

SRDD_HD uint32_t mxF2U(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
#endif
}
SRDD_HD float mxU2F(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, 4);
  return f;
#endif
}

// Exact 2^k: mxPow2Normal for k in [-126, 127]; mxPow2 for k in [-149, 127] (subnormals too).
SRDD_HD float mxPow2Normal(int k) { return mxU2F(uint32_t(k + 127) << 23); }
SRDD_HD float mxPow2(int k) { return k >= -126 ? mxPow2Normal(k) : mxU2F(1u << (k + 149)); }

// Counter-based RNG: a uniform in [0,1) with 24 random bits from (seed, element index); the same
// bits on every device. splitmix64 finaliser over a mixed seed and the index.
SRDD_HD uint64_t mxMix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
SRDD_HD float mxUniform(uint64_t seedMix, uint64_t index) {
  uint64_t h = mxMix64(seedMix + 0x9E3779B97F4A7C15ull * (index + 1));
  return float(uint32_t(h >> 40)) * 5.9604644775390625e-8f;  // * 2^-24
}

constexpr int kMxNanScale = 128;  // mxScaleExponent result for a block holding NaN or Inf

// Shared block exponent E (X = 2^E) of an OCP block with finite amax >= 0, in [-127, 127].
// Floor: E = floor(log2 amax) - emax from the exponent bits; RCeil: E = ceil(log2(amax/maxNormal)).
// Zero and fp32-subnormal amax use exponent -127 (the E8M0 minimum after clamping).
SRDD_HD int mxScaleExponent(float amax, ScaleRule rule, const MxTraits& f) {
  uint32_t b = mxF2U(amax);
  int be = int(b >> 23);
  if (be == 0) return -127;
  int e = be - 127 - f.emax;
  if (rule == ScaleRule::RCeil && (b & 0x7FFFFFu) > f.maxMantBits) e += 1;
  return e < -127 ? -127 : (e > 127 ? 127 : e);
}

// (a < m ? a : m) for m > 0 and any a but a negative NaN: a signed-integer compare of the bit
// patterns orders such floats like the float compare. Written as a mask select because GCC turns a
// `?:` here into branches (jump threading) that it cannot if-convert under -ftrapping-math, and
// then does not vectorize the CPU loops.
SRDD_HD float mxMinPositive(float a, float m) {
#if defined(__CUDA_ARCH__)
  return __int_as_float(min(__float_as_int(a), __float_as_int(m)));
#else
  const uint32_t ua = mxF2U(a), um = mxF2U(m);
  const uint32_t takeA = 0u - uint32_t(int32_t(ua) < int32_t(um));  // all ones when a < m
  return mxU2F(um ^ ((ua ^ um) & takeA));
#endif
}

// Rounds a finite magnitude a >= 0 (already divided by the block scale) onto the element grid,
// saturating at maxNormal. u is the uniform for stochastic rounding (ignored otherwise).
SRDD_HD float mxRoundMagnitude(float a, const MxTraits& f, Rounding mode, float u) {
  a = mxMinPositive(a, f.maxNormal);
  int e = int(mxF2U(a) >> 23) - 127;
  int p = e < f.emin ? f.emin : (e > f.emax ? f.emax : e);
  float t = a * mxPow2Normal(f.mbits - p);  // exact: t in [0, 2^(mbits+1)]
  int i = int(t);
  float fr = t - float(i);
  int up;  // branch-free so that the CPU loops vectorize
  if (mode == Rounding::NearestEven)
    up = int(fr > 0.5f) | (int(fr == 0.5f) & i);
  else if (mode == Rounding::NearestAway)
    up = int(fr >= 0.5f);
  else
    up = int(u < fr);
  float v = float(i + (up & 1)) * mxPow2Normal(p - f.mbits);
  return mxMinPositive(v, f.maxNormal);
}

// Element code (sign bit, exponent field, mantissa field) of a grid magnitude v from
// mxRoundMagnitude; sign is the input's sign.
SRDD_HD uint32_t mxEncode(float v, bool negative, const MxTraits& f) {
  uint32_t code;
  int e = int(mxF2U(v) >> 23) - 127;
  if (v == 0.0f)
    code = 0;
  else if (e < f.emin)
    code = uint32_t(v * mxPow2(f.mbits - f.emin));  // subnormal: exponent field 0
  else
    code = (uint32_t(e + f.bias) << f.mbits) | ((mxF2U(v) & 0x7FFFFFu) >> (23 - f.mbits));
  return code | (negative ? 1u << (f.ebits + f.mbits) : 0u);
}

// ---- "reference" compatibility mode: the research scripts' MXFP4 (E2M1) numerics ----

// floor(log2(y)) as the scripts compute it: fp32 log2 (here correctly rounded) then floor. Equal
// to the exponent bits except just below a power of two, where the rounded log2 reaches it.
SRDD_HD int mxRefFloorLog2(float y) {  // y > 0 finite
  uint32_t b = mxF2U(y);
  int e = int(b >> 23) - 127;
  if ((b & 0x7FFFFFu) < 0x7FF000u || e < -126) return e;  // far from the next power of two
  float l = float(log2(double(y)));
  return int(l) - (float(int(l)) > l ? 1 : 0);
}

// Reference shared exponent: floor(log2(amax + 1e-7)) - 2 clamped to [-129, 125]; Inf -> 125.
SRDD_HD int mxRefScaleExponent(float amax) {  // amax >= 0, not NaN
  if (amax > 3.402823466e38f) return 125;
  int e = mxRefFloorLog2(amax + 1e-7f) - 2;
  return e < -129 ? -129 : (e > 125 ? 125 : e);
}

// Reference element: private exponent p = clamp(floor(log2 s), 0, 2); round-to-nearest is
// floor(s*2^(1-p) + 0.5) in fp32 (ties away); the stochastic variant adds U(-0.5, 0.5) to the
// doubled fraction and rounds half-even; halfBug reproduces the scripts' extra /2 of SR outputs.
SRDD_HD float mxRefRoundMagnitude(float s, bool stochastic, bool halfBug, float u) {
  if (s > 3.402823466e38f) return 6.0f;  // +Inf saturates
  int e = int(mxF2U(s) >> 23) - 127;
  int p = e < 0 ? 0 : (e > 2 ? 2 : e);
  float v;
  if (!stochastic) {
    v = floorf(s * mxPow2Normal(1 - p) + 0.5f) * mxPow2Normal(p - 1);
  } else {
    float m = s * mxPow2Normal(-p);
    float i = floorf(m);
    float fr = (m - i) * 2.0f + (u - 0.5f);
    fr = fr < 0.0f ? 0.0f : (fr > 2.0f ? 2.0f : fr);
    float q = i + rintf(fr) * 0.5f;
    v = q * mxPow2Normal(halfBug ? p - 1 : p);
  }
  return v < 6.0f ? v : 6.0f;
}

// Everything a kernel needs besides the tensors. Built by fakeQuantize from a QuantSpec.
struct MxKernelParams {
  enum Mode { Mx = 0, Reference = 1, Nvfp4 = 2 };
  int mode = Mx;
  ElementFormat element = ElementFormat::E2M1;
  ScaleRule scale = ScaleRule::Floor;
  Rounding rounding = Rounding::NearestEven;
  bool refHalfBug = false;
  uint64_t seedMix = 0;               // mxMix64(seed)
  uint64_t indexOffset = 0;           // added to the flat element index for the RNG
  float tensorScale = 0.f;            // NVFP4 per-tensor scale s_t
  int64_t rows = 1, cols = 1;         // the tensor viewed as [rows, cols] (row-major)
  int blockRows = 1, blockCols = 32;  // one scale per blockRows x blockCols group
};

}  // namespace srdd
