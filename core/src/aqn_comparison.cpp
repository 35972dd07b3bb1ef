// runComparison: resolves the settings, prepares (or resumes) the run directory, runs every
// configuration × seed that has no result yet, and writes the statistics.
#include <ATen/Parallel.h>

#include <filesystem>

#include "srdd/aqn_rundir.h"
#include "srdd/aqn_train.h"
#include "srdd/error.h"
#include "srdd/fault_point.h"
#include "srdd/hf_hub.h"
#include "srdd/quantized_forward.h"
#include "srdd/runtime.h"
#include "srdd/safetensors.h"
#include "srdd/scan.h"
#include "srdd/version.h"

namespace fs = std::filesystem;

namespace srdd::aqn {

namespace {

std::string absolute(const std::string& path) { return fs::absolute(path).lexically_normal().string(); }

// Absolute paths and the model's default data files, so that config.json does not depend on the
// working directory and a resumed run can be checked against it.
ComparisonSettings resolveSettings(const ComparisonSettings& in) {
  ComparisonSettings s = in;
  s.modelDirectory = resolveModelDirectory(s.modelDirectory);
  if (!fs::is_directory(s.modelDirectory)) throw Error(s.modelDirectory + ": no such model directory");
  s.modelDirectory = fs::canonical(s.modelDirectory).string();
  s.device = normalizeDeviceName(s.device);
  if (s.protocol == Protocol::Training) {
    auto defaultFile = [&](std::string& path, const char* name, const char* option) {
      if (!path.empty()) {
        path = absolute(path);
        return;
      }
      path = s.modelDirectory + "/" + name;
      if (!fs::exists(path))
        throw Error(s.modelDirectory + ": has no " + name + " to use by default; pass " + option + " FILE");
    };
    defaultFile(s.data.trainPath, "aqn-train.txt", "--train");
    defaultFile(s.data.evalPath, "heldout.txt", "--eval");
  } else if (s.reference.prompts.rfind("builtin:", 0) != 0) {
    s.reference.prompts = absolute(s.reference.prompts);
  }
  return s;
}

}  // namespace

ComparisonResult runComparison(const ComparisonSettings& settings, const std::string& runDir,
                               const ProgressCallback& progress, const CancelToken* cancel, bool force,
                               const std::string& createdUtc) {
  if (runDir.empty()) throw Error("AQN: no run directory given");
  ComparisonSettings s = resolveSettings(settings);
  s.validate();
  auto model = Model::load(s.modelDirectory, {s.device, s.dtype});
  const auto specs = resolveConfigs(s, model->numLayers());
  const bool training = s.protocol == Protocol::Training;
  auto runner = training ? makeTrainingRunner(*model, s) : makeReferenceRunner(*model, s);

  ComparisonResult r;
  r.settings = s;
  if (training) r.sigmaPerStep = s.noise.schedule.sigmaPerStep(s.train.steps);
  const auto& cfg = model->config();
  const auto files = modelFileDigests(s.modelDirectory, true);
  r.provenance = {{"model",
                   {{"path", s.modelDirectory},
                    {"files", files},
                    {"num_layers", model->numLayers()},
                    {"hidden_size", cfg.hiddenSize},
                    {"vocab_size", cfg.vocabSize},
                    {"tied_embeddings", model->tiedLmHead()}}},
                  {"data_files", runner->dataFiles()},
                  {"device", model->device().str()},
                  {"dtype", dtypeName(model->dtype())},
                  {"threads", at::get_num_threads()},
                  {"app", {{"version", versionString()}, {"git_commit", gitCommit()}}},
                  {"libtorch", torchVersionString()},
                  {"created_utc", createdUtc.empty() ? utcTimestamp() : createdUtc}};
  if (training) {
    const auto plan =
        s.train.quantization.empty() ? QuantizationPlan() : QuantizationPlan::fromJson(s.train.quantization);
    r.provenance["quantization_sharing"] = plan.tiedSharing(model->tiedLmHead());
  }
  nlohmann::json config = {{"settings", s.toJson()},
                           {"model_files", files},
                           {"data_files", runner->dataFiles()},
                           {"app", r.provenance["app"]},
                           {"created_utc", r.provenance["created_utc"]}};
  if (training) {
    config["schedule"] = s.noise.schedule.toJson();
    config["schedule"]["sigma_per_step"] = r.sigmaPerStep;
  }
  const rundir::Lock lock(runDir);  // held until the comparison is written
  rundir::prepare(runDir, config, force);

  long missing = 0;
  for (const auto& c : specs)
    for (int k = 0; k < s.seeds; ++k)
      if (!fs::exists(rundir::runPath(runDir, c.name, k) + "/result.json")) ++missing;
  ProgressTracker tracker(progress, cancel, 1 + missing * runner->unitsPerRun(), model->numLayers());
  tracker.begin("evaluating the initial model");
  std::tie(r.initialLossQuantized, r.initialLossBf16) = runner->initialLosses();
  tracker.done();
  for (const auto& c : specs) {
    for (int k = 0; k < s.seeds; ++k) {
      if (auto done = rundir::readFinished(runDir, c.name, k)) {
        r.runs.push_back(*done);
        continue;
      }
      const std::string label = c.name + " seed " + std::to_string(k + 1) + "/" + std::to_string(s.seeds);
      std::vector<nlohmann::json> metrics;
      RunResult run = runner->run(c, k, s.baseSeed + static_cast<uint64_t>(k), tracker, label, metrics);
      rundir::writeRun(runDir, run, metrics);
      r.runs.push_back(std::move(run));
    }
  }
  computeStatistics(r, specs);
  faultPoint("aqn.comparison");
  writeFileAtomically((fs::path(runDir) / "comparison.json").string(), r.toJson().dump(2) + "\n");
  return r;
}

}  // namespace srdd::aqn
