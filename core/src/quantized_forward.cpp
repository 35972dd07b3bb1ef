#include "srdd/quantized_forward.h"

#include <algorithm>
#include <cctype>

#include "srdd/error.h"

namespace srdd {

std::string quantModeName(QuantizationPlan::Mode mode) {
  switch (mode) {
    case QuantizationPlan::Mode::W4A16: return "w4a16";
    case QuantizationPlan::Mode::W16A4: return "w16a4";
    case QuantizationPlan::Mode::W4A4: return "w4a4";
    case QuantizationPlan::Mode::Residual: return "residual";
  }
  return "?";
}

QuantizationPlan::Mode parseQuantMode(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  for (auto m : {QuantizationPlan::Mode::W4A16, QuantizationPlan::Mode::W16A4, QuantizationPlan::Mode::W4A4,
                 QuantizationPlan::Mode::Residual})
    if (quantModeName(m) == n) return m;
  throw Error("unknown quantization mode '" + name + "' (expected w4a16, w16a4, w4a4 or residual)");
}

bool QuantizationPlan::selects(int layer) const {
  const bool listed = layers.empty() ? !invertLayers : layers.count(layer) > 0;
  return invertLayers && !layers.empty() ? !listed : listed;
}

std::string QuantizationPlan::describe() const {
  std::string s = quantModeName(mode) + " " + spec.describe() + " layers=";
  if (layers.empty()) {
    s += invertLayers ? "none" : "all";
  } else {
    s += invertLayers ? "all-but:" : "";
    bool first = true;
    for (int l : layers) {
      s += (first ? "" : ",") + std::to_string(l);
      first = false;
    }
  }
  if (includeLmHead) s += " +lm_head";
  if (includeEmbeddings) s += " +embeddings";
  if (ste) s += " ste";
  return s;
}

std::string QuantizationPlan::tiedSharing(bool tiedLmHead) const {
  if (!tiedLmHead || !quantizesWeights()) return "";
  if (includeLmHead && includeEmbeddings)
    return "tied: the embedding table is also lm_head; the lookup and lm_head both read its quantized values";
  if (includeLmHead)
    return "tied: the embedding table is also lm_head; lm_head reads its quantized copy, the lookup stays exact";
  if (includeEmbeddings)
    return "tied: the embedding table is also lm_head; the lookup reads quantized rows, lm_head stays exact";
  return "";
}

nlohmann::json QuantizationPlan::toJson() const {
  return {{"mode", quantModeName(mode)},
          {"spec", spec.toJson()},
          {"layers", std::vector<int>(layers.begin(), layers.end())},
          {"invert_layers", invertLayers},
          {"include_lm_head", includeLmHead},
          {"include_embeddings", includeEmbeddings},
          {"ste", ste}};
}

QuantizationPlan QuantizationPlan::fromJson(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("quantization plan: expected a JSON object");
  QuantizationPlan p;
  try {
    if (j.contains("mode")) p.mode = parseQuantMode(j.at("mode").get<std::string>());
    if (j.contains("spec")) p.spec = QuantSpec::fromJson(j.at("spec"));
    if (j.contains("layers"))
      for (const auto& l : j.at("layers")) p.layers.insert(l.get<int>());
    p.invertLayers = j.value("invert_layers", false);
    p.includeLmHead = j.value("include_lm_head", false);
    p.includeEmbeddings = j.value("include_embeddings", false);
    p.ste = j.value("ste", false);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("quantization plan: a field has the wrong type (") + e.what() + ")");
  }
  p.validate();
  return p;
}

void QuantizationPlan::validate(int numLayers) const {
  spec.validate();
  for (int l : layers)
    if (l < 0 || (numLayers >= 0 && l >= numLayers))
      throw Error("quantization plan: layer " + std::to_string(l) + " is out of range " +
                  (numLayers >= 0 ? "(the model has " + std::to_string(numLayers) + " layers, 0-" +
                                        std::to_string(numLayers - 1) + ")"
                                  : std::string("(layer indices start at 0)")));
  if (includeLmHead && mode == Mode::Residual)
    throw Error("quantization plan: lm_head quantization needs a w4a16, w16a4 or w4a4 mode, not residual");
  if (includeEmbeddings && !quantizesWeights())
    throw Error("quantization plan: embedding quantization needs a weight mode (w4a16 or w4a4)");
  if (ste && !quantizesWeights()) throw Error("quantization plan: ste (training) needs a weight mode (w4a16 or w4a4)");
}

QuantizationHooks::QuantizationHooks(QuantizationPlan plan) : plan_(std::move(plan)) { plan_.validate(); }

void QuantizationHooks::setLayerSelection(std::set<int> layers, bool invert) {
  plan_.layers = std::move(layers);
  plan_.invertLayers = invert;
}

bool QuantizationHooks::covers(LinearRef ref) const {
  return ref.kind == LinearKind::LmHead ? plan_.includeLmHead : plan_.selects(ref.layer);
}

at::Tensor QuantizationHooks::quantizeActivation(const at::Tensor& x) {
  const uint64_t offset = stream_;
  if (plan_.spec.rounding == Rounding::Stochastic) stream_ += static_cast<uint64_t>(x.numel());
  return fakeQuantize(x, plan_.spec, offset);
}

at::Tensor QuantizationHooks::layerOutput(int layer, const at::Tensor& hidden) {
  if (plan_.mode != QuantizationPlan::Mode::Residual || !plan_.selects(layer)) return {};
  return quantizeActivation(hidden);
}

at::Tensor QuantizationHooks::linearInput(LinearRef ref, const at::Tensor& x) {
  if (!plan_.quantizesLinearInputs() || !covers(ref)) return {};
  return quantizeActivation(x);
}

at::Tensor QuantizationHooks::linearWeight(LinearRef ref, const at::Tensor& weight) {
  if (!plan_.quantizesWeights() || !covers(ref)) return {};
  return quantizeWeight(ref.layer, static_cast<int>(ref.kind), weight);
}

at::Tensor QuantizationHooks::embeddingLookup(const at::Tensor& table, const at::Tensor& inputIds) {
  if (!plan_.quantizesWeights() || !plan_.includeEmbeddings) return {};
  const auto& q = plan_.spec;
  const bool rowwise = q.block == BlockShape::Row1x32 && !q.isNvfp4() && q.rounding != Rounding::Stochastic &&
                       (!q.reference || table.size(-1) % q.blockSize == 0);
  if (rowwise) {
    const at::Tensor rows = at::embedding(table, inputIds);
    return plan_.ste ? fakeQuantizeSTE(rows, q) : fakeQuantize(rows, q);
  }
  return at::embedding(quantizeWeight(-2, 0, table), inputIds);
}

at::Tensor QuantizationHooks::quantizeWeight(int layer, int kind, const at::Tensor& weight) {
  if (plan_.ste) return fakeQuantizeSTE(weight, plan_.spec);
  const auto key = std::make_pair(layer, kind);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  // Each matrix gets its own stochastic-rounding stream, independent of the activation stream.
  const uint64_t offset = (static_cast<uint64_t>(layer + 2) * 16 + static_cast<uint64_t>(kind)) << 40;
  at::Tensor q = fakeQuantize(weight, plan_.spec, offset);
  cache_.emplace(key, q);
  return q;
}

}  // namespace srdd
