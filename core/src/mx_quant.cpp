// fakeQuantize: checks, layout and device dispatch to the fused kernels.
#include <cmath>
#include <cstdint>
#if defined(__linux__)
#include <sys/mman.h>
#endif

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

namespace {

// A fresh multi-megabyte CPU output: ask for transparent huge pages (THP "madvise" mode), since
// first-touch faults on 4 KiB pages otherwise cost more than the quantization itself. Advice only.
void adviseHugePages(const at::Tensor& t) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  if (!t.is_cpu() || t.nbytes() < 2 * kHuge) return;
  const uintptr_t p = reinterpret_cast<uintptr_t>(t.data_ptr());
  const uintptr_t b = (p + kHuge - 1) & ~(kHuge - 1), e = (p + t.nbytes()) & ~(kHuge - 1);
  if (e > b) (void)madvise(reinterpret_cast<void*>(b), e - b, MADV_HUGEPAGE);
#endif
}

void checkDtype(const at::Tensor& x) {
  const auto dt = x.scalar_type();
  if (dt != at::kFloat && dt != at::kBFloat16 && dt != at::kHalf && dt != at::kDouble)
    throw Error(std::string("fake quantization: tensor dtype ") + c10::toString(dt) + " is not a floating-point type");
}

// in: contiguous float/bfloat16/half, non-empty; out: contiguous, same dtype, shape and device.
void runKernel(const at::Tensor& in, at::Tensor& out, const QuantSpec& spec, uint64_t streamOffset) {
  MxKernelParams p = detail::kernelParams(spec, in.sizes(), streamOffset);
  if (p.mode == MxKernelParams::Nvfp4) p.tensorScale = detail::nvfp4TensorScale(in);
  if (in.is_cpu()) {
    detail::fakeQuantizeCpu(in, out, p);
  } else if (in.is_cuda()) {
#ifdef SRDD_HAVE_CUDA
    detail::fakeQuantizeCuda(in, out, p);
#else
    throw Error("fake quantization: tensor is on " + in.device().str() +
                " but srdd_core was built without CUDA kernels");
#endif
  } else {
    throw Error("fake quantization: unsupported device " + in.device().str());
  }
}

}  // namespace

at::Tensor fakeQuantize(const at::Tensor& x, const QuantSpec& spec, uint64_t streamOffset) {
  spec.validate();
  checkDtype(x);
  at::Tensor in = x.detach().contiguous();
  if (x.scalar_type() == at::kDouble) in = in.to(at::kFloat);
  if (in.numel() == 0) return x.detach().clone();
  at::Tensor out = at::empty_like(in, at::MemoryFormat::Contiguous);
  adviseHugePages(out);
  runKernel(in, out, spec, streamOffset);
  return x.scalar_type() == at::kDouble ? out.to(at::kDouble) : out;
}

void fakeQuantizeInto(const at::Tensor& x, at::Tensor& out, const QuantSpec& spec, uint64_t streamOffset) {
  spec.validate();
  checkDtype(x);
  if (out.sizes() != x.sizes() || out.scalar_type() != x.scalar_type() || out.device() != x.device() ||
      !out.is_contiguous())
    throw Error("fake quantization: output tensor must be contiguous with the input's shape, dtype and device");
  if (x.numel() == 0) return;
  if (x.scalar_type() == at::kDouble) {
    at::Tensor in = x.detach().to(at::kFloat).contiguous();
    at::Tensor tmp = at::empty_like(in, at::MemoryFormat::Contiguous);
    runKernel(in, tmp, spec, streamOffset);
    out.detach().copy_(tmp);
    return;
  }
  at::Tensor dst = out.detach();
  runKernel(x.detach().contiguous(), dst, spec, streamOffset);
}

}  // namespace srdd
