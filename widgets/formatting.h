#pragma once
// Human-readable numbers for the views: parameter counts, byte sizes, tensor shapes.
#include <QString>

#include <cstdint>
#include <vector>

namespace srdd_gui {

// 1543714304 -> "1.54 B", 494032768 -> "494.03 M", 8960 -> "8.96 K", 896 -> "896".
QString formatCount(int64_t n);
// Byte sizes in binary units, e.g. "988.1 MiB".
QString formatBytes(int64_t bytes);
// {896, 151936} -> "896 × 151936"; a scalar (empty shape) -> "scalar".
QString formatShape(const std::vector<int64_t>& shape);
// Digits grouped by the locale, e.g. "136,134,656".
QString formatExact(int64_t n);

}  // namespace srdd_gui
