#pragma once
// A tiny real AQN comparison for the GUI tests: 2 configurations × 2 seeds × STEPS steps on the bundled demo
// model, with a small held-out set.
#include "test_support.h"

#include <srdd/aqn.h>

#include <QByteArray>
#include <QFile>
#include <QString>

namespace aqn_test {

inline srdd::aqn::ComparisonSettings tiny(int steps) {
  srdd::aqn::ComparisonSettings s;
  s.modelDirectory = srdd_test::demoModelDir().toStdString();
  s.configs = {"baseline", "targeted"};
  s.targets = {2, 4};
  s.seeds = 2;
  s.train.steps = steps;
  s.train.batchSize = 2;
  s.train.seqLength = 32;
  s.noise.schedule.levels = 2;
  s.noise.schedule.warmupFraction = 0;
  s.data.evalSeqLength = 64;
  s.data.evalTokens = 256;
  return s;
}

inline QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace aqn_test
