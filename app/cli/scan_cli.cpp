#include "scan_cli.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>

#include "srdd/error.h"
#include "srdd/layer_list.h"
#include "srdd/mx_quant.h"

namespace srdd_cli {

std::set<std::string> quantValueOptions() {
  return {"--format", "--scale", "--rounding", "--block", "--mode", "--layers", "--all-but"};
}
std::set<std::string> quantFlagOptions() { return {"--reference", "--lm-head", "--embeddings"}; }

srdd::QuantizationPlan quantPlan(const Options& opt, uint64_t seed) {
  srdd::QuantizationPlan plan;
  plan.spec = srdd::parseQuantSpec(opt.value("--format", "mxfp4"));
  if (auto s = opt.value("--scale")) plan.spec.scale = srdd::parseScaleRule(*s);
  if (auto r = opt.value("--rounding")) plan.spec.rounding = srdd::parseRounding(*r);
  if (auto b = opt.value("--block")) plan.spec.block = srdd::parseBlockShape(*b, &plan.spec.blockSize);
  plan.spec.reference = opt.flag("--reference");
  plan.spec.seed = seed;
  plan.mode = srdd::parseQuantMode(opt.value("--mode", "w4a16"));
  if (opt.value("--layers") && opt.value("--all-but")) throw srdd::Error("--layers and --all-but exclude each other");
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
    std::fprintf(stderr, "  elapsed %s  ETA %s\n", srdd::formatSeconds(p.elapsedS).c_str(), srdd::formatSeconds(p.etaS).c_str());
  };
}

}  // namespace srdd_cli
