#include "model_path.h"

#include <QDir>
#include <QFileInfo>

namespace srdd_gui {

bool sameModelPath(const QString& a, const QString& b, bool local) {
  if (a.isEmpty() || b.isEmpty()) return a.isEmpty() && b.isEmpty();
  if (local) {
    const QString ca = QFileInfo(a).canonicalFilePath(), cb = QFileInfo(b).canonicalFilePath();
    if (!ca.isEmpty() && !cb.isEmpty()) return ca == cb;
  }
  return QDir::cleanPath(a) == QDir::cleanPath(b);
}

}  // namespace srdd_gui
