// Faults of `srdd aqn` (docs/reliability.md, "Faults"). A real kill -9 at exact places (SRDD_KILL_AT,
// srdd/fault_point.h), then the same command resumes: the finished runs' files stay byte-identical, the
// interrupted run is redone, and the files equal those of an uninterrupted run (result.json and
// comparison.json apart from their "seconds" wall times). And two processes on one run directory: the
// second refuses, naming the directory and the holder's pid; the lock dies with its holder.
#include <nlohmann/json.hpp>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <map>

#include "test_support.h"

using nlohmann::json;

namespace {

using Tree = std::map<QString, QByteArray>;  // relative path -> bytes, every file (hidden ones too)

Tree readTree(const QString& dir) {
  Tree t;
  QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString path = it.next();
    QFile f(path);
    if (f.open(QIODevice::ReadOnly)) t[QDir(dir).relativeFilePath(path)] = f.readAll();
  }
  return t;
}

json withoutSeconds(json j) {
  if (j.is_object()) {
    j.erase("seconds");
    for (auto& [k, v] : j.items()) v = withoutSeconds(v);
  } else if (j.is_array()) {
    for (auto& v : j) v = withoutSeconds(v);
  }
  return j;
}
json parse(const QByteArray& b) { return json::parse(b.toStdString()); }

// The baseline with 2 seeds (the fewest the statistics accept) = 2 runs of 2 steps on the demo model.
QStringList aqnArgs(const QString& out, const QString& steps = "2") {
  return {"aqn",
          srdd_test::demoModelDir(),
          "--configs",
          "baseline",
          "--seeds",
          "2",
          "--steps",
          steps,
          "--seq",
          "32",
          "--batch",
          "2",
          "--eval-tokens",
          "64",
          "--eval-seq",
          "64",
          "--timestamp",
          "2026-12-03T12:00:00Z",
          "--quiet",
          "--out",
          out};
}
const QStringList kRuns = {"baseline-seed0", "baseline-seed1"};

QProcessEnvironment runEnvironment() {
  auto env = QProcessEnvironment::systemEnvironment();
  env.remove("SRDD_KILL_AT");
  env.insert("SRDD_DIGEST_CACHE", "off");  // no digest-cache writes among the counted atomic writes
  env.insert("SRDD_THREADS", "1");         // runs are deterministic at any fixed count; 1 is fastest on a busy box
  env.insert("OMP_WAIT_POLICY", "PASSIVE");
  return env;
}

struct Run {
  bool killed = false;  // ended by SIGKILL
  int code = -1;
  QString err;
};
Run runAqn(const QStringList& args, const QString& killAt = {}) {
  QProcess p;
  auto env = runEnvironment();
  if (!killAt.isEmpty()) env.insert("SRDD_KILL_AT", killAt);
  p.setProcessEnvironment(env);
  p.start(srdd_test::cliPath(), args);
  if (!p.waitForFinished(300000)) {
    p.kill();
    p.waitForFinished();
    return {};
  }
  return {p.exitStatus() == QProcess::CrashExit, p.exitCode(), QString::fromUtf8(p.readAllStandardError()).trimmed()};
}

}  // namespace

class TestAqnFaults : public QObject {
  Q_OBJECT
  QTemporaryDir m_tmp;
  Tree m_reference;  // the uninterrupted run's directory

 private Q_SLOTS:
  void initTestCase() {
    const Run r = runAqn(aqnArgs(m_tmp.filePath("reference")));
    QVERIFY2(!r.killed && r.code == 0, qPrintable(r.err));
    m_reference = readTree(m_tmp.filePath("reference"));
    for (const QString& run : kRuns) QVERIFY(m_reference.count("runs/" + run + "/result.json"));
    QVERIFY(m_reference.count("comparison.json"));
  }

  void killedThenResumed_data() {
    QTest::addColumn<QString>("killAt");
    QTest::addColumn<QStringList>("finishedBefore");  // runs with result.json when the process died
    QTest::newRow("during run 2 of 2 (after its first step)") << "aqn.step:3" << QStringList{"baseline-seed0"};
    QTest::newRow("between run 2's metrics.jsonl and result.json")
        << "aqn.run-files:2" << QStringList{"baseline-seed0"};
    // Atomic writes: config.json, then metrics + result per run; the 5th is run 2's result.json.
    QTest::newRow("run 2's result.json written, not yet renamed")
        << "atomic.before-rename:5" << QStringList{"baseline-seed0"};
    QTest::newRow("during the final comparison") << "aqn.comparison" << kRuns;
  }
  void killedThenResumed() {
    QFETCH(QString, killAt);
    QFETCH(QStringList, finishedBefore);
    const QString dir = m_tmp.filePath("killed-at-" + QString(killAt).replace(':', '-'));
    const Run killed = runAqn(aqnArgs(dir), killAt);
    QVERIFY2(killed.killed,
             qPrintable("not killed at " + killAt + ": exit " + QString::number(killed.code) + " " + killed.err));
    const Tree before = readTree(dir);
    QVERIFY(!before.count("comparison.json"));
    for (const QString& run : kRuns)
      QCOMPARE(bool(before.count("runs/" + run + "/result.json")), finishedBefore.contains(run));

    const Run resumed = runAqn(aqnArgs(dir));
    QVERIFY2(!resumed.killed && resumed.code == 0, qPrintable(resumed.err));
    const Tree after = readTree(dir);
    // The finished runs and config.json are kept, byte for byte (not rewritten).
    for (const QString& run : finishedBefore)
      for (const QString& file : {QString("metrics.jsonl"), QString("result.json")}) {
        const QString path = "runs/" + run + "/" + file;
        QVERIFY2(after.at(path) == before.at(path), qPrintable(path + " changed on resume"));
      }
    QCOMPARE(after.at("config.json"), before.at("config.json"));
    // The other runs are redone; everything equals the uninterrupted run's, apart from wall times.
    for (const QString& run : kRuns) {
      const QString path = "runs/" + run + "/";
      QVERIFY2(after.at(path + "metrics.jsonl") == m_reference.at(path + "metrics.jsonl"), qPrintable(path));
      QCOMPARE(withoutSeconds(parse(after.at(path + "result.json"))).dump(),
               withoutSeconds(parse(m_reference.at(path + "result.json"))).dump());
    }
    QCOMPARE(withoutSeconds(parse(after.at("comparison.json"))).dump(),
             withoutSeconds(parse(m_reference.at("comparison.json"))).dump());
    // Nothing else: no temporary file of the killed writer is left (the lock file is the one extra).
    QStringList extra;
    for (const auto& [path, bytes] : after)
      if (!m_reference.count(path) && path != ".srdd-aqn.lock") extra << path;
    QVERIFY2(extra.isEmpty(), qPrintable("left behind: " + extra.join(", ")));
  }

  void secondProcessIsRefused() {
    const QString dir = m_tmp.filePath("locked");
    QProcess first;
    first.setProcessEnvironment(runEnvironment());
    first.start(srdd_test::cliPath(), aqnArgs(dir, "100000"));
    QVERIFY(first.waitForStarted());
    const QByteArray pid = QByteArray::number(first.processId());
    const auto holder = [&] {
      QFile lock(dir + "/.srdd-aqn.lock");
      return lock.open(QIODevice::ReadOnly) ? lock.readAll().trimmed() : QByteArray();
    };
    QTRY_COMPARE_WITH_TIMEOUT(holder(), pid, 120000);

    const Run second = runAqn(aqnArgs(dir, "100000"));
    QVERIFY(!second.killed);
    QCOMPARE(second.code, 1);
    QVERIFY2(!second.err.contains('\n'), qPrintable(second.err));
    QVERIFY2(second.err.contains(dir + ": the run directory is in use by another srdd process (pid " + pid + ")"),
             qPrintable(second.err));
    QCOMPARE(first.state(), QProcess::Running);  // the refusal did not disturb the holder

    first.kill();  // SIGKILL: no destructor runs, the kernel drops the flock
    QVERIFY(first.waitForFinished());
    // The next process gets past the lock: it reaches its first training step (and dies there on purpose).
    const Run third = runAqn(aqnArgs(dir, "100000"), "aqn.step:1");
    QVERIFY2(third.killed, qPrintable("did not get the lock: " + third.err));
  }
};

QTEST_GUILESS_MAIN(TestAqnFaults)
#include "test_aqn_faults.moc"
