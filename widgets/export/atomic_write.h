#pragma once
// Atomic file writes for everything the GUI saves (figures, data, sessions, local copies of engine runs):
// the content is made in memory, then written by srdd::writeFileAtomically (temporary file in the target's
// directory, fsync, rename, directory fsync). A failure leaves the old file untouched and no temporary behind.
#include <QByteArray>
#include <QString>

#include <functional>

class QIODevice;

namespace srdd_gui {

// Writes CONTENT to PATH atomically. Throws srdd::Error naming PATH on failure.
void writeFileAtomically(const QString& path, const QByteArray& content);
// Opens a temporary file for PATH, lets WRITE fill it (WRITE may throw), then commits it atomically.
void writeFileAtomically(const QString& path, const std::function<void(QIODevice*)>& write);

}  // namespace srdd_gui
