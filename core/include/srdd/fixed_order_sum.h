#pragma once
// Sums whose result does not depend on the CPU thread count. LibTorch's CPU reductions hand each thread
// a share of the input sized by at::get_num_threads() and add the threads' partial sums, so the same scan
// with SRDD_THREADS=1 and =2 differed in the last digits. These sums always cut the input into chunks of
// kFixedSumChunk elements, sum each chunk left to right (four interleaved accumulators, combined in a fixed
// order) in fp64, and add the chunk sums in chunk order: the threads only decide who computes which chunk.
// On a GPU they are LibTorch's fp64 sums (which do not depend on the CPU thread count).
#include <ATen/ATen.h>

namespace srdd {

constexpr int64_t kFixedSumChunk = 4096;

// Σ of all elements of x, as a 0-dim fp64 tensor on x's device.
at::Tensor fixedOrderSum(const at::Tensor& x);
// The mean of all elements (NaN for an empty tensor), 0-dim fp64.
at::Tensor fixedOrderMean(const at::Tensor& x);
// Per row: x [R, ...] -> [R] fp64, the sum over every dimension but the first.
at::Tensor fixedOrderRowSums(const at::Tensor& x);

}  // namespace srdd
