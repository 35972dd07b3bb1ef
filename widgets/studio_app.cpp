#include "studio_app.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QGuiApplication>

#include <srdd/runtime.h>

namespace srdd_gui {

void setApplicationIdentity() {
  QCoreApplication::setOrganizationName(QStringLiteral("SRDD"));
  QCoreApplication::setApplicationName(QStringLiteral("SRDD Studio"));
  QCoreApplication::setApplicationVersion(QStringLiteral(SRDD_VERSION));
  QGuiApplication::setDesktopFileName(QStringLiteral("org.srdd.Studio"));  // packaging/linux/org.srdd.Studio.desktop
}

QString defaultModelDirectory() {
  const QString dir = QString::fromStdString(srdd::defaultModelDirectory());
  if (!qEnvironmentVariable("SRDD_DEMO_MODEL").isEmpty()) return QFileInfo(dir).isDir() ? dir : QString();
  // The bundled directory counts only once its weights are there (a source checkout may lack them).
  return QFileInfo(dir + "/config.json").isFile() ? dir : QString();
}

QIcon applicationIcon() {
  const QString name = QStringLiteral("srdd-studio.svg");
  const QString candidates[] = {
      QCoreApplication::applicationDirPath() + "/../share/icons/hicolor/scalable/apps/" + name,
      QString::fromStdString(srdd::sourceDirectory()) + "/resources/icons/" + name};
  for (const QString& path : candidates)
    if (QFileInfo(path).isFile()) return QIcon(path);
  return QIcon::fromTheme(QStringLiteral("srdd-studio"));
}

}  // namespace srdd_gui
