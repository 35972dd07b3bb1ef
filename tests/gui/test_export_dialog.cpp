// The export dialog's controls map to ExportOptions, presets and the path's extension follow the choices,
// and the last options persist in QSettings.
#include "export/export_dialog.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using srdd_gui::ExportDialog;
using srdd_gui::ExportOptions;

class TestExportDialog : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void init() { QSettings().clear(); }
  void defaultsAndPresets();
  void extensionFollowsFormat();
  void pngShowsPixels();
  void acceptRefusesBadInputAndRemembers();

 private:
  QTemporaryDir m_settingsDir;
};

void TestExportDialog::initTestCase() {
  QSettings::setDefaultFormat(QSettings::IniFormat);
  QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
  QCoreApplication::setOrganizationName("SRDD-test");
  QCoreApplication::setApplicationName("test_export_dialog");
}

void TestExportDialog::defaultsAndPresets() {
  ExportDialog d(ExportDialog::Target::File);
  ExportOptions o = d.options();
  QCOMPARE(o.format, ExportOptions::Pdf);
  QCOMPARE(o.widthPt, 252.0);
  QCOMPARE(o.heightPt, 189.0);
  QCOMPARE(o.fontPt, 8.0);
  auto* preset = d.findChild<QComboBox*>("preset");
  QCOMPARE(preset->currentText(), QString("Single column (252 pt)"));
  preset->setCurrentIndex(1);  // double column keeps the aspect ratio
  QCOMPARE(d.options().widthPt, 516.0);
  QCOMPARE(d.options().heightPt, 387.0);
  d.findChild<QDoubleSpinBox*>("width")->setValue(300);
  QCOMPARE(preset->currentText(), QString("Custom"));
  d.findChild<QDoubleSpinBox*>("width")->setValue(252);
  QCOMPARE(preset->currentText(), QString("Single column (252 pt)"));
  // metadata given by the caller passes through
  o.metadata = {{"model", "demo"}};
  d.setOptions(o);
  QCOMPARE(d.options().metadata.value("model"), QString("demo"));
}

void TestExportDialog::extensionFollowsFormat() {
  ExportDialog d(ExportDialog::Target::File);
  d.setPath("/tmp/figs/sqnr.pdf");
  auto* format = d.findChild<QComboBox*>("format");
  format->setCurrentIndex(format->findData(ExportOptions::Svg));
  QCOMPARE(d.path(), QString("/tmp/figs/sqnr.svg"));
  format->setCurrentIndex(format->findData(ExportOptions::Png));
  QCOMPARE(d.path(), QString("/tmp/figs/sqnr.png"));
  d.setPath("../figs/sqnr.v2");
  QCOMPARE(d.path(), QString("../figs/sqnr.v2.png"));
  ExportDialog folder(ExportDialog::Target::Folder);
  folder.setPath("/tmp/figs");
  auto* folderFormat = folder.findChild<QComboBox*>("format");
  folderFormat->setCurrentIndex(folderFormat->findData(ExportOptions::Svg));
  QCOMPARE(folder.path(), QString("/tmp/figs"));  // a folder keeps its name
}

void TestExportDialog::pngShowsPixels() {
  ExportDialog d(ExportDialog::Target::File);
  auto* dpi = d.findChild<QSpinBox*>("dpi");
  QVERIFY(!dpi->isEnabled());
  auto* format = d.findChild<QComboBox*>("format");
  format->setCurrentIndex(format->findData(ExportOptions::Png));
  QVERIFY(dpi->isEnabled());
  d.findChild<QDoubleSpinBox*>("height")->setValue(180);
  dpi->setValue(300);
  const QString summary = d.findChild<QLabel*>("summary")->text();
  QVERIFY2(summary.contains("1050 \u00d7 750 pixels") && summary.contains("88.9 \u00d7 63.5 mm"), qPrintable(summary));
  if (const QString dir = qEnvironmentVariable("SRDD_SCREENSHOT_DIR"); !dir.isEmpty()) {  // to look at it
    d.setPath("/home/me/paper/figs/sqnr.png");
    d.grab().save(dir + "/export_dialog.png");
  }
}

void TestExportDialog::acceptRefusesBadInputAndRemembers() {
  ExportDialog d(ExportDialog::Target::File);
  d.accept();
  QCOMPARE(d.result(), int(QDialog::Rejected));
  QCOMPARE(d.findChild<QLabel*>("summary")->text(), QString("Choose a file."));
  auto* format = d.findChild<QComboBox*>("format");
  format->setCurrentIndex(format->findData(ExportOptions::Svg));
  d.findChild<QDoubleSpinBox*>("fontSize")->setValue(9.5);
  d.setPath("/tmp/x.svg");
  d.accept();
  QCOMPARE(d.result(), int(QDialog::Accepted));
  const ExportOptions remembered = ExportDialog::lastOptions();
  QCOMPARE(remembered.format, ExportOptions::Svg);
  QCOMPARE(remembered.fontPt, 9.5);
  ExportDialog next(ExportDialog::Target::File);  // offered next time
  QCOMPARE(next.options().format, ExportOptions::Svg);
  QCOMPARE(next.options().fontPt, 9.5);
  QSettings().setValue("export/widthPt", -5);  // a broken entry falls back to defaults
  QCOMPARE(ExportDialog::lastOptions().widthPt, 252.0);
}

QTEST_MAIN(TestExportDialog)
#include "test_export_dialog.moc"
