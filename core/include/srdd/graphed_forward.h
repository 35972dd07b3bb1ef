#pragma once
// Hook-free forward passes of fixed-shape batches replayed from CUDA graphs. A short-prompt forward of a 28-layer
// model launches about a thousand kernels; replaying them as one graph removes the host's launch cost, which
// dominates at batch 1 (issue #14).
#include <ATen/ATen.h>

#include <map>
#include <memory>
#include <tuple>

#include "srdd/model.h"

namespace srdd {

class GraphedForward {
 public:
  // useGraphs false (or a CPU model) runs each call eagerly through the same static input tensors, so that the
  // buffer handling is the same on every device (and testable on the CPU).
  explicit GraphedForward(std::shared_ptr<const Model> model, bool useGraphs = true);
  ~GraphedForward();
  GraphedForward(const GraphedForward&) = delete;
  GraphedForward& operator=(const GraphedForward&) = delete;

  // Logits [B, V] at each sequence's last token: bit for bit model.forward(batch).logits. The first call for a
  // shape (batch size, length, padded or not) runs it eagerly once, then captures its graph; later calls of that
  // shape copy the batch into the graph's inputs and replay it. The returned tensor is the caller's own.
  at::Tensor lastLogits(const Batch& batch);

  bool usesGraphs() const { return useGraphs_; }
  size_t shapes() const { return shapes_.size(); }  // shapes seen (each with its graph when usesGraphs)

 private:
  struct Shape;
  using Key = std::tuple<int64_t, int64_t, bool>;  // batch, length, padded
  std::shared_ptr<const Model> model_;
  bool useGraphs_;
  std::map<Key, std::unique_ptr<Shape>> shapes_;
};

// Whether this build can capture CUDA graphs (a CUDA LibTorch); SRDD_CUDA_GRAPHS=0 in the environment turns them
// off for a run.
bool cudaGraphsAvailable();

}  // namespace srdd
