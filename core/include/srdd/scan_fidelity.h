#pragma once
// Quantization fidelity of one tensor: how much fake quantization changes it. Definitions and healthy
// ranges: docs/scans.md ("fidelity"). All reductions in fp64.
#include <ATen/ATen.h>

#include <map>
#include <string>

#include "srdd/mx_quant.h"

namespace srdd {

constexpr double kSqnrCapDb = 100.0;  // SQNR reported for an exactly representable tensor (zero error)

struct Fidelity {
  double sqnrDb = 0;          // 10·log10(Σx² / Σe²), capped at kSqnrCapDb (also when Σe² == 0)
  double deadzone = 0;        // fraction of elements with x != 0 and x_q == 0
  double clipping = 0;        // fraction with |x| > maxNormal·X, X the element's own block scale
  double globalMaxLevel = 0;  // research scanner's "saturation_ratio": fraction with |x_q| >= 0.99·max|x_q|
  double relativeError = 0;   // mean |e| / (|x| + 1e-10)
  double meanAbsError = 0, maxAbsError = 0;
  double norm = 0;  // ‖x‖₂
  int64_t numel = 0;
  double signalEnergy = 0, errorEnergy = 0;     // Σx², Σe² (for pooling)
  std::map<std::string, double> toMap() const;  // keys: sqnr_db, deadzone_ratio, clipping_ratio, ...
};

// Metrics of x against xq = fakeQuantize(x, spec) (pass xq to reuse a quantization already made).
Fidelity measureFidelity(const at::Tensor& x, const QuantSpec& spec, const at::Tensor& xq = {});
// The same in two steps, so that many tensors can be measured with one device-to-host copy: the raw
// sums on x's device ([kFidelityTerms] fp64: Σx², Σe², deadzone, clipping and max-level counts, mean
// relative error, mean and max |e|), then the metrics from those numbers.
constexpr int64_t kFidelityTerms = 8;
at::Tensor fidelityTerms(const at::Tensor& x, const QuantSpec& spec, const at::Tensor& xq = {});
Fidelity fidelityFromTerms(const double* terms, int64_t numel);
// Fidelity pooled over several tensors (e.g. all weights of a layer): sums of squares, counts and
// maxima are pooled, so SQNR is Σx²/Σe² over all of them, not an average of dB values.
Fidelity poolFidelity(const std::vector<Fidelity>& parts);

// Per element: the scale unit of its block (the value one element-grid step of 1.0 dequantizes to),
// i.e. 2^E for MX formats and the E4M3 block scale times the tensor scale for NVFP4. x's shape, fp32.
at::Tensor blockScaleUnits(const at::Tensor& x, const QuantSpec& spec);

}  // namespace srdd
