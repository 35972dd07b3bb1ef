// `srdd bench tokenizer`: tokenizer.json load time, parsed from the JSON and through the binary cache
// (core/src/tokenizer_cache.cpp), measured inside one process so that process start does not count.
#include <algorithm>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench.h"
#include "cli_options.h"
#include "srdd/error.h"
#include "srdd/tokenizer.h"

namespace {

namespace fs = std::filesystem;

// CACHE_DIR "" parses the JSON. The directory is passed, not set in the environment: setenv while LibTorch's
// threads read the environment is a data race (it crashed this command on a 16-core GPU host).
double secondsToLoad(const std::string& path, const std::string& cacheDir, srdd::Tokenizer* out = nullptr) {
  const auto start = std::chrono::steady_clock::now();
  srdd::Tokenizer tok = srdd::Tokenizer::fromFile(path, cacheDir);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (out) *out = tok;
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  d.positional("TOKENIZER", "tokenizer.json, or a model directory that holds one", true,
               {srdd_cli::CompletionHint::Kind::File, {}});
  d.integer("--repeat", "--repeat N", "timed loads per mode (default 5)", 1, 1000);
  d.flag("--json", "print the timings as JSON");
  return [&app] {
    const srdd_cli::Parsed opt(app);
    std::string path = *opt.value("TOKENIZER");
    if (fs::is_directory(path)) path += "/tokenizer.json";
    const int repeat = static_cast<int>(opt.integer("--repeat", 5));
    const fs::path cache = fs::temp_directory_path() / ("srdd-bench-tokenizer-" + std::to_string(getpid()));
    std::vector<double> parsed, hits;
    srdd::Tokenizer fromJson = srdd::Tokenizer::fromFile(path, ""), fromCache = fromJson;
    for (int i = 0; i < repeat; ++i) parsed.push_back(secondsToLoad(path, "", &fromJson));
    const double miss = secondsToLoad(path, cache.string());  // parses, then writes the cache
    for (int i = 0; i < repeat; ++i) hits.push_back(secondsToLoad(path, cache.string(), &fromCache));
    fs::remove_all(cache);
    const std::string sample = "Hello, world! Tokenizers: 12345 caf\u00e9 \u4f60\u597d <|im_end|>";
    if (fromJson.encode(sample) != fromCache.encode(sample) || fromJson.vocabSize() != fromCache.vocabSize())
      throw srdd::Error(path + ": the cached tokenizer differs from the parsed one");
    const nlohmann::json j = {{"tokenizer", path},    {"vocab_size", fromJson.vocabSize()},
                              {"repeat", repeat},     {"parse_json_median_s", median(parsed)},
                              {"cache_miss_s", miss}, {"cache_hit_median_s", median(hits)}};
    if (opt.flag("--json")) {
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    std::printf(
        "%s: %lld tokens\n  parse tokenizer.json  %.3f s (median of %d)\n  cache miss (parse + write)  %.3f s\n"
        "  cache hit             %.3f s (median of %d)\n",
        path.c_str(), static_cast<long long>(fromJson.vocabSize()), median(parsed), repeat, miss, median(hits), repeat);
    return 0;
  };
}

const srdd_cli::BenchRegistrar registrar(
    {"tokenizer", "tokenizer.json load time, parsed and through the binary cache",
     "srdd bench tokenizer TOKENIZER [--repeat N] [--json]",
     "Loads the tokenizer in one process: parsed from the JSON with the cache off, once with an empty cache (parse "
     "and write) and from the cache; checks that both give the same ids.",
     define});

}  // namespace
