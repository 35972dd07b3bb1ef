#include "session/recent_paths.h"

#include <QFileInfo>
#include <QSettings>

namespace srdd_gui {

RecentPaths::RecentPaths(QString settingsKey, Kind kind, int max)
    : m_key(std::move(settingsKey)), m_kind(kind), m_max(max) {}

QStringList RecentPaths::list() const {
  QStringList out;
  for (const QString& p : QSettings().value(m_key).toStringList()) {
    const QFileInfo info(p);
    if ((m_kind == Files ? info.isFile() : info.isDir()) && !out.contains(p)) out << p;
  }
  return out.mid(0, m_max);
}

void RecentPaths::add(const QString& path) const {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  QStringList l = list();
  l.removeAll(absolute);
  l.prepend(absolute);
  QSettings().setValue(m_key, l.mid(0, m_max));
}

void RecentPaths::remove(const QString& path) const {
  QStringList l = list();
  l.removeAll(QFileInfo(path).absoluteFilePath());
  QSettings().setValue(m_key, l);
}

void RecentPaths::clear() const { QSettings().remove(m_key); }

RecentPaths recentSessions() { return RecentPaths(QStringLiteral("recentSessions"), RecentPaths::Files, 10); }

}  // namespace srdd_gui
