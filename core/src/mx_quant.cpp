// fakeQuantize: checks, layout and device dispatch to the fused kernels.
#include <cmath>

#include "srdd/error.h"
#include "srdd/mx_quant.h"

namespace srdd {
namespace detail {

MxKernelParams kernelParams(const QuantSpec& spec, at::IntArrayRef sizes, uint64_t streamOffset) {
  MxKernelParams p;
  p.element = spec.element;
  p.scale = spec.scale;
  p.rounding = spec.rounding;
  p.seedMix = mxMix64(spec.seed);
  p.indexOffset = streamOffset;
  int64_t numel = 1;
  for (auto s : sizes) numel *= s;
  if (spec.reference) {
    // The scripts flatten the whole tensor: blocks of 32 (or 1024 for "2d") consecutive elements.
    p.mode = MxKernelParams::Reference;
    p.refHalfBug = spec.referenceSrHalfBug;
    p.rows = 1;
    p.cols = numel;
    p.blockRows = 1;
    p.blockCols = spec.block == BlockShape::Tile32x32 ? 1024 : 32;
    return p;
  }
  p.mode = spec.isNvfp4() ? MxKernelParams::Nvfp4 : MxKernelParams::Mx;
  p.cols = sizes.empty() ? 1 : sizes.back();
  p.rows = p.cols > 0 ? numel / p.cols : 0;
  p.blockCols = spec.blockSize;
  p.blockRows = spec.block == BlockShape::Tile32x32 ? spec.blockSize : 1;
  return p;
}

float nvfp4TensorScale(const at::Tensor& x) {
  at::Tensor a = x.detach().to(at::kFloat).abs();
  a = at::where(at::isfinite(a), a, at::zeros({}, a.options()));
  float amax = a.numel() ? a.max().item<float>() : 0.0f;
  if (amax == 0.0f) return 0.0f;
  float st = amax / (448.0f * 6.0f);
  return st > 0.0f ? st : 1.401298464e-45f;  // floor at the smallest fp32 subnormal
}

}  // namespace detail

at::Tensor fakeQuantize(const at::Tensor& x, const QuantSpec& spec, uint64_t streamOffset) {
  spec.validate();
  const auto dt = x.scalar_type();
  if (dt != at::kFloat && dt != at::kBFloat16 && dt != at::kHalf && dt != at::kDouble)
    throw Error(std::string("fake quantization: tensor dtype ") + c10::toString(dt) + " is not a floating-point type");
  at::Tensor in = x.detach().contiguous();
  if (dt == at::kDouble) in = in.to(at::kFloat);
  if (in.numel() == 0) return x.detach().clone();
  MxKernelParams p = detail::kernelParams(spec, in.sizes(), streamOffset);
  if (p.mode == MxKernelParams::Nvfp4) p.tensorScale = detail::nvfp4TensorScale(in);
  at::Tensor out = at::empty_like(in, at::MemoryFormat::Contiguous);
  if (in.is_cpu()) {
    detail::fakeQuantizeCpu(in, out, p);
  } else if (in.is_cuda()) {
#ifdef SRDD_HAVE_CUDA
    detail::fakeQuantizeCuda(in, out, p);
#else
    throw Error("fake quantization: tensor is on " + in.device().str() + " but srdd_core was built without CUDA kernels");
#endif
  } else {
    throw Error("fake quantization: unsupported device " + in.device().str());
  }
  return dt == at::kDouble ? out.to(at::kDouble) : out;
}

}  // namespace srdd
