#pragma once
// Options shared by `srdd scan`, `srdd aqn` and `srdd bench scan`: the quantizer, the quantization mode,
// progress on stderr.
#include <string>

#include "cli_options.h"
#include "srdd/progress.h"
#include "srdd/quantized_forward.h"

namespace srdd_cli {

// --format, --scale, --rounding, --block, --reference (the quantizer alone).
void declareQuantizerOptions(Declare& d);
// The quantizer's options and --mode, --layers/--all-but, --lm-head, --embeddings.
void declareQuantOptions(Declare& d);
// Builds the plan; the quantizer's stochastic-rounding seed is `seed`.
srdd::QuantizationPlan quantPlan(const Parsed& opt, uint64_t seed);
// Prints "[ 42%] stage layer i/N  ETA 1.2s" lines to stderr (at most a few per second).
srdd::ProgressCallback stderrProgress();

}  // namespace srdd_cli
