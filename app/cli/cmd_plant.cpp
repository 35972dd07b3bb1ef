// `srdd plant`: a copy of a model with one planted fault (or a function-preserving control), for
// validating the scans (docs/validation.md).
#include <iostream>

#include "command.h"
#include "cli_options.h"
#include "srdd/error.h"
#include "srdd/planted_fault.h"

namespace {

int run(const srdd_cli::Parsed& opt) {
  const std::string model = *opt.value("MODEL"), out = *opt.value("OUT");
  srdd::PlantedFault f;
  f.kind = srdd::parsePlantedFaultKind(*opt.value("--fault"));
  f.layer = static_cast<int>(opt.integer("--layer", -1));
  f.module = opt.value("--module", f.module);
  f.perRow = static_cast<int>(opt.integer("--channels", f.perRow));
  f.channel = static_cast<int>(opt.integer("--channel", f.channel));
  f.norm = opt.value("--norm", f.norm);
  f.factor = opt.number("--factor", f.factor);
  f.seed = static_cast<uint64_t>(opt.integer("--seed", 1));
  srdd::plantFault(model, out, f);
  std::cout << "wrote " << out << ": " << f.toJson().dump() << "\n";
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  d.positional("MODEL", "the model directory to copy", true, {srdd_cli::CompletionHint::Kind::Directory, {}});
  d.positional("OUT", "the directory to write", true, {srdd_cli::CompletionHint::Kind::Directory, {}});
  d.choice("--fault", "--fault KIND",
           "weight-outliers: down_proj: K input columns x F, the up_proj rows producing them / F;\n"
           "  o_proj: K value channels (v_proj rows / F), the o_proj columns reading them x F\n"
           "  (function unchanged; every row then holds a few elements at ~F x its RMS)\n"
           "activation-channel: an RMSNorm channel C x F and the next linears' input column C / F\n"
           "  (the BF16 function is unchanged; MXFP4 activations of that channel are not)\n"
           "qk-scale: control, q_proj weight and bias x2, k_proj x0.5 (function unchanged)",
           [](const std::string& v) { srdd::parsePlantedFaultKind(v); },
           {"weight-outliers", "activation-channel", "qk-scale"})
      ->required();
  d.integer("--layer", "--layer N", "decoder layer (required)", 0)->required();
  d.choice("--module", "--module M", "weight-outliers: down_proj (default) or o_proj", {"down_proj", "o_proj"});
  d.integer("--channels", "--channels K", "weight-outliers: channels scaled (default 3)", 1);
  d.integer("--channel", "--channel C", "activation-channel: the hidden channel (default 7)", 0);
  d.choice("--norm", "--norm N", "activation-channel: input (-> q/k/v, default) or post_attention (-> gate/up)",
           {"input", "post_attention"});
  d.number("--factor", "--factor F", "the scale (default 64; a power of two keeps BF16 exact)");
  d.integer("--seed", "--seed S", "which elements, sizes and signs (default 1)", 0);
  return [&app] { return run(srdd_cli::Parsed(app)); };
}

const srdd_cli::Registrar registrar(
    {"plant", "copy a model with one planted fault or a control (scan validation)",
     "srdd plant MODEL OUT --fault KIND --layer N [OPTIONS]",
     "Writes OUT, a copy of the model directory MODEL with one planted fault, and OUT/planted.json describing it.",
     define});

}  // namespace
