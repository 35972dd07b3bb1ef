// The engine's forward pass against Hugging Face transformers' own outputs (tests/fixtures/hf, made by
// scripts/fixtures/make_hf_fixtures.py with transformers 5.17): logits, per-layer hidden states, loss.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "srdd/error.h"
#include "srdd/evaluation.h"
#include "srdd/model.h"
#include "srdd/safetensors.h"

#include <QtTest/QtTest>

#include "test_support.h"

namespace fs = std::filesystem;

namespace {

struct Reference {
  std::vector<std::vector<int64_t>> sequences;
  std::shared_ptr<srdd::SafetensorsFile> file;
  nlohmann::json info;
  at::Tensor get(const std::string& name) const { return file->tensor(name).to(at::kFloat); }
};

std::string fixture(const std::string& model) { return srdd_test::fixturesDir().toStdString() + "/hf/" + model; }

Reference loadReference(const std::string& model) {
  Reference r;
  r.file = srdd::SafetensorsFile::open(fixture(model) + "/reference.safetensors");
  std::ifstream in(fixture(model) + "/reference.json");
  r.info = nlohmann::json::parse(in);
  const int n = r.info["sequences"].get<int>();
  for (int s = 0; s < n; ++s) {
    auto ids = r.file->tensor("seq" + std::to_string(s) + ".input_ids").contiguous();
    r.sequences.emplace_back(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel());
  }
  return r;
}

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kFloat) - b.to(at::kFloat)).abs().max().item<double>();
}

const char* kModels[] = {"qwen2-tiny-gqa2-tied-f32",      "qwen2-tiny-gqa4-untied-sharded-f32",
                         "qwen2-tiny-mha-untied-bf16",    "llama-tiny-gqa2-f16",
                         "qwen3-tiny-gqa2-hd32-tied-f32", "llama3-tiny-ropescaled-bf16"};

// Replaces layer 1's output with zeros, and records the inputs offered to each linear.
struct RecordingHooks : srdd::ForwardHooks {
  std::vector<std::string> seen;
  at::Tensor layerOutput(int layer, const at::Tensor& h) override {
    return layer == 1 ? at::zeros_like(h) : at::Tensor();
  }
  at::Tensor linearInput(srdd::LinearRef ref, const at::Tensor& x) override {
    seen.push_back(std::to_string(ref.layer) + ":" + srdd::linearKindName(ref.kind) + ":" + std::to_string(x.size(-1)));
    return {};
  }
};

struct ScaleWeightHooks : srdd::ForwardHooks {
  at::Tensor linearWeight(srdd::LinearRef ref, const at::Tensor& w) override {
    return ref.kind == srdd::LinearKind::Down && ref.layer == 0 ? w * 0 : at::Tensor();
  }
};

}  // namespace

class TestModelHf : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void fp32MatchesHuggingFace_data() {
    QTest::addColumn<QString>("model");
    for (auto m : kModels) QTest::newRow(m) << QString(m);
  }

  // Each sequence alone: logits at every position within 1e-4, each layer's output, and the loss.
  void fp32MatchesHuggingFace() {
    QFETCH(QString, model);
    auto ref = loadReference(model.toStdString());
    auto m = srdd::Model::load(fixture(model.toStdString()), {"cpu", "fp32"});
    c10::NoGradGuard g;
    for (size_t s = 0; s < ref.sequences.size(); ++s) {
      const std::string p = "seq" + std::to_string(s) + ".";
      auto batch = srdd::Batch::fromSequences({ref.sequences[s]}, m->device());
      auto out = m->forward(batch, nullptr, /*allLogits=*/true, /*keepLayerOutputs=*/true);
      QVERIFY2(maxAbsDiff(out.logits[0], ref.get(p + "logits")) < 1e-4,
               (model + " logits seq " + QString::number(s)).toUtf8());
      for (int l = 0; l < m->numLayers(); ++l) {
        auto expected = ref.get(p + "layer" + std::to_string(l));
        const double tol = 1e-5 * std::max(1.0, expected.abs().max().item<double>());
        QVERIFY2(maxAbsDiff(out.layerOutputs[static_cast<size_t>(l)][0], expected) < tol,
                 qPrintable(QString("%1 layer %2 seq %3").arg(model).arg(l).arg(s)));
      }
    }
    auto loss = srdd::evaluateLoss(*m, ref.sequences, 8);
    const auto& expLosses = ref.info["losses"];
    for (size_t s = 0; s < ref.sequences.size(); ++s) {
      if (expLosses[s].is_null()) {
        QVERIFY(std::isnan(loss.perSequenceLoss[s]));
      } else {
        QVERIFY2(std::abs(loss.perSequenceLoss[s] - expLosses[s].get<double>()) < 1e-5, qPrintable(model));
      }
    }
    QVERIFY(std::abs(loss.tokenWeightedLoss - ref.info["token_weighted_loss"].get<double>()) < 1e-5);
    QCOMPARE(loss.perplexity, std::exp(loss.tokenWeightedLoss));
  }

  // All sequences in one right-padded batch give the same last-token logits as each alone.
  void paddedBatchMatchesHuggingFace_data() { fp32MatchesHuggingFace_data(); }
  void paddedBatchMatchesHuggingFace() {
    QFETCH(QString, model);
    auto ref = loadReference(model.toStdString());
    auto m = srdd::Model::load(fixture(model.toStdString()), {"cpu", "fp32"});
    c10::NoGradGuard g;
    auto batch = srdd::Batch::fromSequences(ref.sequences, m->device());
    QVERIFY(!batch.unpadded());
    auto last = m->forward(batch).logits;
    for (size_t s = 0; s < ref.sequences.size(); ++s) {
      auto expected = ref.get("seq" + std::to_string(s) + ".logits");
      QVERIFY2(maxAbsDiff(last[static_cast<int64_t>(s)], expected[expected.size(0) - 1]) < 1e-4, qPrintable(model));
    }
  }

  // bf16 compute stays close to HF's bf16 run on the GPU (different kernels, so a loose bound).
  void bf16CloseToHuggingFaceBf16() {
    const std::string model = "qwen2-tiny-gqa2-tied-f32";
    auto ref = loadReference(model);
    auto bf = srdd::SafetensorsFile::open(fixture(model) + "/reference_bf16.safetensors");
    auto m = srdd::Model::load(fixture(model), {"cpu", "bf16"});
    QCOMPARE(m->dtype(), at::kBFloat16);
    c10::NoGradGuard g;
    for (size_t s = 0; s < ref.sequences.size(); ++s) {
      auto out = m->forward(srdd::Batch::fromSequences({ref.sequences[s]}, m->device())).logits[0];
      auto hfBf16 = bf->tensor("seq" + std::to_string(s) + ".last_logits_bf16_cuda").to(at::kFloat);
      auto fp32 = ref.get("seq" + std::to_string(s) + ".logits");
      auto fp32Last = fp32[fp32.size(0) - 1];
      const double scale = fp32Last.abs().max().item<double>();
      QVERIFY(maxAbsDiff(out, hfBf16) < 0.05 * scale);
      QVERIFY(maxAbsDiff(out, fp32Last) < 0.05 * scale);
      QVERIFY(maxAbsDiff(out, fp32Last) > 0);  // it really ran in bf16
    }
  }

  // The config layout older transformers (and the real Qwen2.5 checkpoints) write: top-level rope_theta,
  // torch_dtype and rope_scaling null. Same weights, same logits.
  void transformers4ConfigLayoutLoads() {
    const std::string model = "qwen2-tiny-gqa2-tied-f32";
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    fs::copy(fixture(model), dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    nlohmann::json cfg = nlohmann::json::parse(std::ifstream(dir / "config.json"));
    const double theta = cfg["rope_parameters"]["rope_theta"].get<double>();
    cfg.erase("rope_parameters");
    cfg.erase("dtype");
    cfg.erase("layer_types");
    cfg["rope_theta"] = theta;
    cfg["rope_scaling"] = nullptr;
    cfg["torch_dtype"] = "float32";
    cfg["sliding_window"] = 32768;
    std::ofstream(dir / "config.json") << cfg.dump(2);
    auto ref = loadReference(model);
    auto m = srdd::Model::load(dir.string(), {"cpu", "fp32"});
    c10::NoGradGuard g;
    auto out = m->forward(srdd::Batch::fromSequences({ref.sequences[3]}, m->device()), nullptr, true).logits[0];
    QVERIFY(maxAbsDiff(out, ref.get("seq3.logits")) < 1e-4);
  }

  // Starting at layer i from the cached hidden state entering it reproduces the full forward.
  void resumeFromCachedHiddenState() {
    auto ref = loadReference("qwen2-tiny-gqa2-tied-f32");
    auto m = srdd::Model::load(fixture("qwen2-tiny-gqa2-tied-f32"), {"cpu", "fp32"});
    c10::NoGradGuard g;
    auto batch = srdd::Batch::fromSequences(ref.sequences, m->device());
    auto ctx = m->makeContext(batch);
    std::vector<at::Tensor> outs;
    auto full = m->runLayers(m->embed(batch.inputIds), ctx, 0, m->numLayers(), nullptr, &outs);
    auto resumed = m->runLayers(outs[0], ctx, 1, m->numLayers(), nullptr);
    QVERIFY(at::equal(full, resumed));
  }

  // Hooks see every linear input once per shared input, and replacements take effect.
  void hooksObserveAndReplace() {
    auto ref = loadReference("qwen2-tiny-gqa2-tied-f32");
    auto m = srdd::Model::load(fixture("qwen2-tiny-gqa2-tied-f32"), {"cpu", "fp32"});
    c10::NoGradGuard g;
    auto batch = srdd::Batch::fromSequences({ref.sequences[2]}, m->device());
    RecordingHooks rec;
    auto out = m->forward(batch, &rec, false, true);
    QCOMPARE(static_cast<int>(rec.seen.size()), 4 * m->numLayers() + 1);
    QCOMPARE(QString::fromStdString(rec.seen[0]), QString("0:q_proj:64"));
    QCOMPARE(QString::fromStdString(rec.seen[3]), QString("0:down_proj:160"));
    QCOMPARE(QString::fromStdString(rec.seen.back()), QString("-1:lm_head:64"));
    QVERIFY(at::equal(out.layerOutputs[1], at::zeros_like(out.layerOutputs[1])));
    // With layer 1's output zeroed, layer 2 only sees zeros: its output is a function of nothing else.
    auto plain = m->forward(batch, nullptr, false, true);
    QVERIFY(!at::allclose(plain.layerOutputs[2], out.layerOutputs[2]));

    ScaleWeightHooks zeroDown;
    auto zeroed = m->forward(batch, &zeroDown, false, true);
    // layer 0's MLP contributes nothing: its output is input + attention only, which differs from plain.
    QVERIFY(!at::allclose(zeroed.layerOutputs[0], plain.layerOutputs[0]));
    // and the stored weight is untouched.
    QVERIFY(m->layer(0).downWeight.abs().sum().item<double>() > 0);
  }

  void rejectsEmptyInput() {
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::Batch::fromSequences({}, at::kCPU));
    QVERIFY_THROWS_EXCEPTION(srdd::Error, srdd::Batch::fromSequences({{1, 2}, {}}, at::kCPU));
  }
};

QTEST_APPLESS_MAIN(TestModelHf)
#include "test_model_hf.moc"
