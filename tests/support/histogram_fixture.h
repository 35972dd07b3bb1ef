#pragma once
// The hand-derived tensor of the histogram tests (core and GUI). Row 0: E2M1 grid values and 7.5 in one 1x32
// block: amax 7.5 gives scale 2^(floor(log2 7.5) - 2) = 1, so every value is exact except 7.5, which clips
// to 6. Row 1 = row 0 / 4: scale 2^-2, the same normalized values. Shape [2, 32], zeros elsewhere.
#include <cstddef>
#include <vector>

namespace srdd_test {
inline std::vector<float> knownHistogramTensor() {
  const float row[16] = {7.5f, 6, 4, 3, 2, 1.5f, 1, 0.5f, 0, -0.5f, -1, -1.5f, -2, -3, -4, -6};
  std::vector<float> v(64, 0.0f);
  for (int i = 0; i < 16; ++i) {
    v[size_t(i)] = row[i];
    v[size_t(32 + i)] = row[i] / 4;
  }
  return v;
}
}  // namespace srdd_test
