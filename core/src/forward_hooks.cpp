#include "srdd/forward_hooks.h"

namespace srdd {

template <class F>
at::Tensor ChainedHooks::chain(const at::Tensor& x, F f) {
  at::Tensor r1 = a_ ? f(a_, x) : at::Tensor();
  at::Tensor r2 = b_ ? f(b_, r1.defined() ? r1 : x) : at::Tensor();
  return r2.defined() ? r2 : r1;
}

at::Tensor ChainedHooks::layerInput(int l, const at::Tensor& h) {
  return chain(h, [&](ForwardHooks* k, const at::Tensor& x) { return k->layerInput(l, x); });
}
at::Tensor ChainedHooks::layerOutput(int l, const at::Tensor& h) {
  return chain(h, [&](ForwardHooks* k, const at::Tensor& x) { return k->layerOutput(l, x); });
}
at::Tensor ChainedHooks::linearInput(LinearRef r, const at::Tensor& h) {
  return chain(h, [&](ForwardHooks* k, const at::Tensor& x) { return k->linearInput(r, x); });
}
at::Tensor ChainedHooks::linearWeight(LinearRef r, const at::Tensor& w) {
  return chain(w, [&](ForwardHooks* k, const at::Tensor& x) { return k->linearWeight(r, x); });
}
at::Tensor ChainedHooks::normWeight(int l, NormKind n, const at::Tensor& w) {
  return chain(w, [&](ForwardHooks* k, const at::Tensor& x) { return k->normWeight(l, n, x); });
}
at::Tensor ChainedHooks::embeddingLookup(const at::Tensor& table, const at::Tensor& ids) {
  at::Tensor rows = a_ ? a_->embeddingLookup(table, ids) : at::Tensor();
  if (!rows.defined() && b_) rows = b_->embeddingLookup(table, ids);
  return rows;
}

}  // namespace srdd
