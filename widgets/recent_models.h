#pragma once
// The "Open Recent" list, kept in QSettings (newest first, at most kMax, missing directories pruned).
#include <QStringList>

namespace srdd_gui {

class RecentModels {
 public:
  static constexpr int kMax = 8;
  static QStringList list();             // existing directories only
  static void add(const QString& directory);
  static void clear();
};

}  // namespace srdd_gui
