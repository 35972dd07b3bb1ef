#pragma once
// Microscaling fake quantization (quantize, then dequantize): MXFP4/6/8 (OCP MX v1.0), NVFP4, and
// the research scripts' "reference" MXFP4. Semantics and options: docs/quantization.md.
#include <ATen/ATen.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "srdd/mx_format.h"

namespace srdd {

// One named quantizer configuration. Every option is part of describe()/toJson(), so results can
// always say exactly which numerics produced them.
struct QuantSpec {
  std::string formatName = "mxfp4";  // mxfp4, mxfp6-e2m3, mxfp6-e3m2, mxfp8-e4m3, mxfp8-e5m2, nvfp4
  ElementFormat element = ElementFormat::E2M1;
  int blockSize = 32;  // elements per block (per side for tiles); nvfp4: 16
  ScaleRule scale = ScaleRule::Floor;
  Rounding rounding = Rounding::NearestEven;
  BlockShape block = BlockShape::Row1x32;
  uint64_t seed = 0;                // stochastic rounding only
  bool reference = false;           // research-script MXFP4 numerics (flat blocking, ties away, eps)
  bool referenceSrHalfBug = false;  // reference + stochastic: reproduce the x0.5 output bug

  bool isNvfp4() const { return formatName == "nvfp4"; }
  std::string describe() const;  // e.g. "mxfp4 scale=floor rounding=rne block=1x32"
  nlohmann::json toJson() const;
  static QuantSpec fromJson(const nlohmann::json& j);  // srdd::Error naming the bad field
  void validate() const;                               // srdd::Error for invalid combinations
};

// "mxfp4", "mxfp6-e2m3", "mxfp6-e3m2", "mxfp8-e4m3", "mxfp8-e5m2", "nvfp4" (case-insensitive);
// srdd::Error listing the valid names otherwise.
QuantSpec parseQuantSpec(const std::string& format);
std::vector<std::string> quantFormatNames();
// Option parsers used by the CLI and fromJson: "floor"|"rceil", "rne"|"away"|"stochastic",
// "1x32"|"32x32" (any NxN / 1xN with N the block size).
ScaleRule parseScaleRule(const std::string& s);
Rounding parseRounding(const std::string& s);
BlockShape parseBlockShape(const std::string& s, int* blockSize);
std::string scaleRuleName(ScaleRule r);
std::string roundingName(Rounding r);

// Fake-quantizes x (float32, bfloat16, float16 or float64; any shape; CPU or CUDA). Returns a tensor
// of x's dtype, shape and device. fp32 math, one fused pass (NVFP4: plus one amax reduction).
// streamOffset is added to every element index fed to the stochastic-rounding RNG, so successive
// calls with one seed can draw independent bits.
at::Tensor fakeQuantize(const at::Tensor& x, const QuantSpec& spec, uint64_t streamOffset = 0);
// The same into a preallocated `out` (x's shape, dtype and device, contiguous; may be x itself), so
// repeated calls reuse memory. srdd::Error if out does not match.
void fakeQuantizeInto(const at::Tensor& x, at::Tensor& out, const QuantSpec& spec, uint64_t streamOffset = 0);

// The same numerics composed from plain ATen ops (deterministic roundings only): the benchmark
// baseline and an independent cross-check of the fused kernels.
at::Tensor fakeQuantizeComposed(const at::Tensor& x, const QuantSpec& spec);

// Quantization with its encoded form, for inspection (`srdd quantize`). CPU. For the row layout
// scaleBytes has shape [rows, ceil(cols/blockSize)] (tiles: [ceil(rows/N), ceil(cols/N)];
// reference mode: [numBlocks]) with rows = numel / last dim; codes has x's shape.
struct QuantDetail {
  at::Tensor dequantized;    // float32, x's shape
  at::Tensor scaleBytes;     // uint8: E8M0 biased exponent (0xFF = NaN); nvfp4: E4M3 bits
  at::Tensor scaleValues;    // float32 value of each scale (nvfp4: the E4M3 value, without tensorScale)
  at::Tensor codes;          // uint8 element codes (sign in the top bit of the format's width)
  float tensorScale = 1.0f;  // nvfp4's per-tensor fp32 scale s_t; 1 otherwise
  bool scalesAreE8M0 = true;
};
QuantDetail quantizeWithDetail(const at::Tensor& x, const QuantSpec& spec);

// Straight-through estimator: forward = fakeQuantize(w, spec), backward = identity.
at::Tensor fakeQuantizeSTE(const at::Tensor& w, const QuantSpec& spec);

namespace detail {
// Builds the kernel parameters (layout, mode, seeds) of spec for a tensor of this shape.
MxKernelParams kernelParams(const QuantSpec& spec, at::IntArrayRef sizes, uint64_t streamOffset);
// NVFP4 per-tensor scale s_t = amax(finite |x|) / (448 * 6); 0 for an all-zero tensor.
float nvfp4TensorScale(const at::Tensor& x);
// Fused kernels: `in` and `out` contiguous, same dtype (float, bfloat16 or half).
void fakeQuantizeCpu(const at::Tensor& in, at::Tensor& out, const MxKernelParams& p);
#ifdef SRDD_HAVE_CUDA
void fakeQuantizeCuda(const at::Tensor& in, at::Tensor& out, const MxKernelParams& p);
#endif
}  // namespace detail

}  // namespace srdd
