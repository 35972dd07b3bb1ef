// ScanSetupPanel: its controls and srdd::ScanRequest agree both ways, format-dependent options, live
// validation by the engine's rules, settings kept between sessions, model folders dropped on it.
#include "scan/model_directory_field.h"
#include "scan/scan_setup_panel.h"
#include "studio_app.h"
#include "test_support.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

using srdd_gui::ScanSetupPanel;

namespace {
srdd::ScanRequest demoRequest() {
  srdd::ScanRequest r;
  r.modelDir = srdd_test::demoModelDir().toStdString();
  return r;
}
QString json(const srdd::ScanRequest& r) { return QString::fromStdString(r.toJson().dump()); }
}  // namespace

class TestScanSetupPanel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    srdd_gui::setApplicationIdentity();
    QSettings().clear();
  }

  void controlsRoundTripTheRequest_data() {
    QTest::addColumn<QString>("requestJson");
    QTest::newRow("defaults, explicit") << R"({"scale":"floor","rounding":"rne","block":"1x32"})";
    QTest::newRow("mxfp6 tiles, stochastic, w4a4, lm_head")
        << R"({"format":"mxfp6-e3m2","scale":"rceil","rounding":"stochastic","block":"32x32","mode":"w4a4",
               "lm_head":true,"scans":["gain","dcgain","sensitivity"],"prompts":"builtin:experiment",
               "max_tokens":20,"seed":1234,"trials":5,"gain_draws":3,"noise_scale":0.25,"batch_size":8,
               "dtype":"fp32"})";
    QTest::newRow("nvfp4 (no scale rule)") << R"({"format":"nvfp4","scale":"","rounding":"away","block":"16x16"})";
    QTest::newRow("reference numerics") << R"({"format":"mxfp4","scale":"floor","rounding":"stochastic","block":"1x32",
                                              "reference":true,"mode":"residual","scans":["instability"]})";
    // Fields without a control pass through unchanged.
    QTest::newRow("hidden fields") << R"({"scale":"floor","rounding":"rne","block":"1x32","layers":[1,3],
                                         "invert_layers":true,"thresholds":{"sqnr_db":12},"dc_shift":7.5})";
  }

  void controlsRoundTripTheRequest() {
    QFETCH(QString, requestJson);
    nlohmann::json j = nlohmann::json::parse(requestJson.toStdString());
    j["model_dir"] = srdd_test::demoModelDir().toStdString();
    const srdd::ScanRequest r = srdd::ScanRequest::fromJson(j);
    ScanSetupPanel panel;
    panel.setRequest(r);
    QCOMPARE(json(panel.request()), json(r));
    QVERIFY2(panel.validationError().isEmpty(), qPrintable(panel.validationError()));
    QVERIFY(panel.runButton()->isEnabled());
  }

  void userEditsReachTheRequest() {
    ScanSetupPanel panel;
    panel.setRequest(demoRequest());
    QSignalSpy changed(&panel, &ScanSetupPanel::requestChanged);
    auto* format = panel.findChild<QComboBox*>("format");
    auto* block = panel.findChild<QComboBox*>("block");
    auto* scale = panel.findChild<QComboBox*>("scale");
    auto* reference = panel.findChild<QCheckBox*>("reference");
    auto* rounding = panel.findChild<QComboBox*>("rounding");
    auto* mode = panel.findChild<QComboBox*>("mode");
    auto* lmHead = panel.findChild<QCheckBox*>("lmHead");
    auto* prompts = panel.findChild<QComboBox*>("prompts");
    auto* seed = panel.findChild<QSpinBox*>("seed");
    QVERIFY(format && block && scale && reference && rounding && mode && lmHead && prompts && seed);

    format->setCurrentIndex(format->findData("nvfp4"));
    QVERIFY(!changed.isEmpty());
    QVERIFY(!scale->isEnabled());
    QVERIFY(!reference->isEnabled());
    QCOMPARE(block->itemText(0), QString("1x16"));
    QCOMPARE(block->itemText(1), QString("16x16"));
    block->setCurrentIndex(1);
    srdd::ScanRequest r = panel.request();
    QCOMPARE(r.format, std::string("nvfp4"));
    QCOMPARE(r.scale, std::string());
    QCOMPARE(r.block, std::string("16x16"));
    QVERIFY(panel.validationError().isEmpty());

    format->setCurrentIndex(format->findData("mxfp4"));
    QCOMPARE(block->currentText(), QString("32x32"));  // the tile choice is kept, at the format's size
    block->setCurrentIndex(0);
    QVERIFY(reference->isEnabled());
    reference->setChecked(true);
    QCOMPARE(rounding->currentData().toString(), QString("away"));  // reference mode rounds ties away
    QVERIFY2(panel.validationError().isEmpty(), qPrintable(panel.validationError()));
    rounding->setCurrentIndex(rounding->findData("rne"));
    QVERIFY(panel.validationError().contains("reference mode"));  // the engine's own rule
    QVERIFY(!panel.runButton()->isEnabled());
    rounding->setCurrentIndex(rounding->findData("away"));
    QVERIFY(panel.runButton()->isEnabled());

    lmHead->setChecked(true);
    mode->setCurrentIndex(mode->findData("residual"));
    QVERIFY(!lmHead->isEnabled());
    QVERIFY(!panel.request().lmHead);

    panel.scanBox("sensitivity")->setChecked(false);
    panel.scanBox("histogram")->setChecked(true);
    QCOMPARE(panel.request().scans,
             (std::vector<std::string>{"instability", "gain", "kurtosis", "histogram", "fidelity", "weights"}));
    prompts->setCurrentIndex(prompts->findData("builtin:srdd"));
    seed->setValue(77);
    r = panel.request();
    QCOMPARE(r.prompts, std::string("builtin:srdd"));
    QCOMPARE(r.seed, uint64_t(77));
    QVERIFY(panel.findChild<QLabel*>("quantDescription")->text().startsWith("residual mxfp4"));
  }

  void invalidSettingsDisableRun() {
    ScanSetupPanel panel;
    srdd::ScanRequest r = demoRequest();
    panel.setRequest(r);
    QVERIFY(panel.runButton()->isEnabled());
    auto* error = panel.findChild<QLabel*>("validationError");
    QVERIFY(error->isHidden());

    panel.setModelDirectory("/nonexistent/model");
    QVERIFY(panel.validationError().contains("/nonexistent/model"));
    QVERIFY(!panel.runButton()->isEnabled());
    QVERIFY(!error->isHidden());
    QVERIFY(error->text().contains("/nonexistent/model"));

    panel.setModelDirectory(srdd_test::demoModelDir());
    QVERIFY(panel.runButton()->isEnabled());
    for (const auto& name : srdd::scanNames()) panel.scanBox(QString::fromStdString(name))->setChecked(false);
    QVERIFY(panel.validationError().contains("no scan"));
    QVERIFY(!panel.runButton()->isEnabled());

    r.prompts = "/nonexistent/prompts.txt";  // a prompt file that went away
    panel.setRequest(r);
    QVERIFY(panel.validationError().contains("/nonexistent/prompts.txt"));
    QCOMPARE(panel.findChild<QComboBox*>("prompts")->currentText(), QString("prompts.txt"));
    QCOMPARE(panel.request().prompts, r.prompts);
  }

  void runAndCancelButtons() {
    ScanSetupPanel panel;
    panel.setRequest(demoRequest());
    QSignalSpy run(&panel, &ScanSetupPanel::runRequested);
    QSignalSpy cancel(&panel, &ScanSetupPanel::cancelRequested);
    QVERIFY(!panel.cancelButton()->isEnabled());
    QTest::mouseClick(panel.runButton(), Qt::LeftButton);
    QCOMPARE(run.count(), 1);
    panel.setRunning(true);
    QVERIFY(panel.cancelButton()->isEnabled());
    QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
    QCOMPARE(cancel.count(), 1);
    panel.setRunning(false);
    QVERIFY(!panel.cancelButton()->isEnabled());
  }

  void settingsAreRemembered() {
    QSettings().clear();
    srdd::ScanRequest r = demoRequest();
    r.format = "mxfp8-e4m3";
    r.rounding = "stochastic";
    r.scale = "floor";
    r.block = "1x32";
    r.scans = {"fidelity", "weights"};
    r.maxTokens = 33;
    r.seed = 5;
    {
      ScanSetupPanel panel;
      panel.setRequest(r);
      QTest::mouseClick(panel.runButton(), Qt::LeftButton);  // Run saves the settings
    }
    ScanSetupPanel again;
    QVERIFY(again.modelDirectory().isEmpty());  // the model follows the opened model, not the settings
    again.setModelDirectory(QString::fromStdString(r.modelDir));
    QCOMPARE(json(again.request()), json(r));

    QSettings().setValue("scanSetup/request", "{\"format\": 12}");  // another version's, unreadable
    ScanSetupPanel fresh;
    fresh.setModelDirectory(QString::fromStdString(r.modelDir));
    QCOMPARE(fresh.request().format, std::string("mxfp4"));
    QCOMPARE(fresh.request().maxTokens, int64_t(64));
    QCOMPARE(fresh.request().scans, srdd::defaultScanNames());
    QSettings().clear();
  }

  void modelFolderDropAndTyping() {
    QTemporaryDir tmp;
    ScanSetupPanel panel;
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy chosen(&panel, &ScanSetupPanel::modelDirectoryChosen);
    srdd_gui::ModelDirectoryField* field = panel.modelField();

    QMimeData file, remote;
    file.setUrls({QUrl::fromLocalFile(srdd_test::demoModelDir() + "/config.json")});
    remote.setUrls({QUrl("https://example.com/model")});
    QCOMPARE(srdd_gui::modelDirectoryFromDrop(&file), QDir(srdd_test::demoModelDir()).absolutePath());
    QDragEnterEvent refused(QPoint(5, 5), Qt::CopyAction, &remote, Qt::LeftButton, Qt::NoModifier);
    refused.setAccepted(false);
    QApplication::sendEvent(field, &refused);
    QVERIFY(!refused.isAccepted());
    QDragEnterEvent enter(QPoint(5, 5), Qt::CopyAction, &file, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(field, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(5, 5), Qt::CopyAction, &file, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(field, &drop);
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(chosen.at(0).at(0).toString(), QDir(srdd_test::demoModelDir()).absolutePath());
    QCOMPARE(panel.modelDirectory(), QDir(srdd_test::demoModelDir()).absolutePath());

    // Typing a path and pressing Enter chooses it; setModelDirectory() does not signal.
    panel.setModelDirectory(tmp.path());
    QCOMPARE(chosen.count(), 1);
    QLineEdit* edit = field->lineEdit();
    edit->setFocus();
    edit->selectAll();
    QTest::keyClicks(edit, srdd_test::demoModelDir());
    QTest::keyClick(edit, Qt::Key_Return);
    QCOMPARE(chosen.count(), 2);
    QCOMPARE(chosen.at(1).at(0).toString(), srdd_test::demoModelDir());
  }
};

QTEST_MAIN(TestScanSetupPanel)
#include "test_scan_setup_panel.moc"
