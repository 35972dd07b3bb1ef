// Tensor histograms (srdd/histograms.h) on a hand-built tensor whose quantized values, block scales and
// clipping are known, their JSON, and the model-level request for a weight and an activation.
#include "srdd/histograms.h"

#include <QtTest/QtTest>

#include "srdd/error.h"
#include "histogram_fixture.h"
#include "test_support.h"

class TestHistograms : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void knownTensorByHand() {
    const auto h = srdd::histogramsOf(srdd_test::knownHistogramTensor(), 2, 32, "mxfp4", 15, "known");
    QCOMPARE(h.shape, (std::vector<int64_t>{2, 32}));
    QCOMPARE(h.blocks, int64_t(2));
    QCOMPARE(h.clippingBlocks, int64_t(2));  // 7.5 and 1.875 exceed 6 · scale
    QCOMPARE(h.clippedElements, int64_t(2));
    QCOMPARE(h.elements, int64_t(64));
    QCOMPARE(h.clipShare(), 1.0);
    QCOMPARE(h.scaleExponents, (std::vector<int>{-2, 0}));
    QCOMPARE(h.scaleExponentCounts, (std::vector<int64_t>{1, 1}));
    QCOMPARE(h.modalScale, 0.25);  // a tie goes to the smaller exponent
    QCOMPARE(h.elementGrid, (std::vector<double>{-6, -4, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 6}));
    // Normalized by the block scale, both rows are the same 16 values plus 16 zeros; 15 bins of width 1 on
    // [-7.5, 7.5]: bin = floor(v + 7.5), 7.5 in the last bin.
    QCOMPARE(h.normalized.edges.front(), -7.5);
    QCOMPARE(h.normalized.edges.back(), 7.5);
    const std::vector<int64_t> bf16{0, 2, 0, 2, 2, 2, 4, 36, 4, 4, 2, 2, 0, 2, 2};
    std::vector<int64_t> quantized = bf16;
    quantized[14] = 0;  // 7.5 -> 6
    quantized[13] = 4;
    QCOMPARE(h.normalized.bf16, bf16);
    QCOMPARE(h.normalized.quantized, quantized);
    // Raw values: edges over ±7.5 as well (row 0 holds the largest value).
    QCOMPARE(h.values.edges.back(), 7.5);
    int64_t total = 0;
    for (auto c : h.values.quantized) total += c;
    QCOMPARE(total, int64_t(64));
  }

  void jsonRoundTripAndErrors() {
    const auto h = srdd::histogramsOf(srdd_test::knownHistogramTensor(), 2, 32, "mxfp4", 15);
    const auto j = h.toJson();
    QCOMPARE(j.at("schema").get<std::string>(), std::string("srdd-histograms/1"));
    QCOMPARE(j.at("blocks").at("clip_share").get<double>(), 1.0);
    const auto back = srdd::TensorHistograms::fromJson(j);
    QCOMPARE(back.normalized.bf16, h.normalized.bf16);
    QCOMPARE(back.scaleExponents, h.scaleExponents);
    QVERIFY(srdd_test::errorOf([] {
              srdd::TensorHistograms::fromJson({{"schema", "x"}});
            }).contains("not a histogram document"));
    QVERIFY(srdd_test::errorOf([] {
              srdd::histogramsOf({1, 2, 3}, 2, 2, "mxfp4");
            }).contains("do not make a 2x2 tensor"));
    QVERIFY(srdd_test::errorOf([] { srdd::histogramsOf({1, 2}, 1, 2, "mxfp4", 1); }).contains("at least 2"));
  }

  // The demo model: a weight's elements all counted; an activation captured over the prompts.
  void demoModelWeightAndActivation() {
    srdd::HistogramRequest r;
    r.layer = 2;
    r.module = "down_proj";
    const auto w = srdd::computeHistograms(r);
    QCOMPARE(w.tensor, std::string("model.layers.2.mlp.down_proj.weight"));
    QCOMPARE(w.elements, w.shape[0] * w.shape[1]);
    QCOMPARE(w.blocks, w.shape[0] * ((w.shape[1] + 31) / 32));
    int64_t blocks = 0;
    for (auto c : w.scaleExponentCounts) blocks += c;
    QCOMPARE(blocks, w.blocks);
    r.tensor = "activation";
    r.module = "q_proj";
    r.prompts = "builtin:srdd";
    r.maxTokens = 16;
    const auto a = srdd::computeHistograms(r);
    QCOMPARE(a.kind, std::string("activation"));
    QVERIFY(a.shape[0] > 5);  // one row per token of the prompts
    r.layer = 99;
    QVERIFY(srdd_test::errorOf([&] { srdd::computeHistograms(r); }).contains("layer 99 is out of range"));
    r.layer = 0;
    r.module = "zz";
    QVERIFY(srdd_test::errorOf([&] { srdd::computeHistograms(r); }).contains("unknown module 'zz'"));
  }
};

QTEST_GUILESS_MAIN(TestHistograms)
#include "test_histograms.moc"
