#include "srdd/graphed_forward.h"

#include <c10/core/GradMode.h>

#include <cstdlib>
#include <cstring>

// SRDD_NO_CUDA_GRAPHS builds a CUDA engine without them (the eager static-buffer path only).
#if defined(SRDD_HAVE_CUDA) && !defined(SRDD_NO_CUDA_GRAPHS)
#define SRDD_CUDA_GRAPHS 1
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace srdd {

bool cudaGraphsAvailable() {
#ifdef SRDD_CUDA_GRAPHS
  const char* env = std::getenv("SRDD_CUDA_GRAPHS");
  return !(env && std::strcmp(env, "0") == 0);
#else
  return false;
#endif
}

// A shape's static tensors: the graph reads its inputs from, and writes its logits to, these same addresses at
// every replay.
struct GraphedForward::Shape {
#ifdef SRDD_CUDA_GRAPHS
  std::unique_ptr<at::cuda::CUDAGraph> graph;
#endif
  at::Tensor inputIds, paddingMask, lastPositions, logits;
};

GraphedForward::GraphedForward(std::shared_ptr<const Model> model, bool useGraphs)
    : model_(std::move(model)), useGraphs_(useGraphs && model_->device().is_cuda() && cudaGraphsAvailable()) {}

GraphedForward::~GraphedForward() = default;

at::Tensor GraphedForward::lastLogits(const Batch& batch) {
  c10::NoGradGuard noGrad;
  const at::Device device = model_->device();
  const bool padded = !batch.unpadded();
  auto& shape = shapes_[Key{batch.size(), batch.inputIds.size(1), padded}];
  const bool first = !shape;
  if (first) {
    shape = std::make_unique<Shape>();
    shape->inputIds = at::empty(batch.inputIds.sizes(), batch.inputIds.options().device(device));
    if (padded)
      shape->paddingMask = at::empty(batch.attentionMask.sizes(), batch.attentionMask.options().device(device));
    shape->lastPositions = at::empty({batch.size()}, at::TensorOptions().dtype(at::kLong).device(device));
  }
  Shape& s = *shape;
  s.inputIds.copy_(batch.inputIds);
  if (padded) s.paddingMask.copy_(batch.attentionMask);
  s.lastPositions.copy_(batch.lastPositions(at::kCPU));
  auto run = [&] { return model_->lastTokenLogits(s.inputIds, s.paddingMask, s.lastPositions); };
  if (!useGraphs_) return run();
#ifdef SRDD_CUDA_GRAPHS
  if (first) {
    // Capture needs a side stream, and every lazy initialisation (cuBLAS handle and workspace for that stream,
    // kernel modules, attention kernel choice) done before it: one eager run on the same stream first.
    c10::cuda::device_synchronize();
    auto stream = c10::cuda::getStreamFromPool(false, device.index());
    {
      c10::cuda::CUDAStreamGuard onStream(stream);
      (void)run();
      stream.synchronize();
      s.graph = std::make_unique<at::cuda::CUDAGraph>();
      // Thread-local capture: CUDA work of the program's other threads (a GUI's, a progress reporter's) goes on.
      s.graph->capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
      s.logits = run();
      s.graph->capture_end();
    }
    c10::cuda::device_synchronize();
  }
  s.graph->replay();
  return s.logits.clone();
#else
  return run();
#endif
}

}  // namespace srdd
