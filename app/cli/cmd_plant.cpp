// `srdd plant`: a copy of a model with one planted fault (or a function-preserving control), for
// validating the scans (docs/validation.md).
#include <iostream>

#include "command.h"
#include "options.h"
#include "srdd/error.h"
#include "srdd/planted_fault.h"

namespace {

const char* kUsage =
    "Usage: srdd plant MODEL OUT --fault KIND --layer N [OPTIONS]\n"
    "\n"
    "Writes OUT, a copy of the model directory MODEL with one planted fault, and OUT/planted.json describing it.\n"
    "\n"
    "  --fault KIND     weight-outliers: down_proj: K input columns x F, the up_proj rows producing them / F;\n"
    "                     o_proj: K value channels (v_proj rows / F), the o_proj columns reading them x F\n"
    "                     (function unchanged; every row then holds a few elements at ~F x its RMS)\n"
    "                   activation-channel: an RMSNorm channel C x F and the next linears' input column C / F\n"
    "                     (the BF16 function is unchanged; MXFP4 activations of that channel are not)\n"
    "                   qk-scale: control, q_proj weight and bias x2, k_proj x0.5 (function unchanged)\n"
    "  --layer N        decoder layer (required)\n"
    "  --module M       weight-outliers: down_proj (default) or o_proj\n"
    "  --channels K     weight-outliers: channels scaled (default 3)\n"
    "  --channel C      activation-channel: the hidden channel (default 7)\n"
    "  --norm N         activation-channel: input (-> q/k/v, default) or post_attention (-> gate/up)\n"
    "  --factor F       the scale (default 64; a power of two keeps BF16 exact)\n"
    "  --seed S         which elements, sizes and signs (default 1)\n";

int run(const srdd_cli::Args& args) {
  const srdd_cli::Options opt(args, {"--fault", "--layer", "--module", "--channels", "--channel", "--norm", "--factor", "--seed"},
                              {});
  if (opt.positional().size() > 2) throw srdd::Error("unexpected argument '" + opt.positional()[2] + "'");
  const std::string model = opt.positional(0, "MODEL (the model directory to copy)");
  const std::string out = opt.positional(1, "OUT (the directory to write)");
  srdd::PlantedFault f;
  f.kind = srdd::parsePlantedFaultKind(opt.required("--fault"));
  f.layer = static_cast<int>(opt.integer("--layer", -1));
  if (!opt.value("--layer")) throw srdd::Error("option --layer is required");
  f.module = opt.value("--module", f.module);
  f.perRow = static_cast<int>(opt.integer("--channels", f.perRow));
  f.channel = static_cast<int>(opt.integer("--channel", f.channel));
  f.norm = opt.value("--norm", f.norm);
  f.factor = opt.number("--factor", f.factor);
  const long long seed = opt.integer("--seed", 1);
  if (seed < 0) throw srdd::Error("option --seed must not be negative");
  f.seed = static_cast<uint64_t>(seed);
  srdd::plantFault(model, out, f);
  std::cout << "wrote " << out << ": " << f.toJson().dump() << "\n";
  return 0;
}

const srdd_cli::Registrar registrar({"plant", "copy a model with one planted fault or a control (scan validation)", kUsage,
                                     run});

}  // namespace
