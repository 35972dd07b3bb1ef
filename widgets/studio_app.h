#pragma once
// Application-wide identity and defaults for srdd-studio.
#include <QIcon>
#include <QString>

class QCoreApplication;

namespace srdd_gui {

// Organisation/application names (QSettings: org "SRDD", app "SRDD Studio") and version.
void setApplicationIdentity();
// The model opened when none is given: $SRDD_DEMO_MODEL when set and a directory, else the bundled
// demo model when it has a config.json; empty otherwise.
QString defaultModelDirectory();
// resources/icons/srdd-studio.svg, from the install prefix or the source tree; else the theme icon.
QIcon applicationIcon();

}  // namespace srdd_gui
