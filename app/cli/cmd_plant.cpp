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
    "  --fault KIND     weight-outliers: PER-ROW elements of every row of the module's weight set to\n"
    "                     ±U(FMIN, FMAX) x the row's RMS\n"
    "                   activation-channel: input_layernorm channel C x F and the q/k/v weight column C / F\n"
    "                     (the BF16 function is unchanged; MXFP4 activations of that channel are not)\n"
    "                   qk-scale: control, q_proj weight and bias x2, k_proj x0.5 (function unchanged)\n"
    "  --layer N        decoder layer (required)\n"
    "  --module M       weight-outliers: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj\n"
    "                   (default down_proj)\n"
    "  --per-row K      weight-outliers: elements per row (default 3)\n"
    "  --factor-min A, --factor-max B   weight-outliers: outlier size in row RMS (default 20, 100)\n"
    "  --channel C      activation-channel: the hidden channel (default 7)\n"
    "  --factor F       activation-channel: the scale (default 128, a power of two keeps BF16 exact)\n"
    "  --seed S         which elements, sizes and signs (default 1)\n";

int run(const srdd_cli::Args& args) {
  const srdd_cli::Options opt(args, {"--fault", "--layer", "--module", "--per-row", "--factor-min", "--factor-max",
                                     "--channel", "--factor", "--seed"},
                              {});
  if (opt.positional().size() > 2) throw srdd::Error("unexpected argument '" + opt.positional()[2] + "'");
  const std::string model = opt.positional(0, "MODEL (the model directory to copy)");
  const std::string out = opt.positional(1, "OUT (the directory to write)");
  srdd::PlantedFault f;
  f.kind = srdd::parsePlantedFaultKind(opt.required("--fault"));
  f.layer = static_cast<int>(opt.integer("--layer", -1));
  if (!opt.value("--layer")) throw srdd::Error("option --layer is required");
  f.module = opt.value("--module", f.module);
  f.perRow = static_cast<int>(opt.integer("--per-row", f.perRow));
  f.factorMin = opt.number("--factor-min", f.factorMin);
  f.factorMax = opt.number("--factor-max", f.factorMax);
  f.channel = static_cast<int>(opt.integer("--channel", f.channel));
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
