#pragma once
// Real inputs for the proposal-report tests, made quickly by the CLI: the demo model with a planted weight fault
// in layer 3 (so the floor rules flag that layer), a short scan of it, and a tiny real AQN comparison (baseline,
// global, targeted = layer 3; 2 seeds x 4 steps).
#include "test_support.h"

#include <QDir>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace report_test {

constexpr int kPlantedLayer = 3;

// Runs `srdd ARGS` with one OpenMP thread (a busy 2-core box); "" on success, else the command and its output.
inline QString runQuietCli(const QStringList& args, const QProcessEnvironment& extra = {}) {
  QProcess p;
  auto env = QProcessEnvironment::systemEnvironment();
  env.insert("OMP_NUM_THREADS", "1");
  for (const QString& k : extra.keys()) env.insert(k, extra.value(k));
  p.setProcessEnvironment(env);
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(srdd_test::cliPath(), args);
  const bool ok = p.waitForFinished(300000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
  return ok ? QString() : "srdd " + args.join(' ') + ":\n" + QString::fromUtf8(p.readAll());
}

struct Inputs {
  QString model, scan, aqn;  // planted model directory, its scan JSON, the AQN run directory
};

// Makes the inputs under DIR; returns "" or what failed.
inline QString makeInputs(const QString& dir, Inputs* in) {
  in->model = dir + "/planted";
  in->scan = dir + "/planted.json";
  in->aqn = dir + "/aqn";
  const QString layer = QString::number(kPlantedLayer);
  for (const QStringList& args :
       {QStringList{"plant", srdd_test::demoModelDir(), in->model, "--fault", "weight-outliers", "--layer", layer},
        QStringList{"scan", in->model, "--out", in->scan, "--scans", "gain,kurtosis,fidelity,weights", "--prompts",
                    "builtin:srdd", "--max-tokens", "16", "--timestamp", "2026-01-01T00:00:00Z", "--quiet",
                    "--no-report"},
        QStringList{"aqn",     in->model,     "--targets",
                    layer,     "--configs",   "baseline,global,targeted",
                    "--seeds", "2",           "--steps",
                    "4",       "--seq",       "32",
                    "--batch", "2",           "--eval-tokens",
                    "256",     "--eval-seq",  "64",
                    "--quiet", "--timestamp", "2026-01-01T00:00:00Z",
                    "--out",   in->aqn}})
    if (const QString error = runQuietCli(args); !error.isEmpty()) return error;
  return {};
}

}  // namespace report_test
