// runScan: the per-layer loops. Layer inputs are captured once per variant; every per-layer scan then
// runs only layer i (local scans) or layers i..N (sensitivity) from the cached state entering layer i.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "srdd/error.h"
#include "srdd/eta.h"
#include "srdd/fixed_order_sum.h"
#include "srdd/model.h"
#include "srdd/runtime.h"
#include "srdd/scan.h"
#include "srdd/scan_fidelity.h"
#include "srdd/version.h"
#include "scan_probe.h"

namespace srdd {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
using Series = std::map<std::string, std::vector<double>>;

void append(std::vector<double>& to, const std::vector<double>& from) { to.insert(to.end(), from.begin(), from.end()); }

uint64_t mixSeed(uint64_t seed, uint64_t a, uint64_t b, uint64_t c) {
  return mxMix64(seed ^ mxMix64(a * 0x9E3779B97F4A7C15ull ^ mxMix64(b * 0xBF58476D1CE4E5B9ull ^ mxMix64(c + 1))));
}
// Stochastic-rounding stream offsets for activations; bit 63 keeps them apart from the weight streams.
uint64_t streamBase(uint64_t chunk, int variant, int stage) {
  return (1ull << 63) | (chunk << 48) | (static_cast<uint64_t>(stage) << 44) | (static_cast<uint64_t>(variant) << 43);
}

// Checks the cancel token as each decoder layer starts, so that cancellation also interrupts a forward.
class CancelCheckHooks : public ForwardHooks {
 public:
  explicit CancelCheckHooks(const ProgressTracker& t) : tracker_(t) {}
  at::Tensor layerInput(int, const at::Tensor&) override {
    tracker_.checkCancelled();
    return {};
  }

 private:
  const ProgressTracker& tracker_;
};

// One device-to-host copy of a small tensor, as fp64 values in order.
std::vector<double> hostValues(const at::Tensor& t) {
  at::Tensor c = t.to(at::kDouble).cpu().contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

struct HeadStats {
  at::Tensor lastLogProbs;   // [B, V] fp32
  std::vector<double> loss;  // per prompt mean next-token CE (NaN for one token)
};

// What a one-layer (or all-but-one) quantized pass is compared against: the BF16 model's next-token
// distribution at every position of the sensitivity sequences.
struct TokenReference {
  at::Tensor logp, p, argmax;  // [B, T, V] fp32, its exp, [B, T] argmax
  std::vector<double> loss;    // per sequence mean next-token CE
};

at::Tensor allLogProbs(const Model& model, const at::Tensor& hidden, ForwardHooks* hooks) {
  return at::log_softmax(model.lmHead(model.finalNorm(hidden, hooks), hooks).to(at::kFloat), -1);
}

std::vector<double> sequenceLoss(const at::Tensor& logp, const Batch& batch) {
  const int64_t t = logp.size(1);
  if (t < 2) return std::vector<double>(static_cast<size_t>(batch.size()), kNaN);
  auto nll = -logp.narrow(1, 0, t - 1).gather(-1, batch.inputIds.narrow(1, 1, t - 1).unsqueeze(-1)).squeeze(-1);
  auto valid = batch.attentionMask.narrow(1, 1, t - 1);
  auto sums = hostValues(at::where(valid, nll, at::zeros_like(nll)).sum(1));
  std::vector<double> loss;
  for (int64_t b = 0; b < batch.size(); ++b) {
    const int64_t n = batch.lengths[static_cast<size_t>(b)] - 1;
    loss.push_back(n > 0 ? sums[static_cast<size_t>(b)] / static_cast<double>(n) : kNaN);
  }
  return loss;
}

HeadStats headStats(const Model& model, const at::Tensor& hidden, const Batch& batch, ForwardHooks* hooks) {
  HeadStats s;
  at::Tensor logp = allLogProbs(model, hidden, hooks);
  s.lastLogProbs = Model::gatherLast(logp, batch);
  s.loss = sequenceLoss(logp, batch);
  return s;
}

struct TokenHarm {
  std::vector<double> klMean, klLast, top1, loss;  // per sequence
  std::vector<double> tokenKl;                     // every real position, pooled
  double agreeing = 0;                             // positions whose argmax is unchanged
};

TokenHarm compareTokens(const TokenReference& ref, const at::Tensor& q, const Batch& batch) {
  TokenHarm h;
  at::Tensor kl = (ref.p * (ref.logp - q)).sum(-1).clamp_min(0);  // [B, T]
  at::Tensor agree = ref.argmax.eq(q.argmax(-1)).to(at::kFloat);
  const at::Tensor& mask = batch.attentionMask;
  at::Tensor m = mask.to(at::kFloat);
  at::Tensor n = m.sum(1);
  at::Tensor perSeq =
      at::cat({(kl * m).sum(1) / n, Model::gatherLast(kl.unsqueeze(-1), batch).squeeze(-1), (agree * m).sum(1) / n});
  const std::vector<double> v = hostValues(perSeq);
  const size_t B = static_cast<size_t>(batch.size());
  h.klMean.assign(v.begin(), v.begin() + static_cast<long>(B));
  h.klLast.assign(v.begin() + static_cast<long>(B), v.begin() + static_cast<long>(2 * B));
  h.top1.assign(v.begin() + static_cast<long>(2 * B), v.end());
  h.tokenKl = hostValues(kl.masked_select(mask));
  for (size_t b = 0; b < B; ++b) h.agreeing += h.top1[b] * static_cast<double>(batch.lengths[b]);
  h.loss = sequenceLoss(q, batch);
  return h;
}

// Linear-interpolation quantile (numpy's default) of a sorted vector.
double sortedQuantile(const std::vector<double>& v, double q) {
  if (v.empty()) return kNaN;
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

std::vector<double> klPerPrompt(const at::Tensor& p, const at::Tensor& q) {
  return hostValues((p.exp() * (p - q)).sum(-1).clamp_min(0));
}

std::vector<double> diff(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d;
  for (size_t i = 0; i < a.size(); ++i) d.push_back(a[i] - b[i]);
  return d;
}

class Engine {
 public:
  Engine(const Model& m, const PromptSet& p, const ScanOptions& o, const ProgressCallback& cb, const CancelToken* c)
      : model_(m),
        prompts_(p),
        opt_(o),
        L_(m.numLayers()),
        tracker_(
            [this, cb](const ProgressInfo& info) {
              if (!cb) return;
              ProgressInfo withEta = info;
              withEta.etaS = eta_.remaining(now());
              cb(withEta);
            },
            c, 0, m.numLayers()),
        cancelHooks_(tracker_),
        base_(&cancelHooks_, o.extraHooks),
        qh_(o.plan),
        probe_(qh_, o.seed),
        chainQ_(&base_, &probe_),
        prof_(o.profile, m.device()) {
    acc_[0].resize(static_cast<size_t>(L_));
    acc_[1].resize(static_cast<size_t>(L_));
    sens_.resize(static_cast<size_t>(L_));
    tokenKl_.resize(static_cast<size_t>(L_));
    agreeing_.assign(static_cast<size_t>(L_), 0.0);
  }

  ScanResult run() {
    const size_t P = prompts_.tokens.size(), bs = static_cast<size_t>(opt_.batchSize);
    const long chunks = static_cast<long>((P + bs - 1) / bs);
    const auto& sensSeqs = opt_.sensitivitySequences.empty() ? prompts_.tokens : opt_.sensitivitySequences;
    // The sensitivity pass keeps BF16 log-probabilities of every position ([B, T, vocab] fp32, twice), so its
    // batches are capped: 8 x 128 tokens x 151936 (Qwen2.5) is 1.2 GB.
    const size_t sbs = std::min<size_t>(bs, 8);
    const long sensChunks = static_cast<long>((sensSeqs.size() + sbs - 1) / sbs);
    planProgress(chunks, tokenCount(prompts_.tokens) / static_cast<double>(chunks), sensChunks,
                 tokenCount(sensSeqs) / static_cast<double>(std::max(1L, sensChunks)));
    for (size_t start = 0, c = 0; start < P; start += bs, ++c) {
      std::vector<std::vector<int64_t>> seqs(prompts_.tokens.begin() + static_cast<long>(start),
                                             prompts_.tokens.begin() + static_cast<long>(std::min(P, start + bs)));
      runChunk(seqs, c);
    }
    if (has(ScanKind::Sensitivity))
      for (size_t start = 0, c = 0; start < sensSeqs.size(); start += sbs, ++c) {
        std::vector<std::vector<int64_t>> seqs(
            sensSeqs.begin() + static_cast<long>(start),
            sensSeqs.begin() + static_cast<long>(std::min(sensSeqs.size(), start + sbs)));
        sensitivity(seqs, c);
      }
    ScanResult r;
    if (has(ScanKind::Weights)) scanWeights(r);
    prof_.begin("summaries");
    collect(r);
    prof_.end();
    return r;
  }

 private:
  bool has(ScanKind k) const { return opt_.scans.count(k) > 0; }
  static double tokenCount(const std::vector<std::vector<int64_t>>& seqs) {
    double n = 0;
    for (const auto& s : seqs) n += static_cast<double>(s.size());
    return n;
  }

  // The ETA's plan: every stage's units, each costing roughly so many decoder-layer passes over a chunk of
  // prompts (the head counts as vocab x hidden over one layer's weights). The tracker measures each stage's
  // real speed once it runs; the costs only rank stages that have not started yet.
  void planProgress(long chunks, double chunkTokens, long sensChunks, double sensTokens) {
    const ModelConfig& cfg = model_.config();
    const double h = static_cast<double>(cfg.hiddenSize), qDim = static_cast<double>(cfg.numHeads * cfg.headDim),
                 kvDim = static_cast<double>(cfg.numKvHeads * cfg.headDim);
    const double layerWeights = 2 * h * qDim + 2 * h * kvDim + 3 * h * static_cast<double>(cfg.intermediateSize);
    const double head = layerWeights > 0 ? static_cast<double>(cfg.vocabSize) * h / layerWeights : 1.0;
    for (int v = 0; v < 2; ++v) {
      eta_.plan(stage("forward", v), chunks, L_ + head);
      eta_.plan(stage("activations", v), chunks * L_, 0.2);
      if (has(ScanKind::Instability)) eta_.plan(stage("instability", v), chunks, opt_.instabilityTrials * L_);
      if (has(ScanKind::Gain)) eta_.plan(stage("gain", v), chunks * L_, 1 + opt_.gainDraws);
      if (has(ScanKind::DcGain) || has(ScanKind::Discrete)) eta_.plan(stage("dc shift", v), chunks * L_, 3);
    }
    if (has(ScanKind::Sensitivity)) {
      const double tokens = chunkTokens > 0 ? sensTokens / chunkTokens : 1.0;
      long selected = 0;
      double depth = 0;  // layers run per unit, summed over the selected layers
      for (int i = 0; i < L_; ++i)
        if (opt_.plan.selects(i)) {
          ++selected;
          depth += L_ - i;
        }
      const double perUnit = tokens * (selected ? depth / static_cast<double>(selected) + head : head);
      eta_.plan("sensitivity: reference forwards", sensChunks, tokens * (2 * L_ + head));
      eta_.plan("sensitivity: one layer", sensChunks * selected, perUnit);
      eta_.plan("sensitivity: all layers but one", sensChunks * selected, perUnit);
    }
    if (has(ScanKind::Weights)) eta_.plan("weights", L_, 0.2);
    tracker_.setTotal(eta_.plannedUnits());
  }
  static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  void begin(const std::string& stage, int layer = -1) {
    eta_.begin(stage, now());
    tracker_.begin(stage, layer);
    prof_.begin(stage);
  }
  void done() {
    prof_.end();
    eta_.done(now());
    tracker_.done();
  }
  ForwardHooks* hooks(int v) { return v ? &chainQ_ : &base_; }
  static const char* variantName(int v) { return v ? "quantized" : "bf16"; }
  std::string stage(const std::string& what, int v) { return what + " (" + variantName(v) + ")"; }

  // Runs layer i from `input` with the stochastic-rounding stream pinned, so that two runs differ
  // only by their inputs.
  at::Tensor layerAt(int i, const at::Tensor& input, const Model::Context& ctx, int v, uint64_t stream) {
    qh_.resetStream(stream);
    return model_.runLayer(i, input, ctx, hooks(v));
  }

  void runChunk(const std::vector<std::vector<int64_t>>& seqs, uint64_t c) {
    Batch batch = Batch::fromSequences(seqs, model_.device());
    Model::Context ctx = model_.makeContext(batch);
    std::vector<at::Tensor> inputs[2], outputs[2];
    HeadStats head[2];
    for (int v = 0; v < 2; ++v) {
      begin(stage("forward", v));
      qh_.resetStream(streamBase(c, v, 0));
      if (v == 1 && has(ScanKind::Fidelity)) {  // measure what this mode quantizes, in the quantized pass
        probe_.setRealRows(batch.attentionMask.reshape({-1}).nonzero().squeeze(-1));
        probe_.setMode(ProbeHooks::Mode::Measure);
      }
      at::Tensor h0 = model_.embed(batch.inputIds, hooks(v));
      model_.runLayers(h0, ctx, 0, L_, hooks(v), &outputs[v]);
      probe_.setMode(ProbeHooks::Mode::Pass);
      inputs[v].push_back(h0);
      for (int i = 0; i + 1 < L_; ++i) inputs[v].push_back(outputs[v][static_cast<size_t>(i)]);
      head[v] = headStats(model_, outputs[v].back(), batch, hooks(v));
      done();
      activationScans(outputs, v, batch, c);
      if (has(ScanKind::Instability)) instability(seqs, v, c);
      if (has(ScanKind::Gain)) gain(inputs[v], v, batch, ctx, c);
      if (has(ScanKind::DcGain) || has(ScanKind::Discrete)) dcShift(inputs[v], v, batch, ctx, c);
    }
    append(e2e_["loss_bf16"], head[0].loss);
    append(e2e_["loss_quantized"], head[1].loss);
    append(e2e_["loss_change"], diff(head[1].loss, head[0].loss));
    append(e2e_["kl"], klPerPrompt(head[0].lastLogProbs, head[1].lastLogProbs));
  }

  // Per layer, every per-prompt statistic stays on the device and comes back in one copy.
  void activationScans(const std::vector<at::Tensor>* outputs, int v, const Batch& batch, uint64_t) {
    const at::Tensor& mask = batch.attentionMask;
    const bool fidelity = has(ScanKind::Fidelity), drift = v == 1;
    for (int i = 0; i < L_; ++i) {
      begin(stage("activations", v), i);
      const at::Tensor& out = outputs[v][static_cast<size_t>(i)];
      Series& a = acc_[v][static_cast<size_t>(i)];
      std::vector<at::Tensor> terms;  // per prompt: fidelity terms, then drift signal and error energies
      if (has(ScanKind::Kurtosis)) {
        // The output's variance comes with its kurtosis (the research plan's per-layer "variance" plot).
        const std::vector<double> kv =
            hostValues(at::cat({maskedKurtosisTensor(out, mask), maskedStdTensor(out, mask, true).square()}));
        const auto half = kv.begin() + static_cast<long>(batch.size());
        a["kurtosis"].insert(a["kurtosis"].end(), kv.begin(), half);
        a["variance"].insert(a["variance"].end(), half, kv.end());
        for (auto n : batch.lengths) a["tokens"].push_back(static_cast<double>(n));
      }
      for (int64_t b = 0; b < batch.size(); ++b) {
        if (!has(ScanKind::Histogram) && !fidelity && v == 0) break;
        const int64_t len = batch.lengths[static_cast<size_t>(b)];
        at::Tensor x = promptValues(out, b, len);
        if (has(ScanKind::Histogram)) a["edge_pileup"].push_back(edgePileupRatio(x));
        if (fidelity) terms.push_back(fidelityTerms(x, opt_.plan.spec));
        if (drift) {  // how far the quantized model's hidden state has drifted from the BF16 one
          at::Tensor ref = promptValues(outputs[0][static_cast<size_t>(i)], b, len).to(at::kDouble);
          terms.push_back(at::stack({fixedOrderSum(ref.pow(2)), fixedOrderSum((x.to(at::kDouble) - ref).pow(2))}));
        }
      }
      if (!terms.empty()) {
        const std::vector<double> t = hostValues(at::cat(terms));
        const double* p = t.data();
        for (int64_t b = 0; b < batch.size(); ++b) {
          const int64_t numel = batch.lengths[static_cast<size_t>(b)] * out.size(2);
          if (fidelity) {
            for (auto& [k, val] : fidelityFromTerms(p, numel).toMap()) a[k].push_back(val);
            p += kFidelityTerms;
          }
          if (drift) {
            const double sig = p[0], e = p[1];
            a["drift_sqnr_db"].push_back(e > 0 ? std::min(kSqnrCapDb, 10 * std::log10(sig / e)) : kSqnrCapDb);
            p += 2;
          }
        }
      }
      done();
    }
  }

  // Identical forwards of all trials in one batch (trial-major); instability = mean over k >= 1 of the
  // unbiased std of (out_k - out_0) over the prompt's real elements.
  void instability(const std::vector<std::vector<int64_t>>& seqs, int v, uint64_t c) {
    begin(stage("instability", v));
    const int K = opt_.instabilityTrials;
    std::vector<std::vector<int64_t>> rep;
    for (int k = 0; k < K; ++k) rep.insert(rep.end(), seqs.begin(), seqs.end());
    Batch bk = Batch::fromSequences(rep, model_.device());
    Model::Context ctx = model_.makeContext(bk);
    std::vector<at::Tensor> outs;
    qh_.resetStream(streamBase(c, v, 1));
    model_.runLayers(model_.embed(bk.inputIds, hooks(v)), ctx, 0, L_, hooks(v), &outs);
    const int64_t B = static_cast<int64_t>(seqs.size());
    at::Tensor mask = bk.attentionMask.narrow(0, 0, B);
    std::vector<at::Tensor> stds;  // [L * (K-1)] of [B], copied back at once
    for (int i = 0; i < L_; ++i) {
      at::Tensor o = outs[static_cast<size_t>(i)].to(at::kFloat);
      for (int k = 1; k < K; ++k)
        stds.push_back(maskedStdTensor(o.narrow(0, k * B, B) - o.narrow(0, 0, B), mask, true));
    }
    const std::vector<double> s = hostValues(at::cat(stds));
    for (int i = 0, j = 0; i < L_; ++i) {
      std::vector<double> mean(static_cast<size_t>(B), 0.0);
      for (int k = 1; k < K; ++k, ++j)
        for (int64_t b = 0; b < B; ++b) mean[static_cast<size_t>(b)] += s[static_cast<size_t>(j * B + b)] / (K - 1);
      append(acc_[v][static_cast<size_t>(i)]["instability"], mean);
    }
    done();
  }

  // Gaussian noise of std noiseScale·std(h_in) (per prompt, real tokens only) added to layer i's input;
  // gain = std(output change) / std(applied noise). The same noise draw is used for both variants.
  void gain(const std::vector<at::Tensor>& inputs, int v, const Batch& batch, const Model::Context& ctx, uint64_t c) {
    const at::Tensor& mask = batch.attentionMask;
    const int64_t B = batch.size();
    for (int i = 0; i < L_; ++i) {
      begin(stage("gain", v), i);
      const at::Tensor& hin = inputs[static_cast<size_t>(i)];
      at::Tensor scale = maskedStdTensor(hin, mask, false).to(at::kFloat).mul(opt_.noiseScale).view({B, 1, 1});
      at::Tensor m = mask.to(at::kFloat).unsqueeze(-1);
      std::vector<double> g(static_cast<size_t>(B), 0.0);
      const uint64_t stream = streamBase(c, v, 2) + (static_cast<uint64_t>(i) << 36);
      // Activation quantization: both passes use the base pass's quantization error (one draw), so the
      // ratio measures gain, not the difference of two quantization noises.
      const bool replay = v == 1 && opt_.plan.mode != QuantizationPlan::Mode::W4A16;
      if (replay) probe_.setMode(ProbeHooks::Mode::Record);
      at::Tensor base = layerAt(i, hin, ctx, v, stream).to(at::kFloat);
      if (replay) probe_.setMode(ProbeHooks::Mode::Replay);
      for (int d = 0; d < opt_.gainDraws; ++d) {
        tracker_.checkCancelled();
        auto gen =
            at::detail::createCPUGenerator(mixSeed(opt_.seed, c, static_cast<uint64_t>(i), static_cast<uint64_t>(d)));
        // Drawn on the CPU generator (the same numbers on every device), scaled on the device.
        at::Tensor noise =
            at::randn(hin.sizes(), gen, at::TensorOptions().dtype(at::kFloat)).to(hin.device()) * scale * m;
        at::Tensor pin = (hin.to(at::kFloat) + noise).to(hin.scalar_type());
        at::Tensor applied = pin.to(at::kFloat) - hin.to(at::kFloat);
        at::Tensor pert = layerAt(i, pin, ctx, v, stream).to(at::kFloat);
        auto nd = hostValues(at::cat({maskedStdTensor(pert - base, mask, true), maskedStdTensor(applied, mask, true)}));
        for (int64_t b = 0; b < B; ++b) {
          const size_t k = static_cast<size_t>(b);
          const double num = nd[k], den = nd[k + static_cast<size_t>(B)];
          g[k] += (den > 1e-9 ? num / den : 0.0) / opt_.gainDraws;
        }
      }
      probe_.setMode(ProbeHooks::Mode::Pass);
      probe_.clearRecorded();
      append(acc_[v][static_cast<size_t>(i)]["gain"], g);
      done();
    }
  }

  // +dcShift on every input element: per-element gain quantiles (v6) and the discrete outlier rate (v7).
  void dcShift(const std::vector<at::Tensor>& inputs, int v, const Batch& batch, const Model::Context& ctx,
               uint64_t c) {
    for (int i = 0; i < L_; ++i) {
      begin(stage("dc shift", v), i);
      const at::Tensor& hin = inputs[static_cast<size_t>(i)];
      const uint64_t stream = streamBase(c, v, 3) + (static_cast<uint64_t>(i) << 36);
      at::Tensor base = layerAt(i, hin, ctx, v, stream).to(at::kFloat);
      at::Tensor shifted = layerAt(i, hin + opt_.dcShift, ctx, v, stream).to(at::kFloat);
      at::Tensor shift = shifted - base;
      Series& a = acc_[v][static_cast<size_t>(i)];
      auto q = at::tensor({0.001, 0.999}, at::kFloat).to(shift.device());
      std::vector<at::Tensor> terms;  // per prompt: [q0.1%, q99.9%, mean, median, count below] fp64
      for (int64_t b = 0; b < batch.size(); ++b) {
        at::Tensor s = promptValues(shift, b, batch.lengths[static_cast<size_t>(b)]);
        at::Tensor g = s / opt_.dcShift;
        at::Tensor med = s.median();  // lower median, as torch.median
        // The threshold as the host path computed it: fp64 product, compared in fp32.
        at::Tensor below = s.lt(med.to(at::kDouble) * opt_.discreteFactor).sum().to(at::kDouble);
        terms.push_back(at::cat({at::quantile(g, q).to(at::kDouble), fixedOrderMean(g).view({1}),
                                 med.to(at::kDouble).view({1}), below.view({1})}));
      }
      const std::vector<double> t = hostValues(at::cat(terms));
      for (int64_t b = 0; b < batch.size(); ++b) {
        const double* p = t.data() + 5 * b;
        if (has(ScanKind::DcGain)) {
          a["dc_gain_min"].push_back(p[0]);
          a["dc_gain_max"].push_back(p[1]);
          a["dc_gain_mean"].push_back(p[2]);
        }
        if (has(ScanKind::Discrete)) {
          const double numel = static_cast<double>(batch.lengths[static_cast<size_t>(b)] * shift.size(2));
          a["discrete_rate"].push_back(std::fabs(p[3]) < 0.1 * opt_.dcShift ? 0.0 : p[4] / numel);
        }
      }
      done();
    }
  }

  // Over the sensitivity sequences (held-out text windows, or the prompts): quantize only layer i (from the
  // BF16 state entering i), and all selected layers but i (from the quantized state entering i); compare
  // every real position's next-token distribution with BF16 (KL, argmax agreement) and the sequence loss.
  void sensitivity(const std::vector<std::vector<int64_t>>& seqs, uint64_t c) {
    const QuantizationPlan& plan = opt_.plan;
    Batch batch = Batch::fromSequences(seqs, model_.device());
    Model::Context ctx = model_.makeContext(batch);
    std::vector<at::Tensor> inputs[2];
    TokenReference ref;
    begin("sensitivity: reference forwards");
    for (int v = 0; v < 2; ++v) {
      std::vector<at::Tensor> outs;
      qh_.resetStream(streamBase(c, v, 6));
      at::Tensor h0 = model_.embed(batch.inputIds, hooks(v));
      model_.runLayers(h0, ctx, 0, L_, hooks(v), &outs);
      inputs[v].push_back(h0);
      for (int i = 0; i + 1 < L_; ++i) inputs[v].push_back(outs[static_cast<size_t>(i)]);
      if (v == 0) ref.logp = allLogProbs(model_, outs.back(), hooks(0));
    }
    ref.p = ref.logp.exp();
    ref.argmax = ref.logp.argmax(-1);
    ref.loss = sequenceLoss(ref.logp, batch);
    done();
    std::set<int> unselected;
    for (int l = 0; l < L_; ++l)
      if (!plan.selects(l)) unselected.insert(l);
    for (int i = 0; i < L_; ++i) {
      if (!plan.selects(i)) continue;  // nothing of it is quantized: no sensitivity to measure
      for (int allBut = 0; allBut < 2; ++allBut) {
        begin(allBut ? "sensitivity: all layers but one" : "sensitivity: one layer", i);
        if (allBut) {
          std::set<int> off = unselected;
          off.insert(i);
          qh_.setLayerSelection(off, true);
          qh_.setIncludeLmHead(plan.includeLmHead);
        } else {
          qh_.setLayerSelection({i}, false);
          qh_.setIncludeLmHead(false);
        }
        qh_.resetStream(streamBase(c, 1, 4 + allBut) + (static_cast<uint64_t>(i) << 36));
        at::Tensor h = model_.runLayers(inputs[allBut][static_cast<size_t>(i)], ctx, i, L_, &chainQ_);
        TokenHarm th = compareTokens(ref, allLogProbs(model_, h, &chainQ_), batch);
        Series& s = sens_[static_cast<size_t>(i)];
        const std::string suffix = allBut ? "_all_but" : "_single";
        append(s["kl" + suffix], th.klMean);
        append(s["kl" + suffix + "_last"], th.klLast);
        append(s["top1" + suffix], th.top1);
        append(s["dloss" + suffix], diff(th.loss, ref.loss));
        if (!allBut) {
          append(tokenKl_[static_cast<size_t>(i)], th.tokenKl);
          agreeing_[static_cast<size_t>(i)] += th.agreeing;
        }
        done();
      }
    }
    qh_.setLayerSelection(plan.layers, plan.invertLayers);
    qh_.setIncludeLmHead(plan.includeLmHead);
  }

  void scanWeights(ScanResult& r) {
    r.layers.resize(static_cast<size_t>(L_));
    for (int i = 0; i < L_; ++i) {
      begin("weights", i);
      std::vector<Fidelity> parts;
      for (auto kind : {LinearKind::Q, LinearKind::K, LinearKind::V, LinearKind::O, LinearKind::Gate, LinearKind::Up,
                        LinearKind::Down}) {
        const at::Tensor& w = model_.layer(i).linearWeight(kind);
        parts.push_back(measureFidelity(w, opt_.plan.spec));
        r.weights.push_back({i, linearKindName(kind), w.sizes().vec(), parts.back().toMap()});
      }
      r.layers[static_cast<size_t>(i)].weights = poolFidelity(parts).toMap();
      done();
    }
    if (opt_.plan.includeLmHead) {
      const at::Tensor& w = model_.lmHeadWeight();
      r.weights.push_back({-1, "lm_head", w.sizes().vec(), measureFidelity(w, opt_.plan.spec).toMap()});
    }
  }

  void collect(ScanResult& r) {
    r.layers.resize(static_cast<size_t>(L_));
    for (int i = 0; i < L_; ++i) {
      LayerScanResult& lr = r.layers[static_cast<size_t>(i)];
      lr.layer = i;
      lr.layerQuantized = opt_.plan.selects(i);
      std::vector<double> tk = tokenKl_[static_cast<size_t>(i)];
      if (!tk.empty()) {
        std::sort(tk.begin(), tk.end());
        lr.harm = {{"kl_single_median", sortedQuantile(tk, 0.5)},
                   {"kl_single_q99", sortedQuantile(tk, 0.99)},
                   {"top1_single", agreeing_[static_cast<size_t>(i)] / static_cast<double>(tk.size())},
                   {"tokens", static_cast<double>(tk.size())}};
      }
      for (auto& [k, vals] : acc_[0][static_cast<size_t>(i)]) lr.bf16[k] = summarize(vals);
      for (auto& [k, vals] : acc_[1][static_cast<size_t>(i)]) lr.quantized[k] = summarize(vals);
      for (auto& [k, vals] : sens_[static_cast<size_t>(i)]) lr.sensitivity[k] = summarize(vals);
      for (auto& [k, b] : lr.bf16) {
        auto q = lr.quantized.find(k);
        if (q == lr.quantized.end() || k == "tokens") continue;
        lr.ratio[k] = std::isfinite(b.mean) && b.mean > 0 ? q->second.mean / b.mean : 1.0;
        lr.difference[k] = q->second.mean - b.mean;
      }
    }
    for (auto& [k, vals] : e2e_) r.endToEnd[k] = summarize(vals);
    for (const auto& [key, m] : probe_.measured()) {
      if (key.layer < 0 || key.layer >= L_) continue;  // lm_head: not a decoder layer
      r.layers[static_cast<size_t>(key.layer)].quantizedTensors.push_back(
          {key.module, key.role, poolFidelity(m.measured).toMap(), poolFidelity(m.floor).toMap()});
    }
  }

  const Model& model_;
  const PromptSet& prompts_;
  const ScanOptions& opt_;
  const int L_;
  EtaEstimator eta_;  // the reported ETA (the tracker's own is an average over all units so far)
  ProgressTracker tracker_;
  CancelCheckHooks cancelHooks_;
  ChainedHooks base_;  // cancel check, then the caller's extra hooks
  QuantizationHooks qh_;
  ProbeHooks probe_;     // qh_, measured / replayed
  ChainedHooks chainQ_;  // base_, then quantization
 public:
  StageProfiler prof_;

 private:
  std::vector<Series> acc_[2];
  std::vector<Series> sens_;
  std::vector<std::vector<double>> tokenKl_;  // per layer: single-layer KL of every scored token
  std::vector<double> agreeing_;              // per layer: tokens whose argmax the single layer left unchanged
  Series e2e_;
};

}  // namespace

std::vector<LayerMetrics> ScanResult::ruleInputs() const {
  std::vector<LayerMetrics> out;
  for (const auto& l : layers) {
    LayerMetrics m;
    m.layer = l.layer;
    auto ratio = [&](const char* k, const char* name) {
      auto it = l.ratio.find(k);
      if (it != l.ratio.end()) m.values[name] = it->second;
    };
    ratio("gain", "gain_ratio");
    ratio("kurtosis", "kurtosis_ratio");
    auto d = l.difference.find("instability");
    if (d != l.difference.end()) m.values["instability_increase"] = d->second;
    auto q = l.quantized.find("instability");
    if (q != l.quantized.end()) m.values["instability"] = q->second.mean;
    for (const char* k : {"sqnr_db", "deadzone_ratio", "clipping_ratio", "relative_error"}) {
      auto it = l.bf16.find(k);
      if (it != l.bf16.end()) m.values[k] = it->second.mean;
    }
    auto s = l.sensitivity.find("kl_single");
    if (s != l.sensitivity.end()) m.values["kl_single"] = s->second.mean;
    m.quantized = l.layerQuantized;
    auto kb = l.bf16.find("kurtosis");
    if (kb != l.bf16.end()) m.values["kurtosis_bf16"] = kb->second.mean;
    auto drift = l.quantized.find("drift_sqnr_db");
    if (drift != l.quantized.end() && std::isfinite(drift->second.mean))
      m.values["noise_kurtosis_ratio"] = 1.0 / std::pow(1.0 + std::pow(10.0, -drift->second.mean / 10.0), 2);
    // Floor rules: the worst quantized tensor's excess over the format's floor, per metric.
    for (const auto& t : l.quantizedTensors) {
      auto get = [](const std::map<std::string, double>& x, const char* k) {
        auto it = x.find(k);
        return it == x.end() ? kNaN : it->second;
      };
      const std::pair<const char*, double> excess[] = {
          {"excess_sqnr_db", get(t.floor, "sqnr_db") - get(t.metrics, "sqnr_db")},
          {"excess_deadzone_ratio", get(t.metrics, "deadzone_ratio") - get(t.floor, "deadzone_ratio")},
          {"excess_clipping_ratio", get(t.metrics, "clipping_ratio") - get(t.floor, "clipping_ratio")},
          {"excess_relative_error", get(t.metrics, "relative_error") - get(t.floor, "relative_error")}};
      for (const auto& [k, e] : excess) {
        if (!std::isfinite(e)) continue;
        m.values[std::string(k) + "@" + t.module + " " + t.role] = e;  // per tensor kind, for the peer rules
        auto it = m.values.find(k);
        if (it == m.values.end() || e > it->second) {
          m.values[k] = e;
          m.where[k] = t.module + " " + t.role;
        }
      }
    }
    out.push_back(m);
  }
  return out;
}

ScanResult runScan(const Model& model, const PromptSet& prompts, const ScanOptions& options,
                   const ProgressCallback& progress, const CancelToken* cancel, const std::string& createdUtc) {
  options.validate();
  options.plan.validate(model.numLayers());
  if (prompts.tokens.empty()) throw Error("scan: the prompt set " + prompts.source + " holds no prompt");
  c10::NoGradGuard noGrad;
  Engine engine(model, prompts, options, progress, cancel);
  ScanResult r = engine.run();
  r.prompts = prompts;
  r.parameters = options.toJson();
  const auto& cfg = model.config();
  engine.prof_.begin("provenance (model file digests)");
  nlohmann::json files = modelFileDigests(model.directory(), options.hashModelFiles);
  engine.prof_.begin("rules and verdict");
  r.provenance = {{"model",
                   {{"path", model.directory()},
                    {"files", files},
                    {"num_layers", model.numLayers()},
                    {"hidden_size", cfg.hiddenSize},
                    {"vocab_size", cfg.vocabSize}}},
                  {"device", model.device().str()},
                  {"dtype", dtypeName(model.dtype())},
                  {"threads", at::get_num_threads()},
                  {"app", {{"version", versionString()}, {"git_commit", gitCommit()}}},
                  {"libtorch", torchVersionString()},
                  {"created_utc", createdUtc.empty() ? utcTimestamp() : createdUtc}};
  r.verdict = judgeLayers(r.ruleInputs(), options.thresholds, options.plan.spec.formatName, options.rules);
  engine.prof_.end();
  r.profile = engine.prof_.totals();
  return r;
}

}  // namespace srdd
