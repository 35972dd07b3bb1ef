// The bundled demo model end to end against Hugging Face's own outputs (tests/fixtures/demo/hf_reference.json,
// written by scripts/demo_model/train_demo_model.py with transformers on the GPU host) and the held-out losses that
// the same script measured with transformers (resources/demo-model/training_report.json, printed in the model card).
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "srdd/evaluation.h"
#include "srdd/model.h"
#include "srdd/quantized_forward.h"
#include "srdd/runtime.h"
#include "srdd/tokenizer.h"

#include <QtTest/QtTest>

#include "test_support.h"

namespace {
nlohmann::json reference() {
  std::ifstream in(srdd_test::fixturesDir().toStdString() + "/demo/hf_reference.json");
  return nlohmann::json::parse(in);
}
std::string demoDir() { return srdd_test::demoModelDir().toStdString(); }
nlohmann::json trainingReport() {
  std::ifstream in(demoDir() + "/training_report.json");
  return nlohmann::json::parse(in);
}
srdd::QuantizationPlan mxfp4Plan(srdd::QuantizationPlan::Mode mode) {
  srdd::QuantizationPlan plan;  // OCP MXFP4, floor scale, RNE, every decoder layer, lm_head kept
  plan.mode = mode;
  return plan;
}
}  // namespace

class TestDemoModel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void isTheDefaultModel() {
    QCOMPARE(QString::fromStdString(srdd::defaultModelDirectory()), srdd_test::demoModelDir());
  }

  // Our tokenizer gives HF's ids, and our fp32 forward HF's fp32 logits and prompt losses.
  void matchesHuggingFaceFp32() {
    auto ref = reference();
    auto tok = srdd::Tokenizer::fromFile(demoDir() + "/tokenizer.json");
    auto model = srdd::Model::load(demoDir(), {"cpu", "fp32"});
    c10::NoGradGuard g;
    for (const auto& p : ref["fp32"]) {
      auto ids = tok.encode(p["text"].get<std::string>());
      QCOMPARE(ids, p["ids"].get<std::vector<int64_t>>());
      auto logits = model->forward(srdd::Batch::fromSequences({ids}, model->device())).logits[0];
      auto topIds = p["top10_ids"].get<std::vector<int64_t>>();
      auto topLogits = p["top10_logits"].get<std::vector<double>>();
      for (size_t k = 0; k < topIds.size(); ++k)
        QVERIFY2(std::abs(logits[topIds[k]].item<double>() - topLogits[k]) < 1e-3,
                 p["text"].get<std::string>().c_str());
      QCOMPARE(logits.argmax().item<int64_t>(), topIds[0]);
      auto loss = srdd::evaluateLoss(*model, {ids});
      QVERIFY(std::abs(loss.meanLoss - p["mean_loss"].get<double>()) < 1e-4);
    }
  }

  // bf16 compute: CPU and H100 kernels round differently, so logits agree loosely and the top token exactly.
  void matchesHuggingFaceBf16Loosely() {
    auto ref = reference();
    auto model = srdd::Model::load(demoDir(), {"cpu", "bf16"});
    c10::NoGradGuard g;
    int sameTop = 0, n = 0;
    for (const auto& p : ref["bf16"]) {
      auto ids = p["ids"].get<std::vector<int64_t>>();
      auto logits = model->forward(srdd::Batch::fromSequences({ids}, model->device())).logits[0].to(at::kFloat);
      auto topIds = p["top10_ids"].get<std::vector<int64_t>>();
      auto topLogits = p["top10_logits"].get<std::vector<double>>();
      for (size_t k = 0; k < topIds.size(); ++k)
        QVERIFY(std::abs(logits[topIds[k]].item<double>() - topLogits[k]) < 0.15);
      sameTop += logits.argmax().item<int64_t>() == topIds[0];
      ++n;
    }
    QVERIFY(sameTop >= n - 1);
  }

  // The held-out losses of the model card, measured by transformers: bf16 weights with fp32 compute, without
  // quantization, with MXFP4 W4A16 and with MXFP4 on the residual stream.
  void heldOutLossesMatchTransformers() {
    const auto report = trainingReport();
    const auto& hf = report["heldout_loss"]["shipped_fp32_compute"];
    auto tok = srdd::Tokenizer::fromFile(demoDir() + "/tokenizer.json");
    auto windows = srdd::tokenizeIntoWindows(tok, srdd::readTexts(demoDir() + "/heldout.txt", false), 256);
    auto model = srdd::Model::load(demoDir(), {"cpu", "fp32"});
    auto plain = srdd::evaluateLoss(*model, windows, 16);
    QCOMPARE(plain.tokens, report["data"]["heldout_predicted_tokens"].get<int64_t>());
    QVERIFY2(std::abs(plain.tokenWeightedLoss - hf["no_quant"].get<double>()) < 2e-4,
             QByteArray::number(plain.tokenWeightedLoss));
    QVERIFY(plain.tokenWeightedLoss < report["unigram_heldout_loss"].get<double>() - 2.0);  // far below unigram

    srdd::QuantizationHooks w4a16(mxfp4Plan(srdd::QuantizationPlan::Mode::W4A16));
    const double lw = srdd::evaluateLoss(*model, windows, 16, &w4a16).tokenWeightedLoss;
    QVERIFY2(std::abs(lw - hf["w4a16"].get<double>()) < 2e-4, QByteArray::number(lw));
    srdd::QuantizationHooks residual(mxfp4Plan(srdd::QuantizationPlan::Mode::Residual));
    const double lr = srdd::evaluateLoss(*model, windows, 16, &residual).tokenWeightedLoss;
    QVERIFY2(std::abs(lr - hf["residual"].get<double>()) < 2e-4, QByteArray::number(lr));
    // The MXFP4 effect is visible: both modes raise the loss by far more than the tolerance.
    QVERIFY(lw - plain.tokenWeightedLoss > 0.005);
    QVERIFY(lr - plain.tokenWeightedLoss > 0.03);
  }

  // Our W4A16 MXFP4 forward gives transformers' logits with the same MXFP4 weights (fp32 compute).
  void w4a16MatchesHuggingFace() {
    auto ref = reference();
    auto model = srdd::Model::load(demoDir(), {"cpu", "fp32"});
    srdd::QuantizationHooks hooks(mxfp4Plan(srdd::QuantizationPlan::Mode::W4A16));
    c10::NoGradGuard g;
    for (const auto& p : ref["w4a16_fp32"]) {
      auto ids = p["ids"].get<std::vector<int64_t>>();
      auto logits = model->forward(srdd::Batch::fromSequences({ids}, model->device()), &hooks).logits[0];
      auto topIds = p["top10_ids"].get<std::vector<int64_t>>();
      auto topLogits = p["top10_logits"].get<std::vector<double>>();
      for (size_t k = 0; k < topIds.size(); ++k)
        QVERIFY2(std::abs(logits[topIds[k]].item<double>() - topLogits[k]) < 1e-3,
                 p["text"].get<std::string>().c_str());
      QCOMPARE(logits.argmax().item<int64_t>(), topIds[0]);
    }
  }
};

QTEST_APPLESS_MAIN(TestDemoModel)
#include "test_demo_model.moc"
