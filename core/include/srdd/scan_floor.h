#pragma once
// The format's own noise floor for a tensor: the fidelity the quantizer reaches on a reference tensor with
// the same shape, block layout and per-block amax (hence the same shared scales) but Gaussian values inside
// every block. MX formats give every block its own scale, so scale differences between blocks cost nothing;
// what the floor cannot explain (outliers or heavy tails inside a block) is the excess the floor rules judge.
// Rationale and the numbers (MXFP4 on N(0,1): 18.8 dB, 8.8 % deadzone, 0.21 relative error): docs/scans.md.
#include <ATen/ATen.h>

#include <cstdint>

#include "srdd/mx_quant.h"
#include "srdd/scan_fidelity.h"

namespace srdd {

// Per element: max |x| over its quantization block, fp32, x's shape and device.
at::Tensor blockAmax(const at::Tensor& x, const QuantSpec& spec);
// The reference tensor: i.i.d. N(0,1) values drawn on the CPU from `seed` (the same numbers on every device),
// each block scaled so that its amax equals x's block amax; fp32 on x's device.
at::Tensor floorReference(const at::Tensor& x, const QuantSpec& spec, uint64_t seed);
// fidelityTerms / measureFidelity of the reference tensor.
at::Tensor floorTerms(const at::Tensor& x, const QuantSpec& spec, uint64_t seed);
Fidelity floorFidelity(const at::Tensor& x, const QuantSpec& spec, uint64_t seed);

}  // namespace srdd
