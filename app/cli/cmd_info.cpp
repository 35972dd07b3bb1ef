// `srdd info`: what a checkpoint directory holds (architecture, sizes, parameters, dtypes, memory).
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>

#include "command.h"
#include "engine_cli.h"
#include "cli_options.h"
#include "srdd/error.h"
#include "model_options.h"
#include "srdd/model_summary.h"

namespace {

std::string humanBytes(double bytes) {
  char buf[32];
  if (bytes >= 1024.0 * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f MiB", bytes / (1024.0 * 1024));
  }
  return buf;
}

void printText(const srdd::ModelSummary& s, const std::map<std::string, int>& dtypes) {
  auto line = [](const char* key, const std::string& value) { std::printf("%-16s%s\n", key, value.c_str()); };
  std::string dtypeText;
  for (const auto& [d, n] : dtypes)
    dtypeText += (dtypeText.empty() ? "" : ", ") + d + " (" + std::to_string(n) + " tensors)";
  char buf[64];
  line("Model", s.directory);
  line("Architecture", s.architecture + " (" + s.modelType + ")");
  line("Layers", std::to_string(s.numLayers));
  line("Hidden size", std::to_string(s.hiddenSize));
  line("Intermediate", std::to_string(s.intermediateSize));
  line("Heads", std::to_string(s.numHeads) + " (KV heads " + std::to_string(s.numKvHeads) + ", head dim " +
                    std::to_string(s.headDim) + ")");
  line("Vocabulary", std::to_string(s.vocabSize));
  std::snprintf(buf, sizeof buf, "%g", s.ropeTheta);
  line("RoPE theta", buf);
  std::snprintf(buf, sizeof buf, "%g", s.rmsNormEps);
  line("RMSNorm eps", buf);
  line("Tied lm_head", s.tiedEmbeddings ? "yes" : "no");
  line("Attention bias", s.attentionBias ? "yes" : "no");
  std::snprintf(buf, sizeof buf, "%lld (%.3f B)", static_cast<long long>(s.totalParameters), s.totalParameters / 1e9);
  line("Parameters", buf);
  line("Dtypes", dtypeText);
  line("Files", std::to_string(s.files.size()));
  line("On disk", humanBytes(static_cast<double>(s.bytesOnDisk)) + " (" + std::to_string(s.bytesOnDisk) + " bytes)");
  line("Memory bf16", humanBytes(s.totalParameters * 2.0));
  line("Memory fp32", humanBytes(s.totalParameters * 4.0));
  std::printf("\n%-18s%16s  %s\n", "Row", "Parameters", "Dtype");
  for (const auto& r : s.rows)
    std::printf("%-18s%16lld  %s\n", r.name.c_str(), static_cast<long long>(r.parameters), r.dtype.c_str());
}

int run(const srdd_cli::Parsed& opt) {
  std::optional<srdd_cli::ConnectedEngine> engine;
  if (auto spec = opt.value("--engine")) engine = srdd_cli::connectEngine(*spec);
  // With an engine, MODEL (a path or a Hugging Face id) is resolved on the engine's host.
  const srdd::ModelSummary s =
      engine ? srdd::modelSummaryFromJson(
                   srdd_cli::runEngineJob(*engine, {{"type", "info"}, {"model", opt.value("MODEL", "")}}, true).body)
             : srdd::summarizeModel(srdd_cli::modelDirectory(opt));
  std::map<std::string, int> dtypes;
  for (const auto& r : s.rows) {
    for (const auto& t : r.tensors) ++dtypes[t.dtype];
  }
  if (opt.flag("--json")) {
    nlohmann::json j = srdd::modelSummaryToJson(s);
    if (engine) j["engine"] = srdd_cli::engineProvenance(*engine);
    std::cout << j.dump(2) << "\n";
  } else {
    printText(s, dtypes);
  }
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  srdd_cli::declareModelArgument(d);
  d.flag("--json", "print the same as one JSON object");
  srdd_cli::declareEngineOption(d);
  return [&app] { return run(srdd_cli::Parsed(app)); };
}

const srdd_cli::Registrar registrar(
    {"info", "describe a model directory: architecture, sizes, parameters, memory", "srdd info [MODEL] [--json]",
     "Validates the Hugging Face model directory MODEL (config.json + safetensors; default: the bundled demo model) "
     "and "
     "prints its architecture, sizes, parameter count, dtypes, bytes on disk, the memory its weights need in bf16 and "
     "fp32, and the parameters of each layer. With --engine, MODEL is described on the engine's host.",
     define});

}  // namespace
