#include "srdd/model.h"

#include <torch/version.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "srdd/checkpoint.h"
#include "srdd/error.h"
#include "srdd/runtime.h"

namespace srdd {

const char* linearKindName(LinearKind kind) {
  switch (kind) {
    case LinearKind::Q: return "q_proj";
    case LinearKind::K: return "k_proj";
    case LinearKind::V: return "v_proj";
    case LinearKind::O: return "o_proj";
    case LinearKind::Gate: return "gate_proj";
    case LinearKind::Up: return "up_proj";
    case LinearKind::Down: return "down_proj";
    case LinearKind::LmHead: return "lm_head";
  }
  return "?";
}

at::ScalarType parseDtype(const std::string& name) {
  if (name == "bf16" || name == "bfloat16") return at::kBFloat16;
  if (name == "fp16" || name == "float16" || name == "f16") return at::kHalf;
  if (name == "fp32" || name == "float32" || name == "f32") return at::kFloat;
  throw Error("unknown dtype '" + name + "' (expected bf16, fp16 or fp32)");
}

void validateDtypeOption(const std::string& name) {
  if (name == "auto") return;
  try {
    parseDtype(name);
  } catch (const Error&) {
    throw Error("unknown dtype '" + name + "' (expected auto, bf16, fp16 or fp32)");
  }
}

std::string checkpointDtype(const Checkpoint& ckpt) {
  auto known = [](const std::string& n) {
    for (const char* d : {"bf16", "bfloat16", "fp16", "float16", "f16", "fp32", "float32", "f32"})
      if (n == d) return true;
    return false;
  };
  std::string d = ckpt.config().torchDtype;
  std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return std::tolower(c); });
  if (d.rfind("torch.", 0) == 0) d = d.substr(6);
  if (known(d)) return dtypeName(parseDtype(d));
  std::string st = ckpt.dtypeOf("model.embed_tokens.weight");
  std::transform(st.begin(), st.end(), st.begin(), [](unsigned char c) { return std::tolower(c); });
  return known(st) ? dtypeName(parseDtype(st)) : "bf16";
}

std::string dtypeName(at::ScalarType type) {
  switch (type) {
    case at::kBFloat16: return "bf16";
    case at::kHalf: return "fp16";
    case at::kFloat: return "fp32";
    default: return c10::toString(type);
  }
}

Batch Batch::fromSequences(const std::vector<std::vector<int64_t>>& sequences, at::Device device) {
  if (sequences.empty()) throw Error("no input sequences (the prompt list is empty)");
  Batch batch;
  int64_t maxLen = 0;
  for (size_t i = 0; i < sequences.size(); ++i) {
    if (sequences[i].empty()) throw Error("input sequence " + std::to_string(i) + " is empty (no tokens)");
    batch.lengths.push_back(static_cast<int64_t>(sequences[i].size()));
    maxLen = std::max(maxLen, batch.lengths.back());
  }
  const auto b = static_cast<int64_t>(sequences.size());
  auto ids = at::zeros({b, maxLen}, at::kLong);
  auto mask = at::zeros({b, maxLen}, at::kBool);
  auto idsA = ids.accessor<int64_t, 2>();
  auto maskA = mask.accessor<bool, 2>();
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t t = 0; t < batch.lengths[i]; ++t) {
      idsA[i][t] = sequences[i][t];
      maskA[i][t] = true;
    }
  }
  batch.inputIds = ids.to(device);
  batch.attentionMask = mask.to(device);
  return batch;
}

bool Batch::unpadded() const {
  for (auto n : lengths)
    if (n != lengths.front()) return false;
  return true;
}

at::Tensor Batch::lastPositions(at::Device device) const { return at::tensor(lengths, at::kLong).sub(1).to(device); }

at::Tensor& DecoderLayerWeights::linearWeight(LinearKind kind) {
  switch (kind) {
    case LinearKind::Q: return qWeight;
    case LinearKind::K: return kWeight;
    case LinearKind::V: return vWeight;
    case LinearKind::O: return oWeight;
    case LinearKind::Gate: return gateWeight;
    case LinearKind::Up: return upWeight;
    case LinearKind::Down: return downWeight;
    case LinearKind::LmHead: break;
  }
  throw Error("lm_head is not a decoder-layer linear");
}

const at::Tensor& DecoderLayerWeights::linearWeight(LinearKind kind) const {
  return const_cast<DecoderLayerWeights*>(this)->linearWeight(kind);
}

namespace {
// A NaN or infinity in a weight would flow silently into every metric, so the checkpoint is refused.
// Checked after the dtype conversion (cheap on the device); the stored tensor is read only to word the error.
void requireFinite(const at::Tensor& converted, const Checkpoint& ckpt, const std::string& name) {
  if (at::isfinite(converted).all().item<bool>()) return;
  const std::string file = ckpt.directory() + "/" + ckpt.fileOf(name);
  const at::Tensor stored = ckpt.tensor(name);
  const at::Tensor bad = at::logical_not(at::isfinite(stored));
  const int64_t count = bad.sum().item<int64_t>();
  if (count == 0)
    throw Error(file + ": tensor '" + name + "' (" + ckpt.dtypeOf(name) + ") overflows " +
                dtypeName(converted.scalar_type()) + "; load it with --dtype bf16 or fp32");
  const int64_t nans = at::isnan(stored).sum().item<int64_t>();
  const int64_t first = bad.flatten().nonzero()[0][0].item<int64_t>();
  throw Error(file + ": tensor '" + name + "' holds " + std::to_string(nans) + " NaN and " +
              std::to_string(count - nans) + " infinite values (first at flat index " + std::to_string(first) + ")");
}
}  // namespace

std::shared_ptr<Model> Model::load(const std::string& directory, const LoadOptions& options) {
  return fromCheckpoint(Checkpoint::open(directory), options);
}

std::shared_ptr<Model> Model::fromCheckpoint(const Checkpoint& ckpt, const LoadOptions& options) {
  initRuntime();
  std::shared_ptr<Model> m(new Model());
  m->config_ = ckpt.config();
  m->directory_ = ckpt.directory();
  m->device_ = at::Device(normalizeDeviceName(options.device));
  m->dtype_ = parseDtype(options.dtype == "auto" ? checkpointDtype(ckpt) : options.dtype);
  const auto& cfg = m->config_;
  auto load = [&](const std::string& name) {
    at::Tensor t = ckpt.tensor(name).to(m->device_, m->dtype_, /*non_blocking=*/false, /*copy=*/true);
    requireFinite(t, ckpt, name);
    return t;
  };
  auto loadIf = [&](const std::string& name) { return ckpt.has(name) ? load(name) : at::Tensor(); };
  m->embedding_ = load("model.embed_tokens.weight");
  m->finalNorm_ = load("model.norm.weight");
  if (!cfg.tieWordEmbeddings) m->lmHead_ = load("lm_head.weight");
  for (int64_t i = 0; i < cfg.numLayers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    DecoderLayerWeights w;
    w.inputNorm = load(p + "input_layernorm.weight");
    w.postAttentionNorm = load(p + "post_attention_layernorm.weight");
    w.qWeight = load(p + "self_attn.q_proj.weight");
    w.kWeight = load(p + "self_attn.k_proj.weight");
    w.vWeight = load(p + "self_attn.v_proj.weight");
    w.oWeight = load(p + "self_attn.o_proj.weight");
    w.qBias = loadIf(p + "self_attn.q_proj.bias");
    w.kBias = loadIf(p + "self_attn.k_proj.bias");
    w.vBias = loadIf(p + "self_attn.v_proj.bias");
    w.oBias = loadIf(p + "self_attn.o_proj.bias");
    if (cfg.qkNorm) {
      w.qNorm = load(p + "self_attn.q_norm.weight");
      w.kNorm = load(p + "self_attn.k_norm.weight");
    }
    w.gateWeight = load(p + "mlp.gate_proj.weight");
    w.upWeight = load(p + "mlp.up_proj.weight");
    w.downWeight = load(p + "mlp.down_proj.weight");
    w.gateBias = loadIf(p + "mlp.gate_proj.bias");
    w.upBias = loadIf(p + "mlp.up_proj.bias");
    w.downBias = loadIf(p + "mlp.down_proj.bias");
    m->layers_.push_back(std::move(w));
  }
  m->invFreq_ = ropeInverseFrequencies(cfg).to(m->device_);
  return m;
}

at::Tensor ropeInverseFrequencies(const ModelConfig& cfg) {
  // Hugging Face: inv_freq = 1 / theta^(arange(0, d, 2) / d), computed in fp32.
  const int64_t d = cfg.headDim;
  auto exponents = at::arange(0, d, 2, at::kLong).to(at::kFloat) / static_cast<float>(d);
  at::Tensor invFreq = 1.0 / at::pow(cfg.ropeTheta, exponents);
  if (cfg.ropeScaling.type != "llama3") return invFreq;
  // transformers' _compute_llama3_parameters, op for op in fp32 (a Python scalar over a tensor is
  // reciprocal() * scalar there), so that the tables match bit for bit.
  const RopeScaling& s = cfg.ropeScaling;
  const double original = static_cast<double>(s.originalMaxPositions);
  const double lowFreqWavelen = original / s.lowFreqFactor, highFreqWavelen = original / s.highFreqFactor;
  at::Tensor wavelen = invFreq.reciprocal() * (2.0 * M_PI);
  at::Tensor scaled = at::where(wavelen > lowFreqWavelen, invFreq / s.factor, invFreq);
  at::Tensor smooth = (wavelen.reciprocal() * original - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
  at::Tensor smoothed = at::rsub(smooth, 1) * scaled / s.factor + smooth * scaled;
  at::Tensor medium = (wavelen < highFreqWavelen).logical_not().logical_and((wavelen > lowFreqWavelen).logical_not());
  return at::where(medium, smoothed, scaled);
}

Model::Context Model::makeContext(const Batch& batch) const {
  return makeContext(batch.inputIds.size(1), batch.unpadded() ? at::Tensor() : batch.attentionMask);
}

Model::Context Model::makeContext(int64_t t, const at::Tensor& paddingMask) const {
  Context ctx;
  if (config_.slidingWindow > 0 && t > config_.slidingWindow)
    throw Error("a sequence of " + std::to_string(t) + " tokens exceeds the model's sliding attention window (" +
                std::to_string(config_.slidingWindow) + "), which this engine does not implement");
  auto positions = at::arange(t, at::TensorOptions().dtype(at::kFloat).device(device_));
  auto freqs = at::outer(positions, invFreq_);          // fp32, exact like HF's outer-product matmul
  auto emb = at::cat({freqs, freqs}, -1).unsqueeze(0);  // [1, T, d]
  ctx.cos = emb.cos().to(dtype_);
  ctx.sin = emb.sin().to(dtype_);
  if (!paddingMask.defined()) {
    ctx.causalOnly = true;
  } else {
    auto causal = at::ones({t, t}, at::TensorOptions().dtype(at::kBool).device(device_)).tril();
    auto allowed = causal.unsqueeze(0).logical_and(paddingMask.unsqueeze(1));  // [B, T, T]
    const double lowest = dtype_ == at::kFloat  ? std::numeric_limits<float>::lowest()
                          : dtype_ == at::kHalf ? -65504.0
                                                : -3.3895313892515355e38;
    auto zero = at::zeros({}, at::TensorOptions().dtype(dtype_).device(device_));
    ctx.maskBias = at::where(allowed, zero, at::full({}, lowest, zero.options())).unsqueeze(1);
  }
  return ctx;
}

at::Tensor Model::embed(const at::Tensor& inputIds, ForwardHooks* hooks) const {
  if (hooks) {
    at::Tensor rows = hooks->embeddingLookup(embedding_, inputIds);
    if (rows.defined()) return rows;
  }
  return at::embedding(embedding_, inputIds);
}

at::Tensor Model::rmsNorm(const at::Tensor& x, const at::Tensor& weight) const {
  auto h = x.to(at::kFloat);
  auto variance = h.pow(2).mean(-1, /*keepdim=*/true);
  h = h * at::rsqrt(variance + config_.rmsNormEps);
  // An fp32 weight in a lower-precision model (AQN training: fp32 master or noisy weight) multiplies in
  // fp32 and rounds once, so that small changes to it are not rounded away (reference §7 item 24).
  if (weight.scalar_type() == at::kFloat && x.scalar_type() != at::kFloat) return (weight * h).to(x.scalar_type());
  return weight * h.to(x.scalar_type());
}

namespace {
// LibTorch's CPU GEMM for bf16 and fp16 goes through oneDNN only on CPUs with AVX-512 (BW, VL, DQ); elsewhere it
// falls back to a scalar loop: on an AVX2-only EPYC a 32 x 128 forward of the demo model took 15.1 s in bf16 against
// 0.43 s in fp32, and the default demo scan 221 s. There the products are computed in fp32 and rounded once to the
// model dtype, as the bf16 kernels do (exact products, fp32 sums), up to the order of the sums.
bool slowLowPrecisionCpuGemm(const at::Tensor& x) {
  static const bool avx512 =
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  return !avx512 && x.device().is_cpu() && (x.scalar_type() == at::kBFloat16 || x.scalar_type() == at::kHalf);
}

at::Tensor linearOp(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  if (!slowLowPrecisionCpuGemm(x)) return at::linear(x, w, b);
  return at::linear(x.to(at::kFloat), w.to(at::kFloat), b.defined() ? b.to(at::kFloat) : b).to(x.scalar_type());
}

[[maybe_unused]] at::Tensor matmulOp(const at::Tensor& a, const at::Tensor& b) {
  if (!slowLowPrecisionCpuGemm(a)) return at::matmul(a, b);
  return at::matmul(a.to(at::kFloat), b.to(at::kFloat)).to(a.scalar_type());
}
}  // namespace

at::Tensor Model::linear(LinearRef ref, const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                         ForwardHooks* hooks) const {
  if (hooks) {
    at::Tensor w = hooks->linearWeight(ref, weight);
    if (w.defined()) return linearOp(x, w, bias);
  }
  return linearOp(x, weight, bias);
}

static at::Tensor offerLinearInput(ForwardHooks* hooks, LinearRef ref, const at::Tensor& x) {
  if (!hooks) return x;
  at::Tensor replaced = hooks->linearInput(ref, x);
  return replaced.defined() ? replaced : x;
}

static at::Tensor rotateHalf(const at::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

static at::Tensor repeatKv(const at::Tensor& x, int64_t groups) {
  if (groups == 1) return x;
  const auto b = x.size(0), h = x.size(1), t = x.size(2), d = x.size(3);
  return x.unsqueeze(2).expand({b, h, groups, t, d}).reshape({b, h * groups, t, d});
}

at::Tensor Model::attention(int layer, const at::Tensor& x, const Context& ctx, ForwardHooks* hooks) const {
  const auto& w = layers_[static_cast<size_t>(layer)];
  const int64_t b = x.size(0), t = x.size(1), hd = config_.headDim;
  const int64_t nh = config_.numHeads, nkv = config_.numKvHeads;
  auto in = offerLinearInput(hooks, {layer, LinearKind::Q}, x);
  auto q = linear({layer, LinearKind::Q}, in, w.qWeight, w.qBias, hooks).view({b, t, nh, hd});
  auto k = linear({layer, LinearKind::K}, in, w.kWeight, w.kBias, hooks).view({b, t, nkv, hd});
  if (w.qNorm.defined()) {  // qwen3: RMSNorm over each head's vector, before RoPE
    q = rmsNorm(q, w.qNorm);
    k = rmsNorm(k, w.kNorm);
  }
  q = q.transpose(1, 2);
  k = k.transpose(1, 2);
  auto v = linear({layer, LinearKind::V}, in, w.vWeight, w.vBias, hooks).view({b, t, nkv, hd}).transpose(1, 2);
  auto cos = ctx.cos.unsqueeze(1), sin = ctx.sin.unsqueeze(1);
  q = q * cos + rotateHalf(q) * sin;
  k = k * cos + rotateHalf(k) * sin;
  k = repeatKv(k, nh / nkv);
  v = repeatKv(v, nh / nkv);
  const double scaling = 1.0 / std::sqrt(static_cast<double>(hd));
  at::Tensor out;
#if TORCH_VERSION_MAJOR >= 2
  // PyTorch 2.x: fused attention (flash / memory-efficient kernels on CUDA).
  if (ctx.causalOnly) {
    out = at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true, scaling);
  } else {
    out = at::scaled_dot_product_attention(q, k, v, ctx.maskBias, 0.0, false, scaling);
  }
#else
  auto scores = matmulOp(q, k.transpose(2, 3)) * scaling;
  if (ctx.causalOnly) {
    auto causal = at::ones({t, t}, at::TensorOptions().dtype(at::kBool).device(x.device())).tril();
    scores = scores.masked_fill(causal.logical_not(), -std::numeric_limits<float>::infinity());
  } else {
    scores = scores + ctx.maskBias;
  }
  auto probs = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
  out = matmulOp(probs, v);
#endif
  out = out.transpose(1, 2).contiguous().reshape({b, t, nh * hd});
  out = offerLinearInput(hooks, {layer, LinearKind::O}, out);
  return linear({layer, LinearKind::O}, out, w.oWeight, w.oBias, hooks);
}

at::Tensor Model::mlp(int layer, const at::Tensor& x, ForwardHooks* hooks) const {
  const auto& w = layers_[static_cast<size_t>(layer)];
  auto in = offerLinearInput(hooks, {layer, LinearKind::Gate}, x);
  auto gate = linear({layer, LinearKind::Gate}, in, w.gateWeight, w.gateBias, hooks);
  auto up = linear({layer, LinearKind::Up}, in, w.upWeight, w.upBias, hooks);
  auto act = offerLinearInput(hooks, {layer, LinearKind::Down}, at::silu(gate) * up);
  return linear({layer, LinearKind::Down}, act, w.downWeight, w.downBias, hooks);
}

at::Tensor Model::runLayer(int layer, const at::Tensor& hidden, const Context& ctx, ForwardHooks* hooks) const {
  const auto& w = layers_[static_cast<size_t>(layer)];
  at::Tensor h = hidden;
  if (hooks) {
    auto r = hooks->layerInput(layer, h);
    if (r.defined()) h = r;
  }
  auto normWeight = [&](NormKind kind, const at::Tensor& weight) {
    if (!hooks) return weight;
    auto r = hooks->normWeight(layer, kind, weight);
    return r.defined() ? r : weight;
  };
  auto attn = attention(layer, rmsNorm(h, normWeight(NormKind::Input, w.inputNorm)), ctx, hooks);
  h = h + attn;
  h = h + mlp(layer, rmsNorm(h, normWeight(NormKind::PostAttention, w.postAttentionNorm)), hooks);
  if (hooks) {
    auto r = hooks->layerOutput(layer, h);
    if (r.defined()) h = r;
  }
  return h;
}

at::Tensor Model::runLayers(at::Tensor hidden, const Context& ctx, int first, int last, ForwardHooks* hooks,
                            std::vector<at::Tensor>* layerOutputs) const {
  if (first < 0 || last > numLayers() || first > last)
    throw Error("layer range [" + std::to_string(first) + ", " + std::to_string(last) + ") is outside the model's " +
                std::to_string(numLayers()) + " layers");
  for (int i = first; i < last; ++i) {
    hidden = runLayer(i, hidden, ctx, hooks);
    if (layerOutputs) layerOutputs->push_back(hidden);
  }
  return hidden;
}

at::Tensor Model::finalNorm(const at::Tensor& hidden, ForwardHooks* hooks) const {
  at::Tensor w = finalNorm_;
  if (hooks) {
    auto r = hooks->normWeight(-1, NormKind::Final, w);
    if (r.defined()) w = r;
  }
  return rmsNorm(hidden, w);
}

at::Tensor Model::lmHead(const at::Tensor& normedHidden, ForwardHooks* hooks) const {
  auto x = offerLinearInput(hooks, {-1, LinearKind::LmHead}, normedHidden);
  return linear({-1, LinearKind::LmHead}, x, lmHeadWeight(), {}, hooks);
}

at::Tensor Model::gatherLast(const at::Tensor& perPosition, const Batch& batch) {
  return gatherLast(perPosition, batch.lastPositions(perPosition.device()));
}

at::Tensor Model::gatherLast(const at::Tensor& perPosition, const at::Tensor& lastPositions) {
  auto rows = at::arange(lastPositions.size(0), lastPositions.options());
  return perPosition.index({rows, lastPositions});
}

at::Tensor Model::lastTokenLogits(const at::Tensor& inputIds, const at::Tensor& paddingMask,
                                  const at::Tensor& lastPositions) const {
  auto ctx = makeContext(inputIds.size(1), paddingMask);
  auto h = runLayers(embed(inputIds), ctx, 0, numLayers(), nullptr);
  return lmHead(finalNorm(gatherLast(h, lastPositions), nullptr), nullptr);
}

Model::ForwardResult Model::forward(const Batch& batch, ForwardHooks* hooks, bool allLogits,
                                    bool keepLayerOutputs) const {
  ForwardResult result;
  auto ctx = makeContext(batch);
  auto h = runLayers(embed(batch.inputIds, hooks), ctx, 0, numLayers(), hooks,
                     keepLayerOutputs ? &result.layerOutputs : nullptr);
  if (!allLogits) h = gatherLast(h, batch);  // only the last positions need the (large) vocabulary projection
  result.logits = lmHead(finalNorm(h, hooks), hooks);
  return result;
}

std::vector<std::pair<std::string, at::Tensor*>> Model::namedParameters() {
  std::vector<std::pair<std::string, at::Tensor*>> params;
  params.emplace_back("model.embed_tokens.weight", &embedding_);
  for (int i = 0; i < numLayers(); ++i) {
    auto& w = layers_[static_cast<size_t>(i)];
    const std::string p = "model.layers." + std::to_string(i) + ".";
    params.emplace_back(p + "input_layernorm.weight", &w.inputNorm);
    for (auto kind : {LinearKind::Q, LinearKind::K, LinearKind::V, LinearKind::O}) {
      params.emplace_back(p + "self_attn." + linearKindName(kind) + ".weight", &w.linearWeight(kind));
    }
    if (w.qBias.defined()) params.emplace_back(p + "self_attn.q_proj.bias", &w.qBias);
    if (w.kBias.defined()) params.emplace_back(p + "self_attn.k_proj.bias", &w.kBias);
    if (w.vBias.defined()) params.emplace_back(p + "self_attn.v_proj.bias", &w.vBias);
    if (w.oBias.defined()) params.emplace_back(p + "self_attn.o_proj.bias", &w.oBias);
    if (w.qNorm.defined()) params.emplace_back(p + "self_attn.q_norm.weight", &w.qNorm);
    if (w.kNorm.defined()) params.emplace_back(p + "self_attn.k_norm.weight", &w.kNorm);
    params.emplace_back(p + "post_attention_layernorm.weight", &w.postAttentionNorm);
    for (auto kind : {LinearKind::Gate, LinearKind::Up, LinearKind::Down}) {
      params.emplace_back(p + "mlp." + linearKindName(kind) + ".weight", &w.linearWeight(kind));
    }
    if (w.gateBias.defined()) params.emplace_back(p + "mlp.gate_proj.bias", &w.gateBias);
    if (w.upBias.defined()) params.emplace_back(p + "mlp.up_proj.bias", &w.upBias);
    if (w.downBias.defined()) params.emplace_back(p + "mlp.down_proj.bias", &w.downBias);
  }
  params.emplace_back("model.norm.weight", &finalNorm_);
  if (lmHead_.defined()) params.emplace_back("lm_head.weight", &lmHead_);
  return params;
}

}  // namespace srdd
