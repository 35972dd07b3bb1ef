// `srdd histograms`: value histograms of one weight or activation in BF16 and fake-quantized, with the
// format's grid and the MX block statistics (srdd/histograms.h), as JSON.
#include <cstdio>
#include <iostream>

#include "model_options.h"
#include "srdd/error.h"
#include "srdd/histograms.h"
#include "srdd/safetensors.h"

namespace {

int runHistograms(const srdd_cli::Args& args) {
  srdd_cli::Options opt(args, {"--layer", "--module", "--tensor", "--format", "--block", "--prompts", "--max-tokens", "--bins",
                               "--dtype", "--out"},
                        {});
  if (opt.positional().size() > 1) throw srdd::Error("unexpected argument '" + opt.positional()[1] + "' (one MODEL at most)");
  srdd::HistogramRequest r;
  r.modelDir = srdd_cli::modelDirectory(opt);
  r.dtype = opt.value("--dtype", r.dtype);
  srdd::validateDtypeOption(r.dtype);
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

srdd_cli::Registrar reg({"histograms", "histograms of a weight or activation, BF16 vs quantized, with MX block statistics",
                         "Usage: srdd histograms [MODEL] [--layer N] [--module M] [--tensor weight|activation] [--out FILE]\n"
                         "  MODEL            Hugging Face model directory (default: the bundled demo model)\n"
                         "  --layer N        decoder layer (default 0)\n"
                         "  --module M       q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj (default down_proj)\n"
                         "  --tensor T       weight (default) or activation (the module's input over the prompts)\n"
                         "  --format F       mxfp4 (default), mxfp6-e2m3, mxfp6-e3m2, mxfp8-e4m3, mxfp8-e5m2, nvfp4\n"
                         "  --block B        1x32 or 32x32 (default: the format's)\n"
                         "  --prompts P      activations: builtin:NAME or a file (default MODEL/prompts.txt)\n"
                         "  --max-tokens N   tokens per prompt (64);  --bins N: histogram bins (80)\n"
                         "  --dtype T        auto (default), bf16, fp16 or fp32\n"
                         "  --out FILE       write the JSON (schema srdd-histograms/1) there instead of stdout\n",
                         runHistograms});

}  // namespace
