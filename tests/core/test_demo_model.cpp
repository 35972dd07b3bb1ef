// The bundled demo model end to end against Hugging Face's own outputs (tests/fixtures/demo/hf_reference.json,
// written by scripts/demo_model/train_demo_model.py with transformers on the GPU host) and its model card.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "srdd/evaluation.h"
#include "srdd/model.h"
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
}  // namespace

class TestDemoModel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void isTheDefaultModel() { QCOMPARE(QString::fromStdString(srdd::defaultModelDirectory()), srdd_test::demoModelDir()); }

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
        QVERIFY2(std::abs(logits[topIds[k]].item<double>() - topLogits[k]) < 1e-3, p["text"].get<std::string>().c_str());
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
      for (size_t k = 0; k < topIds.size(); ++k) QVERIFY(std::abs(logits[topIds[k]].item<double>() - topLogits[k]) < 0.15);
      sameTop += logits.argmax().item<int64_t>() == topIds[0];
      ++n;
    }
    QVERIFY(sameTop >= n - 1);
  }

  // The held-out loss printed in the model card (bf16 weights, fp32 compute, 256-token windows).
  void heldOutLossMatchesModelCard() {
    auto tok = srdd::Tokenizer::fromFile(demoDir() + "/tokenizer.json");
    auto model = srdd::Model::load(demoDir(), {"cpu", "fp32"});
    auto windows = srdd::tokenizeIntoWindows(tok, srdd::readTexts(demoDir() + "/heldout.txt", false), 256);
    auto loss = srdd::evaluateLoss(*model, windows, 16);
    QCOMPARE(loss.tokens, int64_t(11765));
    QVERIFY2(std::abs(loss.tokenWeightedLoss - 3.5521) < 2e-4, QByteArray::number(loss.tokenWeightedLoss));
    QVERIFY(loss.tokenWeightedLoss < 6.0257 - 2.0);  // far below the unigram baseline
  }
};

QTEST_APPLESS_MAIN(TestDemoModel)
#include "test_demo_model.moc"
