#pragma once
// Statistics used by the scans: per-prompt summaries with a 95 % t-interval, robust z-scores,
// Fisher kurtosis in fp64, and masked per-prompt moments of [B, T, H] activations.
#include <ATen/ATen.h>

#include "srdd/stat.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace srdd {

// Fisher (excess) kurtosis m4/m2² - 3 with biased central moments, accumulated in fp64
// (scipy.stats.kurtosis(fisher=True, bias=True)). NaN when the variance is 0.
double excessKurtosis(const at::Tensor& x);

// Per-prompt statistics of x [B, T, H] over the real tokens (mask [B, T], true = real):
std::vector<double> maskedKurtosis(const at::Tensor& x, const at::Tensor& mask);
std::vector<double> maskedStd(const at::Tensor& x, const at::Tensor& mask, bool unbiased);
// The same as [B] fp64 tensors left on x's device (no synchronization), for batching the copies.
at::Tensor maskedKurtosisTensor(const at::Tensor& x, const at::Tensor& mask);
at::Tensor maskedStdTensor(const at::Tensor& x, const at::Tensor& mask, bool unbiased);
// Values of x [B, T, H] at prompt b's real tokens, flattened (fp32). The second form takes the
// prompt's length from the host (Batch::lengths) instead of reading the mask back from the device.
at::Tensor promptValues(const at::Tensor& x, const at::Tensor& mask, int64_t b);
at::Tensor promptValues(const at::Tensor& x, int64_t b, int64_t length);

// Histogram edge pile-up (SRDD v8.0.1 rule, 100 bins over [min, max]): max(left, right) with
// right = h[99] / max((h[97] + h[96]) / 2, 1) and left = h[0] / max((h[2] + h[3]) / 2, 1).
// 0 for fewer than 100 elements or a std below 1e-6.
double edgePileupRatio(const at::Tensor& x);

}  // namespace srdd
