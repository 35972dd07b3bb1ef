// `srdd bench aqn`: training tokens/s and peak GPU memory of a plain bf16 training step, a W4A16-MXFP4
// (straight-through) step, and a W4A16-MXFP4 + AQN step (noise on every layer's RMSNorm weights).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>

#include "bench.h"
#include "model_options.h"
#include "srdd/aqn_train.h"
#include "srdd/error.h"
#include "srdd/scan.h"
#include "srdd/version.h"

namespace {

struct Variant {
  std::string name;
  bool quantize, noise;
};

int runBenchAqn(const srdd_cli::Parsed& opt) {
  auto model = srdd_cli::loadModel(opt);
  const int batch = static_cast<int>(opt.integer("--batch", 4));
  const int seq = static_cast<int>(opt.integer("--seq", 512));
  const int steps = static_cast<int>(opt.integer("--steps", 9));
  const int warmup = static_cast<int>(opt.integer("--warmup", 2));
  const double sigma = opt.number("--sigma", 0.01);
  if (!(sigma > 0)) throw srdd_cli::UsageError("option --sigma must be > 0");
  const bool json = opt.flag("--json");
  const at::Device device = model->device();
  const int cudaIndex = device.is_cuda() ? device.index() : -1;

  at::manual_seed(0);
  const auto ids = at::randint(model->config().vocabSize, {batch, seq}, at::kLong);
  std::set<int> allLayers;
  for (int l = 0; l < model->numLayers(); ++l) allLayers.insert(l);
  srdd::aqn::NoiseSettings noise;
  noise.schedule.sigmaStart = sigma;  // constant σ from the first step
  noise.schedule.levels = 1;
  noise.schedule.warmupFraction = 0;

  if (!json)
    std::cout << "model " << model->directory() << " | " << srdd::dtypeName(model->dtype()) << " on " << device.str()
              << " | batch " << batch << " x seq " << seq << " | " << srdd::buildDescription()
              << "\n  step                     ms/step   tokens/s   peak GPU MiB   vs bf16\n";
  nlohmann::json rows = nlohmann::json::array();
  double bf16Ms = 0;
  for (const Variant& v :
       {Variant{"bf16", false, false}, Variant{"w4a16-mxfp4", true, false}, Variant{"w4a16-mxfp4+aqn", true, true}}) {
    if (cudaIndex >= 0) srdd::aqn::cudaResetPeakMemory(cudaIndex);
    srdd::aqn::TrainSettings train;
    train.quantizeTraining = v.quantize;
    train.trainable = opt.value("--trainable", "all");
    std::vector<double> stepMs;
    {
      srdd::aqn::Trainer trainer(*model, train, noise, v.noise ? allLayers : std::set<int>{}, 0);
      for (int s = 0; s < warmup + steps; ++s) {
        if (s == warmup) srdd::synchronizeDevice(device);
        const auto start = std::chrono::steady_clock::now();
        trainer.step(ids, s, warmup + steps);
        srdd::synchronizeDevice(device);
        if (s >= warmup)
          stepMs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      }
    }
    std::sort(stepMs.begin(), stepMs.end());  // the median step: robust to the odd slow step
    const double ms = stepMs[stepMs.size() / 2];
    if (v.name == "bf16") bf16Ms = ms;
    const int64_t peak = cudaIndex >= 0 ? srdd::aqn::cudaPeakMemoryBytes(cudaIndex) : -1;
    const double tps = batch * seq / (ms / 1000.0);
    const double overhead = (ms / bf16Ms - 1.0) * 100.0;
    rows.push_back({{"step", v.name},
                    {"ms_per_step", ms},
                    {"tokens_per_s", tps},
                    {"peak_gpu_memory_bytes", peak >= 0 ? nlohmann::json(peak) : nlohmann::json()},
                    {"overhead_vs_bf16_percent", overhead}});
    if (!json)
      std::cout << "  " << std::left << std::setw(22) << v.name << std::right << std::fixed << std::setprecision(1)
                << std::setw(10) << ms << std::setw(11) << std::setprecision(0) << tps << std::setw(15)
                << (peak >= 0 ? std::to_string(peak >> 20) : std::string("-")) << std::setw(9) << std::setprecision(1)
                << overhead << "%\n";
  }
  if (json) {
    nlohmann::json j = {{"benchmark", "aqn"},
                        {"model", model->directory()},
                        {"dtype", srdd::dtypeName(model->dtype())},
                        {"device", device.str()},
                        {"threads", at::get_num_threads()},
                        {"build", srdd::buildDescription()},
                        {"batch", batch},
                        {"seq", seq},
                        {"steps", steps},
                        {"sigma", sigma},
                        {"trainable", opt.value("--trainable", "all")},
                        {"results", rows}};
    std::cout << j.dump(1) << "\n";
  }
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  srdd_cli::declareModelOptions(d);
  d.integer("--batch", "--batch N", "sequences per step (default 4)", 1);
  d.integer("--seq", "--seq N", "tokens per sequence (default 512)", 2);
  d.integer("--steps", "--steps N", "timed training steps per variant, the median is reported (default 9)", 1);
  d.integer("--warmup", "--warmup N", "untimed steps first (default 2)", 0);
  d.text("--trainable", "--trainable T", "all (default), norms, or regexes of parameter names");
  d.number("--sigma", "--sigma X", "constant AQN sigma on every layer's RMSNorm weights (default 0.01)", 0);
  d.flag("--json", "print JSON");
  return [&app] { return runBenchAqn(srdd_cli::Parsed(app)); };
}

srdd_cli::BenchRegistrar reg({"aqn", "training tokens/s and peak GPU memory: bf16 step vs W4A16-MXFP4 + AQN step",
                              "srdd bench aqn [MODEL] [--batch 4] [--seq 512] [--steps 9]", "", define});

}  // namespace
