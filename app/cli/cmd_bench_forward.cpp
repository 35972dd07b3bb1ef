// `srdd bench forward`: milliseconds per forward pass and tokens/s over a grid of batch sizes and lengths.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "bench.h"
#include "model_options.h"
#include "srdd/error.h"
#include "srdd/graphed_forward.h"
#include "srdd/version.h"

namespace {

std::vector<int64_t> parseList(const std::string& text, const std::string& option) {
  std::vector<int64_t> values;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v <= 0)
      throw srdd::Error(option + ": '" + item + "' is not a positive integer");
    values.push_back(v);
  }
  if (values.empty()) throw srdd::Error(option + " is empty");
  return values;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median milliseconds of `forward` (which returns logits) after `warmup` untimed calls; `last` keeps the last logits.
template <class F>
double medianMs(F forward, int warmup, int repeats, at::Tensor* last) {
  std::vector<double> ms;
  for (int r = 0; r < warmup + repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    at::Tensor logits = forward();
    logits.sum().item<float>();  // waits for the device
    auto end = std::chrono::steady_clock::now();
    if (r >= warmup) ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    *last = logits;
  }
  return median(ms);
}

int runBenchForward(const srdd_cli::Parsed& opt) {
  auto model = srdd_cli::loadModel(opt);
  const bool graphs = opt.flag("--graphs");
  if (graphs && !(model->device().is_cuda() && srdd::cudaGraphsAvailable()))
    throw srdd::Error("--graphs: CUDA graphs need a CUDA device and a CUDA build (SRDD_CUDA_GRAPHS not 0)");
  srdd::GraphedForward graphed(model);
  const auto batches = parseList(opt.value("--batches", "1,8,32"), "--batches");
  const auto seqs = parseList(opt.value("--seqs", "16,128,512"), "--seqs");
  const int repeats = static_cast<int>(opt.integer("--repeats", 5));
  const int warmup = static_cast<int>(opt.integer("--warmup", 2));
  c10::NoGradGuard noGrad;
  at::manual_seed(0);
  nlohmann::json rows = nlohmann::json::array();
  if (!opt.flag("--json"))
    std::cout << "model " << model->directory() << " | " << srdd::dtypeName(model->dtype()) << " on "
              << model->device().str() << " | " << at::get_num_threads() << " CPU threads | "
              << srdd::buildDescription() << "\n  batch    seq   ms/forward    tokens/s"
              << (graphs ? "   graph ms  graph tok/s  graph = eager" : "") << "\n";
  for (auto b : batches) {
    for (auto t : seqs) {
      auto ids = at::randint(model->config().vocabSize, {b, t}, at::kLong);
      std::vector<std::vector<int64_t>> seqsIds;
      for (int64_t i = 0; i < b; ++i) seqsIds.emplace_back(ids[i].data_ptr<int64_t>(), ids[i].data_ptr<int64_t>() + t);
      auto batch = srdd::Batch::fromSequences(seqsIds, model->device());
      at::Tensor eager, replayed;
      const double m = medianMs([&] { return model->forward(batch).logits; }, warmup, repeats, &eager);
      const double tps = static_cast<double>(b * t) / (m / 1000.0);
      nlohmann::json row = {{"batch", b}, {"seq", t}, {"ms_per_forward", m}, {"tokens_per_s", tps}};
      double gm = 0, gtps = 0;
      bool identical = false;
      if (graphs) {
        gm = medianMs([&] { return graphed.lastLogits(batch); }, std::max(warmup, 1), repeats, &replayed);
        gtps = static_cast<double>(b * t) / (gm / 1000.0);
        identical = at::equal(eager, replayed);  // the graph replays the eager kernels: bit for bit
        row["graph_ms_per_forward"] = gm;
        row["graph_tokens_per_s"] = gtps;
        row["graph_identical_to_eager"] = identical;
      }
      rows.push_back(row);
      if (!opt.flag("--json")) {
        std::cout << std::setw(7) << b << std::setw(7) << t << std::setw(13) << std::fixed << std::setprecision(2) << m
                  << std::setw(12) << std::setprecision(0) << tps;
        if (graphs)
          std::cout << std::setw(11) << std::setprecision(2) << gm << std::setw(13) << std::setprecision(0) << gtps
                    << (identical ? "  yes" : "  NO");
        std::cout << "\n";
      }
    }
  }
  if (opt.flag("--json")) {
    nlohmann::json j = {{"benchmark", "forward"},
                        {"model", model->directory()},
                        {"dtype", srdd::dtypeName(model->dtype())},
                        {"device", model->device().str()},
                        {"threads", at::get_num_threads()},
                        {"build", srdd::buildDescription()},
                        {"repeats", repeats},
                        {"results", rows}};
    std::cout << j.dump(1) << "\n";
  }
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  srdd_cli::declareModelOptions(d);
  d.text("--batches", "--batches LIST", "batch sizes (default 1,8,32)");
  d.text("--seqs", "--seqs LIST", "sequence lengths (default 16,128,512)");
  d.integer("--repeats", "--repeats N", "timed runs per cell, median reported (default 5)", 1);
  d.integer("--warmup", "--warmup N", "untimed runs first (default 2)", 0);
  d.flag("--graphs", "also time the forward replayed from a CUDA graph per shape, and check its logits equal eager's");
  d.flag("--json", "print JSON");
  return [&app] { return runBenchForward(srdd_cli::Parsed(app)); };
}

srdd_cli::BenchRegistrar reg({"forward", "ms per forward and tokens/s over batch x sequence length",
                              "srdd bench forward [MODEL] [--batches 1,8,32] [--seqs 16,128,512]", "", define});
}  // namespace
