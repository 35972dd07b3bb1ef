// The bad-input catalogue through the GUI (docs/reliability.md): a representative subset of the catalogue's
// files, opened through the window's real open paths (Open Model, Open Scan Results, Open Session, AQN → Open
// run directory). Each must raise the warning dialog naming the file and the problem; after it is dismissed
// the window must still work: the demo model opens and loads.
#include "aqn/aqn_workspace.h"
#include "main_window.h"
#include "open_error_dialog.h"
#include "studio_app.h"

#include "bad_input_files.h"
#include "test_support.h"

#include <QAbstractButton>
#include <QDir>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <functional>

using namespace bad_input;
using nlohmann::json;
using srdd_gui::MainWindow;

namespace {

constexpr int kLoadTimeoutMs = 120000;
const std::string kDown = "model.layers.0.mlp.down_proj.weight";

enum class Path { Model, Results, Session, AqnRun };

// A bad thing to open: made inside DIR (a copy of the demo model is at DIR/model), opened by PATH at TARGET
// (relative to DIR).
struct Case {
  const char* name;
  Path path;
  const char* target;
  std::function<void(const std::string& dir)> make;
  const char* file;     // the file the message must name
  const char* problem;  // what it must say
};

std::string model(const std::string& dir) { return dir + "/model"; }
const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      {"model: truncated weights", Path::Model, "model",
       [](auto& d) { truncateTo(model(d) + "/model.safetensors", -1000); }, "model.safetensors",
       "is beyond the data area"},
      {"model: header length huge", Path::Model, "model",
       [](auto& d) { setHeaderLength(model(d) + "/model.safetensors", uint64_t(1) << 62); }, "model.safetensors",
       "is beyond the end of the file"},
      {"model: unknown dtype", Path::Model, "model",
       [](auto& d) { editHeader(model(d), [](json& h) { h[kDown]["dtype"] = "Q9"; }); }, "model.safetensors",
       "unknown dtype 'Q9'"},
      {"model: config missing key", Path::Model, "model",
       [](auto& d) { editJson(model(d) + "/config.json", [](json& c) { c.erase("hidden_size"); }); }, "config.json",
       "required key \"hidden_size\" is missing"},
      {"model: heads do not divide hidden", Path::Model, "model",
       [](auto& d) { editJson(model(d) + "/config.json", [](json& c) { c["num_attention_heads"] = 5; }); },
       "config.json", "hidden_size 192 is not divisible by num_attention_heads 5"},
      {"results: garbage JSON", Path::Results, "r.json",
       [](auto& d) { writeFile(d + "/r.json", "{\"schema\":\"srdd-scan/1\",\"layers\":7}"); }, "r.json", "scan result"},
      {"results: binary", Path::Results, "r.json",
       [](auto& d) { writeFile(d + "/r.json", std::string("\x89PNG\r\n\x1a\n", 8)); }, "r.json", "not valid JSON"},
      {"session: binary", Path::Session, "s.srdd-session",
       [](auto& d) { writeFile(d + "/s.srdd-session", std::string("\x00\x01\xff\xfe", 4)); }, "s.srdd-session",
       "not a JSON file"},
      {"session: other format", Path::Session, "s.srdd-session",
       [](auto& d) { writeFile(d + "/s.srdd-session", "{\"format\": \"photoshop\", \"schema_version\": 1}"); },
       "s.srdd-session", "not an SRDD Studio session"},
      {"AQN run: comparison not JSON", Path::AqnRun, "run",
       [](auto& d) {
         std::filesystem::create_directories(d + "/run");
         writeFile(d + "/run/comparison.json", "{\"schema\": \"srdd-aqn/1\", ");
       },
       "comparison.json", "is not valid JSON"},
      {"AQN run: comparison with wrong types", Path::AqnRun, "run",
       [](auto& d) {
         std::filesystem::create_directories(d + "/run");
         writeFile(d + "/run/comparison.json", "{\"schema\": \"srdd-aqn/1\", \"settings\": 3, \"runs\": \"all\"}");
       },
       "comparison.json", "AQN settings: settings is not a JSON object"},
      {"AQN run: empty folder", Path::AqnRun, "run", [](auto& d) { std::filesystem::create_directories(d + "/run"); },
       "comparison.json", "not an AQN run directory"},
  };
  return c;
}

void open(MainWindow& w, Path path, const QString& target) {
  switch (path) {
    case Path::Model: w.openModel(target); break;
    case Path::Results: w.openScanResults(target); break;
    case Path::Session: w.openSession(target); break;
    case Path::AqnRun: w.aqnWorkspace()->openRunDirectory(target); break;
  }
}

QMessageBox* errorDialog(MainWindow& w) {
  auto* box = w.findChild<QMessageBox*>(QLatin1String(srdd_gui::kOpenErrorDialogName));
  return box && box->isVisible() ? box : nullptr;
}

}  // namespace

class TestBadInputGui : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    srdd_gui::setApplicationIdentity();
    QSettings().clear();
  }

  void errorDialogThenStillUsable_data() {
    QTest::addColumn<int>("row");
    for (size_t i = 0; i < cases().size(); ++i) QTest::newRow(cases()[i].name) << int(i);
  }
  void errorDialogThenStillUsable() {
    QFETCH(int, row);
    const Case& c = cases()[static_cast<size_t>(row)];
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    std::filesystem::copy(srdd_test::demoModelDir().toStdString(), model(dir),
                          std::filesystem::copy_options::recursive);
    c.make(dir);

    MainWindow w;
    w.show();
    open(w, c.path, tmp.filePath(QString::fromUtf8(c.target)));
    QTRY_VERIFY_WITH_TIMEOUT(errorDialog(w), kLoadTimeoutMs);
    QMessageBox* box = errorDialog(w);
    const QString text = box->text();
    QVERIFY2(text.contains(QString::fromUtf8(c.file)), qPrintable("does not name " + QString(c.file) + ": " + text));
    QVERIFY2(text.contains(QString::fromUtf8(c.problem)),
             qPrintable("does not say '" + QString(c.problem) + "': " + text));
    QVERIFY2(!text.contains('\n'), qPrintable("more than one line: " + text));
    QVERIFY2(!text.contains("json.exception") && !text.contains("c10::"), qPrintable("library internals: " + text));
    QCOMPARE(box->icon(), QMessageBox::Warning);

    // Dismissed like a user does (the OK button), then the window opens the good demo model.
    QTest::mouseClick(box->button(QMessageBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!errorDialog(w));
    QSignalSpy loaded(&w, &MainWindow::modelLoaded);
    w.openModel(srdd_test::demoModelDir());
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kLoadTimeoutMs);
    QVERIFY(w.summary());
    QVERIFY(w.summary()->numLayers == 6);
    QVERIFY2(w.errorMessage().isEmpty(), qPrintable(w.errorMessage()));
    QVERIFY(!errorDialog(w));
  }

  // A second failure while the dialog is up replaces its text: one dialog, the latest problem.
  void secondFailureReusesTheDialog() {
    QTemporaryDir tmp;
    MainWindow w;
    w.show();
    w.openScanResults(tmp.filePath("missing-1.json"));
    QTRY_VERIFY(errorDialog(w));
    w.openScanResults(tmp.filePath("missing-2.json"));
    QCOMPARE(w.findChildren<QMessageBox*>(QLatin1String(srdd_gui::kOpenErrorDialogName)).size(), 1);
    QVERIFY2(errorDialog(w)->text().contains("missing-2.json"), qPrintable(errorDialog(w)->text()));
  }
};

QTEST_MAIN(TestBadInputGui)
#include "test_bad_input_gui.moc"
