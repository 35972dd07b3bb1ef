// AqnDialog: every setting round-trips, the engine's validation message is shown inline and disables OK,
// and the σ plot shows Schedule::sigmaPerStep (checked against hand-derived stages too).
#include <srdd/aqn.h>
#include <srdd/error.h>
#include <srdd/layer_list.h>

#include "aqn/aqn_dialog.h"
#include "test_support.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using srdd_gui::AqnDialog;
namespace aqn = srdd::aqn;

namespace {

template <class T>
T* child(const AqnDialog& d, const char* name) {
  T* w = d.findChild<T*>(QString::fromLatin1(name));
  if (!w) qFatal("no child %s", name);
  return w;
}

bool okEnabled(const AqnDialog& d) {
  return d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled();
}

QString shownMessage(const AqnDialog& d) { return d.findChild<QLabel*>(QStringLiteral("validationMessage"))->text(); }

QString engineMessage(const aqn::Schedule& s) {
  try {
    s.validate();
  } catch (const srdd::Error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace

class TestAqnDialog : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
  }

  void defaultsAreValidWithARunDirectory() {
    AqnDialog d;
    d.setTargets({2, 4});
    d.setRunDirectory(m_dir->path() + "/run");
    QVERIFY2(d.isValid(), qPrintable(d.validationMessage()));
    QVERIFY(okEnabled(d));
    if (const QString shots = qEnvironmentVariable("SRDD_SCREENSHOT_DIR"); !shots.isEmpty()) {
      d.show();
      child<QLineEdit>(d, "sigmaEnd")->setText("0.5");
      QTest::qWait(100);
      QVERIFY(d.grab().save(shots + "/aqn-dialog-invalid.png"));
      child<QLineEdit>(d, "sigmaEnd")->setText("0.0005");
      child<QCheckBox>(d, "sigmaLogScale")->setChecked(true);
      QTest::qWait(100);
      QVERIFY(d.grab().save(shots + "/aqn-dialog.png"));
    }
    d.setRunDirectory(QString());
    QVERIFY(!d.isValid());
    QCOMPARE(d.validationMessage(), QStringLiteral("choose a run directory"));
    QVERIFY(!okEnabled(d));
  }

  void invalidScheduleShowsEngineMessageAndDisablesOk_data() {
    QTest::addColumn<QString>("start");
    QTest::addColumn<QString>("end");
    QTest::addColumn<int>("levels");
    QTest::addColumn<QString>("warmup");
    QTest::newRow("end > start") << "0.01"
                                 << "0.05" << 4 << "0.1";
    QTest::newRow("end = 0") << "0.05"
                             << "0" << 4 << "0.1";
    QTest::newRow("start = 0") << "0"
                               << "0" << 1 << "0.1";
    QTest::newRow("negative") << "-0.1"
                              << "0.001" << 4 << "0.1";
    QTest::newRow("warm-up 1") << "0.05"
                               << "0.001" << 4 << "1";
    QTest::newRow("levels 0") << "0.05"
                              << "0.001" << 0 << "0.1";
  }

  void invalidScheduleShowsEngineMessageAndDisablesOk() {
    QFETCH(QString, start);
    QFETCH(QString, end);
    QFETCH(int, levels);
    QFETCH(QString, warmup);
    AqnDialog d;
    d.setTargets({2, 4});
    d.setRunDirectory(m_dir->path() + "/run");
    QVERIFY(d.isValid());
    QSignalSpy validity(&d, &AqnDialog::validityChanged);
    child<QLineEdit>(d, "sigmaStart")->setText(start);
    child<QLineEdit>(d, "sigmaEnd")->setText(end);
    child<QSpinBox>(d, "levels")->setValue(levels);
    child<QLineEdit>(d, "warmupFraction")->setText(warmup);
    aqn::Schedule s;
    s.sigmaStart = start.toDouble();
    s.sigmaEnd = end.toDouble();
    s.levels = levels;
    s.warmupFraction = warmup.toDouble();
    const QString expected = engineMessage(s);
    QVERIFY(!expected.isEmpty());
    QCOMPARE(d.validationMessage(), expected);
    QCOMPARE(shownMessage(d), expected);
    QVERIFY(!okEnabled(d));
    QVERIFY(!validity.isEmpty());
    QCOMPARE(validity.last().at(0).toBool(), false);
    // The plot shows why instead of a schedule.
    QCOMPARE(d.sigmaPlot()->graphCount(), 0);
    QVERIFY(d.plottedSigma().empty());

    child<QLineEdit>(d, "sigmaStart")->setText("0.05");
    child<QLineEdit>(d, "sigmaEnd")->setText("0.001");
    child<QSpinBox>(d, "levels")->setValue(4);
    child<QLineEdit>(d, "warmupFraction")->setText("0.1");
    QVERIFY2(d.isValid(), qPrintable(d.validationMessage()));
    QVERIFY(okEnabled(d));
    QCOMPARE(validity.last().at(0).toBool(), true);
  }

  void otherFieldErrorsComeFromTheEngine() {
    AqnDialog d;
    d.setRunDirectory(m_dir->path() + "/run");
    d.setTargets({2, 4});
    d.setNumLayers(6);
    QVERIFY(d.isValid());
    child<QLineEdit>(d, "targets")->setText("2, 9");
    // The engine's layer-list parser, with the model's layer count, words the error.
    QString expected;
    try {
      srdd::parseLayerList("2, 9", 6, "targets");
    } catch (const srdd::Error& e) {
      expected = QString::fromStdString(e.what());
    }
    QCOMPARE(expected, QStringLiteral("targets: layer 9 is out of range (the model has 6 layers, 0-5)"));
    QCOMPARE(d.validationMessage(), expected);

    child<QLineEdit>(d, "targets")->setText("2, x");
    QVERIFY(d.validationMessage().contains("'x' is not a layer index"));
    child<QLineEdit>(d, "targets")->setText("2,4");
    QVERIFY(d.isValid());

    child<QSpinBox>(d, "seeds")->setValue(1);
    QVERIFY(d.validationMessage().contains("seeds = 1"));
    child<QSpinBox>(d, "seeds")->setValue(3);
    child<QLineEdit>(d, "learningRate")->setText("fast");
    QCOMPARE(d.validationMessage(), QStringLiteral("learning rate: 'fast' is not a number"));
    child<QLineEdit>(d, "learningRate")->setText("1e-3");
    child<QLineEdit>(d, "custom")->setText("early");
    QVERIFY(d.validationMessage().contains("has no '='"));
    child<QLineEdit>(d, "custom")->setText("early=0-1; global=3");
    QVERIFY(d.validationMessage().contains("name of a built-in configuration"));
    child<QLineEdit>(d, "custom")->setText("early=0-1; late=5");
    QVERIFY2(d.isValid(), qPrintable(d.validationMessage()));
    for (const char* c : {"config_baseline", "config_global", "config_targeted", "config_healthy"})
      child<QCheckBox>(d, c)->setChecked(false);
    QCOMPARE(d.settings().configs, (std::vector<std::string>{"early", "late"}));
    child<QLineEdit>(d, "custom")->clear();
    QCOMPARE(d.validationMessage(), QStringLiteral("AQN settings: no configuration to run"));
    child<QCheckBox>(d, "config_targeted")->setChecked(true);
    child<QLineEdit>(d, "targets")->clear();
    QVERIFY(d.validationMessage().contains("targeted configuration needs target layers"));
    child<QLineEdit>(d, "targets")->setText("1");
    child<QLineEdit>(d, "trainPath")->setText(m_dir->path() + "/missing.txt");
    QVERIFY(d.validationMessage().contains("missing.txt' is not a file"));
    // The reference protocol does not read the training text and has its own fields.
    child<QComboBox>(d, "protocol")->setCurrentText("reference");
    QVERIFY2(d.isValid(), qPrintable(d.validationMessage()));
    QVERIFY(!child<QLineEdit>(d, "trainPath")->isEnabled());
    QVERIFY(child<QLineEdit>(d, "gamma")->isEnabled());
    child<QSpinBox>(d, "maxTokens")->setValue(1);
    QCOMPARE(d.validationMessage(), QStringLiteral("AQN settings: reference max_tokens must be at least 2"));
  }

  void settingsRoundTrip() {
    aqn::ComparisonSettings s;
    s.modelDirectory = srdd_test::demoModelDir().toStdString();
    s.device = "cuda:0";
    s.dtype = "fp32";
    s.targets = {0, 1, 2, 5};
    s.configs = {"baseline", "targeted", "late"};
    s.custom = {{"late", {4, 5}}};
    s.seeds = 3;
    s.baseSeed = 1234567890123ull;
    s.train.steps = 17;
    s.train.batchSize = 3;
    s.train.seqLength = 48;
    s.train.learningRate = 3.5e-5;
    s.train.lrWarmupSteps = 2;
    s.train.weightDecay = 0.01;
    s.train.gradClip = 0;
    s.train.trainable = "norm,mlp\\.down";
    s.train.quantizeTraining = false;
    s.noise.target = aqn::NoiseTarget::Linears;
    s.noise.scale = aqn::NoiseScale::RelativeRms;
    s.noise.schedule = aqn::Schedule::qerl(0.02, 0.0002, 5);
    s.data.evalSeqLength = 128;
    s.data.evalTokens = 1000;
    s.data.evalBatchSize = 2;
    s.reference.gamma = 0.03;
    s.reference.prompts = "builtin:experiment";
    s.reference.maxTokens = 32;
    s.reference.researchQuantizer = false;
    AqnDialog d;
    d.setSettings(s);
    QCOMPARE(child<QLineEdit>(d, "targets")->text(), QStringLiteral("0-2, 5"));
    QCOMPARE(QString::fromStdString(d.settings().toJson().dump()), QString::fromStdString(s.toJson().dump()));
    s.protocol = aqn::Protocol::Reference;
    d.setSettings(s);
    QCOMPARE(QString::fromStdString(d.settings().toJson().dump()), QString::fromStdString(s.toJson().dump()));
  }

  // The QeRL-faithful preset fills the noise fields; the BF16 + AQN arm is a configuration to tick.
  void qerlPresetAndBf16Arm() {
    AqnDialog d;
    d.setTargets({2, 4});
    d.setRunDirectory(m_dir->path() + "/run");
    auto* preset = child<QComboBox>(d, "noisePreset");
    const int qerl = preset->findText("qerl");
    QVERIFY(qerl > 0);
    preset->setCurrentIndex(qerl);
    Q_EMIT preset->activated(qerl);
    QVERIFY2(d.isValid(), qPrintable(d.validationMessage()));
    QCOMPARE(aqn::matchingNoisePreset(d.settings().noise), std::string("qerl"));
    QCOMPARE(d.settings().noise.schedule.sigmaStart, 1e-2);
    child<QCheckBox>(d, "config_bf16-aqn")->setChecked(true);
    const auto configs = d.settings().configs;
    QVERIFY(std::find(configs.begin(), configs.end(), "bf16-aqn") != configs.end());
  }

  void targetsPrefilledFromTheTargetSet() {
    AqnDialog d;
    d.setTargets({12, 3, 7});
    QCOMPARE(d.settings().targets, (std::vector<int>{3, 7, 12}));
    d.setTargets({});
    QVERIFY(d.settings().targets.empty());
  }

  void sigmaPlotShowsTheSchedule() {
    AqnDialog d;
    child<QLineEdit>(d, "sigmaStart")->setText("0.1");
    child<QLineEdit>(d, "sigmaEnd")->setText("0.001");
    child<QSpinBox>(d, "levels")->setValue(3);
    child<QLineEdit>(d, "warmupFraction")->setText("0.25");
    child<QSpinBox>(d, "steps")->setValue(20);
    aqn::Schedule s;
    s.sigmaStart = 0.1;
    s.sigmaEnd = 0.001;
    s.levels = 3;
    s.warmupFraction = 0.25;
    const std::vector<double> expected = s.sigmaPerStep(20);
    QCustomPlot* plot = d.sigmaPlot();
    QCOMPARE(plot->graphCount(), 1);
    auto data = plot->graph(0)->data();
    QCOMPARE(data->size(), 20);
    // By hand: 5 warm-up steps at 0, then 5 steps each of 0.1, 0.1·0.01^(1/2) = 0.01 and 0.001.
    const double hand[] = {0, 0.1, 0.01, 0.001};
    for (int i = 0; i < 20; ++i) {
      QCOMPARE(data->at(i)->key, double(i + 1));
      QCOMPARE(data->at(i)->value, expected[size_t(i)]);
      QVERIFY(std::fabs(data->at(i)->value - hand[i / 5]) <= 1e-15);
    }
    QCOMPARE(plot->yAxis->scaleType(), QCPAxis::stLinear);

    child<QCheckBox>(d, "sigmaLogScale")->setChecked(true);
    plot = d.sigmaPlot();
    QCOMPARE(plot->yAxis->scaleType(), QCPAxis::stLogarithmic);
    data = plot->graph(0)->data();
    QCOMPARE(data->size(), 20);
    for (int i = 0; i < 5; ++i) QVERIFY(std::isnan(data->at(i)->value));  // σ = 0: a gap on a log axis
    for (int i = 5; i < 20; ++i) QCOMPARE(data->at(i)->value, expected[size_t(i)]);

    child<QSpinBox>(d, "steps")->setValue(7);
    QCOMPARE(d.sigmaPlot()->graph(0)->data()->size(), 7);
    QCOMPARE(d.plottedSigma(), s.sigmaPerStep(7));
  }

 private:
  std::unique_ptr<QTemporaryDir> m_dir;
};

QTEST_MAIN(TestAqnDialog)
#include "test_aqn_dialog.moc"
