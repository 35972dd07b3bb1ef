#include "srdd/scan_floor.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>

namespace srdd {

at::Tensor blockAmax(const at::Tensor& x, const QuantSpec& spec) {
  at::Tensor in = x.detach().to(at::kFloat).contiguous();
  const MxKernelParams p = detail::kernelParams(spec, in.sizes(), 0);
  const int64_t gR = (p.rows + p.blockRows - 1) / p.blockRows, gC = (p.cols + p.blockCols - 1) / p.blockCols;
  at::Tensor a = at::constant_pad_nd(in.reshape({p.rows, p.cols}).abs(),
                                     {0, gC * p.blockCols - p.cols, 0, gR * p.blockRows - p.rows}, 0.0);
  a = a.reshape({gR, p.blockRows, gC, p.blockCols}).amax({1, 3});
  a = a.repeat_interleave(p.blockRows, 0).repeat_interleave(p.blockCols, 1);
  return a.narrow(0, 0, p.rows).narrow(1, 0, p.cols).reshape(in.sizes());
}

at::Tensor floorReference(const at::Tensor& x, const QuantSpec& spec, uint64_t seed) {
  // Drawn on the tensor's device: a CPU draw copied to a GPU cost seconds per scan of a 1.5B model. A private
  // generator of that device (a clone of its default, reseeded), so no other random stream is disturbed. On the
  // CPU a new generator with the seed (the same stream): LibTorch 1.13's Generator::clone never frees the clone
  // (it adopts a reference without a weak one; LeakSanitizer found 42 per scan).
  at::Generator gen = x.device().is_cpu() ? at::detail::createCPUGenerator(seed)
                                          : at::globalContext().defaultGenerator(x.device()).clone();
  gen.set_current_seed(seed);
  at::Tensor z = at::randn(x.sizes(), gen, at::TensorOptions().dtype(at::kFloat).device(x.device()));
  // Each Gaussian block rescaled so that its amax is the real block's: the same shared scale (and, for NVFP4,
  // the same tensor scale), so the floor sees exactly the block scales the tensor gets.
  at::Tensor zmax = blockAmax(z, spec);
  return at::where(zmax > 0, z * (blockAmax(x, spec) / zmax), at::zeros_like(z));
}

at::Tensor floorTerms(const at::Tensor& x, const QuantSpec& spec, uint64_t seed) {
  if (x.numel() == 0) return at::zeros({kFidelityTerms}, x.options().dtype(at::kDouble));
  return fidelityTerms(floorReference(x, spec, seed), spec);
}

Fidelity floorFidelity(const at::Tensor& x, const QuantSpec& spec, uint64_t seed) {
  at::Tensor t = floorTerms(x, spec, seed).cpu().contiguous();
  return fidelityFromTerms(t.data_ptr<double>(), x.numel());
}

}  // namespace srdd
