// Model-file digests for provenance: correct SHA-256 (against coreutils' sha256sum), persisted in the
// digest cache between runs, and never stale when a file changes in place with the same size.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cstdlib>
#include <thread>

#include "srdd/scan_result.h"
#include "test_support.h"

namespace {
QString sha256sum(const QString& path) {
  QProcess p;
  p.start("sha256sum", {path});
  p.waitForFinished(60000);
  return QString(p.readAllStandardOutput()).section(' ', 0, 0);
}
void writeBytes(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  f.write(bytes);
}
QString digestOf(const nlohmann::json& files, const std::string& name) {
  for (const auto& f : files)
    if (f["name"] == name) return QString::fromStdString(f["sha256"].get<std::string>());
  return {};
}
}  // namespace

class TestModelDigests : public QObject {
  Q_OBJECT
  QTemporaryDir cache_;
 private Q_SLOTS:
  void initTestCase() { qputenv("SRDD_DIGEST_CACHE", cache_.path().toUtf8()); }

  void digestsMatchSha256sumAndPersist() {
    QTemporaryDir model;
    writeBytes(model.filePath("config.json"), "{}");
    writeBytes(model.filePath("model-00001-of-00002.safetensors"), QByteArray(100000, 'a'));
    writeBytes(model.filePath("model-00002-of-00002.safetensors"), QByteArray(3000, 'b'));
    writeBytes(model.filePath("notes.txt"), "not a model file");
    const auto files = srdd::modelFileDigests(model.path().toStdString());
    QCOMPARE(files.size(), size_t(3));  // config.json and the two shards, sorted; notes.txt is not listed
    QCOMPARE(QString::fromStdString(files[0]["name"].get<std::string>()), QString("config.json"));
    for (const auto& f : files) {
      const QString name = QString::fromStdString(f["name"].get<std::string>());
      QCOMPARE(QString::fromStdString(f["sha256"].get<std::string>()), sha256sum(model.filePath(name)));
    }
    // One cache entry per file, each holding that file's digest.
    const QStringList entries = QDir(cache_.path()).entryList(QDir::Files);
    QCOMPARE(entries.size(), 3);
    QStringList cached;
    for (const QString& e : entries) {
      QFile f(cache_.filePath(e));
      QVERIFY(f.open(QIODevice::ReadOnly));
      cached << QString(f.readAll()).trimmed();
    }
    QVERIFY(cached.contains(sha256sum(model.filePath("model-00001-of-00002.safetensors"))));
  }

  void changedFileIsRehashed() {
    QTemporaryDir model;
    const QString shard = model.filePath("model.safetensors");
    writeBytes(shard, QByteArray(5000, 'x'));
    const auto before = srdd::modelFileDigests(model.path().toStdString());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    writeBytes(shard, QByteArray(5000, 'y'));  // same size, new content and modification time
    const auto after = srdd::modelFileDigests(model.path().toStdString());
    QVERIFY(digestOf(before, "model.safetensors") != digestOf(after, "model.safetensors"));
    QCOMPARE(digestOf(after, "model.safetensors"), sha256sum(shard));
  }

  void withoutHashingOnlySizes() {
    QTemporaryDir model;
    writeBytes(model.filePath("model.safetensors"), QByteArray(123, 'z'));
    const auto files = srdd::modelFileDigests(model.path().toStdString(), /*hash=*/false);
    QCOMPARE(files[0]["bytes"].get<int>(), 123);
    QVERIFY(!files[0].contains("sha256"));
  }
};

QTEST_APPLESS_MAIN(TestModelDigests)
#include "test_model_digests.moc"
