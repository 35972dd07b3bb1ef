#pragma once
// Options shared by `srdd scan` and `srdd bench scan`: the quantizer, the quantization mode, progress on stderr.
#include <set>
#include <string>

#include "options.h"
#include "srdd/progress.h"
#include "srdd/quantized_forward.h"

namespace srdd_cli {

inline const char* kQuantOptionsUsage =
    "  --format F       mxfp4 (default), mxfp6-e2m3, mxfp6-e3m2, mxfp8-e4m3, mxfp8-e5m2, nvfp4\n"
    "  --scale R        floor (OCP, default) or rceil\n"
    "  --rounding R     rne (default), away or stochastic\n"
    "  --block B        1x32 (default) or 32x32 tiles\n"
    "  --reference      the research scripts' MXFP4 numerics (flat blocks, ties away)\n"
    "  --mode M         w4a16 (default), w16a4, w4a4 or residual (each layer's output)\n"
    "  --layers LIST    quantize only these layers: 0,3,5, 0-5, all (default) or all-but 3,7\n"
    "                   (--all-but LIST is the same as --layers \"all-but LIST\")\n"
    "  --lm-head        also quantize lm_head (w* modes)\n"
    "  --embeddings     also quantize the embedding table (w4a16, w4a4)\n";

// Value and flag option names used by quantPlan().
std::set<std::string> quantValueOptions();
std::set<std::string> quantFlagOptions();
// Builds the plan; the quantizer's stochastic-rounding seed is `seed`.
srdd::QuantizationPlan quantPlan(const Options& opt, uint64_t seed);
// Prints "[ 42%] stage layer i/N  ETA 1.2s" lines to stderr (at most a few per second).
srdd::ProgressCallback stderrProgress();

}  // namespace srdd_cli
