// Exported data and figures written where they cannot be (docs/reliability.md, "Faults"): a read-only
// tmpfs and a full one, mounted by the test. Each export must throw one srdd::Error line naming the file
// and the system's reason, leave no partial or temporary file, and leave an older file of that name as it was.
#include "export/data_export.h"
#include "headless_export.h"
#include "results/scan_data.h"

#include "test_results_fixture.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using srdd_gui::ScanData;

namespace {
const QByteArray kOld = "layer,value\r\n0,1\r\n";
}  // namespace

class TestExportFaults : public QObject {
  Q_OBJECT
  QTemporaryDir m_tmp;

 private Q_SLOTS:
  void dataToReadOnlyFilesystem() {
    const QString ro = m_tmp.filePath("ro");
    srdd_test::TmpfsMount mount(ro, "size=64k", true);
    if (!mount.error().isEmpty()) QSKIP(qPrintable(mount.error()));
    const QString e = srdd_test::errorOf([&] { srdd_gui::exportCsv(ro + "/table.csv", QString::fromUtf8(kOld)); });
    QVERIFY2(e.contains(ro + "/table.csv") && e.contains("Read-only file system") && !e.contains('\n'), qPrintable(e));
    QCOMPARE(srdd_test::entryNames(ro), QStringList());
  }

  void dataToFullFilesystemKeepsTheOldFile() {
    const QString full = m_tmp.filePath("full");
    srdd_test::TmpfsMount mount(full, "size=64k", false);
    if (!mount.error().isEmpty()) QSKIP(qPrintable(mount.error()));
    srdd_gui::exportCsv(full + "/table.csv", QString::fromUtf8(kOld));
    mount.fill();
    QString e = srdd_test::errorOf([&] { srdd_gui::exportCsv(full + "/table.csv", QString(5000, 'x')); });
    QVERIFY2(e.contains(full + "/table.csv") && e.contains("No space left on device") && !e.contains('\n'),
             qPrintable(e));
    e = srdd_test::errorOf([&] { srdd_gui::exportJson(full + "/table.json", QJsonDocument(QJsonObject{{"a", 1}})); });
    QVERIFY2(e.contains(full + "/table.json") && e.contains("No space left on device"), qPrintable(e));
    QCOMPARE(srdd_test::fileBytes(full + "/table.csv"), kOld);
    QCOMPARE(srdd_test::entryNames(full), (QStringList{"filler", "table.csv"}));
  }

  // "Export all figures" stops at the first file that cannot be written, naming it; no partial file.
  void figuresToFullFilesystem() {
    const QString full = m_tmp.filePath("full-figures");
    srdd_test::TmpfsMount mount(full, "size=64k", false);
    if (!mount.error().isEmpty()) QSKIP(qPrintable(mount.error()));
    mount.fill();
    const ScanData data = ScanData::fromJson(results_test::handMadeScan(), "hand-made.json");
    const QString e = srdd_test::errorOf([&] { srdd_gui::exportScanFigures(data, full, srdd_gui::ExportOptions()); });
    QVERIFY2(e.startsWith(full + "/") && e.contains("No space left on device") && !e.contains('\n'), qPrintable(e));
    QCOMPARE(srdd_test::entryNames(full), QStringList{"filler"});
  }
};

QTEST_MAIN(TestExportFaults)
#include "test_export_faults.moc"
