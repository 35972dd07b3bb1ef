#pragma once
// An AQN run directory as the GUI opens it: complete (comparison.json), or partial, i.e. stopped or killed
// before every configuration × seed had finished (config.json and the finished runs' result.json files, see
// srdd/aqn_rundir.h). A partial one gives the statistics of its finished runs, the names of the missing
// runs, and the settings that resume it (queued again with the same run directory, the engine keeps the
// finished runs and trains only the missing ones).
#include <srdd/aqn.h>

#include <QString>
#include <QStringList>

namespace srdd_gui {

struct AqnRunDirectory {
  QString path;
  // Complete: comparison.json. Partial: the finished runs, with statistics for the configurations that have
  // at least two of them.
  srdd::aqn::ComparisonResult result;
  QStringList finished, missing;  // run names "<config>-seed<k>", settings order
  bool isComplete() const { return missing.isEmpty(); }
  int expectedRuns() const { return static_cast<int>(finished.size() + missing.size()); }
};

// Reads DIR (or the comparison file DIR names). Throws srdd::Error naming the file: no comparison.json and
// no AQN config.json, or a file that does not parse.
AqnRunDirectory readAqnRunDirectory(const QString& dir);

}  // namespace srdd_gui
