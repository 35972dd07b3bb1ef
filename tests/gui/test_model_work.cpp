// Results, target set and AQN settings belong to their model (issue #19, points 1 and 3), on real models (a
// copy of the bundled demo model and the demo model itself) and real message boxes and file dialogs: opening
// another model asks about unsaved work and then clears the old model's results and problematic tags;
// results of another model offer to open it; a finished, unsaved scan is not replaced without asking; results
// whose model is not on this computer say so, and the AQN dialog refuses to run another model until the
// model is located.
#include "aqn/aqn_dialog.h"
#include "aqn/aqn_workspace.h"
#include "main_window.h"
#include "modal_answer.h"
#include "results/layer_selection.h"
#include "results/results_panel.h"
#include "scan/scan_setup_panel.h"
#include "session/session.h"
#include "studio_app.h"
#include "targets/target_set.h"
#include "targets/target_set_panel.h"
#include "test_results_fixture.h"

#include <srdd/scan_job.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace srdd_gui;
using modal_test::Answer;
using modal_test::answerNext;
using modal_test::click;

namespace {

constexpr int kTimeoutMs = 300000;

QString canonical(const QString& dir) { return QFileInfo(dir).canonicalFilePath(); }

// The hand-made scan moved onto a 6-layer model at MODELPATH: its layers 2, 10, 1 become 2, 5, 1 (5 and 1
// problematic, as 10 and 1 were).
nlohmann::json sixLayerScan(const QString& modelPath) {
  nlohmann::json scan = results_test::handMadeScan();
  const auto move = [](nlohmann::json& layer) {
    if (layer == 10) layer = 5;
  };
  for (auto& l : scan["layers"]) move(l["layer"]);
  for (auto& w : scan["weights"]) move(w["layer"]);
  for (auto& l : scan["verdict"]["problematic_layers"]) move(l);
  for (auto& r : scan["verdict"]["ranking"]) move(r["layer"]);
  for (auto& l : scan["verdict"]["recommendation"]["aqn_layers"]) move(l);
  scan["provenance"]["model"] = {{"path", modelPath.toStdString()}, {"num_layers", 6}};
  return scan;
}

void writeJson(const QString& path, const nlohmann::json& j) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(QByteArray::fromStdString(j.dump(2)));
}

// Picks PATH in a file dialog and accepts it.
std::function<void(QWidget*)> chooseInFileDialog(const QString& path) {
  return [path](QWidget* dialog) {
    auto* fd = static_cast<QFileDialog*>(dialog);
    // Inside the directory with nothing selected, a directory dialog chooses that directory. (selectFile(path)
    // depends on the dialog's file system model having listed the parent yet, which it may not have.)
    fd->setDirectory(path);
    QCOMPARE(fd->selectedFiles(), QStringList({path}));
    static_cast<QDialog*>(fd)->accept();  // QFileDialog::accept is protected; QDialog's is public
  };
}

QPushButton* button(const QWidget* in, const char* name) {
  auto* b = in->findChild<QPushButton*>(QLatin1String(name));
  if (!b) qFatal("no button %s", name);
  return b;
}

}  // namespace

class TestModelWork : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    setApplicationIdentity();
    QVERIFY(m_tmp.isValid());
    // Model A: a copy of the demo model under another path (same layer count as model B, the demo model).
    m_modelA = m_tmp.filePath("model-a");
    QVERIFY(QDir().mkpath(m_modelA));
    for (const QString& f : QDir(srdd_test::demoModelDir()).entryList(QDir::Files))
      QVERIFY(QFile::copy(srdd_test::demoModelDir() + "/" + f, m_modelA + "/" + f));
    m_modelB = srdd_test::demoModelDir();
    m_scanA = m_tmp.filePath("scan-a.json");
    writeJson(m_scanA, sixLayerScan(m_modelA));
    m_missing = m_tmp.filePath("moved-away/model-a");
    m_scanMissing = m_tmp.filePath("scan-missing.json");
    writeJson(m_scanMissing, sixLayerScan(m_missing));
  }
  void init() { QSettings().clear(); }

  // Point 1: opening another model.
  void anotherModelClearsTheOldModelsWork() {
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY2(w.openScanResults(m_scanA), qPrintable(w.errorMessage()));  // no model open: nothing to ask
    QVERIFY(!w.isLoading());
    QCOMPARE(w.workModel(), m_modelA);
    w.openModel(m_modelA);  // the results' own model: nothing to ask either
    QVERIFY(w.isLoading());
    QTRY_VERIFY_WITH_TIMEOUT(w.summary(), kTimeoutMs);
    QVERIFY(w.resultsPanel()->hasData());
    QCOMPARE(canonical(QString::fromStdString(w.summary()->directory)), canonical(m_modelA));
    QVERIFY(w.resultsPanel()->hasData());
    QPushButton* allProblematic = button(w.targetPanel(), "allProblematic");
    QPushButton* addSelected = button(w.targetPanel(), "addSelected");
    QVERIFY(allProblematic->isEnabled());
    allProblematic->click();
    QCOMPARE(w.targetSet()->layers(), QList<int>({1, 5}));
    w.resultsPanel()->layerSelection()->setSelection({2, 3});
    QVERIFY(addSelected->isEnabled());

    // Cancel: nothing is loaded and nothing changes.
    Answer cancel;
    answerNext("unsavedWorkQuestion", click(QMessageBox::Cancel), &cancel);
    w.openModel(m_modelB);
    QVERIFY(cancel.seen);
    QVERIFY2(cancel.text.contains("target set") && cancel.text.contains("model-a"), qPrintable(cancel.text));
    QVERIFY(!w.isLoading());
    QVERIFY(w.resultsPanel()->hasData());
    QCOMPARE(w.targetSet()->layers(), QList<int>({1, 5}));

    // Discard: model B opens, with none of model A's results, tags, selection or targets.
    Answer discard;
    answerNext("unsavedWorkQuestion", click(QMessageBox::Discard), &discard);
    w.openModel(m_modelB);
    QVERIFY(discard.seen);
    QVERIFY(w.isLoading());
    QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), kTimeoutMs);
    QCOMPARE(canonical(QString::fromStdString(w.summary()->directory)), canonical(m_modelB));
    QCOMPARE(canonical(w.workModel()), canonical(m_modelB));
    QVERIFY(!w.resultsPanel()->hasData());
    QVERIFY(!w.lastScan());
    QCOMPARE(w.targetSet()->numLayers(), 6);
    QVERIFY(w.targetSet()->isEmpty());
    QVERIFY(!allProblematic->isEnabled());  // no problematic tags of the old model
    QVERIFY(!addSelected->isEnabled());
    QVERIFY(w.resultsPanel()->layerSelection()->selectedList().empty());
    bool summaryShown = false;
    for (const QLabel* l : w.targetPanel()->findChildren<QLabel*>())
      summaryShown |= l->text() == "Target set: 0 of 6 layers";
    QVERIFY(summaryShown);
    AqnDialog* d = w.aqnWorkspace()->showRunDialog();
    QVERIFY(d->settings().targets.empty());
    QCOMPARE(canonical(QString::fromStdString(d->settings().modelDirectory)), canonical(m_modelB));
    d->reject();

    // Results of model A while model B is open: the question names both; Cancel keeps B as it is.
    Answer other;
    answerNext("otherModelQuestion", click(QMessageBox::Cancel), &other);
    QVERIFY(!w.openScanResults(m_scanA));
    QVERIFY(other.seen);
    QVERIFY2(other.text.contains(QDir::toNativeSeparators(m_modelA)) && other.text.contains("demo-model"),
             qPrintable(other.text));
    QVERIFY(!w.resultsPanel()->hasData());
    QVERIFY(!w.isLoading());

    // "Open Its Model": model A opens with its results.
    Answer open;
    answerNext("otherModelQuestion", click("openItsModel"), &open);
    QVERIFY(w.openScanResults(m_scanA));
    QVERIFY(open.seen);
    QVERIFY(w.resultsPanel()->hasData());
    QCOMPARE(canonical(w.workModel()), canonical(m_modelA));
    QVERIFY(w.isLoading());
    QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), kTimeoutMs);
    QCOMPARE(canonical(QString::fromStdString(w.summary()->directory)), canonical(m_modelA));
    QVERIFY(w.resultsPanel()->hasData());  // loading its own model keeps them
    QVERIFY(allProblematic->isEnabled());
    QVERIFY(w.targetSet()->isEmpty());
  }

  // Point 1: a finished scan that is in no file is not replaced without asking; Save writes the session.
  void unsavedScanIsNotReplacedWithoutAsking() {
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.openModel(m_modelB);
    QTRY_VERIFY_WITH_TIMEOUT(w.summary(), kTimeoutMs);
    const QString sessionFile = m_tmp.filePath("unsaved.srdd-session");
    QVERIFY(w.saveSession(sessionFile));  // an existing session file, so that Save writes without a file dialog
    ScanSetupPanel* panel = w.setupPanel();
    for (const auto& name : srdd::scanNames()) panel->scanBox(QString::fromStdString(name))->setChecked(name == "gain");
    auto* prompts = panel->findChild<QComboBox*>("prompts");
    prompts->setCurrentIndex(prompts->findData("builtin:srdd"));
    panel->findChild<QSpinBox*>("maxTokens")->setValue(8);
    QSignalSpy finished(&w, &MainWindow::scanFinished);
    QSignalSpy failed(&w, &MainWindow::scanFailed);
    QVERIFY(w.runScan() != 0);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, kTimeoutMs);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
    QVERIFY(w.hasUnsavedScan());
    const ScanOutcomePtr scanned = w.lastScan();

    Answer cancel;
    answerNext("unsavedWorkQuestion",
               modal_test::screenshotThen("unsaved-results-question.png", click(QMessageBox::Cancel)), &cancel);
    QVERIFY(!w.openScanResults(m_scanA));
    QVERIFY(cancel.seen);
    QVERIFY2(cancel.text.contains("scan results of demo-model are not saved"), qPrintable(cancel.text));
    QCOMPARE(w.lastScan(), scanned);
    QVERIFY(w.hasUnsavedScan());

    // Save, then the question about the other model: the session holds the finished scan, A's results show.
    Answer save, other;
    answerNext("unsavedWorkQuestion", click(QMessageBox::Save), &save);
    answerNext("otherModelQuestion", click("openItsModel"), &other);
    QVERIFY(w.openScanResults(m_scanA));
    QVERIFY(save.seen && other.seen);
    QVERIFY(!w.hasUnsavedScan());
    const Session saved = Session::load(sessionFile);
    QCOMPARE(saved.scanResult.value("layers").toArray().size(), 6);
    QCOMPARE(saved.scanResult.value("parameters").toObject().value("scans").toArray().at(0).toString(),
             QStringLiteral("gain"));
    QVERIFY(w.lastScan() != scanned);
    QCOMPARE(canonical(w.workModel()), canonical(m_modelA));
    QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), kTimeoutMs);
  }

  // Point 3: results whose model is not on this computer.
  void missingModelIsSaidAndLocated() {
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    Answer cancel;
    answerNext("missingModelQuestion", click(QMessageBox::Cancel), &cancel);
    QVERIFY(!w.openScanResults(m_scanMissing));
    QVERIFY(cancel.seen);
    QVERIFY(!w.resultsPanel()->hasData());

    Answer only;
    answerNext("missingModelQuestion", modal_test::screenshotThen("missing-model-question.png", click("resultsOnly")),
               &only);
    QVERIFY(w.openScanResults(m_scanMissing));
    QVERIFY(only.seen);
    QVERIFY2(only.text.contains(QDir::toNativeSeparators(m_missing)) && only.text.contains("not on this computer"),
             qPrintable(only.text));
    QVERIFY(w.resultsPanel()->hasData());
    QVERIFY(!w.isLoading());
    QCOMPARE(w.workModel(), m_missing);
    w.targetSet()->add({1, 5});

    // The AQN dialog names the missing model and refuses to run; it never falls back to the demo model.
    w.aqnWorkspace()->setRunRoot(m_tmp.filePath("runs"));
    AqnDialog* d = w.aqnWorkspace()->showRunDialog();
    QCOMPARE(QString::fromStdString(d->settings().modelDirectory), m_missing);
    QVERIFY(!d->isValid());
    QVERIFY2(d->validationMessage().contains(m_missing) && d->validationMessage().contains("not on this computer"),
             qPrintable(d->validationMessage()));
    QVERIFY(d->findChild<QLabel*>("modelLabel")->text().contains("not found"));
    QPushButton* locate = button(d, "locateModel");
    QVERIFY(locate->isVisible());
    const QString shots = qEnvironmentVariable("SRDD_SCREENSHOT_DIR");
    if (!shots.isEmpty()) QVERIFY(d->grab().save(shots + "/aqn-dialog-missing-model.png"));

    // Locate… : a file dialog; the chosen directory becomes the model of the results and of the dialog.
    Answer located;
    answerNext("locateModelDialog", chooseInFileDialog(m_modelA), &located);
    locate->click();
    QVERIFY(located.seen);
    QCOMPARE(canonical(QString::fromStdString(d->settings().modelDirectory)), canonical(m_modelA));
    QVERIFY2(d->isValid(), qPrintable(d->validationMessage()));
    QVERIFY(!locate->isVisible());
    QCOMPARE(canonical(w.workModel()), canonical(m_modelA));
    QCOMPARE(canonical(QString::fromStdString(w.lastScan()->request.modelDir)), canonical(m_modelA));
    QTRY_VERIFY_WITH_TIMEOUT(w.summary(), kTimeoutMs);
    QCOMPARE(canonical(QString::fromStdString(w.summary()->directory)), canonical(m_modelA));
    QVERIFY(w.resultsPanel()->hasData());  // the located model keeps its results
    QCOMPARE(w.targetSet()->layers(), QList<int>({1, 5}));
    d->reject();
  }

  // Point 3, from the question itself: "Locate Model…" opens the file dialog at once.
  void locateFromTheQuestion() {
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    Answer question, located;
    answerNext("missingModelQuestion", click("locateModel"), &question);
    answerNext("locateModelDialog", chooseInFileDialog(m_modelA), &located);
    QVERIFY(w.openScanResults(m_scanMissing));
    QVERIFY(question.seen && located.seen);
    QCOMPARE(canonical(w.workModel()), canonical(m_modelA));
    QVERIFY(w.isLoading());
    QTRY_VERIFY_WITH_TIMEOUT(w.summary(), kTimeoutMs);
    QVERIFY(w.resultsPanel()->hasData());
    AqnDialog* d = w.aqnWorkspace()->showRunDialog();
    QCOMPARE(canonical(QString::fromStdString(d->settings().modelDirectory)), canonical(m_modelA));
    QVERIFY(!button(d, "locateModel")->isVisible());
    d->reject();
  }

 private:
  QTemporaryDir m_tmp;
  QString m_modelA, m_modelB, m_scanA, m_missing, m_scanMissing;
};

QTEST_MAIN(TestModelWork)
#include "test_model_work.moc"
