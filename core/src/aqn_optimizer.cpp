// AdamW and gradient-norm clipping on fp32 master weights, written with ATen ops (as torch.optim.AdamW
// and torch.nn.utils.clip_grad_norm_).
#include <c10/core/GradMode.h>

#include <cmath>

#include "srdd/aqn_train.h"
#include "srdd/error.h"

namespace srdd::aqn {

AdamW::AdamW(std::vector<at::Tensor> params, std::vector<bool> decay, Options options)
    : params_(std::move(params)), decay_(std::move(decay)), o_(options) {
  if (decay_.size() != params_.size()) throw Error("AdamW: one weight-decay flag per parameter is needed");
  for (const auto& p : params_) {
    m_.push_back(at::zeros_like(p));
    v_.push_back(at::zeros_like(p));
  }
}

void AdamW::step(double lr) {
  c10::NoGradGuard noGrad;
  ++t_;
  const double bc1 = 1.0 - std::pow(o_.beta1, static_cast<double>(t_));
  const double bc2 = 1.0 - std::pow(o_.beta2, static_cast<double>(t_));
  for (size_t i = 0; i < params_.size(); ++i) {
    auto& p = params_[i];
    const at::Tensor& g = p.grad();
    if (!g.defined()) continue;
    if (decay_[i] && o_.weightDecay != 0) p.mul_(1.0 - lr * o_.weightDecay);
    m_[i].mul_(o_.beta1).add_(g, 1.0 - o_.beta1);
    v_[i].mul_(o_.beta2).addcmul_(g, g, 1.0 - o_.beta2);
    auto denom = (v_[i].sqrt() / std::sqrt(bc2)).add_(o_.eps);
    p.addcdiv_(m_[i], denom, -lr / bc1);
  }
}

void AdamW::zeroGrad() {
  for (auto& p : params_)
    if (p.grad().defined()) p.mutable_grad() = at::Tensor();
}

double clipGradNorm(const std::vector<at::Tensor>& params, double maxNorm) {
  c10::NoGradGuard noGrad;
  std::vector<at::Tensor> norms;  // per tensor (fp32), combined in fp64 with one device sync
  for (const auto& p : params)
    if (p.grad().defined()) norms.push_back(p.grad().to(at::kFloat).norm().reshape({1}));
  if (norms.empty()) return 0.0;
  const double norm = std::sqrt(at::cat(norms).to(at::kDouble).pow(2).sum().item<double>());
  if (maxNorm > 0 && norm > maxNorm) {
    const double coef = maxNorm / (norm + 1e-6);
    for (const auto& p : params)
      if (p.grad().defined()) p.grad().mul_(coef);
  }
  return norm;
}

}  // namespace srdd::aqn
