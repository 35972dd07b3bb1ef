// QuantizationHooks against forwards with hand-quantized weights / hand-quantized layer outputs.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "srdd/error.h"
#include "srdd/model.h"
#include "srdd/mx_quant.h"
#include "srdd/quantized_forward.h"

#include <QtTest/QtTest>

#include "test_support.h"

namespace {

const srdd::LinearKind kKinds[] = {srdd::LinearKind::Q,   srdd::LinearKind::K,    srdd::LinearKind::V,
                                   srdd::LinearKind::O,   srdd::LinearKind::Gate, srdd::LinearKind::Up,
                                   srdd::LinearKind::Down};

std::shared_ptr<srdd::Model> tinyModel() {
  return srdd::Model::load(srdd_test::fixturesDir().toStdString() + "/hf/qwen2-tiny-gqa4-untied-sharded-f32",
                           {"cpu", "fp32"});
}

srdd::Batch tinyBatch(const srdd::Model& m) {
  const int64_t v = m.config().vocabSize;
  return srdd::Batch::fromSequences({{1, 5 % v, 9 % v, 3, 7 % v, 2}, {4, 8 % v, 6 % v}}, m.device());
}

// Replaces the weights of the selected layers (and lm_head) by their fake-quantized values.
void quantizeWeightsByHand(srdd::Model& m, const srdd::QuantizationPlan& plan) {
  for (int i = 0; i < m.numLayers(); ++i) {
    if (!plan.selects(i)) continue;
    for (auto k : kKinds) m.layer(i).linearWeight(k) = srdd::fakeQuantize(m.layer(i).linearWeight(k), plan.spec);
  }
}

double maxDiff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

}  // namespace

class TestQuantizedForward : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void embeddingsQuantizedWhenSelected();
  void embeddingsChangeTheEndToEndKl();
  void chainedHooksForwardEveryCallback();
  void tiedSharingIsSaidInWords();
  void dtypeAutoIsTheCheckpointDtype();
  void w4a16MatchesHandQuantizedWeights_data() {
    QTest::addColumn<QString>("layers");
    QTest::addColumn<bool>("invert");
    QTest::newRow("all") << "" << false;
    QTest::newRow("layer 1 only") << "1" << false;
    QTest::newRow("all but layer 1") << "1" << true;
  }
  void w4a16MatchesHandQuantizedWeights() {
    QFETCH(QString, layers);
    QFETCH(bool, invert);
    srdd::QuantizationPlan plan;
    if (!layers.isEmpty()) plan.layers = {layers.toInt()};
    plan.invertLayers = invert;
    auto model = tinyModel(), manual = tinyModel();
    quantizeWeightsByHand(*manual, plan);
    auto batch = tinyBatch(*model);
    srdd::QuantizationHooks hooks(plan);
    c10::NoGradGuard g;
    auto hooked = model->forward(batch, &hooks, true).logits;
    auto expected = manual->forward(batch, nullptr, true).logits;
    QCOMPARE(maxDiff(hooked, expected), 0.0);
    // The quantized forward differs from the plain one (the test would otherwise prove nothing).
    QVERIFY(maxDiff(hooked, model->forward(batch, nullptr, true).logits) > 1e-4);
    // Cached weights are reused: a second forward gives the same logits.
    QCOMPARE(maxDiff(model->forward(batch, &hooks, true).logits, hooked), 0.0);
  }

  void residualModeQuantizesEachLayerOutput() {
    auto model = tinyModel();
    srdd::QuantizationPlan plan;
    plan.mode = srdd::QuantizationPlan::Mode::Residual;
    plan.layers = {0};
    plan.invertLayers = true;  // every layer but 0
    srdd::QuantizationHooks hooks(plan);
    auto batch = tinyBatch(*model);
    c10::NoGradGuard g;
    auto res = model->forward(batch, &hooks, true, true);
    auto ctx = model->makeContext(batch);
    at::Tensor h = model->embed(batch.inputIds);
    for (int i = 0; i < model->numLayers(); ++i) {
      h = model->runLayer(i, h, ctx, nullptr);
      if (i != 0) h = srdd::fakeQuantize(h, plan.spec);
      QCOMPARE(maxDiff(res.layerOutputs[static_cast<size_t>(i)], h), 0.0);
    }
    QCOMPARE(maxDiff(res.logits, model->lmHead(model->finalNorm(h, nullptr), nullptr)), 0.0);
  }

  void activationModeQuantizesLinearInputs() {
    auto model = tinyModel();
    srdd::QuantizationPlan plan;
    plan.mode = srdd::QuantizationPlan::Mode::W16A4;
    srdd::QuantizationHooks hooks(plan);
    at::Tensor x = at::randn({2, 3, 64});
    auto q = hooks.linearInput({0, srdd::LinearKind::Q}, x);
    QCOMPARE(maxDiff(q, srdd::fakeQuantize(x, plan.spec)), 0.0);
    QVERIFY(!hooks.linearWeight({0, srdd::LinearKind::Q}, x).defined());  // weights untouched in w16a4
    QVERIFY(!hooks.linearInput({-1, srdd::LinearKind::LmHead}, x).defined());
  }

  void lmHeadExcludedByDefault() {
    at::Tensor w = at::randn({16, 64});
    srdd::QuantizationPlan plan;
    srdd::QuantizationHooks hooks(plan);
    QVERIFY(!hooks.linearWeight({-1, srdd::LinearKind::LmHead}, w).defined());
    plan.includeLmHead = true;
    srdd::QuantizationHooks withHead(plan);
    QCOMPARE(maxDiff(withHead.linearWeight({-1, srdd::LinearKind::LmHead}, w), srdd::fakeQuantize(w, plan.spec)), 0.0);
  }

  // d/dW sum(x W^T) = 1^T x whether or not W is fake-quantized on the way (straight-through).
  void steGradientIsIdentity() {
    srdd::QuantizationPlan plan;
    plan.ste = true;
    srdd::QuantizationHooks hooks(plan);
    at::Tensor w = at::randn({8, 64}).set_requires_grad(true);
    at::Tensor x = at::randn({5, 64});
    at::Tensor wq = hooks.linearWeight({0, srdd::LinearKind::Up}, w);
    QCOMPARE(maxDiff(wq.detach(), srdd::fakeQuantize(w.detach(), plan.spec)), 0.0);
    at::linear(x, wq).sum().backward();
    QCOMPARE(maxDiff(w.grad(), at::ones({8, 5}).matmul(x)), 0.0);
  }

  void namesJsonAndValidation() {
    for (auto m : {srdd::QuantizationPlan::Mode::W4A16, srdd::QuantizationPlan::Mode::W16A4,
                   srdd::QuantizationPlan::Mode::W4A4, srdd::QuantizationPlan::Mode::Residual})
      QVERIFY(srdd::parseQuantMode(srdd::quantModeName(m)) == m);
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::parseQuantMode("w8a8"));
    srdd::QuantizationPlan p;
    p.mode = srdd::QuantizationPlan::Mode::W4A4;
    p.spec = srdd::parseQuantSpec("mxfp8-e4m3");
    p.layers = {2, 5};
    p.invertLayers = true;
    p.includeLmHead = true;
    auto back = srdd::QuantizationPlan::fromJson(p.toJson());
    QCOMPARE(back.toJson().dump(), p.toJson().dump());
    QVERIFY(back.selects(0) && !back.selects(2) && !back.selects(5));
    QVERIFY_THROWS_EXCEPTION(srdd::Error, p.validate(4));  // layer 5 of a 4-layer model
    srdd::QuantizationPlan r;
    r.mode = srdd::QuantizationPlan::Mode::Residual;
    r.includeLmHead = true;
    QVERIFY_THROWS_EXCEPTION(srdd::Error, r.validate());
    srdd::QuantizationPlan e;
    e.includeEmbeddings = true;
    e.validate();  // weights mode: fine
    e.mode = srdd::QuantizationPlan::Mode::W16A4;
    QVERIFY_THROWS_EXCEPTION(srdd::Error, e.validate());
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::QuantizationPlan::fromJson(nlohmann::json{{"mode", 3}}));
  }
};

// Embedding quantization reads a fake-quantized table; without it the lookup is exact.
void TestQuantizedForward::embeddingsQuantizedWhenSelected() {
  auto model =
      srdd::Model::load(srdd_test::fixturesDir().toStdString() + "/hf/qwen2-tiny-gqa2-tied-f32", {"cpu", "fp32"});
  c10::NoGradGuard g;
  auto ids = at::arange(0, 40, at::kLong).unsqueeze(0);
  srdd::QuantizationPlan plan;
  plan.spec = srdd::parseQuantSpec("mxfp4");
  srdd::QuantizationHooks exact(plan);
  QVERIFY(at::equal(model->embed(ids, &exact), model->embed(ids)));
  plan.includeEmbeddings = true;
  srdd::QuantizationHooks quantized(plan);
  auto expected = at::embedding(srdd::fakeQuantize(model->embedding(), plan.spec), ids);
  QVERIFY(at::equal(model->embed(ids, &quantized), expected));
  QVERIFY(!at::equal(expected, model->embed(ids)));
}

// The lookup quantizes the looked-up rows; stochastic rounding quantizes the table once (a fixed quantized
// checkpoint), so a token repeated in the batch gets the same row.
void TestQuantizedForward::embeddingsChangeTheEndToEndKl() {
  auto model =
      srdd::Model::load(srdd_test::fixturesDir().toStdString() + "/hf/qwen2-tiny-gqa2-tied-f32", {"cpu", "auto"});
  c10::NoGradGuard g;
  srdd::Batch batch = tinyBatch(*model);
  auto kl = [&](srdd::ForwardHooks* hooks) {
    auto p = at::log_softmax(model->forward(batch, nullptr, true).logits.to(at::kDouble), -1);
    auto q = at::log_softmax(model->forward(batch, hooks, true).logits.to(at::kDouble), -1);
    return (p.exp() * (p - q)).sum(-1).mean().item<double>();
  };
  srdd::QuantizationPlan plan;
  plan.spec = srdd::parseQuantSpec("mxfp4");
  srdd::QuantizationHooks without(plan);
  plan.includeEmbeddings = true;
  srdd::QuantizationHooks with(plan);
  // Through a chain, as the scans use it: the chain must not drop the embedding hook.
  srdd::ForwardHooks nothing;
  srdd::ChainedHooks chained(&nothing, &with);
  const double klWithout = kl(&without), klWith = kl(&chained);
  QVERIFY(klWithout > 0);
  QVERIFY2(std::abs(klWith - klWithout) > 1e-3 * klWithout,
           qPrintable(QString("KL %1 vs %2").arg(klWith).arg(klWithout)));

  plan.spec.rounding = srdd::Rounding::Stochastic;
  plan.spec.seed = 7;
  srdd::QuantizationHooks sr(plan);
  auto ids = at::tensor({3, 5, 3, 3}, at::kLong).unsqueeze(0);
  auto rows = model->embed(ids, &sr);
  QVERIFY(at::equal(rows[0][0], rows[0][2]) && at::equal(rows[0][0], rows[0][3]));
  auto table = srdd::fakeQuantize(model->embedding(), plan.spec, 0);  // the embeddings' stream (layer -2) starts at 0
  QVERIFY(at::equal(rows, at::embedding(table, ids)));
}

void TestQuantizedForward::chainedHooksForwardEveryCallback() {
  struct Marker : srdd::ForwardHooks {
    at::Tensor mark(const at::Tensor& x) { return x + 1; }
    at::Tensor layerInput(int, const at::Tensor& h) override { return mark(h); }
    at::Tensor layerOutput(int, const at::Tensor& h) override { return mark(h); }
    at::Tensor linearInput(srdd::LinearRef, const at::Tensor& x) override { return mark(x); }
    at::Tensor linearWeight(srdd::LinearRef, const at::Tensor& w) override { return mark(w); }
    at::Tensor normWeight(int, srdd::NormKind, const at::Tensor& w) override { return mark(w); }
    at::Tensor embeddingLookup(const at::Tensor& t, const at::Tensor& ids) override {
      return mark(at::embedding(t, ids));
    }
  } m1, m2;
  srdd::ForwardHooks none;
  const auto x = at::zeros({2, 3});
  srdd::ChainedHooks both(&m1, &m2), second(&none, &m2);
  QCOMPARE(both.layerInput(0, x).sum().item<double>(), 12.0);  // each hook adds 1
  QCOMPARE(both.layerOutput(0, x).sum().item<double>(), 12.0);
  QCOMPARE(both.linearInput({0, srdd::LinearKind::Q}, x).sum().item<double>(), 12.0);
  QCOMPARE(both.linearWeight({0, srdd::LinearKind::Q}, x).sum().item<double>(), 12.0);
  QCOMPARE(both.normWeight(0, srdd::NormKind::Input, x).sum().item<double>(), 12.0);
  const auto ids = at::tensor({1, 0}, at::kLong);
  QCOMPARE(both.embeddingLookup(x, ids).sum().item<double>(), 6.0);  // the first lookup wins
  QCOMPARE(second.embeddingLookup(x, ids).sum().item<double>(), 6.0);
  QVERIFY(!srdd::ChainedHooks(&none, nullptr).embeddingLookup(x, ids).defined());
}

void TestQuantizedForward::tiedSharingIsSaidInWords() {
  srdd::QuantizationPlan p;
  QCOMPARE(p.tiedSharing(true), std::string());
  p.includeEmbeddings = true;
  QVERIFY(p.tiedSharing(true).find("lookup reads quantized rows, lm_head stays exact") != std::string::npos);
  QCOMPARE(p.tiedSharing(false), std::string());
  p.includeLmHead = true;
  QVERIFY(p.tiedSharing(true).find("the lookup and lm_head both read its quantized values") != std::string::npos);
  p.includeEmbeddings = false;
  QVERIFY(p.tiedSharing(true).find("the lookup stays exact") != std::string::npos);
  QVERIFY(p.describe().find("+lm_head") != std::string::npos);
}

// --dtype auto: config.json's torch_dtype / dtype, else the safetensors dtype of the embedding table.
void TestQuantizedForward::dtypeAutoIsTheCheckpointDtype() {
  const std::string hf = srdd_test::fixturesDir().toStdString() + "/hf/";
  QCOMPARE(srdd::Model::load(hf + "qwen2-tiny-gqa2-tied-f32", {"cpu", "auto"})->dtype(), at::kFloat);
  QCOMPARE(srdd::Model::load(hf + "llama-tiny-gqa2-f16", {"cpu", "auto"})->dtype(), at::kHalf);
  QCOMPARE(srdd::Model::load(hf + "qwen2-tiny-mha-untied-bf16", {"cpu", "auto"})->dtype(), at::kBFloat16);
  QCOMPARE(srdd::Model::load(hf + "qwen2-tiny-gqa2-tied-f32", {"cpu", "bf16"})->dtype(), at::kBFloat16);
  QCOMPARE(srdd::LoadOptions().dtype, std::string("auto"));
  // Without a dtype in config.json, the tensors' own dtype decides.
  QTemporaryDir dir;
  const QString src = QString::fromStdString(hf + "qwen2-tiny-gqa2-tied-f32");
  for (const QString& f : QDir(src).entryList(QDir::Files)) QVERIFY(QFile::copy(src + "/" + f, dir.filePath(f)));
  QFile cfg(dir.filePath("config.json"));
  QVERIFY(cfg.open(QIODevice::ReadOnly));
  QString text = QString::fromUtf8(cfg.readAll());
  cfg.close();
  text.replace(QRegularExpression("\"dtype\": \"float32\",\\s*"), "");
  QVERIFY(!text.contains("float32"));
  QVERIFY(cfg.open(QIODevice::WriteOnly | QIODevice::Truncate));
  cfg.write(text.toUtf8());
  cfg.close();
  QCOMPARE(srdd::Model::load(dir.path().toStdString(), {"cpu", "auto"})->dtype(), at::kFloat);
  QVERIFY(srdd_test::errorOf([] { srdd::validateDtypeOption("fp8"); }).contains("expected auto, bf16, fp16 or fp32"));
}

QTEST_APPLESS_MAIN(TestQuantizedForward)
#include "test_quantized_forward.moc"
