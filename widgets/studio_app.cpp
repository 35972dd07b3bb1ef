#include "studio_app.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace srdd_gui {

void setApplicationIdentity() {
  QCoreApplication::setOrganizationName(QStringLiteral("SRDD"));
  QCoreApplication::setApplicationName(QStringLiteral("SRDD Studio"));
  QCoreApplication::setApplicationVersion(QStringLiteral(SRDD_VERSION));
}

QString defaultModelDirectory() {
  const QString chosen = qEnvironmentVariable("SRDD_DEMO_MODEL");
  if (!chosen.isEmpty()) return QFileInfo(chosen).isDir() ? chosen : QString();
  // The bundled directory counts only once its weights are there (a source checkout may lack them).
  const QString bundled = QStringLiteral(SRDD_DEFAULT_MODEL_DIR);
  return QFileInfo(bundled + "/config.json").isFile() ? bundled : QString();
}

QIcon applicationIcon() {
  const QString name = QStringLiteral("srdd-studio.svg");
  const QString candidates[] = {
      QCoreApplication::applicationDirPath() + "/../share/icons/hicolor/scalable/apps/" + name,
      QDir(QStringLiteral(SRDD_DEFAULT_MODEL_DIR)).filePath("../icons/" + name)};
  for (const QString& path : candidates)
    if (QFileInfo(path).isFile()) return QIcon(path);
  return QIcon::fromTheme(QStringLiteral("srdd-studio"));
}

}  // namespace srdd_gui
