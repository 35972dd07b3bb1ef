#include "scan_cli.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>

#include "srdd/error.h"
#include "srdd/layer_list.h"
#include "srdd/mx_quant.h"

namespace srdd_cli {

void declareQuantizerOptions(Declare& d) {
  d.choice(
      "--format", "--format F", "mxfp4 (default), mxfp6-e2m3, mxfp6-e3m2, mxfp8-e4m3, mxfp8-e5m2, nvfp4",
      [](const std::string& v) { srdd::parseQuantSpec(v); }, srdd::quantFormatNames());
  d.choice("--scale", "--scale R", "floor (OCP, default) or rceil",
           [](const std::string& v) { srdd::parseScaleRule(v); }, {"floor", "rceil"});
  d.choice("--rounding", "--rounding R", "rne (default), away or stochastic",
           [](const std::string& v) { srdd::parseRounding(v); }, {"rne", "away", "stochastic"});
  d.choice("--block", "--block B", "1x32 (default) or 32x32 tiles",
           [](const std::string& v) {
             int size = 0;
             srdd::parseBlockShape(v, &size);
           },
           {"1x32", "32x32"});
  d.flag("--reference", "the research scripts' MXFP4 numerics (flat blocks, ties away)");
}

void declareQuantOptions(Declare& d) {
  declareQuantizerOptions(d);
  d.choice("--mode", "--mode M", "w4a16 (default), w16a4, w4a4 or residual (each layer's output)",
           [](const std::string& v) { srdd::parseQuantMode(v); }, {"w4a16", "w16a4", "w4a4", "residual"});
  auto* layers =
      d.text("--layers", "--layers LIST", "quantize only these layers: 0,3,5, 0-5, all (default) or \"all-but 3,7\"");
  d.text("--all-but", "--all-but LIST", "the same as --layers \"all-but LIST\"")->excludes(layers);
  d.flag("--lm-head", "also quantize lm_head (w* modes)");
  d.flag("--embeddings", "also quantize the embedding table (w4a16, w4a4)");
}

srdd::QuantizationPlan quantPlan(const Parsed& opt, uint64_t seed) {
  srdd::QuantizationPlan plan;
  plan.spec = srdd::parseQuantSpec(opt.value("--format", "mxfp4"));
  if (auto s = opt.value("--scale")) plan.spec.scale = srdd::parseScaleRule(*s);
  if (auto r = opt.value("--rounding")) plan.spec.rounding = srdd::parseRounding(*r);
  if (auto b = opt.value("--block")) plan.spec.block = srdd::parseBlockShape(*b, &plan.spec.blockSize);
  plan.spec.reference = opt.flag("--reference");
  plan.spec.seed = seed;
  plan.mode = srdd::parseQuantMode(opt.value("--mode", "w4a16"));
  if (auto l = opt.value("--layers")) {
    const auto sel = srdd::parseLayerSelection(*l, "--layers");
    plan.layers = sel.listed;
    plan.invertLayers = sel.all && !sel.listed.empty();
  }
  if (auto l = opt.value("--all-but")) {
    const auto sel = srdd::parseLayerSelection(*l, "--all-but");
    if (sel.all) throw srdd::Error("--all-but takes the layers to leave out, e.g. --all-but 0,3");
    plan.layers = sel.listed;
    plan.invertLayers = true;
  }
  plan.includeLmHead = opt.flag("--lm-head");
  plan.includeEmbeddings = opt.flag("--embeddings");
  plan.validate();
  return plan;
}

srdd::ProgressCallback stderrProgress() {
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  auto lastStage = std::make_shared<std::string>();
  return [last, lastStage](const srdd::ProgressInfo& p) {
    auto now = std::chrono::steady_clock::now();
    if (p.stage == *lastStage && now - *last < std::chrono::milliseconds(250)) return;  // throttle within a stage
    *last = now;
    *lastStage = p.stage;
    std::fprintf(stderr, "[%3.0f%%] %s", 100 * p.fraction, p.stage.c_str());
    if (p.layer >= 0) std::fprintf(stderr, "  layer %d/%d", p.layer + 1, p.numLayers);
    std::fprintf(stderr, "  elapsed %s  ETA %s\n", srdd::formatSeconds(p.elapsedS).c_str(),
                 srdd::formatSeconds(p.etaS).c_str());
  };
}

}  // namespace srdd_cli
