#pragma once
// A most-recent-first list of files or folders kept in QSettings under one key (at most a fixed number,
// entries that no longer exist are left out). RecentModels and recentSessions() are built on it.
#include <QString>
#include <QStringList>

namespace srdd_gui {

class RecentPaths {
 public:
  enum Kind { Files, Directories };
  RecentPaths(QString settingsKey, Kind kind, int max);

  QStringList list() const;  // existing entries only, newest first
  void add(const QString& path) const;
  void remove(const QString& path) const;
  void clear() const;

 private:
  QString m_key;
  Kind m_kind;
  int m_max;
};

// Session files opened or saved lately (QSettings key "recentSessions", 10 entries).
RecentPaths recentSessions();

}  // namespace srdd_gui
