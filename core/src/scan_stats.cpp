#include "srdd/scan_stats.h"

#include "srdd/fixed_order_sum.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "srdd/statistics.h"

namespace srdd {

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();
nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }
double numOr(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : kNaN; }
}  // namespace

Stat summarize(std::vector<double> values) {
  Stat s;
  s.values = std::move(values);
  double sum = 0;
  for (double v : s.values)
    if (std::isfinite(v)) {
      sum += v;
      ++s.n;
    }
  if (s.n == 0) {
    s.mean = s.stddev = s.ciLow = s.ciHigh = kNaN;
    return s;
  }
  s.mean = sum / s.n;
  double ss = 0;
  for (double v : s.values)
    if (std::isfinite(v)) ss += (v - s.mean) * (v - s.mean);
  s.stddev = s.n > 1 ? std::sqrt(ss / (s.n - 1)) : 0.0;
  const double half =
      s.n > 1 ? stats::studentTQuantile(0.975, s.n - 1) * s.stddev / std::sqrt(static_cast<double>(s.n)) : 0.0;
  s.ciLow = s.mean - half;
  s.ciHigh = s.mean + half;
  return s;
}

nlohmann::json Stat::toJson() const {
  nlohmann::json vals = nlohmann::json::array();
  for (double v : values) vals.push_back(num(v));
  return {{"mean", num(mean)}, {"std", num(stddev)}, {"ci95", {num(ciLow), num(ciHigh)}}, {"n", n}, {"values", vals}};
}

Stat Stat::fromJson(const nlohmann::json& j) {
  Stat s;
  s.mean = numOr(j.value("mean", nlohmann::json()));
  s.stddev = numOr(j.value("std", nlohmann::json()));
  if (j.contains("ci95") && j["ci95"].is_array() && j["ci95"].size() == 2) {
    s.ciLow = numOr(j["ci95"][0]);
    s.ciHigh = numOr(j["ci95"][1]);
  }
  s.n = j.value("n", 0);
  if (j.contains("values"))
    for (const auto& v : j["values"]) s.values.push_back(numOr(v));
  return s;
}

double median(std::vector<double> v) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::vector<double> robustZ(const std::vector<double>& v) {
  std::vector<double> finite;
  for (double x : v)
    if (std::isfinite(x)) finite.push_back(x);
  std::vector<double> z(v.size(), kNaN);
  if (finite.empty()) return z;
  const double med = median(finite);
  std::vector<double> dev;
  for (double x : finite) dev.push_back(std::fabs(x - med));
  const double mad = std::max(median(dev), std::max(0.01 * std::fabs(med), 1e-6));
  for (size_t i = 0; i < v.size(); ++i)
    if (std::isfinite(v[i])) z[i] = (v[i] - med) / (1.4826 * mad);
  return z;
}

double excessKurtosis(const at::Tensor& x) {
  at::Tensor d = x.detach().reshape({-1}).to(at::kDouble);
  if (d.numel() == 0) return kNaN;
  d = d - fixedOrderMean(d);
  const double m2 = fixedOrderMean(d.pow(2)).item<double>();
  const double m4 = fixedOrderMean(d.pow(4)).item<double>();
  return m2 > 0 ? m4 / (m2 * m2) - 3.0 : kNaN;
}

namespace {
std::vector<double> toVector(const at::Tensor& t) {
  at::Tensor c = t.to(at::kDouble).cpu().contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}
}  // namespace

at::Tensor maskedKurtosisTensor(const at::Tensor& x, const at::Tensor& mask) {
  at::Tensor d = x.detach().to(at::kDouble);
  at::Tensor m = mask.to(at::kDouble).unsqueeze(-1);                  // [B, T, 1]
  at::Tensor count = m.sum({1, 2}) * static_cast<double>(x.size(2));  // exact: a sum of 0/1
  at::Tensor mean = fixedOrderRowSums(d * m) / count;
  at::Tensor c = (d - mean.view({-1, 1, 1})) * m;
  at::Tensor c2 = c * c;
  at::Tensor m2 = fixedOrderRowSums(c2) / count, m4 = fixedOrderRowSums(c2 * c2) / count;
  return at::where(m2 > 0, m4 / (m2 * m2) - 3.0, at::full_like(m2, kNaN));
}

std::vector<double> maskedKurtosis(const at::Tensor& x, const at::Tensor& mask) {
  return toVector(maskedKurtosisTensor(x, mask));
}

at::Tensor maskedStdTensor(const at::Tensor& x, const at::Tensor& mask, bool unbiased) {
  at::Tensor d = x.detach().to(at::kDouble);
  at::Tensor m = mask.to(at::kDouble).unsqueeze(-1);
  at::Tensor count = m.sum({1, 2}) * static_cast<double>(x.size(2));
  at::Tensor mean = fixedOrderRowSums(d * m) / count;
  at::Tensor c = (d - mean.view({-1, 1, 1})) * m;
  at::Tensor var = fixedOrderRowSums(c * c) / (unbiased ? count - 1 : count);
  return at::where(var > 0, var, at::zeros_like(var)).sqrt();  // NaN -> 0 like std::max(0.0, var)
}

std::vector<double> maskedStd(const at::Tensor& x, const at::Tensor& mask, bool unbiased) {
  return toVector(maskedStdTensor(x, mask, unbiased));
}

at::Tensor promptValues(const at::Tensor& x, const at::Tensor& mask, int64_t b) {
  return promptValues(x, b, mask[b].sum().item<int64_t>());
}

at::Tensor promptValues(const at::Tensor& x, int64_t b, int64_t length) {
  return x[b].narrow(0, 0, length).reshape({-1}).to(at::kFloat);
}

double edgePileupRatio(const at::Tensor& x) {
  at::Tensor d = x.detach().reshape({-1}).to(at::kFloat);
  if (d.numel() < 100) return 0.0;
  at::Tensor range = at::stack({d.std(), d.min(), d.max()}).to(at::kDouble).cpu();  // one device round trip
  auto r = range.accessor<double, 1>();
  if (r[0] < 1e-6) return 0.0;
  at::Tensor h = at::histc(d, 100, r[1], r[2]).to(at::kDouble).cpu();
  auto a = h.accessor<double, 1>();
  const double right = a[99] / std::max((a[97] + a[96]) / 2.0, 1.0);
  const double left = a[0] / std::max((a[2] + a[3]) / 2.0, 1.0);
  return std::max(left, right);
}

}  // namespace srdd
