// Results written where they cannot be (docs/reliability.md, "Faults"): a read-only filesystem and a full
// one, each a real tmpfs mounted by the test. `srdd scan --out` and `srdd aqn --out` must end with exit
// code 1 and one line naming the file and the system's reason, and leave no partial or temporary file:
// the old content of a results file stays as it was.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "test_support.h"

namespace {

QString gPrompts;  // one short prompt (initTestCase): the scan only has to reach its write
QStringList scanArgs(const QString& out) {
  return {
      "scan", srdd_test::demoModelDir(), "--scans", "gain", "--prompts", gPrompts, "--quiet", "--no-report", "--out",
      out};
}
QStringList aqnArgs(const QString& out) {
  return {"aqn",
          srdd_test::demoModelDir(),
          "--configs",
          "baseline",
          "--seeds",
          "2",
          "--steps",
          "1",
          "--seq",
          "32",
          "--batch",
          "2",
          "--eval-tokens",
          "128",
          "--eval-seq",
          "64",
          "--timestamp",
          "2026-12-03T12:00:00Z",
          "--quiet",
          "--out",
          out};
}
void writeAll(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(bytes);
}

// Exit code 1 and one line that holds every part.
#define EXPECT_ONE_LINE_FAILURE(run, parts)                                                                          \
  do {                                                                                                               \
    const auto r_ = (run);                                                                                           \
    const QString e_ = r_.err.trimmed();                                                                             \
    QVERIFY2(r_.code == 1, qPrintable(QString("exit %1: %2").arg(r_.code).arg(e_)));                                 \
    QVERIFY2(!e_.contains('\n'), qPrintable("more than one line: " + e_));                                           \
    for (const QString& p_ : QStringList(parts)) QVERIFY2(e_.contains(p_), qPrintable("lacks '" + p_ + "': " + e_)); \
  } while (0)

}  // namespace

class TestOutputFaults : public QObject {
  Q_OBJECT
  QTemporaryDir m_tmp;

 private Q_SLOTS:
  void initTestCase() {
    qputenv("SRDD_THREADS", "1");  // the child processes: one engine thread, no spinning on a busy machine
    qputenv("OMP_WAIT_POLICY", "PASSIVE");
    gPrompts = m_tmp.filePath("prompt.txt");
    writeAll(gPrompts, "The words of Amos, who was among the herdmen of Tekoa.\n");
  }
  void scanToReadOnlyFilesystem() {
    const QString ro = m_tmp.filePath("ro");
    srdd_test::TmpfsMount mount(ro, "size=64k", true);
    if (!mount.error().isEmpty()) QSKIP(qPrintable(mount.error()));
    EXPECT_ONE_LINE_FAILURE(srdd_test::runCli(scanArgs(ro + "/r.json")),
                            (QStringList{ro + "/r.json", "cannot create a temporary file", "Read-only file system"}));
    QCOMPARE(srdd_test::entryNames(ro), QStringList());
  }

  void scanToFullFilesystemKeepsTheOldFile() {
    const QString full = m_tmp.filePath("full-scan");
    srdd_test::TmpfsMount mount(full, "size=64k", false);
    if (!mount.error().isEmpty()) QSKIP(qPrintable(mount.error()));
    writeAll(full + "/r.json", "{\"old\": true}\n");
    mount.fill();
    EXPECT_ONE_LINE_FAILURE(srdd_test::runCli(scanArgs(full + "/r.json")),
                            (QStringList{full + "/r.json", "write failed", "No space left on device"}));
    QCOMPARE(srdd_test::fileBytes(full + "/r.json"), QByteArray("{\"old\": true}\n"));
    QCOMPARE(srdd_test::entryNames(full), (QStringList{"filler", "r.json"}));  // no temporary file left
  }

  void aqnToReadOnlyFilesystem() {
    const QString ro = m_tmp.filePath("ro-aqn");
    srdd_test::TmpfsMount mount(ro, "size=64k", true);
    if (!mount.error().isEmpty()) QSKIP(qPrintable(mount.error()));
    EXPECT_ONE_LINE_FAILURE(srdd_test::runCli(aqnArgs(ro + "/run")),
                            (QStringList{ro + "/run", "cannot create the run directory", "Read-only file system"}));
    QCOMPARE(srdd_test::entryNames(ro), QStringList());
  }

  // The disk fills while the runs are done: comparison.json cannot be written. The runs stay, no partial
  // comparison.json appears, and once there is space the same command finishes from the kept runs.
  void aqnComparisonOnFullFilesystem() {
    const QString full = m_tmp.filePath("full-aqn"), run = full + "/run";
    srdd_test::TmpfsMount mount(full, "size=1m", false);
    if (!mount.error().isEmpty()) QSKIP(qPrintable(mount.error()));
    const auto first = srdd_test::runCli(aqnArgs(run));
    QVERIFY2(first.code == 0, qPrintable(first.err));
    const QByteArray result = srdd_test::fileBytes(run + "/runs/baseline-seed0/result.json");
    QVERIFY(QFile::remove(run + "/comparison.json"));
    mount.fill();
    EXPECT_ONE_LINE_FAILURE(srdd_test::runCli(aqnArgs(run)),
                            (QStringList{run + "/comparison.json", "write failed", "No space left on device"}));
    QCOMPARE(srdd_test::entryNames(run), (QStringList{".srdd-aqn.lock", "config.json", "runs"}));
    QCOMPARE(srdd_test::entryNames(run + "/runs/baseline-seed0"), (QStringList{"metrics.jsonl", "result.json"}));
    QCOMPARE(srdd_test::fileBytes(run + "/runs/baseline-seed0/result.json"), result);

    QVERIFY(QFile::remove(full + "/filler"));
    const auto resumed = srdd_test::runCli(aqnArgs(run));
    QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
    QVERIFY(srdd_test::fileBytes(run + "/comparison.json").startsWith("{"));
    QCOMPARE(srdd_test::fileBytes(run + "/runs/baseline-seed0/result.json"), result);  // read back, not rerun
  }

  void aqnToFullFilesystem() {
    const QString full = m_tmp.filePath("full-new-aqn");
    srdd_test::TmpfsMount mount(full, "size=64k", false);
    if (!mount.error().isEmpty()) QSKIP(qPrintable(mount.error()));
    mount.fill();
    EXPECT_ONE_LINE_FAILURE(srdd_test::runCli(aqnArgs(full + "/run")),
                            (QStringList{full + "/run/config.json", "write failed", "No space left on device"}));
    QCOMPARE(srdd_test::entryNames(full + "/run"), QStringList{".srdd-aqn.lock"});
  }
};

QTEST_GUILESS_MAIN(TestOutputFaults)
#include "test_output_faults.moc"
