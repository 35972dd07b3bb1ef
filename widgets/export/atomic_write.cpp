#include "export/atomic_write.h"

#include <srdd/atomic_file.h>
#include <srdd/error.h>

#include <QBuffer>
#include <QDir>
#include <QFileInfo>

namespace srdd_gui {

// The content is made in memory and handed to the engine's one atomic writer (srdd/atomic_file.h), so the
// GUI's files get the same temporary file + fsync + rename + directory fsync, and the same error lines.
void writeFileAtomically(const QString& path, const std::function<void(QIODevice*)>& write) {
  const QString native = QDir::toNativeSeparators(path);
  if (path.isEmpty()) throw srdd::Error("cannot write a file with an empty name");
  if (QFileInfo(path).isDir()) throw srdd::Error(native.toStdString() + ": is a directory");
  QByteArray content;
  QBuffer buffer(&content);
  buffer.open(QIODevice::WriteOnly);
  write(&buffer);
  buffer.close();
  srdd::writeFileAtomically(path.toStdString(), content.toStdString());
}

void writeFileAtomically(const QString& path, const QByteArray& content) {
  writeFileAtomically(path, [&](QIODevice* out) { out->write(content); });
}

}  // namespace srdd_gui
