#include "srdd/fixed_order_sum.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace srdd {

namespace {

double chunkSum(const double* p, int64_t n) {
  double a[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    a[0] += p[i];
    a[1] += p[i + 1];
    a[2] += p[i + 2];
    a[3] += p[i + 3];
  }
  for (; i < n; ++i) a[i % 4] += p[i];
  return (a[0] + a[1]) + (a[2] + a[3]);
}

at::Tensor rowSumsCpu(const at::Tensor& rows) {  // [R, N] fp64 contiguous
  const int64_t r = rows.size(0), n = rows.size(1);
  const int64_t chunks = std::max<int64_t>(1, (n + kFixedSumChunk - 1) / kFixedSumChunk);
  std::vector<double> partial(static_cast<size_t>(r * chunks));
  const double* p = rows.data_ptr<double>();
  at::parallel_for(0, r * chunks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      const int64_t row = k / chunks, at = (k % chunks) * kFixedSumChunk;
      partial[static_cast<size_t>(k)] = chunkSum(p + row * n + at, std::min(kFixedSumChunk, n - at));
    }
  });
  at::Tensor out = at::empty({r}, at::kDouble);
  double* o = out.data_ptr<double>();
  for (int64_t row = 0; row < r; ++row) {
    double s = 0;
    for (int64_t c = 0; c < chunks; ++c) s += partial[static_cast<size_t>(row * chunks + c)];
    o[row] = s;
  }
  return out;
}

}  // namespace

at::Tensor fixedOrderRowSums(const at::Tensor& x) {
  const int64_t r = x.dim() == 0 ? 1 : x.size(0);
  at::Tensor rows = x.detach().to(at::kDouble).reshape({r, r == 0 ? 0 : x.numel() / r});
  if (!rows.is_cpu()) return rows.sum(1);
  return rowSumsCpu(rows.contiguous());
}

at::Tensor fixedOrderSum(const at::Tensor& x) { return fixedOrderRowSums(x.reshape({1, -1})).reshape({}); }

at::Tensor fixedOrderMean(const at::Tensor& x) {
  if (x.numel() == 0) return at::full({}, std::numeric_limits<double>::quiet_NaN(), x.options().dtype(at::kDouble));
  return fixedOrderSum(x) / static_cast<double>(x.numel());
}

}  // namespace srdd
