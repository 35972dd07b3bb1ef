#pragma once
// Summaries of a metric over prompts (mean, sd, 95 % t-interval), medians and robust z-scores. Torch-free.
#include <nlohmann/json.hpp>
#include <vector>

namespace srdd {

// A metric over prompts: mean, sample std, and the 95 % Student-t interval mean ± t(0.975, n-1)·s/√n
// (stats::studentTQuantile, srdd/statistics.h).
// Non-finite values are left out of every statistic (n counts the finite ones); with n < 2 the
// interval is [mean, mean]; with n == 0 everything is NaN.
struct Stat {
  double mean = 0, stddev = 0, ciLow = 0, ciHigh = 0;
  int n = 0;
  std::vector<double> values;     // per prompt, in prompt order (NaN where undefined)
  nlohmann::json toJson() const;  // {"mean","std","ci95":[lo,hi],"n","values"}; NaN -> null
  static Stat fromJson(const nlohmann::json& j);
};
Stat summarize(std::vector<double> values);

double median(std::vector<double> v);  // NaN for an empty vector; mean of the two middles when even
// §2.0 robust z: med = median(v), MAD = median|v - med|, MADeff = max(MAD, max(0.01·|med|, 1e-6)),
// z = (v - med) / (1.4826 · MADeff). Non-finite inputs give NaN and are left out of med and MAD.
std::vector<double> robustZ(const std::vector<double>& v);

}  // namespace srdd
