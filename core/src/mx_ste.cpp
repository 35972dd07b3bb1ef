// Straight-through estimator around fakeQuantize: the forward pass quantizes, the backward pass
// passes the gradient through unchanged (d fakeQuantize(w) / dw := I).
#include <torch/csrc/autograd/custom_function.h>

#include "srdd/mx_quant.h"

namespace srdd {
namespace {

struct FakeQuantSTE : public torch::autograd::Function<FakeQuantSTE> {
  static at::Tensor forward(torch::autograd::AutogradContext*, const at::Tensor& w, const QuantSpec& spec) {
    return fakeQuantize(w, spec);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext*,
                                                 torch::autograd::variable_list grads) {
    return {grads[0], at::Tensor()};
  }
};

}  // namespace

at::Tensor fakeQuantizeSTE(const at::Tensor& w, const QuantSpec& spec) { return FakeQuantSTE::apply(w, spec); }

}  // namespace srdd
