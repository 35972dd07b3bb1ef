// `srdd make-random`: a full-size random-weight checkpoint of a known architecture, for benchmarks.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "command.h"
#include "options.h"
#include "srdd/error.h"
#include "srdd/random_checkpoint.h"

namespace {

const char* kUsage =
    "Usage: srdd make-random --like NAME OUT [--dtype bf16|fp16|fp32] [--seed N] [--shards N] [--layers N]\n"
    "\n"
    "Writes a Hugging Face model directory OUT (config.json + safetensors) with random weights shaped like\n"
    "the named model: normal(0, 0.02) matrices, ones for norms, zeros for biases. Same seed, same bytes.\n"
    "\n"
    "  --like NAME     qwen2.5-0.5b, qwen2.5-1.5b, qwen2.5-7b or tiny-qwen2 (required)\n"
    "  --dtype D       bf16 (default), fp16 or fp32\n"
    "  --seed N        random seed (default 0)\n"
    "  --shards N      split the weights into N files with an index (default 1)\n"
    "  --layers N      override the number of decoder layers";

at::ScalarType parseDtype(const std::string& s) {
  if (s == "bf16" || s == "bfloat16") return at::kBFloat16;
  if (s == "fp16" || s == "f16" || s == "float16") return at::kHalf;
  if (s == "fp32" || s == "f32" || s == "float32") return at::kFloat;
  throw srdd::Error("option --dtype: unknown dtype '" + s + "' (use bf16, fp16 or fp32)");
}

int run(const srdd_cli::Args& args) {
  const srdd_cli::Options opt(args, {"--like", "--dtype", "--seed", "--shards", "--layers"}, {});
  if (opt.positional().size() > 1) throw srdd::Error("unexpected argument '" + opt.positional()[1] + "'");
  const std::string out = opt.positional(0, "OUT (the directory to write)");
  srdd::ModelConfig config = srdd::presetConfig(opt.required("--like"));
  const at::ScalarType dtype = parseDtype(opt.value("--dtype", "bf16"));
  const long long seed = opt.integer("--seed", 0);
  if (seed < 0) throw srdd::Error("option --seed must not be negative");
  const long long shards = opt.integer("--shards", 1);
  if (shards < 1 || shards > 99999) throw srdd::Error("option --shards must be between 1 and 99999");
  const long long layers = opt.integer("--layers", config.numLayers);
  if (layers < 1 || layers > 100000) throw srdd::Error("option --layers must be between 1 and 100000");
  config.numLayers = layers;

  const auto start = std::chrono::steady_clock::now();
  srdd::writeRandomCheckpoint(config, out, dtype, static_cast<uint64_t>(seed), static_cast<int>(shards));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double gib = static_cast<double>(config.parameterCount()) * c10::elementSize(dtype) / (1024.0 * 1024 * 1024);
  std::printf("wrote %s: %s, %lld layers, %lld parameters, %s, %.2f GiB in %lld file(s), %.1f s\n", out.c_str(),
              config.architecture.c_str(), layers, static_cast<long long>(config.parameterCount()),
              c10::toString(dtype), gib, shards, seconds);
  return 0;
}

const srdd_cli::Registrar registrar({"make-random", "write a random-weight checkpoint shaped like a known model", kUsage, run});

}  // namespace
