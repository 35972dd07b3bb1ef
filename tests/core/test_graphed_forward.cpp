// GraphedForward against the eager forward: the same logits, bit for bit, through its static input tensors — a
// shape met again with other tokens or other lengths must not see the previous call's inputs. On the CPU the
// static-buffer path runs eagerly; on CUDA `srdd bench forward --graphs` checks the replayed graphs the same way.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "srdd/graphed_forward.h"
#include "srdd/model.h"

#include <QtTest/QtTest>

#include "test_support.h"

namespace {

using Sequences = std::vector<std::vector<int64_t>>;

std::shared_ptr<srdd::Model> fixtureModel(const std::string& name, const std::string& dtype) {
  return srdd::Model::load(srdd_test::fixturesDir().toStdString() + "/hf/" + name, {"cpu", dtype});
}

Sequences randomSequences(int64_t vocab, const std::vector<int64_t>& lengths, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  Sequences seqs;
  for (auto n : lengths) {
    auto ids = at::randint(vocab, {n}, gen, at::kLong);
    seqs.emplace_back(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + n);
  }
  return seqs;
}

}  // namespace

class TestGraphedForward : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void equalsTheEagerForward_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("dtype");
    QTest::newRow("qwen2 gqa, fp32") << "qwen2-tiny-gqa4-untied-sharded-f32"
                                     << "fp32";
    QTest::newRow("qwen2 tied, bf16") << "qwen2-tiny-gqa2-tied-f32"
                                      << "bf16";
  }
  // Calls in an order that reuses each shape's buffers: same shape with new tokens, same (batch, length) with other
  // lengths inside (padded), an unpadded batch of that length, then the first batch again.
  void equalsTheEagerForward() {
    QFETCH(QString, model);
    QFETCH(QString, dtype);
    c10::NoGradGuard noGrad;
    auto m = fixtureModel(model.toStdString(), dtype.toStdString());
    const int64_t v = m->config().vocabSize;
    const std::vector<Sequences> calls = {randomSequences(v, {7, 7}, 1), randomSequences(v, {7, 7}, 2),
                                          randomSequences(v, {7, 3}, 3), randomSequences(v, {2, 7}, 4),
                                          randomSequences(v, {1}, 5),    randomSequences(v, {7, 7, 7}, 6),
                                          randomSequences(v, {7, 7}, 1)};
    srdd::GraphedForward graphed(m);
    QVERIFY(!graphed.usesGraphs());  // a CPU model
    at::Tensor previous;
    for (size_t i = 0; i < calls.size(); ++i) {
      const auto batch = srdd::Batch::fromSequences(calls[i], m->device());
      const at::Tensor eager = m->forward(batch).logits;
      const at::Tensor fromStatic = graphed.lastLogits(batch);
      QVERIFY2(at::equal(fromStatic, eager), qPrintable(QString("call %1: logits differ from eager").arg(i)));
      if (previous.defined() && previous.sizes() == eager.sizes())
        QVERIFY2(!at::equal(previous, eager), "two different batches gave the same logits: the test proves nothing");
      previous = eager;
    }
    QCOMPARE(graphed.shapes(), size_t{4});  // 2 x 7 unpadded and padded, 1 x 1, 3 x 7
  }
  // The result belongs to the caller: the next call of the shape must not overwrite it.
  void resultsAreNotOverwrittenByTheNextCall() {
    c10::NoGradGuard noGrad;
    auto m = fixtureModel("qwen2-tiny-gqa4-untied-sharded-f32", "fp32");
    srdd::GraphedForward graphed(m);
    const auto a = srdd::Batch::fromSequences(randomSequences(m->config().vocabSize, {5}, 11), m->device());
    const auto b = srdd::Batch::fromSequences(randomSequences(m->config().vocabSize, {5}, 12), m->device());
    const at::Tensor first = graphed.lastLogits(a), kept = first.clone();
    graphed.lastLogits(b);
    QVERIFY(at::equal(first, kept));
  }
};

QTEST_GUILESS_MAIN(TestGraphedForward)
#include "test_graphed_forward.moc"
