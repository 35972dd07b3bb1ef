// The engine's thread count follows the CPUs the process may use (taskset, cgroups) and the usual
// environment variables, in the documented order, and is recorded in a scan's provenance.
#include <cstdlib>

#include <QMap>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "srdd/runtime.h"
#include "test_support.h"

namespace {
// `srdd --version` started under `taskset -c CPUS` with ENV added; returns its line that starts with PREFIX.
QString versionLine(const QString& cpus, const QStringList& env, const QString& prefix) {
  QProcess p;
  QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
  for (const char* name : {"SRDD_THREADS", "OMP_NUM_THREADS", "SLURM_CPUS_PER_TASK", "OMP_WAIT_POLICY"}) e.remove(name);
  for (const QString& kv : env) e.insert(kv.section('=', 0, 0), kv.section('=', 1));
  p.setProcessEnvironment(e);
  p.start("taskset", {"-c", cpus, srdd_test::cliPath(), "--version"});
  if (!p.waitForFinished(60000) || p.exitCode() != 0) return "failed: " + p.readAllStandardError();
  for (const QString& line : QString(p.readAllStandardOutput()).split('\n'))
    if (line.startsWith(prefix)) return line;
  return "no line starting with " + prefix;
}
QString threadsLine(const QString& cpus, const QStringList& env = {}) {
  return versionLine(cpus, env, "engine threads:");
}
}  // namespace

class TestRuntimeThreads : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void affinityLimitsThreads() {
    QCOMPARE(threadsLine("0"), QString("engine threads: 1 (cpu affinity)"));
    if (QThread::idealThreadCount() >= 2) QCOMPARE(threadsLine("0,1"), QString("engine threads: 2 (cpu affinity)"));
  }
  void environmentOrder() {
    QCOMPARE(threadsLine("0", {"SLURM_CPUS_PER_TASK=8"}), QString("engine threads: 8 (SLURM_CPUS_PER_TASK)"));
    QCOMPARE(threadsLine("0", {"SLURM_CPUS_PER_TASK=8", "OMP_NUM_THREADS=3"}),
             QString("engine threads: 3 (OMP_NUM_THREADS)"));
    QCOMPARE(threadsLine("0", {"OMP_NUM_THREADS=3", "SRDD_THREADS=5"}), QString("engine threads: 5 (SRDD_THREADS)"));
    // A value that is not a positive integer is ignored, not misread as 0 or a huge count.
    QCOMPARE(threadsLine("0", {"SRDD_THREADS=two", "OMP_NUM_THREADS=-4"}), QString("engine threads: 1 (cpu affinity)"));
  }
  // On a busy machine with several threads srdd re-executes itself with passive OpenMP waiting (spinning
  // threads made a 2-thread scan 3x slower than a 1-thread one at load 18 on 2 cores); idle, it keeps spinning
  // (faster there); a policy the user chose is kept.
  void openMpWaitsPassivelyWhenBusy() {
    QVERIFY(srdd::passiveWaitingHelps(2, 18.0, 2));
    QVERIFY(srdd::passiveWaitingHelps(2, 1.0, 2));
    QVERIFY(!srdd::passiveWaitingHelps(2, 0.9, 2));
    QVERIFY(!srdd::passiveWaitingHelps(1, 18.0, 2));   // one thread never waits for another
    QVERIFY(!srdd::passiveWaitingHelps(16, 3.0, 16));  // an idle many-core host keeps spinning
    QCOMPARE(versionLine("0", {"SRDD_THREADS=1"}, "OpenMP"), QString("OpenMP wait policy: default"));
    QCOMPARE(versionLine("0", {"SRDD_THREADS=2", "OMP_WAIT_POLICY=ACTIVE"}, "OpenMP"),
             QString("OpenMP wait policy: ACTIVE"));
    double load = 0;
    QCOMPARE(getloadavg(&load, 1), 1);
    if (load >= 0.7)  // clearly busy for one CPU (taskset -c 0): srdd must have switched
      QCOMPARE(versionLine("0", {"SRDD_THREADS=2"}, "OpenMP"), QString("OpenMP wait policy: PASSIVE"));
    else if (load < 0.3)
      QCOMPARE(versionLine("0", {"SRDD_THREADS=2"}, "OpenMP"), QString("OpenMP wait policy: default"));
  }
  void scanRecordsThreads() {
    QTemporaryDir dir;
    const QString out = dir.filePath("r.json");
    QProcess p;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert("SRDD_THREADS", "1");
    p.setProcessEnvironment(e);
    p.start(srdd_test::cliPath(),
            {"scan", srdd_test::demoModelDir(), "--scans", "gain", "--quiet", "--no-report", "--out", out});
    QVERIFY(p.waitForFinished(300000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY2(f.readAll().contains("\"threads\": 1"), "provenance.threads missing");
  }
  // The same scan (every scan kind) with 1 and 2 engine threads writes the same bytes, apart from
  // provenance.threads (the thread count itself). provenance.created_utc is pinned by --timestamp; the
  // scan JSON holds no wall times unless --profile is given. Two prompts of 260 words keep it short while
  // every per-prompt reduction (T x hidden > 32768 elements) and every weight matrix is large enough for
  // LibTorch to split it between threads.
  // fp32 runs every GEMM through the BLAS (OpenBLAS with Debian's LibTorch), bf16 through oneDNN on AVX-512 CPUs and
  // the BLAS in fp32 elsewhere. The BLAS's own thread count (OPENBLAS_NUM_THREADS, else OMP_NUM_THREADS) changed
  // the last bits of its products before the engine pinned it to one thread.
  void scanIsByteIdenticalAcrossThreadCounts_data() {
    QTest::addColumn<QString>("dtype");
    QTest::newRow("bf16") << "bf16";
    QTest::newRow("fp32") << "fp32";
  }
  void scanIsByteIdenticalAcrossThreadCounts() {
    QFETCH(QString, dtype);
    QTemporaryDir dir;
    const QStringList words = QString(
                                  "the of quantization layer model noise scale block error weight signal gain drift "
                                  "token prompt value")
                                  .split(' ');
    QFile prompts(dir.filePath("prompts.txt"));
    QVERIFY(prompts.open(QIODevice::WriteOnly));
    for (int line = 0; line < 2; ++line) {
      QStringList text;
      for (int i = 0; i < 260; ++i) text << words[(i * 7 + line * 3 + i / 5) % words.size()];
      prompts.write(text.join(' ').toUtf8() + "\n");
    }
    prompts.close();
    QMap<int, QByteArray> text;
    for (int threads : {1, 2}) {
      const QString out = dir.filePath(QString("r%1.json").arg(threads));
      QProcess p;
      QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
      for (const char* name : {"SRDD_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"})
        e.insert(name, QString::number(threads));
      e.insert("OMP_WAIT_POLICY", "PASSIVE");  // no spinning threads on a busy CI machine (does not change numbers)
      p.setProcessEnvironment(e);
      p.start(srdd_test::cliPath(),
              {"scan", srdd_test::demoModelDir(), "--dtype", dtype, "--scans", "all", "--prompts", prompts.fileName(),
               "--quiet", "--no-report", "--timestamp", "2026-12-03T12:00:00Z", "--out", out});
      QVERIFY(p.waitForFinished(600000));
      QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
      QFile f(out);
      QVERIFY(f.open(QIODevice::ReadOnly));
      text[threads] = f.readAll();
      QVERIFY(text[threads].contains(QString("\n  \"threads\": %1").arg(threads).toUtf8()));
    }
    QByteArray same = text[2];
    same.replace("\n  \"threads\": 2", "\n  \"threads\": 1");
    int at = 0;
    while (at < same.size() && at < text[1].size() && same[at] == text[1][at]) ++at;
    QVERIFY2(same == text[1], qPrintable(QString("SRDD_THREADS=2 differs from 1 at byte %1: ...%2... vs ...%3...")
                                             .arg(at)
                                             .arg(QString(same.mid(std::max(0, at - 80), 120)),
                                                  QString(text[1].mid(std::max(0, at - 80), 120)))));
  }
};

QTEST_APPLESS_MAIN(TestRuntimeThreads)
#include "test_runtime_threads.moc"
