// AQN training pieces: AdamW against a hand-computed update, gradient clipping, noise (fp32, not
// accumulated, relative modes, seeding), the fp32 RMSNorm path, STE gradients, corpus packing and
// data order, and that training lowers the training loss of the demo model.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>

#include "srdd/aqn_train.h"
#include "srdd/error.h"
#include "srdd/evaluation.h"
#include "srdd/model.h"
#include "srdd/tokenizer.h"

#include <QtTest/QtTest>

#include "test_support.h"

namespace {

std::string tinyModel() { return (srdd_test::fixturesDir() + "/hf/qwen2-tiny-gqa2-tied-f32").toStdString(); }

std::shared_ptr<srdd::Model> load(const std::string& dir, const std::string& dtype = "bf16") {
  return srdd::Model::load(dir, {"cpu", dtype});
}

at::Tensor randomIds(const srdd::Model& m, int64_t b, int64_t t, uint64_t seed) {
  at::manual_seed(seed);
  return at::randint(m.config().vocabSize, {b, t}, at::kLong);
}

srdd::aqn::NoiseSettings constantNoise(double sigma, srdd::aqn::NoiseTarget target = srdd::aqn::NoiseTarget::Norms) {
  srdd::aqn::NoiseSettings n;
  n.target = target;
  n.schedule.sigmaStart = sigma;
  n.schedule.levels = 1;
  n.schedule.warmupFraction = 0;
  return n;
}

std::set<int> allLayers(const srdd::Model& m) {
  std::set<int> s;
  for (int l = 0; l < m.numLayers(); ++l) s.insert(l);
  return s;
}

double lossOf(srdd::aqn::Trainer& t, const at::Tensor& ids, double sigma, long step = 0) {
  c10::NoGradGuard noGrad;
  return t.forwardLoss(ids, sigma, step).item<double>();
}

}  // namespace

class TestAqnTrain : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void adamwMatchesHandComputedSteps() {
    const std::vector<double> p0 = {1.0, -2.0, 0.5}, g1 = {0.1, -0.2, 0.0}, g2 = {-0.3, 0.05, 0.4};
    const double lr = 0.1, wd = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    auto decayed = at::tensor(p0, at::kDouble).to(at::kFloat).requires_grad_(true);
    auto plain = at::tensor(p0, at::kDouble).to(at::kFloat).requires_grad_(true);
    srdd::aqn::AdamW::Options o;
    o.weightDecay = wd;
    srdd::aqn::AdamW opt({decayed, plain}, {true, false}, o);
    // Hand computation of torch.optim.AdamW in double precision.
    std::vector<double> pd = p0, pp = p0, m(3, 0), v(3, 0);
    int t = 0;
    for (const auto& g : {g1, g2}) {
      ++t;
      decayed.mutable_grad() = at::tensor(g, at::kDouble).to(at::kFloat);
      plain.mutable_grad() = at::tensor(g, at::kDouble).to(at::kFloat);
      opt.step(lr);
      const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
      for (int i = 0; i < 3; ++i) {
        const double gi = static_cast<float>(g[static_cast<size_t>(i)]);
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        const double update = lr / bc1 * m[i] / (std::sqrt(v[i]) / std::sqrt(bc2) + eps);
        pd[i] = pd[i] * (1 - lr * wd) - update;
        pp[i] = pp[i] - update;
      }
      for (int i = 0; i < 3; ++i) {
        QVERIFY(std::abs(decayed[i].item<double>() - pd[i]) < 1e-6);
        QVERIFY(std::abs(plain[i].item<double>() - pp[i]) < 1e-6);
      }
    }
    QCOMPARE(opt.steps(), 2L);
    opt.zeroGrad();
    QVERIFY(!decayed.grad().defined());
  }

  void clipGradNormScalesToTheLimit() {
    auto a = at::zeros({2}, at::kFloat).requires_grad_(true);
    auto b = at::zeros({1}, at::kFloat).requires_grad_(true);
    a.mutable_grad() = at::tensor({3.0f, 4.0f});
    b.mutable_grad() = at::tensor({12.0f});
    QCOMPARE(srdd::aqn::clipGradNorm({a, b}, 100.0), 13.0);  // below the limit: unchanged
    QCOMPARE(a.grad()[1].item<float>(), 4.0f);
    QCOMPARE(srdd::aqn::clipGradNorm({a, b}, 6.5), 13.0);
    const double c = 6.5 / (13.0 + 1e-6);
    QVERIFY(std::abs(a.grad()[0].item<double>() - 3 * c) < 1e-6);
    QVERIFY(std::abs(b.grad()[0].item<double>() - 12 * c) < 1e-6);
    QVERIFY(std::abs(srdd::aqn::clipGradNorm({a, b}, 0) - 6.5) < 1e-5);  // 0: measures only
  }

  void noiseScalesAndSeeding() {
    auto eps = srdd::aqn::standardNoise({4, 8}, 7, "model.layers.0.input_layernorm.weight", 3);
    QCOMPARE(eps.scalar_type(), at::kFloat);
    QVERIFY(at::equal(eps, srdd::aqn::standardNoise({4, 8}, 7, "model.layers.0.input_layernorm.weight", 3)));
    QVERIFY(!at::equal(eps, srdd::aqn::standardNoise({4, 8}, 7, "model.layers.0.input_layernorm.weight", 4)));
    QVERIFY(!at::equal(eps, srdd::aqn::standardNoise({4, 8}, 8, "model.layers.0.input_layernorm.weight", 3)));
    QVERIFY(!at::equal(eps, srdd::aqn::standardNoise({4, 8}, 7, "model.layers.1.input_layernorm.weight", 3)));
    at::manual_seed(1);
    auto w = (at::randn({4, 8}) * 3).requires_grad_(true);
    const double sigma = 0.02;
    using S = srdd::aqn::NoiseScale;
    auto abs = srdd::aqn::addNoise(w, eps, sigma, S::Absolute);
    auto rel = srdd::aqn::addNoise(w, eps, sigma, S::Relative);
    auto rms = srdd::aqn::addNoise(w, eps, sigma, S::RelativeRms);
    c10::NoGradGuard noGrad;
    const auto wd = w.detach();
    const double ulp = 4e-6;  // (w + d) - w recovers d to about one fp32 ulp of |w| (|w| < 16 here)
    QVERIFY(wd.abs().max().item<double>() < 16);
    QVERIFY(at::allclose(abs - wd, eps * sigma, 0, ulp));
    QVERIFY(at::allclose(rel - wd, eps * wd.abs() * sigma, 0, ulp));
    const double rmsValue = std::sqrt(wd.pow(2).mean().item<double>());
    QVERIFY(at::allclose(rms - wd, eps * (rmsValue * sigma), 0, ulp));
    // Relative noise follows |w|: doubling w doubles the perturbation, absolute noise does not change.
    auto rel2 = srdd::aqn::addNoise(wd * 2, eps, sigma, S::Relative) - wd * 2;
    QVERIFY(at::allclose(rel2, (rel - wd) * 2, 0, 4 * ulp));
    QVERIFY(!at::allclose(rel2, rel - wd, 0, 4 * ulp));
    auto abs2 = srdd::aqn::addNoise(wd * 2, eps, sigma, S::Absolute) - wd * 2;
    QVERIFY(at::allclose(abs2, abs - wd, 0, 4 * ulp));
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::aqn::addNoise(wd.to(at::kBFloat16), eps, sigma, S::Absolute));
  }

  void noiseGradientPassesThrough() {
    auto w = at::ones({3, 5}).requires_grad_(true);
    auto eps = srdd::aqn::standardNoise({3, 5}, 1, "w", 0);
    srdd::aqn::addNoise(w, eps, 0.1, srdd::aqn::NoiseScale::Relative).sum().backward();
    QVERIFY(at::equal(w.grad(), at::ones({3, 5})));
  }

  void noiseTargetsNameTheLayersParameters() {
    auto m = load(tinyModel());
    auto norms = srdd::aqn::noiseParameterNames(*m, srdd::aqn::NoiseTarget::Norms, {1});
    QCOMPARE(norms, (std::set<std::string>{"model.layers.1.input_layernorm.weight",
                                           "model.layers.1.post_attention_layernorm.weight"}));
    auto linears = srdd::aqn::noiseParameterNames(*m, srdd::aqn::NoiseTarget::Linears, {0, 2});
    QCOMPARE(linears.size(), size_t(14));
    QVERIFY(linears.count("model.layers.2.mlp.down_proj.weight"));
    QVERIFY(linears.count("model.layers.0.self_attn.q_proj.weight"));
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::aqn::noiseParameterNames(*m, srdd::aqn::NoiseTarget::Norms, {3}));
  }

  void noiseIsNotAccumulatedIntoMasters() {
    auto m = load(tinyModel());
    std::vector<at::Tensor> originals;
    for (auto& [name, t] : m->namedParameters()) originals.push_back(*t);
    const auto ids = randomIds(*m, 2, 16, 3);
    {
      srdd::aqn::TrainSettings ts;
      ts.learningRate = 0;  // an update of zero: the masters may only change through noise
      for (auto target : {srdd::aqn::NoiseTarget::Norms, srdd::aqn::NoiseTarget::Linears}) {
        srdd::aqn::Trainer trainer(*m, ts, constantNoise(0.05, target), allLayers(*m), 11);
        std::map<std::string, at::Tensor> before;
        for (const auto& n : trainer.trainableNames()) before[n] = trainer.master(n).detach().clone();
        // Noise is really applied in the forward: the loss differs from the noise-free one.
        QVERIFY(lossOf(trainer, ids, 0.05) != lossOf(trainer, ids, 0.0));
        for (long s = 0; s < 3; ++s) trainer.step(ids, s, 3);
        for (const auto& [n, w] : before) QVERIFY2(at::equal(trainer.master(n), w), n.c_str());
        trainer.finish();
        size_t i = 0;
        for (auto& [name, t] : m->namedParameters()) QVERIFY2(at::equal(*t, originals[i++]), name.c_str());
      }
    }
    // The destructor put the model's own tensors back.
    size_t i = 0;
    for (auto& [name, t] : m->namedParameters()) QVERIFY(t->data_ptr() == originals[i++].data_ptr());
  }

  void fp32NoiseSurvivesOnNormWeightsNearOne() {
    // Reference §5.1/§7 item 24: σ = 5e-4 cast to bf16 and added to weights ≈ 1 changes none of them.
    auto m = load(tinyModel());
    for (auto& [name, t] : m->namedParameters())
      if (name.find("norm.weight") != std::string::npos) *t = at::ones_like(*t);
    const double sigma = 5e-4;
    auto w = m->layer(0).inputNorm;
    auto eps = srdd::aqn::standardNoise(w.sizes(), 5, "model.layers.0.input_layernorm.weight", 0);
    QVERIFY(at::equal(w + (eps * sigma).to(at::kBFloat16), w));  // the research scripts' bf16 path: a no-op
    srdd::aqn::TrainSettings ts;
    ts.trainable = "norms";
    srdd::aqn::Trainer trainer(*m, ts, constantNoise(sigma), allLayers(*m), 5);
    const auto ids = randomIds(*m, 2, 16, 4);
    const double clean = lossOf(trainer, ids, 0.0), noisy = lossOf(trainer, ids, sigma);
    QVERIFY2(clean != noisy, "fp32 noise of 5e-4 on bf16 norm weights must change the output");
    QVERIFY(std::abs(clean - noisy) < 1e-2);
  }

  void fp32NormWeightPathRoundsOnce() {
    auto m = load(tinyModel());
    const auto ids = randomIds(*m, 1, 8, 2);
    auto batch = srdd::Batch::fromSequences(
        {std::vector<int64_t>(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + 8)}, m->device());
    c10::NoGradGuard noGrad;
    const auto bf16 = m->forward(batch, nullptr, true).logits;
    QCOMPARE(bf16.scalar_type(), at::kBFloat16);
    for (auto& [name, t] : m->namedParameters())
      if (name.find("norm.weight") != std::string::npos) *t = t->to(at::kFloat);
    const auto fp32Norms = m->forward(batch, nullptr, true).logits;
    QCOMPARE(fp32Norms.scalar_type(), at::kBFloat16);  // the model dtype is kept
    QVERIFY(at::allclose(fp32Norms.to(at::kFloat), bf16.to(at::kFloat), 0.05, 0.05));
  }

  void steGradientsAreFiniteAndQuantizationIsUsed() {
    auto m = load(tinyModel());
    const auto ids = randomIds(*m, 2, 16, 5);
    srdd::aqn::TrainSettings quantized, plain;
    plain.quantizeTraining = false;
    double lp = 0;
    {
      srdd::aqn::Trainer tp(*m, plain, constantNoise(0.01), {1}, 1);
      lp = lossOf(tp, ids, 0.0);
    }
    srdd::aqn::Trainer tq(*m, quantized, constantNoise(0.01), {1}, 1);
    QVERIFY(lossOf(tq, ids, 0.0) != lp);  // the training forward is fake-quantized
    tq.step(ids, 0, 1);
    bool anyLinearGrad = false;
    for (const auto& n : tq.trainableNames()) {
      const auto g = tq.master(n).grad();
      QVERIFY2(g.defined(), n.c_str());
      QVERIFY2(at::isfinite(g).all().item<bool>(), n.c_str());
      if (n.find("proj.weight") != std::string::npos && g.abs().sum().item<double>() > 0) anyLinearGrad = true;
    }
    QVERIFY(anyLinearGrad);
  }

  void trainingLowersTheTrainingLossOfTheDemoModel() {
    auto m = load(srdd_test::demoModelDir().toStdString());
    auto tok = srdd::Tokenizer::fromFile(m->directory() + "/tokenizer.json");
    auto corpus = srdd::aqn::packCorpus(tok, srdd::readTexts(m->directory() + "/aqn-train.txt", false), 64, tok.eosId(),
                                        "aqn-train.txt");
    const auto ids = corpus.windows.narrow(0, 0, 4);
    srdd::aqn::TrainSettings ts;
    ts.learningRate = 1e-3;
    srdd::aqn::Trainer trainer(*m, ts, constantNoise(0.01), allLayers(*m), 3);
    const double before = lossOf(trainer, ids, 0.0);
    double last = 0;
    for (long s = 0; s < 5; ++s) last = trainer.step(ids, s, 5).loss;
    trainer.finish();
    const double after = lossOf(trainer, ids, 0.0);
    QVERIFY2(after < before - 0.05, qPrintable(QString("before %1 after %2").arg(before).arg(after)));
    QVERIFY(std::isfinite(last));
  }

  void corpusPackingAndDataOrder() {
    auto tok = srdd::Tokenizer::fromFile(tinyModel() + "/tokenizer.json");
    const std::vector<std::string> texts = {"The words of Amos, who was among the herdmen.",
                                            "And he said, The LORD will roar."};
    const auto a = tok.encode(texts[0]), b = tok.encode(texts[1]);
    const int64_t total = static_cast<int64_t>(a.size() + 1 + b.size());
    auto c = srdd::aqn::packCorpus(tok, texts, 4, int64_t(0), "test");
    QCOMPARE(c.tokens, total);
    QCOMPARE(c.size(), total / 4);
    QCOMPARE(c.windows[0][0].item<int64_t>(), a[0]);
    QCOMPARE(c.windows.view({-1})[static_cast<int64_t>(a.size())].item<int64_t>(), int64_t(0));  // the separator
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::aqn::packCorpus(tok, {"hi"}, 64, std::nullopt, "short"));

    srdd::aqn::BatchSampler s1(10, 3, 42), s2(10, 3, 42), s3(10, 3, 43);
    std::vector<int64_t> epoch, other;
    for (int i = 0; i < 3; ++i) {
      auto x = s1.next(), y = s2.next();
      QCOMPARE(x, y);
      epoch.insert(epoch.end(), x.begin(), x.end());
      auto z = s3.next();
      other.insert(other.end(), z.begin(), z.end());
    }
    QVERIFY(epoch != other);
    epoch.push_back(s1.next()[0]);  // the 10th index ends the first epoch
    std::sort(epoch.begin(), epoch.end());
    for (int64_t i = 0; i < 10; ++i) QCOMPARE(epoch[static_cast<size_t>(i)], i);
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::aqn::BatchSampler(2, 3, 1));
  }

  void badTrainableSetIsAnError() {
    auto m = load(tinyModel());
    srdd::aqn::TrainSettings ts;
    ts.trainable = "no_such_parameter";
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::aqn::Trainer(*m, ts, constantNoise(0.01), {}, 1));
    ts.trainable = "mlp\\.down_proj,model\\.norm";
    srdd::aqn::Trainer t(*m, ts, constantNoise(0.01), {}, 1);
    QCOMPARE(t.trainableNames().size(), size_t(m->numLayers() + 1));
  }
};

QTEST_APPLESS_MAIN(TestAqnTrain)
#include "test_aqn_train.moc"
