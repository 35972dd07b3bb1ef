#include "recent_models.h"

#include <QDir>

namespace srdd_gui {

RecentPaths RecentModels::paths() {
  return RecentPaths(QStringLiteral("recentModels"), RecentPaths::Directories, kMax);
}

QStringList RecentModels::list() { return paths().list(); }

void RecentModels::add(const QString& directory) { paths().add(QDir(directory).absolutePath()); }

void RecentModels::clear() { paths().clear(); }

}  // namespace srdd_gui
