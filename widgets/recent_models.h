#pragma once
// The "Open Recent" list of model directories: RecentPaths under the QSettings key "recentModels" (newest
// first, at most kMax, missing directories pruned).
#include "session/recent_paths.h"

namespace srdd_gui {

class RecentModels {
 public:
  static constexpr int kMax = 8;
  static QStringList list();  // existing directories only
  static void add(const QString& directory);
  static void clear();

 private:
  static RecentPaths paths();
};

}  // namespace srdd_gui
