// `srdd make-random`: a full-size random-weight checkpoint of a known architecture, for benchmarks.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_options.h"
#include "command.h"
#include "srdd/error.h"
#include "srdd/model.h"
#include "srdd/random_checkpoint.h"

namespace {

namespace fs = std::filesystem;

// What --json prints: the directory's files as written (name and size) and its config.json.
nlohmann::json writtenCheckpoint(const std::string& out) {
  nlohmann::json files = nlohmann::json::array();
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(out))
    if (e.is_regular_file()) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) files.push_back({{"name", p.filename().string()}, {"bytes", fs::file_size(p)}});
  std::ifstream config(out + "/config.json");
  return {{"directory", out}, {"files", files}, {"config", nlohmann::json::parse(config)}};
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  d.positional("OUT", "the model directory to write", true, {srdd_cli::CompletionHint::Kind::Directory, {}});
  d.choice(
       "--like", "--like NAME",
       "qwen2.5-0.5b, qwen2.5-1.5b, qwen2.5-3b, qwen2.5-7b, qwen2.5-14b, qwen2.5-32b, qwen2.5-72b, qwen3-0.6b,\n"
       "llama-3.2-1b or tiny-qwen2 "
       "(required; the real Hugging Face configs of those models)",
       [](const std::string& v) { srdd::presetConfig(v); }, srdd::presetNames())
      ->required();
  d.choice("--dtype", "--dtype D", "bf16 (default), fp16 or fp32", [](const std::string& v) { srdd::parseDtype(v); },
           {"bf16", "fp16", "fp32"});
  d.integer("--seed", "--seed N", "random seed (default 0)", 0);
  d.integer("--shards", "--shards N", "split the weights into N files with an index (default 1)", 1, 99999);
  d.integer("--layers", "--layers N", "override the number of decoder layers", 1, 100000);
  d.flag("--json", "print {directory, files: [{name, bytes}], config, parameters, dtype, seconds} instead of the line");
  return [&app] {
    const srdd_cli::Parsed opt(app);
    const std::string out = *opt.value("OUT");
    srdd::ModelConfig config = srdd::presetConfig(*opt.value("--like"));
    const at::ScalarType dtype = srdd::parseDtype(opt.value("--dtype", "bf16"));
    const long long seed = opt.integer("--seed", 0), shards = opt.integer("--shards", 1);
    config.numLayers = opt.integer("--layers", config.numLayers);

    const auto start = std::chrono::steady_clock::now();
    srdd::writeRandomCheckpoint(config, out, dtype, static_cast<uint64_t>(seed), static_cast<int>(shards));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (opt.flag("--json")) {
      nlohmann::json j = writtenCheckpoint(out);
      j["parameters"] = config.parameterCount();
      j["dtype"] = c10::toString(dtype);
      j["seed"] = seed;
      j["seconds"] = seconds;
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    const double gib = static_cast<double>(config.parameterCount()) * c10::elementSize(dtype) / (1024.0 * 1024 * 1024);
    std::printf("wrote %s: %s, %lld layers, %lld parameters, %s, %.2f GiB in %lld file(s), %.1f s\n", out.c_str(),
                config.architecture.c_str(), static_cast<long long>(config.numLayers),
                static_cast<long long>(config.parameterCount()), c10::toString(dtype), gib, shards, seconds);
    return 0;
  };
}

const srdd_cli::Registrar registrar(
    {"make-random", "write a random-weight checkpoint shaped like a known model",
     "srdd make-random --like NAME OUT [--dtype bf16|fp16|fp32] [--seed N] [--shards N] [--layers N] [--json]",
     "Writes a Hugging Face model directory OUT (config.json + safetensors) with random weights shaped like the named "
     "model: normal(0, 0.02) matrices, ones for norms, zeros for biases. Same seed, same bytes.",
     define});

}  // namespace
