#include "export/atomic_write.h"

#include <srdd/error.h>

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

namespace srdd_gui {

void writeFileAtomically(const QString& path, const std::function<void(QIODevice*)>& write) {
  const QString native = QDir::toNativeSeparators(path);
  if (path.isEmpty()) throw srdd::Error("cannot write a file with an empty name");
  if (QFileInfo(path).isDir()) throw srdd::Error(native.toStdString() + ": is a directory");
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly))
    throw srdd::Error(native.toStdString() + ": cannot write: " + file.errorString().toStdString());
  try {
    write(&file);
  } catch (...) {
    file.cancelWriting();
    throw;
  }
  if (file.error() != QFileDevice::NoError) {
    const QString why = file.errorString();
    file.cancelWriting();
    throw srdd::Error(native.toStdString() + ": write failed: " + why.toStdString());
  }
  if (!file.commit()) throw srdd::Error(native.toStdString() + ": cannot save: " + file.errorString().toStdString());
}

void writeFileAtomically(const QString& path, const QByteArray& content) {
  writeFileAtomically(path, [&](QIODevice* out) {
    if (out->write(content) != content.size())
      throw srdd::Error(QDir::toNativeSeparators(path).toStdString() + ": write failed: " +
                        out->errorString().toStdString());
  });
}

}  // namespace srdd_gui
