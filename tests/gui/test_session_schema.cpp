// Session files against docs/schemas/srdd-studio-session-1.schema.json: sessions saved by the real main window
// (a scan shown, targets chosen, an AQN run directory open) and by the session writer (a scan by path, nothing
// but the defaults) validate; copies with a mistake (a missing key, a wrong type, a value outside an enum, an
// unknown key, an embedded scan that is not srdd-scan/1) are rejected. The validator is
// tests/python/validate_json.py (python3-jsonschema), run with $SRDD_PYTHON.
#include "aqn/aqn_workspace.h"
#include "main_window.h"
#include "session/session.h"
#include "studio_app.h"
#include "targets/target_set.h"
#include "test_results_fixture.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace srdd_gui;

namespace {

constexpr const char* kSchema = "srdd-studio-session-1.schema.json";

struct Validation {
  int code = -1;
  QString output;
};

// validate_json.py [--expect-invalid] SCHEMA FILES...
Validation validate(const QStringList& files, bool expectInvalid = false) {
  const QString python = qEnvironmentVariable("SRDD_PYTHON");
  if (python.isEmpty()) qFatal("SRDD_PYTHON is not set (run the tests through ctest)");
  QStringList args{srdd_test::sourceDir() + "/tests/python/validate_json.py"};
  if (expectInvalid) args << "--expect-invalid";
  args << kSchema << files;
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(python, args);
  const bool finished = p.waitForFinished(120000);
  return {finished && p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAll())};
}

QJsonObject readObject(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(path));
  return QJsonDocument::fromJson(f.readAll()).object();
}

void writeObject(const QString& path, const QJsonObject& o) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
  f.write(QJsonDocument(o).toJson());
}

}  // namespace

using SessionEdit = std::function<void(QJsonObject&)>;  // a mistake made in a saved session
Q_DECLARE_METATYPE(SessionEdit)

class TestSessionSchema : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    setApplicationIdentity();
    QVERIFY(m_tmp.isValid());
    m_scanFile = m_tmp.filePath("scan.json");
    bool ok = false;
    const QString out = results_test::runDemoScan(
        m_scanFile, {"--scans", "gain,kurtosis,fidelity", "--prompts", "builtin:srdd", "--max-tokens", "8"}, &ok);
    QVERIFY2(ok, qPrintable(out));
    m_runDir = m_tmp.filePath("aqn");
    const QString heldout = srdd_test::demoModelDir() + "/heldout.txt";
    const srdd_test::CliRun run =
        srdd_test::runCli({"aqn",           srdd_test::fixturesDir() + "/hf/qwen2-tiny-gqa2-tied-f32",
                           "--targets",     "1",
                           "--configs",     "baseline,targeted",
                           "--seeds",       "2",
                           "--steps",       "2",
                           "--seq",         "32",
                           "--batch",       "2",
                           "--train",       heldout,
                           "--eval",        heldout,
                           "--eval-tokens", "128",
                           "--eval-seq",    "64",
                           "--out",         m_runDir,
                           "--quiet"});
    QVERIFY2(run.code == 0, qPrintable(run.err));
  }

  // Sessions as the app writes them, and as the writer writes its edge cases.
  void savedSessionsValidate() {
    MainWindow w;
    QVERIFY2(w.openScanResults(m_scanFile), qPrintable(w.errorMessage()));
    w.targetSet()->add({1, 3});
    QVERIFY(w.aqnWorkspace()->openRunDirectory(m_runDir));
    QVERIFY2(w.saveSession(mainWindowSession()), qPrintable(w.errorMessage()));
    const QJsonObject saved = readObject(mainWindowSession());
    QCOMPARE(saved.value("scan").toObject().value("embedded").toObject().value("schema").toString(),
             QString("srdd-scan/1"));
    QCOMPARE(saved.value("view")
                 .toObject()
                 .value("views")
                 .toObject()
                 .value("aqn")
                 .toObject()
                 .value("run_directory")
                 .toString(),
             m_runDir);

    Session byPath;
    byPath.modelDir = srdd_test::demoModelDir();
    byPath.scanResultPath = m_scanFile;
    byPath.numLayers = 6;
    byPath.targetLayers = {0, 5};
    byPath.layerSelection = {2};
    byPath.currentTab = "results";
    byPath.heatmapScale = "log";
    byPath.save(m_tmp.filePath("by-path.srdd-session"));
    Session().save(m_tmp.filePath("empty.srdd-session"));

    const Validation v =
        validate({mainWindowSession(), m_tmp.filePath("by-path.srdd-session"), m_tmp.filePath("empty.srdd-session")});
    QVERIFY2(v.code == 0, qPrintable(v.output));
  }

  void mistakesAreRejected_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<SessionEdit>("change");
    using Edit = SessionEdit;
    auto inView = [](const QString& key, const QJsonValue& value) {
      return Edit([=](QJsonObject& s) {
        QJsonObject view = s["view"].toObject();
        view[key] = value;
        s["view"] = view;
      });
    };
    QTest::newRow("missing format") << "no-format" << Edit([](QJsonObject& s) { s.remove("format"); });
    QTest::newRow("schema version 2") << "version" << Edit([](QJsonObject& s) { s["schema_version"] = 2; });
    QTest::newRow("num_layers as a string") << "num-layers" << Edit([](QJsonObject& s) {
      s["target_set"] = QJsonObject{{"num_layers", "6"}, {"layers", QJsonArray{1}}};
    });
    QTest::newRow("negative layer") << "negative"
                                    << Edit([](QJsonObject& s) { s["layer_selection"] = QJsonArray{-1}; });
    QTest::newRow("repeated layer") << "repeated" << Edit([](QJsonObject& s) {
      s["layer_selection"] = QJsonArray{2, 2};
    });
    QTest::newRow("unknown key") << "unknown" << Edit([](QJsonObject& s) { s["colour"] = "blue"; });
    QTest::newRow("heatmap scale outside the enum") << "scale" << inView("heatmap_scale", "cubic");
    QTest::newRow("unknown page") << "page" << inView("tab", "settings");
    QTest::newRow("scan with path and embedded") << "both" << Edit([](QJsonObject& s) {
      QJsonObject scan = s["scan"].toObject();
      scan["path"] = "/tmp/x.json";
      s["scan"] = scan;
    });
    QTest::newRow("embedded scan that is no srdd-scan/1") << "embedded" << Edit([](QJsonObject& s) {
      QJsonObject scan = s["scan"].toObject(), embedded = scan["embedded"].toObject();
      embedded.remove("layers");
      scan["embedded"] = embedded;
      s["scan"] = scan;
    });
  }

  void mistakesAreRejected() {
    QFETCH(QString, name);
    QFETCH(SessionEdit, change);
    QVERIFY2(QFile::exists(mainWindowSession()), "savedSessionsValidate runs first");
    QJsonObject s = readObject(mainWindowSession());
    change(s);
    const QString path = m_tmp.filePath(name + ".srdd-session");
    writeObject(path, s);
    const Validation v = validate({path}, true);
    QVERIFY2(v.code == 0, qPrintable(v.output));
  }

 private:
  QString mainWindowSession() const { return m_tmp.filePath("main-window.srdd-session"); }
  QTemporaryDir m_tmp;
  QString m_scanFile, m_runDir;
};

QTEST_MAIN(TestSessionSchema)
#include "test_session_schema.moc"
