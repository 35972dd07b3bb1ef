#include "recent_models.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace srdd_gui {

static const char* const kKey = "recentModels";

QStringList RecentModels::list() {
  QStringList out;
  for (const QString& d : QSettings().value(kKey).toStringList())
    if (QFileInfo(d).isDir() && !out.contains(d)) out << d;
  return out.mid(0, kMax);
}

void RecentModels::add(const QString& directory) {
  const QString dir = QDir(directory).absolutePath();
  QStringList l = list();
  l.removeAll(dir);
  l.prepend(dir);
  QSettings().setValue(kKey, l.mid(0, kMax));
}

void RecentModels::clear() { QSettings().remove(kKey); }

}  // namespace srdd_gui
