// Session files: round trip through real files, every error case names the file, atomic save, recent list.
#include "session/recent_paths.h"
#include "session/session.h"
#include "targets/target_set.h"

#include <srdd/error.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using srdd_gui::Session;

namespace {

Session sample(const QString& dir) {
  Session s;
  s.modelDir = dir + "/Qwen2.5-1.5B";
  s.scanResultPath = dir + "/scan/results.json";
  s.layerSelection = {4, 9};
  s.numLayers = 28;
  s.targetLayers = {3, 7, 12};
  s.currentMetric = "sqnr";
  s.heatmapScale = "log";
  s.currentTab = "heatmap";
  s.views = QJsonObject{{"heatmap", QJsonObject{{"normalise", "per-metric"}}}, {"splitter", QJsonArray{400, 800}}};
  return s;
}

void writeFile(const QString& path, const QByteArray& content) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(content);
}

}  // namespace

class TestSessionFile : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void init();
  void roundTripWithScanPath();
  void roundTripWithEmbeddedScan();
  void targetSetRestoresThroughSession();
  void relativePathsAreTakenFromTheSessionFolder();
  void errorsNameTheFile_data();
  void errorsNameTheFile();
  void saveIsAtomic();
  void recentSessions();

 private:
  std::unique_ptr<QTemporaryDir> m_dir;
  QTemporaryDir m_settingsDir;
};

void TestSessionFile::initTestCase() {
  QSettings::setDefaultFormat(QSettings::IniFormat);
  QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
  QCoreApplication::setOrganizationName("SRDD-test");
  QCoreApplication::setApplicationName("test_session_file");
}

void TestSessionFile::init() { m_dir = std::make_unique<QTemporaryDir>(); }

void TestSessionFile::roundTripWithScanPath() {
  const Session s = sample(m_dir->path());
  const QString path = m_dir->filePath("a.srdd-session");
  s.save(path);
  const Session back = Session::load(path);
  QVERIFY(back == s);
  QCOMPARE(back.targetLayers, (QList<int>{3, 7, 12}));
  QCOMPARE(back.views.value("splitter").toArray(), (QJsonArray{400, 800}));
  // the file is plain, versioned JSON
  QFile f(path);
  QVERIFY(f.open(QIODevice::ReadOnly));
  const QJsonObject json = QJsonDocument::fromJson(f.readAll()).object();
  QCOMPARE(json.value("format").toString(), QString("srdd-studio-session"));
  QCOMPARE(json.value("schema_version").toInt(), 1);
  QCOMPARE(json.value("scan").toObject().value("path").toString(), s.scanResultPath);
}

void TestSessionFile::roundTripWithEmbeddedScan() {
  Session s = sample(m_dir->path());
  s.scanResultPath.clear();
  s.scanResult = QJsonObject{{"model", "demo"}, {"layers", QJsonArray{QJsonObject{{"sqnr", 21.5}}}}};
  const QString path = m_dir->filePath("b.srdd-session");
  s.save(path);
  const Session back = Session::load(path);
  QVERIFY(back == s);
  QCOMPARE(back.scanResult.value("layers").toArray().at(0).toObject().value("sqnr").toDouble(), 21.5);
  // an empty session round-trips too
  Session empty;
  empty.save(path);
  QVERIFY(Session::load(path) == empty);
}

void TestSessionFile::targetSetRestoresThroughSession() {
  srdd_gui::TargetSet targets;
  targets.reset(28);
  targets.add({5, 11});
  Session s;
  s.numLayers = targets.numLayers();
  s.targetLayers = targets.layers();
  const QString path = m_dir->filePath("t.srdd-session");
  s.save(path);
  srdd_gui::TargetSet restored;
  const Session back = Session::load(path);
  restored.reset(back.numLayers, back.targetLayers);
  QCOMPARE(restored.layers(), (QList<int>{5, 11}));
  QCOMPARE(restored.numLayers(), 28);
}

void TestSessionFile::relativePathsAreTakenFromTheSessionFolder() {
  QDir(m_dir->path()).mkdir("sub");
  const QString path = m_dir->filePath("sub/rel.srdd-session");
  writeFile(path, R"({"format": "srdd-studio-session", "schema_version": 1, "model_dir": "../model",
                      "scan": {"path": "scan.json"}})");
  const Session s = Session::load(path);
  QCOMPARE(s.modelDir, QDir::cleanPath(m_dir->path() + "/model"));
  QCOMPARE(s.scanResultPath, QDir::cleanPath(m_dir->path() + "/sub/scan.json"));
  QVERIFY(s.targetLayers.isEmpty());
}

void TestSessionFile::errorsNameTheFile_data() {
  QTest::addColumn<QByteArray>("content");  // empty: no file at all
  QTest::addColumn<QString>("message");
  const QByteArray head = R"({"format": "srdd-studio-session", "schema_version": 1, )";
  QTest::newRow("missing") << QByteArray() << "no such session file";
  QTest::newRow("not JSON") << QByteArray("model=foo\n") << "not a JSON file";
  QTest::newRow("truncated JSON") << QByteArray(R"({"format": "srdd-studio-session", )") << "not a JSON file";
  QTest::newRow("JSON list") << QByteArray("[1, 2]") << "not an SRDD Studio session";
  QTest::newRow("other JSON") << QByteArray(R"({"layers": []})") << "not an SRDD Studio session";
  QTest::newRow("no version") << QByteArray(R"({"format": "srdd-studio-session"})") << "\"schema_version\" is missing";
  QTest::newRow("newer version") << QByteArray(R"({"format": "srdd-studio-session", "schema_version": 2})")
                                 << "schema version 2 is newer";
  QTest::newRow("version zero") << QByteArray(R"({"format": "srdd-studio-session", "schema_version": 0})")
                                << "unknown session schema version 0";
  QTest::newRow("model_dir number") << head + R"("model_dir": 3})"
                                    << "\"model_dir\" must be a string";
  QTest::newRow("target layers text") << head + R"("target_set": {"num_layers": 4, "layers": "1,2"}})"
                                      << "\"target_set.layers\" must be a list";
  QTest::newRow("target layer out of range") << head + R"("target_set": {"num_layers": 4, "layers": [1, 4]}})"
                                             << "holds layer 4, but the model has 4 layers";
  QTest::newRow("negative selection") << head + R"("layer_selection": [-1]})"
                                      << "\"layer_selection\" must be a list";
  QTest::newRow("fractional layer") << head + R"("layer_selection": [1.5]})"
                                    << "\"layer_selection\" must be a list";
  QTest::newRow("both scans") << head + R"("scan": {"path": "a.json", "embedded": {}}})"
                              << "both \"path\" and \"embedded\"";
  QTest::newRow("view not object") << head + R"("view": []})"
                                   << "\"view\" must be an object";
}

void TestSessionFile::errorsNameTheFile() {
  QFETCH(QByteArray, content);
  QFETCH(QString, message);
  const QString path = m_dir->filePath("bad.srdd-session");
  if (!content.isEmpty()) writeFile(path, content);
  try {
    Session::load(path);
    QFAIL("no error");
  } catch (const srdd::Error& e) {
    const QString what = e.what();
    QVERIFY2(what.startsWith(path + ": ") && what.contains(message), e.what());
  }
}

void TestSessionFile::saveIsAtomic() {
  const QString path = m_dir->filePath("s.srdd-session");
  sample(m_dir->path()).save(path);
  Session changed = sample(m_dir->path());
  changed.targetLayers = {1};
  changed.save(path);
  QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden), QStringList{"s.srdd-session"});
  QCOMPARE(Session::load(path).targetLayers, QList<int>{1});
  // saving into a missing folder fails naming the file and leaves nothing behind
  try {
    changed.save(m_dir->filePath("missing/s.srdd-session"));
    QFAIL("no error");
  } catch (const srdd::Error& e) {
    QVERIFY2(QString(e.what()).contains("missing/s.srdd-session"), e.what());
  }
  QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden), QStringList{"s.srdd-session"});
}

void TestSessionFile::recentSessions() {
  const srdd_gui::RecentPaths recent = srdd_gui::recentSessions();
  recent.clear();
  QStringList paths;
  for (int i = 0; i < 12; ++i) {
    paths << m_dir->filePath(QString("s%1.srdd-session").arg(i));
    Session().save(paths.back());
    recent.add(paths.back());
  }
  QStringList l = recent.list();
  QCOMPARE(l.size(), 10);
  QCOMPARE(l.front(), paths[11]);  // newest first
  QCOMPARE(l.back(), paths[2]);
  recent.add(paths[5]);  // re-adding moves it to the front without duplicates
  l = recent.list();
  QCOMPARE(l.front(), paths[5]);
  QCOMPARE(l.count(paths[5]), 1);
  QFile::remove(paths[11]);  // deleted files drop out
  QVERIFY(!recent.list().contains(paths[11]));
  QDir(m_dir->path()).mkdir("folder");  // a folder is not a session file
  recent.add(m_dir->filePath("folder"));
  QVERIFY(!recent.list().contains(m_dir->filePath("folder")));
  recent.remove(paths[5]);
  QVERIFY(!recent.list().contains(paths[5]));
  QCOMPARE(QSettings().value("recentSessions").toStringList().size(), 8);
}

QTEST_MAIN(TestSessionFile)
#include "test_session_file.moc"
