#include "aqn/aqn_run_directory.h"

#include <srdd/aqn_rundir.h>
#include <srdd/error.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cmath>
#include <limits>

namespace srdd_gui {

namespace aqn = srdd::aqn;

namespace {

nlohmann::json readConfig(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly))
    throw srdd::Error(path.toStdString() + ": cannot open (" + f.errorString().toStdString() + ")");
  const QByteArray bytes = f.readAll();
  try {
    return nlohmann::json::parse(bytes.constData(), bytes.constData() + bytes.size());
  } catch (const nlohmann::json::exception&) {
    throw srdd::Error(path.toStdString() + ": is not valid JSON");
  }
}

AqnRunDirectory readPartial(const QString& dir, const QString& configPath) {
  const nlohmann::json config = readConfig(configPath);
  if (config.value("schema", "") != "srdd-aqn-config/1" || !config.contains("settings"))
    throw srdd::Error(configPath.toStdString() + ": is not an AQN run configuration (schema srdd-aqn-config/1)");
  AqnRunDirectory out;
  out.path = dir;
  aqn::ComparisonResult& r = out.result;
  try {
    r.settings = aqn::ComparisonSettings::fromJson(config.at("settings"));
    r.sigmaPerStep = config.value("schedule", nlohmann::json::object()).value("sigma_per_step", std::vector<double>{});
  } catch (const std::exception& e) {
    throw srdd::Error(configPath.toStdString() + ": " + e.what());
  }
  // The initial losses are in comparison.json only, which a stopped run has not written yet.
  r.initialLossQuantized = r.initialLossBf16 = std::numeric_limits<double>::quiet_NaN();
  r.provenance = {
      {"model", {{"path", r.settings.modelDirectory}, {"files", config.value("model_files", nlohmann::json())}}},
      {"data_files", config.value("data_files", nlohmann::json())},
      {"app", config.value("app", nlohmann::json())},
      {"created_utc", config.value("created_utc", "")}};
  std::vector<aqn::ConfigSpec> specs;
  const std::string path = dir.toStdString();
  for (const std::string& name : r.settings.configs) {
    int done = 0;
    for (int k = 0; k < r.settings.seeds; ++k) {
      const QString run = QString::fromStdString(aqn::rundir::runName(name, k));
      if (auto finished = aqn::rundir::readFinished(path, name, k)) {
        if (++done == 2)  // a configuration's statistics need two seeds
          specs.push_back({name, finished->noiseLayers, name != "bf16-aqn" && r.settings.train.quantizeTraining});
        r.runs.push_back(std::move(*finished));
        out.finished << run;
      } else {
        out.missing << run;
      }
    }
  }
  try {
    aqn::computeStatistics(r, specs);
  } catch (const srdd::Error&) {
    // Too few runs for the tests: the finished runs are still shown, without statistics.
    r.configs.clear();
    r.tests.clear();
  }
  return out;
}

}  // namespace

AqnRunDirectory readAqnRunDirectory(const QString& dir) {
  const QFileInfo info(dir);
  const QString root = info.isFile() ? info.absolutePath() : info.absoluteFilePath();
  const QString comparison =
      info.isFile() ? info.absoluteFilePath() : QDir(root).filePath(QStringLiteral("comparison.json"));
  const QString config = QDir(root).filePath(QStringLiteral("config.json"));
  if (QFileInfo::exists(comparison) || info.isFile()) {
    AqnRunDirectory out;
    out.path = root;
    out.result = aqn::readComparison(comparison.toStdString());
    for (const auto& run : out.result.runs)
      out.finished << QString::fromStdString(aqn::rundir::runName(run.config, run.seedIndex));
    return out;
  }
  if (!QFileInfo::exists(config))
    throw srdd::Error(QDir::toNativeSeparators(root).toStdString() +
                      ": not an AQN run directory (it holds neither comparison.json nor config.json)");
  return readPartial(root, config);
}

}  // namespace srdd_gui
