// srdd.read_aqn_run(): the documents of an AQN run directory (srdd/aqn_rundir.h), as the files hold them.
#include <filesystem>
#include <fstream>

#include "py_bindings.h"
#include "py_json.h"
#include "srdd/aqn.h"
#include "srdd/aqn_rundir.h"
#include "srdd/error.h"

namespace py = pybind11;
namespace fs = std::filesystem;

namespace srdd_py {
namespace {

// Per-step series of a run (train_loss, sigma, grad_norm), the comparison's schedule.sigma_per_step and
// each configuration's per-seed losses (values).
bool aqnSeries(const nlohmann::json& parent, const std::string& key) {
  return (key == "train_loss" || key == "sigma" || key == "grad_norm" || key == "sigma_per_step" || key == "values") &&
         parent[key].is_array();
}

nlohmann::json readJson(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw srdd::Error(path.string() + ": cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw srdd::Error(path.string() + ": is not valid JSON (" + srdd::jsonErrorText(e) + ")");
  }
}

nlohmann::json readJsonLines(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw srdd::Error(path.string() + ": cannot open");
  nlohmann::json lines = nlohmann::json::array();
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.empty()) continue;
    try {
      lines.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      throw srdd::Error(path.string() + ":" + std::to_string(number) + ": is not valid JSON (" +
                        srdd::jsonErrorText(e) + ")");
    }
  }
  return lines;
}

// {dir, config, comparison (None until every run finished), runs: {"<config>-seed<k>": {result (None while
// unfinished), metrics: [one dict per line of metrics.jsonl]}}}; runs in config order, then seed order, for
// the runs that have started.
nlohmann::json readRunDirectory(const std::string& dir) {
  const fs::path root(dir);
  if (!fs::is_directory(root)) throw srdd::Error(dir + ": no such AQN run directory");
  const nlohmann::json config = readJson(root / "config.json");
  if (config.value("schema", "") != "srdd-aqn-config/1")
    throw srdd::Error((root / "config.json").string() + ": is not an AQN run configuration (schema srdd-aqn-config/1)");
  srdd::aqn::ComparisonSettings settings;
  try {
    settings = srdd::aqn::ComparisonSettings::fromJson(config.at("settings"));
  } catch (const std::exception& e) {
    throw srdd::Error((root / "config.json").string() + ": settings: " + e.what());
  }
  nlohmann::json runs = nlohmann::json::object();
  for (const auto& name : settings.configs)
    for (int k = 0; k < settings.seeds; ++k) {
      const fs::path run = srdd::aqn::rundir::runPath(dir, name, k);
      if (!fs::is_directory(run)) continue;
      nlohmann::json entry = {{"result", nullptr}, {"metrics", nlohmann::json::array()}};
      if (srdd::aqn::rundir::readFinished(dir, name, k)) entry["result"] = readJson(run / "result.json");
      if (fs::exists(run / "metrics.jsonl")) entry["metrics"] = readJsonLines(run / "metrics.jsonl");
      runs[srdd::aqn::rundir::runName(name, k)] = entry;
    }
  nlohmann::json comparison;
  if (fs::exists(root / "comparison.json")) {
    comparison = readJson(root / "comparison.json");
    try {
      srdd::aqn::comparisonFromJson(comparison);
    } catch (const srdd::Error& e) {
      throw srdd::Error((root / "comparison.json").string() + ": " + e.what());
    }
  }
  return {{"dir", dir}, {"config", config}, {"comparison", comparison}, {"runs", runs}};
}

}  // namespace

void bindAqn(py::module_& m) {
  m.def(
      "read_aqn_run", [](const std::string& dir) { return toPython(readRunDirectory(dir), aqnSeries); }, py::arg("dir"),
      R"(The documents of an AQN run directory (`srdd aqn --out DIR`): {dir, config (config.json,
srdd-aqn-config/1), comparison (comparison.json, srdd-aqn/1; None until the comparison finished), runs:
{"<config>-seed<k>": {result (result.json, srdd-aqn-run/1; None while unfinished), metrics (metrics.jsonl,
one dict per step)}}}. Per-step train_loss, sigma, grad_norm, schedule.sigma_per_step and the configurations'
per-seed "values" are float64 NumPy arrays; everything else is as in the files.)");
}

}  // namespace srdd_py
