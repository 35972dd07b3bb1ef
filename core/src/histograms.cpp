// Tensor histograms in BF16 and fake-quantized with the MX block statistics (srdd/histograms.h).
#include "srdd/histograms.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "srdd/error.h"
#include "srdd/hf_hub.h"
#include "srdd/model.h"
#include "srdd/mx_quant.h"
#include "srdd/scan.h"
#include "srdd/tokenizer.h"

namespace fs = std::filesystem;

namespace srdd {

namespace {

const char* kSchema = "srdd-histograms/1";

// The element format's representable magnitudes: subnormals q·2^emin/2^m and normals 2^p(1 + q/2^m), up to maxNormal.
std::vector<double> elementGrid(const QuantSpec& spec) {
  const MxTraits t = mxTraits(spec.element);
  std::vector<double> pos{0.0};
  const double m = std::ldexp(1.0, t.mbits);
  for (int q = 1; q < m; ++q) pos.push_back(std::ldexp(q / m, t.emin));
  for (int p = t.emin; p <= t.emax; ++p)
    for (int q = 0; q < m; ++q) {
      const double v = std::ldexp(1.0 + q / m, p);
      if (v <= t.maxNormal) pos.push_back(v);
    }
  std::vector<double> grid;
  for (auto it = pos.rbegin(); it != pos.rend(); ++it)
    if (*it > 0) grid.push_back(-*it);
  grid.insert(grid.end(), pos.begin(), pos.end());
  return grid;
}

HistogramBins bins(const float* x, const float* q, const float* scale, int64_t n, int count) {
  double m = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double s = scale ? scale[i] : 1.0;
    if (s > 0) m = std::max({m, std::fabs(x[i] / s), std::fabs(q[i] / s)});
  }
  if (!(m > 0)) m = 1;
  HistogramBins b;
  for (int k = 0; k <= count; ++k) b.edges.push_back(-m + 2 * m * k / count);
  b.bf16.assign(static_cast<size_t>(count), 0);
  b.quantized.assign(static_cast<size_t>(count), 0);
  auto add = [&](double v, std::vector<int64_t>& c) {
    if (!std::isfinite(v)) return;
    const int k = std::clamp(static_cast<int>(std::floor((v + m) / (2 * m) * count)), 0, count - 1);
    ++c[static_cast<size_t>(k)];
  };
  for (int64_t i = 0; i < n; ++i) {
    const double s = scale ? scale[i] : 1.0;
    if (!(s > 0)) continue;
    add(x[i] / s, b.bf16);
    add(q[i] / s, b.quantized);
  }
  return b;
}

nlohmann::json binsJson(const HistogramBins& b) {
  return {{"edges", b.edges}, {"bf16", b.bf16}, {"quantized", b.quantized}};
}
HistogramBins binsFrom(const nlohmann::json& j) {
  return {j.at("edges").get<std::vector<double>>(), j.at("bf16").get<std::vector<int64_t>>(),
          j.at("quantized").get<std::vector<int64_t>>()};
}

TensorHistograms histogramsOfTensor(const at::Tensor& input, const QuantSpec& spec, int count, const std::string& name,
                                    const std::string& kind) {
  if (count < 2) throw Error("histograms: bins must be at least 2 (got " + std::to_string(count) + ")");
  if (spec.reference) throw Error("histograms: the reference quantizer has flat blocks; use an OCP format");
  at::Tensor x = input.detach().to(at::kCPU, at::kFloat).contiguous();
  x = x.reshape({-1, x.size(-1)});
  const int64_t rows = x.size(0), cols = x.size(1), n = x.numel();
  const QuantDetail d = quantizeWithDetail(x, spec);
  const at::Tensor q = d.dequantized.contiguous();
  const int bs = spec.blockSize;
  const int64_t br = spec.block == BlockShape::Tile32x32 ? bs : 1, bc = bs;
  const at::Tensor sv = (d.scaleValues * d.tensorScale).contiguous();
  const int64_t gCols = sv.size(1);
  const float* sp = sv.data_ptr<float>();
  std::vector<float> scale(static_cast<size_t>(n));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) scale[size_t(r * cols + c)] = sp[(r / br) * gCols + c / bc];

  TensorHistograms h;
  h.tensor = name;
  h.kind = kind;
  h.format = spec.describe();
  h.shape = {rows, cols};
  const float* xp = x.data_ptr<float>();
  const float* qp = q.data_ptr<float>();
  h.values = bins(xp, qp, nullptr, n, count);
  h.normalized = bins(xp, qp, scale.data(), n, count);
  h.elementGrid = elementGrid(spec);
  const double maxNormal = mxTraits(spec.element).maxNormal;
  std::vector<char> clips(static_cast<size_t>(sv.numel()), 0);
  h.elements = n;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      const size_t i = size_t(r * cols + c);
      if (scale[i] > 0 && std::fabs(xp[i]) > maxNormal * scale[i]) {
        ++h.clippedElements;
        clips[size_t((r / br) * gCols + c / bc)] = 1;
      }
    }
  std::map<int, int64_t> exps, byScale;
  h.blocks = sv.numel();
  for (int64_t b = 0; b < h.blocks; ++b) {
    h.clippingBlocks += clips[size_t(b)];
    if (sp[b] > 0) ++exps[static_cast<int>(std::floor(std::log2(double(sp[b]))))];
  }
  int64_t best = -1;
  for (const auto& [e, c] : exps) {
    h.scaleExponents.push_back(e);
    h.scaleExponentCounts.push_back(c);
    if (c > best) {
      best = c;
      h.modalScale = std::ldexp(1.0, e);
    }
  }
  return h;
}

QuantSpec specOf(const std::string& format, const std::string& block) {
  QuantSpec s = parseQuantSpec(format);
  if (!block.empty()) s.block = parseBlockShape(block, &s.blockSize);
  return s;
}

LinearKind moduleKind(const std::string& module) {
  for (auto k :
       {LinearKind::Q, LinearKind::K, LinearKind::V, LinearKind::O, LinearKind::Gate, LinearKind::Up, LinearKind::Down})
    if (module == linearKindName(k)) return k;
  throw Error("histograms: unknown module '" + module +
              "' (expected q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj or down_proj)");
}

// The input of one linear over a batch of prompts (q/k/v share Q's input, gate/up share Gate's).
class InputCapture : public ForwardHooks {
 public:
  InputCapture(int layer, LinearKind kind) : layer_(layer), kind_(kind) {
    if (kind_ == LinearKind::K || kind_ == LinearKind::V) kind_ = LinearKind::Q;
    if (kind_ == LinearKind::Up) kind_ = LinearKind::Gate;
  }
  at::Tensor linearInput(LinearRef ref, const at::Tensor& x) override {
    if (ref.layer == layer_ && ref.kind == kind_) captured.push_back(x.detach().reshape({-1, x.size(-1)}));
    return {};
  }
  std::vector<at::Tensor> captured;

 private:
  int layer_;
  LinearKind kind_;
};

}  // namespace

nlohmann::json TensorHistograms::toJson() const {
  return {{"schema", kSchema},
          {"tensor", tensor},
          {"kind", kind},
          {"format", format},
          {"shape", shape},
          {"values", binsJson(values)},
          {"normalized", binsJson(normalized)},
          {"grid", {{"element_values", elementGrid}, {"modal_scale", modalScale}}},
          {"blocks",
           {{"count", blocks},
            {"clipping", clippingBlocks},
            {"clip_share", clipShare()},
            {"elements", elements},
            {"clipped_elements", clippedElements},
            {"scale_exponents", {{"exponents", scaleExponents}, {"counts", scaleExponentCounts}}}}}};
}

TensorHistograms TensorHistograms::fromJson(const nlohmann::json& j) {
  if (!j.is_object() || j.value("schema", "") != kSchema)
    throw Error(std::string("not a histogram document (schema ") + kSchema + ")");
  TensorHistograms h;
  try {
    h.tensor = j.at("tensor").get<std::string>();
    h.kind = j.at("kind").get<std::string>();
    h.format = j.value("format", "");
    h.shape = j.at("shape").get<std::vector<int64_t>>();
    h.values = binsFrom(j.at("values"));
    h.normalized = binsFrom(j.at("normalized"));
    h.elementGrid = j.at("grid").at("element_values").get<std::vector<double>>();
    h.modalScale = j.at("grid").at("modal_scale").get<double>();
    const auto& b = j.at("blocks");
    h.blocks = b.at("count").get<int64_t>();
    h.clippingBlocks = b.at("clipping").get<int64_t>();
    h.elements = b.at("elements").get<int64_t>();
    h.clippedElements = b.at("clipped_elements").get<int64_t>();
    h.scaleExponents = b.at("scale_exponents").at("exponents").get<std::vector<int>>();
    h.scaleExponentCounts = b.at("scale_exponents").at("counts").get<std::vector<int64_t>>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("histogram document: a field is missing or has the wrong type (") + e.what() + ")");
  }
  if (h.values.edges.size() != h.values.bf16.size() + 1 || h.values.bf16.size() != h.values.quantized.size() ||
      h.scaleExponents.size() != h.scaleExponentCounts.size())
    throw Error("histogram document: bin counts do not match the edges");
  return h;
}

TensorHistograms histogramsOf(const std::vector<float>& values, int64_t rows, int64_t cols, const std::string& format,
                              int count, const std::string& name, const std::string& kind) {
  if (rows < 1 || cols < 1 || static_cast<int64_t>(values.size()) != rows * cols)
    throw Error("histograms: " + std::to_string(values.size()) + " values do not make a " + std::to_string(rows) + "x" +
                std::to_string(cols) + " tensor");
  const at::Tensor x = at::from_blob(const_cast<float*>(values.data()), {rows, cols}, at::kFloat);
  return histogramsOfTensor(x, parseQuantSpec(format), count, name, kind);
}

nlohmann::json HistogramRequest::toJson() const {
  return {{"model_dir", modelDir},   {"dtype", dtype},   {"layer", layer}, {"module", module},
          {"tensor", tensor},        {"format", format}, {"block", block}, {"prompts", prompts},
          {"max_tokens", maxTokens}, {"bins", bins}};
}

HistogramRequest HistogramRequest::fromJson(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("histogram request: expected a JSON object");
  HistogramRequest r;
  try {
    r.modelDir = j.value("model_dir", r.modelDir);
    r.dtype = j.value("dtype", r.dtype);
    r.layer = j.value("layer", r.layer);
    r.module = j.value("module", r.module);
    r.tensor = j.value("tensor", r.tensor);
    r.format = j.value("format", r.format);
    r.block = j.value("block", r.block);
    r.prompts = j.value("prompts", r.prompts);
    r.maxTokens = j.value("max_tokens", r.maxTokens);
    r.bins = j.value("bins", r.bins);
  } catch (const nlohmann::json::exception&) {
    throw Error("histogram request: a field has the wrong type");
  }
  return r;
}

TensorHistograms computeHistograms(const HistogramRequest& r) {
  if (r.tensor != "weight" && r.tensor != "activation")
    throw Error("histograms: tensor must be weight or activation (got '" + r.tensor + "')");
  const QuantSpec spec = specOf(r.format, r.block);
  const LinearKind kind = moduleKind(r.module);
  const std::string dir = resolveModelDirectory(r.modelDir);
  auto model = Model::load(dir, {"cpu", r.dtype});
  if (r.layer < 0 || r.layer >= model->numLayers())
    throw Error("histograms: layer " + std::to_string(r.layer) + " is out of range (the model has " +
                std::to_string(model->numLayers()) + " layers, 0-" + std::to_string(model->numLayers() - 1) + ")");
  const std::string prefix =
      "model.layers." + std::to_string(r.layer) + "." + (kind <= LinearKind::O ? "self_attn." : "mlp.") + r.module;
  if (r.tensor == "weight")
    return histogramsOfTensor(model->layer(r.layer).linearWeight(kind), spec, r.bins, prefix + ".weight", "weight");
  c10::NoGradGuard noGrad;
  const auto tokenizer = Tokenizer::fromFile(dir + "/tokenizer.json");
  std::string prompts = r.prompts;
  if (prompts.empty())
    prompts = fs::is_regular_file(fs::path(dir) / "prompts.txt") ? dir + "/prompts.txt" : "builtin:scanner";
  const PromptSet set = loadPromptSet(prompts, tokenizer, r.maxTokens);
  InputCapture capture(r.layer, kind);
  for (const auto& tokens : set.tokens) model->forward(Batch::fromSequences({tokens}, model->device()), &capture);
  if (capture.captured.empty()) throw Error("histograms: the prompts gave no activation");
  return histogramsOfTensor(at::cat(capture.captured, 0), spec, r.bins, prefix + " input", "activation");
}

}  // namespace srdd
