#include "scan_probe.h"

#include "srdd/scan_floor.h"

namespace srdd {

namespace {
std::string moduleOf(LinearRef ref) { return linearKindName(ref.kind); }
}  // namespace

void ProbeHooks::measure(const Key& key, const at::Tensor& x, const at::Tensor& xq) {
  const uint64_t seed = mxMix64(seed_ ^ mxMix64(static_cast<uint64_t>(key.layer + 2) * 0x9E3779B97F4A7C15ull ^
                                                std::hash<std::string>()(key.module + key.role)));
  const QuantSpec& spec = q_.plan().spec;
  at::Tensor terms =
      at::cat({fidelityTerms(x, spec, xq), floorTerms(x, spec, seed + measured_[key].floor.size())}).cpu().contiguous();
  Measured& m = measured_[key];
  m.measured.push_back(fidelityFromTerms(terms.data_ptr<double>(), x.numel()));
  m.floor.push_back(fidelityFromTerms(terms.data_ptr<double>() + kFidelityTerms, x.numel()));
}

at::Tensor ProbeHooks::activation(const Key& key, const at::Tensor& x, const at::Tensor& xq) {
  switch (mode_) {
    case Mode::Pass: return xq;
    case Mode::Measure:
      if (xq.defined() && rows_.defined()) {
        const int64_t h = x.size(-1);
        measure(key, x.reshape({-1, h}).index_select(0, rows_), xq.reshape({-1, h}).index_select(0, rows_));
      }
      return xq;
    case Mode::Record:
      if (xq.defined()) errors_[key] = xq - x;
      return xq;
    case Mode::Replay: {
      if (!xq.defined()) return xq;
      auto it = errors_.find(key);
      if (it == errors_.end() || !it->second.sizes().equals(x.sizes())) return xq;
      return x + it->second;
    }
  }
  return xq;
}

at::Tensor ProbeHooks::layerOutput(int layer, const at::Tensor& hidden) {
  return activation({layer, "layer", "output"}, hidden, q_.layerOutput(layer, hidden));
}

at::Tensor ProbeHooks::linearInput(LinearRef ref, const at::Tensor& x) {
  return activation({ref.layer, moduleOf(ref), "input"}, x, q_.linearInput(ref, x));
}

at::Tensor ProbeHooks::linearWeight(LinearRef ref, const at::Tensor& weight) {
  at::Tensor wq = q_.linearWeight(ref, weight);
  const Key key{ref.layer, moduleOf(ref), "weight"};
  // Weights are quantized once (cached), so one measurement per matrix.
  if (mode_ == Mode::Measure && wq.defined() && !measured_.count(key)) measure(key, weight, wq);
  return wq;
}

}  // namespace srdd
