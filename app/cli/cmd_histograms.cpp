// `srdd histograms`: value histograms of one weight or activation in BF16 and fake-quantized, with the
// format's grid and the MX block statistics (srdd/histograms.h), as JSON.
#include <cstdio>
#include <iostream>

#include "command.h"
#include "model_options.h"
#include "srdd/error.h"
#include "srdd/histograms.h"
#include "srdd/mx_quant.h"
#include "srdd/safetensors.h"

namespace {

int runHistograms(const srdd_cli::Parsed& opt) {
  srdd::HistogramRequest r;
  r.modelDir = srdd_cli::modelDirectory(opt);
  r.dtype = opt.value("--dtype", r.dtype);
  r.layer = static_cast<int>(opt.integer("--layer", r.layer));
  r.module = opt.value("--module", r.module);
  r.tensor = opt.value("--tensor", r.tensor);
  r.format = opt.value("--format", r.format);
  r.block = opt.value("--block", r.block);
  r.prompts = opt.value("--prompts", r.prompts);
  r.maxTokens = opt.integer("--max-tokens", r.maxTokens);
  r.bins = static_cast<int>(opt.integer("--bins", r.bins));
  const auto h = srdd::computeHistograms(r);
  const std::string text = h.toJson().dump(2) + "\n";
  if (auto out = opt.value("--out")) {
    srdd::writeFileAtomically(*out, text);
    std::fprintf(stderr, "%s: %lld blocks, %.2f %% clip; written to %s\n", h.tensor.c_str(),
                 static_cast<long long>(h.blocks), 100 * h.clipShare(), out->c_str());
  } else {
    std::cout << text;
  }
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  srdd_cli::declareModelArgument(d);
  d.integer("--layer", "--layer N", "decoder layer (default 0)", 0);
  d.text("--module", "--module M", "q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj (default down_proj)",
         {srdd_cli::CompletionHint::Kind::Words,
          {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}});
  d.choice("--tensor", "--tensor T", "weight (default) or activation (the module's input over the prompts)",
           {"weight", "activation"});
  d.choice(
      "--format", "--format F", "mxfp4 (default), mxfp6-e2m3, mxfp6-e3m2, mxfp8-e4m3, mxfp8-e5m2, nvfp4",
      [](const std::string& v) { srdd::parseQuantSpec(v); }, srdd::quantFormatNames());
  d.text("--block", "--block B", "1x32 or 32x32 (default: the format's)");
  d.text("--prompts", "--prompts P", "activations: builtin:NAME or a file (default MODEL/prompts.txt)",
         {srdd_cli::CompletionHint::Kind::File, {}});
  d.integer("--max-tokens", "--max-tokens N", "tokens per prompt (64)", 1);
  d.integer("--bins", "--bins N", "histogram bins (80)", 2);
  srdd_cli::declareDtypeOption(d);
  d.file("--out", "--out FILE", "write the JSON (schema srdd-histograms/1) there instead of stdout");
  return [&app] { return runHistograms(srdd_cli::Parsed(app)); };
}

srdd_cli::Registrar reg({"histograms",
                         "histograms of a weight or activation, BF16 vs quantized, with MX block statistics",
                         "srdd histograms [MODEL] [--layer N] [--module M] [--tensor weight|activation] [--out FILE]",
                         "", define});

}  // namespace
