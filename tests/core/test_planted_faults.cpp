// Planted-fault validation (issue #13.3, #19.8-13): models made from the demo model with one known fault
// (srdd::plantFault, as `srdd plant`), scanned with the default rules. Independent truth: the planted layer,
// the BF16 function of the function-preserving plants (fp32 forward), and the held-out loss of a full forward
// with only one layer quantized.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "srdd/evaluation.h"
#include "srdd/model.h"
#include "srdd/planted_fault.h"
#include "srdd/scan.h"
#include "srdd/tokenizer.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "test_support.h"

namespace {

struct Plant {
  const char* name;
  srdd::PlantedFault fault;
  srdd::QuantizationPlan::Mode mode;
  std::set<int> layers;  // quantized layers (empty: all)
  const char* tensor;    // the quantized tensor the fault is in, as flags name it
};

srdd::PlantedFault outliers(const char* module, int layer, int channels = 3) {
  srdd::PlantedFault f;
  f.perRow = channels;
  f.kind = srdd::PlantedFault::Kind::WeightOutliers;
  f.module = module;
  f.layer = layer;
  return f;
}
srdd::PlantedFault of(srdd::PlantedFault::Kind k, int layer) {
  srdd::PlantedFault f;
  f.kind = k;
  f.layer = layer;
  return f;
}

const std::string& demoDir() {
  static const std::string d = srdd_test::demoModelDir().toStdString();
  return d;
}

std::string flagsOf(const srdd::ScanResult& r, int layer) {
  std::string s;
  for (const auto& f : r.verdict.layers[static_cast<size_t>(layer)].flags)
    if (!f.anomaly) s += f.rule + "(" + f.where + ") ";
  return s;
}

}  // namespace

class TestPlantedFaults : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  srdd::PromptSet prompts_;
  std::vector<std::vector<int64_t>> windows_;
  std::vector<Plant> plants_ = {
      {"down_proj outliers", outliers("down_proj", 3, 16), srdd::QuantizationPlan::Mode::W4A16, {}, "down_proj weight"},
      {"o_proj outliers", outliers("o_proj", 1, 1), srdd::QuantizationPlan::Mode::W4A16, {}, "o_proj weight"},
      // Under W4A4 the demo's layer 0 is intrinsically the most harmful (its SwiGLU output is heavy-tailed; KL
      // 0.076 against the plant's 0.024), so the plant is truly 2nd there; with layer 0 in BF16 it is truly 1st.
      {"activation channel",
       of(srdd::PlantedFault::Kind::ActivationChannel, 4),
       srdd::QuantizationPlan::Mode::W4A4,
       {1, 2, 3, 4, 5},
       "q_proj input"},
  };

  std::string dirOf(const std::string& name) const {
    return (tmp_.path() + "/" + QString::fromStdString(name)).toStdString();
  }

  srdd::ScanOptions options(srdd::QuantizationPlan::Mode mode) const {
    srdd::ScanOptions o;
    o.plan.mode = mode;
    o.sensitivitySequences = windows_;
    o.sensitivitySource = "heldout.txt";
    o.hashModelFiles = false;
    return o;
  }

  srdd::ScanResult scan(const std::string& dir, const srdd::ScanOptions& o) const {
    auto model = srdd::Model::load(dir, {"cpu", "bf16"});
    return srdd::runScan(*model, prompts_, o);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    auto tok = srdd::Tokenizer::fromFile(demoDir() + "/tokenizer.json");
    prompts_ = srdd::loadPromptSet(demoDir() + "/prompts.txt", tok, 16);
    windows_ = srdd::loadSensitivityWindows(demoDir() + "/heldout.txt", tok, 12, 96);
    for (const auto& p : plants_) srdd::plantFault(demoDir(), dirOf(p.name), p.fault);
    srdd::plantFault(demoDir(), dirOf("control"), of(srdd::PlantedFault::Kind::QkScale, 2));
  }

  // The activation-channel plant and the control leave the function unchanged (fp32 forward).
  void functionPreservingPlantsAreExact() {
    c10::NoGradGuard g;
    auto base = srdd::Model::load(demoDir(), {"cpu", "fp32"});
    auto batch = srdd::Batch::fromSequences({windows_[0], windows_[1]}, at::kCPU);
    at::Tensor ref = base->forward(batch, nullptr, true).logits;
    for (const char* name : {"down_proj outliers", "o_proj outliers", "activation channel", "control"}) {
      auto m = srdd::Model::load(dirOf(name), {"cpu", "fp32"});
      const double d = (m->forward(batch, nullptr, true).logits - ref).abs().max().item<double>();
      QVERIFY2(d < 1e-3 * ref.abs().max().item<double>(), qPrintable(QString("%1: max |dlogit| %2").arg(name).arg(d)));
    }
    // ... while the weights really changed: a few elements of every down_proj row sit far above the row's RMS.
    auto faulty = srdd::Model::load(dirOf("down_proj outliers"), {"cpu", "fp32"});
    at::Tensor w = faulty->layer(3).downWeight.abs();
    at::Tensor ratio = w.amax(1) / w.pow(2).mean(1).sqrt();
    QVERIFY2(ratio.median().item<double>() > 10, qPrintable(QString::number(ratio.median().item<double>())));
  }

  // Every fault: ranked first by single-layer harm, flagged, and the only target; a strict subset flagged.
  // #19.9: the flags name the tensor the mode quantizes and the fault is in (the weight under W4A16, the
  // shared q/k/v input under W4A4), not the offline-quantized BF16 layer output.
  void scanRanksThePlantedLayerFirst() {
    for (const auto& p : plants_) {
      srdd::ScanOptions o = options(p.mode);
      o.plan.layers = p.layers;
      const auto r = scan(dirOf(p.name), o);
      const int planted = p.fault.layer;
      const auto& dl = r.layers[static_cast<size_t>(planted)].sensitivity.at("dloss_single");
      qInfo("%s (layer %d, %s): ranking %d,%d,...; held-out dloss %.4f [%.4f, %.4f]; flags %s; targets %zu", p.name,
            planted, srdd::quantModeName(p.mode).c_str(), r.verdict.ranking[0], r.verdict.ranking[1], dl.mean, dl.ciLow,
            dl.ciHigh, flagsOf(r, planted).c_str(), r.verdict.recommendation.targetLayers.size());
      QCOMPARE(r.verdict.ranking.front(), planted);
      QVERIFY2(r.verdict.layers[static_cast<size_t>(planted)].problematic, p.name);
      for (const auto& f : r.verdict.layers[static_cast<size_t>(planted)].flags)
        QVERIFY2(f.anomaly || f.where == p.tensor,
                 qPrintable(QString::fromStdString(p.name + (": " + f.rule) + " on " + f.where)));
      QVERIFY(r.verdict.problematicLayers.size() < r.layers.size());
      QVERIFY(!r.verdict.recommendation.targetLayers.empty());
      QCOMPARE(r.verdict.recommendation.targetLayers.front(), planted);
      QVERIFY(dl.mean > 0);  // quantizing the planted layer alone raises the held-out loss
    }
  }

  // The demo model and the control flag nothing and recommend no target in the default mode; under W4A4 the
  // control flags exactly what the demo model flags (its layer 0, see above), never the control layer.
  void cleanModelsFlagNothing() {
    for (const std::string name : {"demo", "control"}) {
      const auto r = scan(name == "demo" ? demoDir() : dirOf(name), options(srdd::QuantizationPlan::Mode::W4A16));
      std::string all;
      for (int l = 0; l < 6; ++l) all += flagsOf(r, l);
      QVERIFY2(r.verdict.problematicLayers.empty(), qPrintable(QString::fromStdString(name + ": " + all)));
      QVERIFY(r.verdict.recommendation.targetLayers.empty());
      QCOMPARE(QString::fromStdString(r.verdict.recommendation.strategy), QString("no_action"));
    }
    const auto demo = scan(demoDir(), options(srdd::QuantizationPlan::Mode::W4A4));
    const auto control = scan(dirOf("control"), options(srdd::QuantizationPlan::Mode::W4A4));
    qInfo("W4A4 flagged: demo %zu layer(s), control %zu", demo.verdict.problematicLayers.size(),
          control.verdict.problematicLayers.size());
    QCOMPARE(control.verdict.problematicLayers, demo.verdict.problematicLayers);
    QVERIFY(!control.verdict.layers[2].problematic);
  }

  // The engine's held-out loss increase of one quantized layer equals an independent full forward (evaluateLoss)
  // with only that layer quantized.
  void heldoutLossMatchesFullForward() {
    const std::string dir = dirOf("down_proj outliers");
    auto model = srdd::Model::load(dir, {"cpu", "bf16"});
    srdd::ScanOptions o = options(srdd::QuantizationPlan::Mode::W4A16);
    o.scans = {srdd::ScanKind::Sensitivity};
    const auto r = srdd::runScan(*model, prompts_, o);
    const auto bf16 = srdd::evaluateLoss(*model, windows_, 12);
    for (int i : {1, 3}) {
      srdd::QuantizationPlan plan;
      plan.layers = {i};
      srdd::QuantizationHooks hooks(plan);
      const auto q = srdd::evaluateLoss(*model, windows_, 12, &hooks);
      const auto& s = r.layers[static_cast<size_t>(i)].sensitivity.at("dloss_single");
      for (size_t w = 0; w < windows_.size(); ++w) {
        const double truth = q.perSequenceLoss[w] - bf16.perSequenceLoss[w];
        QVERIFY2(std::fabs(s.values[w] - truth) < 2e-3 + 0.02 * std::fabs(truth),
                 qPrintable(QString("layer %1 window %2: %3 vs %4").arg(i).arg(w).arg(s.values[w]).arg(truth)));
      }
    }
    const auto& h = r.layers[3].harm;
    QVERIFY(h.at("kl_single_q99") >= h.at("kl_single_median"));
    QCOMPARE(h.at("tokens"), 12.0 * 96);
    QVERIFY(h.at("top1_single") > 0 && h.at("top1_single") < 1);
  }

  // #19.10: layers the plan leaves in BF16 are marked, not flagged, not ranked, and get no sensitivity.
  void unquantizedLayersAreNotScored() {
    srdd::ScanOptions o = options(srdd::QuantizationPlan::Mode::W4A16);
    o.plan.layers = {0, 1, 2};
    const auto r = scan(dirOf("down_proj outliers"), o);
    for (int l = 3; l < 6; ++l) {
      QVERIFY(!r.layers[static_cast<size_t>(l)].layerQuantized);
      QVERIFY(r.verdict.layers[static_cast<size_t>(l)].flags.empty());
      QVERIFY(r.layers[static_cast<size_t>(l)].sensitivity.empty());
      QVERIFY(r.layers[static_cast<size_t>(l)].quantizedTensors.empty());
    }
    QCOMPARE(r.verdict.ranking.size(), size_t(3));
    QVERIFY(r.verdict.problematicLayers.empty());  // the planted layer 3 is not quantized here
    // The JSON and the text report say so: layer_quantized false, no harm, no ranking entry; "not quantized".
    const auto j = srdd::scanResultToJson(r);
    for (int l = 0; l < 6; ++l) QCOMPARE(j["layers"][static_cast<size_t>(l)]["layer_quantized"].get<bool>(), l < 3);
    for (const auto& e : j["verdict"]["ranking"]) QVERIFY(e["layer"].get<int>() < 3);
    QVERIFY(j["layers"][0].contains("harm") && !j["layers"][4].contains("harm"));
    const QStringList report = QString::fromStdString(srdd::formatScanReport(r)).split('\n');
    const auto header =
        std::find_if(report.begin(), report.end(), [](const QString& l) { return l.trimmed().startsWith("layer"); });
    QVERIFY(report.end() - header > 6);
    for (int l = 0; l < 6; ++l) {  // the table's rows follow its header, one per layer
      const QString& row = header[l + 1];
      QCOMPARE(row.simplified().section(' ', 0, 0), QString::number(l));
      QVERIFY2(row.endsWith("not quantized") == (l >= 3), qPrintable(row));
    }
  }

  // #19.13: under W4A4 with every layer quantized the activation-outlier channel ranks where it truly is. Truth:
  // full forwards of the whole model (Model::forward, every position) with only layer i quantized, KL to BF16
  // averaged over every position of each held-out window, then over windows.
  void activationPlantRanksAtItsTrueRank() {
    c10::NoGradGuard g;
    auto model = srdd::Model::load(dirOf("activation channel"), {"cpu", "bf16"});
    srdd::ScanOptions o = options(srdd::QuantizationPlan::Mode::W4A4);
    o.scans = {srdd::ScanKind::Sensitivity};
    const auto r = srdd::runScan(*model, prompts_, o);
    const auto batch = srdd::Batch::fromSequences(windows_, at::kCPU);
    auto logp = [&](srdd::ForwardHooks* h) {
      return at::log_softmax(model->forward(batch, h, true).logits.to(at::kFloat), -1);
    };
    const at::Tensor ref = logp(nullptr);
    std::vector<std::pair<double, int>> truth;
    for (int i = 0; i < 6; ++i) {
      srdd::QuantizationPlan plan;
      plan.mode = srdd::QuantizationPlan::Mode::W4A4;
      plan.layers = {i};
      srdd::QuantizationHooks hooks(plan);
      const double kl = (ref.exp() * (ref - logp(&hooks))).sum(-1).mean(1).mean().item<double>();
      const double engine = r.layers[static_cast<size_t>(i)].sensitivity.at("kl_single").mean;
      QVERIFY2(std::fabs(engine - kl) < 1e-4 + 0.02 * kl,
               qPrintable(QString("layer %1: %2 vs %3").arg(i).arg(engine).arg(kl)));
      truth.push_back({-kl, i});
    }
    std::sort(truth.begin(), truth.end());
    std::vector<int> trueOrder;
    for (const auto& t : truth) trueOrder.push_back(t.second);
    qInfo("true order by single-layer KL: %d,%d,%d,%d,%d,%d", trueOrder[0], trueOrder[1], trueOrder[2], trueOrder[3],
          trueOrder[4], trueOrder[5]);
    QCOMPARE(r.verdict.ranking, trueOrder);
    QCOMPARE(trueOrder[1], 4);  // behind the demo's own layer 0 (see plants_), ahead of every clean layer
  }

  // #19.9: each mode is judged on what it quantizes: weights (w4a16), linear inputs (w16a4), both (w4a4).
  void eachModeMeasuresWhatItQuantizes() {
    const std::map<srdd::QuantizationPlan::Mode, std::set<std::string>> roles = {
        {srdd::QuantizationPlan::Mode::W4A16, {"weight"}},
        {srdd::QuantizationPlan::Mode::W16A4, {"input"}},
        {srdd::QuantizationPlan::Mode::W4A4, {"weight", "input"}},
        {srdd::QuantizationPlan::Mode::Residual, {"output"}}};
    for (const auto& [mode, expected] : roles) {
      srdd::ScanOptions o = options(mode);
      o.scans = {srdd::ScanKind::Fidelity};
      const auto r = scan(demoDir(), o);
      std::set<std::string> seen;
      for (const auto& t : r.layers[2].quantizedTensors) seen.insert(t.role);
      QVERIFY2(seen == expected, srdd::quantModeName(mode).c_str());
      const size_t n = mode == srdd::QuantizationPlan::Mode::W4A16   ? 7
                       : mode == srdd::QuantizationPlan::Mode::W16A4 ? 4
                       : mode == srdd::QuantizationPlan::Mode::W4A4  ? 11
                                                                     : 1;
      QCOMPARE(r.layers[2].quantizedTensors.size(), n);
    }
    // The per-weight numbers the w4a16 rules read are the weight scan's (same tensors, same quantizer).
    srdd::ScanOptions o = options(srdd::QuantizationPlan::Mode::W4A16);
    o.scans = {srdd::ScanKind::Fidelity, srdd::ScanKind::Weights};
    const auto r = scan(dirOf("down_proj outliers"), o);
    for (const auto& t : r.layers[3].quantizedTensors)
      for (const auto& w : r.weights)
        if (w.layer == 3 && w.module == t.module) QCOMPARE(t.metrics.at("sqnr_db"), w.metrics.at("sqnr_db"));
  }

  // #19.12: with activation quantization both gain passes share one quantization draw, so the gain ratio of the
  // demo model stays near 1 (it read 1.2-2.3 with two independent quantization noises).
  void activationGainIsGainNotNoise() {
    for (auto mode : {srdd::QuantizationPlan::Mode::W16A4, srdd::QuantizationPlan::Mode::W4A4}) {
      srdd::ScanOptions o = options(mode);
      o.scans = {srdd::ScanKind::Gain};
      const auto r = scan(demoDir(), o);
      for (const auto& l : r.layers) {
        const double g = l.ratio.at("gain");
        QVERIFY2(g > 0.9 && g < 1.1, qPrintable(QString("layer %1 gain ratio %2").arg(l.layer).arg(g)));
      }
    }
  }

  // The command line makes the same model as the library call, and names a bad option in one line.
  void plantCommand() {
    const QString out = tmp_.path() + "/cli-plant";
    auto run = srdd_test::runCli({"plant", srdd_test::demoModelDir(), out, "--fault", "weight-outliers", "--module",
                                  "down_proj", "--layer", "3", "--channels", "16"});
    QCOMPARE(run.code, 0);
    QFile a(out + "/model.safetensors"), b(QString::fromStdString(dirOf("down_proj outliers")) + "/model.safetensors");
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QVERIFY(a.readAll() == b.readAll());
    QVERIFY(QFile::exists(out + "/planted.json") && QFile::exists(out + "/tokenizer.json"));
    run = srdd_test::runCli({"plant", srdd_test::demoModelDir(), out, "--fault", "weight-outliers", "--layer", "6"});
    QVERIFY(run.code != 0);
    QVERIFY2(run.err.trimmed().split('\n').size() == 1 && run.err.contains("outside"), qPrintable(run.err));
  }

  void badPlants() {
    srdd::PlantedFault f = outliers("down_proj", 9);
    QVERIFY(srdd_test::errorOf([&] { srdd::plantFault(demoDir(), dirOf("bad"), f); }).contains("outside"));
    f = outliers("mlp_proj", 1);
    QVERIFY(srdd_test::errorOf([&] { srdd::plantFault(demoDir(), dirOf("bad"), f); }).contains("unknown module"));
    f = of(srdd::PlantedFault::Kind::ActivationChannel, 1);
    f.channel = 192;
    QVERIFY(srdd_test::errorOf([&] { srdd::plantFault(demoDir(), dirOf("bad"), f); }).contains("hidden size"));
    QVERIFY(srdd_test::errorOf([&] { srdd::parsePlantedFaultKind("bitflip"); }).contains("weight-outliers"));
  }
};

QTEST_APPLESS_MAIN(TestPlantedFaults)
#include "test_planted_faults.moc"
