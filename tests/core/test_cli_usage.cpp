// The `srdd` command line as a user meets it, run as real processes: exit codes 0, 1, 2 and 130, one-line
// usage errors naming the option, the generated help, and --json on the commands that print results.
#include <signal.h>

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include "test_support.h"

namespace {

using srdd_test::runCli;

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The command names, from the sources: one app/cli/cmd_<name>.cpp per command (cmd_bench_<name>.cpp per benchmark).
QStringList commandsFromSources(const QString& prefix) {
  QStringList names;
  const QDir dir(srdd_test::sourceDir() + "/app/cli");
  for (const QString& f : dir.entryList({"cmd_*.cpp"}, QDir::Files)) {
    QString name = f.chopped(4).mid(4);  // cmd_make_random.cpp -> make_random
    if (prefix.isEmpty() ? name.startsWith("bench_") : !name.startsWith(prefix)) continue;
    names << name.mid(prefix.size()).replace('_', '-');
  }
  return names;
}

}  // namespace

class TestCliUsage : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString path(const QString& name) { return tmp_.path() + "/" + name; }

  // Exit code 2, nothing on stdout, and exactly one stderr line that starts with the command and holds `part`.
  void expectUsageError(const QStringList& args, const QString& part) {
    const auto r = runCli(args);
    const QString what = args.join(' ') + " -> exit " + QString::number(r.code) + ": " + r.err;
    QVERIFY2(r.code == 2, qPrintable(what));
    QVERIFY2(r.out.isEmpty(), qPrintable(what + " / stdout: " + r.out));
    QVERIFY2(r.err.endsWith('\n') && r.err.count('\n') == 1, qPrintable("not one line: " + what));
    QVERIFY2(r.err.contains(part), qPrintable("'" + part + "' not in: " + what));
    const QString command = args.isEmpty() || args[0].startsWith('-') ? QString() : args[0];
    QVERIFY2(
        r.err.startsWith(command.isEmpty() || part.startsWith("unknown command") ? "srdd: error: "
                                                                                 : "srdd " + command + ": error: "),
        qPrintable(what));
  }

 private Q_SLOTS:
  void usageErrorsExitTwoAndNameTheOption() {
    expectUsageError({"scan", "--bogus"}, "unknown option '--bogus'");
    expectUsageError({"scan", "--seed", "x"}, "option --seed: 'x' is not an integer");
    expectUsageError({"scan", "--seed", "-1"}, "option --seed must be at least 0, not -1");
    expectUsageError({"scan", "--noise-scale", "abc"}, "option --noise-scale: 'abc' is not a number");
    expectUsageError({"scan", "--format", "mxfp5"}, "option --format: ");
    expectUsageError({"scan", "--format", "mxfp5"}, "'mxfp5'");
    expectUsageError({"scan", "--device", "tpu"},
                     "option --device: unknown device 'tpu' (expected cpu, cuda, cuda:N or auto)");
    expectUsageError({"scan", "--rules", "strict"}, "option --rules: ");
    expectUsageError({"scan", "--out"}, "option --out needs a value");
    expectUsageError({"scan", "--layers", "0", "--all-but", "1"}, "exclude each other");
    expectUsageError({"make-random", path("never")}, "option --like is required");
    expectUsageError({"make-random", "--like", "tiny-qwen2"}, "missing argument OUT");
    expectUsageError({"make-random", "--like", "tiny-qwen2", path("never"), "--shards", "0"},
                     "option --shards must be between 1 and 99999, not 0");
    expectUsageError({"make-random", "--like", "tiny-qwen2", path("never"), "--dtype", "int4"}, "unknown dtype 'int4'");
    expectUsageError({"info", "a", "b"}, "unexpected argument 'b'");
    expectUsageError({"frobnicate"}, "unknown command 'frobnicate'");
    expectUsageError({"bench", "nope"}, "unknown subcommand 'nope'");
    expectUsageError({"aqn", "--copy-to", path("never")}, "option --copy-to needs --engine");
    expectUsageError({"tokenize", "--tokenizer", srdd_test::demoModelDir()},
                     "give exactly one of --text, --file or --decode");
    QVERIFY(!QFileInfo::exists(path("never")));  // a usage error does no work
  }

  // A value that starts with '-' is the option's value, as before CLI11 ("--ssh-options '-F cfg'").
  void dashLeadingValues() {
    const QString tok = srdd_test::demoModelDir();
    const auto spaced = runCli({"tokenize", "--tokenizer", tok, "--text", "-hello", "--json"});
    QVERIFY2(spaced.code == 0, qPrintable(spaced.err));
    const auto glued = runCli({"tokenize", "--tokenizer", tok, "--text=-hello", "--json"});
    QCOMPARE(spaced.out, glued.out);
    QVERIFY(nlohmann::json::parse(spaced.out.toStdString()).at("ids").size() >= 2);
    const auto q = runCli({"quantize", "--values", "-6 5", "--json"});
    QVERIFY2(q.code == 0, qPrintable(q.err));
    QCOMPARE(nlohmann::json::parse(q.out.toStdString()).at("input"), nlohmann::json({-6.0, 5.0}));
  }

  // No command: the list of commands on stdout, exit 2; a failing command: exit 1 and one "error:" line.
  void otherExitCodes() {
    const auto none = runCli({});
    QCOMPARE(none.code, 2);
    QVERIFY(none.out.contains("scan") && none.out.contains("Usage: srdd COMMAND"));
    const auto missing = runCli({"info", path("no-model")});
    QCOMPARE(missing.code, 1);
    QVERIFY2(missing.err.startsWith("srdd info: error: ") && missing.err.contains(path("no-model")) &&
                 missing.err.count('\n') == 1,
             qPrintable(missing.err));
    QCOMPARE(runCli({"--version"}).code, 0);
    QCOMPARE(runCli({"scan", "--version"}).code, 0);
  }

  void helpListsEveryCommandAndOption() {
    const auto top = runCli({"--help"});
    QCOMPARE(top.code, 0);
    const QStringList commands = commandsFromSources("");
    QVERIFY(commands.size() >= 15);
    for (const QString& c : commands) {
      QVERIFY2(top.out.contains(QRegularExpression("\\n  " + QRegularExpression::escape(c) + " +\\S")),
               qPrintable(c + " not listed"));
      const auto sub = runCli({c, "--help"});
      QVERIFY2(sub.code == 0 && sub.out.startsWith("Usage: srdd " + c), qPrintable(c + ": " + sub.out.left(200)));
    }
    QVERIFY(top.out.contains("130 interrupted"));
    const auto bench = runCli({"bench", "--help"});
    for (const QString& b : commandsFromSources("bench_")) QVERIFY2(bench.out.contains("  " + b + " "), qPrintable(b));
    // Every option a subcommand accepts is in its help, with its value's name.
    const auto scan = runCli({"scan", "--help"}).out;
    for (const char* o : {"--format F", "--device DEV", "--dtype T", "--scans LIST", "--json", "--out FILE",
                          "--threshold-gain-ratio V", "--engine CMD", "--all-but LIST"})
      QVERIFY2(scan.contains(o), o);
    QVERIFY(runCli({"help", "scan"}).out == scan);
  }

  // --json prints one JSON document on stdout: the results file (scan, report) or what was written (make-random).
  void jsonMatchesTheWrittenFiles() {
    const QString out = path("scan.json");
    const auto scan =
        runCli({"scan", srdd_test::demoModelDir(), "--scans", "gain", "--prompts", "builtin:srdd", "--max-tokens", "8",
                "--timestamp", "2026-01-01T00:00:00Z", "--quiet", "--out", out, "--json"});
    QVERIFY2(scan.code == 0, qPrintable(scan.err));
    QCOMPARE(scan.out.toUtf8(), readAll(out));  // byte for byte the --out file, and nothing else
    const auto j = nlohmann::json::parse(scan.out.toStdString());
    QCOMPARE(j.at("schema").get<std::string>(), std::string("srdd-scan/1"));

    const auto report = runCli({"report", out, "--json"});
    QVERIFY2(report.code == 0, qPrintable(report.err));
    QCOMPARE(report.out.toUtf8(), readAll(out));
    QVERIFY(!runCli({"report", out}).out.trimmed().startsWith('{'));  // the table without --json

    const QString model = path("random");
    const auto made =
        runCli({"make-random", "--like", "tiny-qwen2", model, "--layers", "2", "--shards", "2", "--json"});
    QVERIFY2(made.code == 0, qPrintable(made.err));
    const auto m = nlohmann::json::parse(made.out.toStdString());
    QCOMPARE(QString::fromStdString(m.at("directory").get<std::string>()), model);
    QCOMPARE(m.at("config"), nlohmann::json::parse(readAll(model + "/config.json").toStdString()));
    QCOMPARE(m.at("config").at("num_hidden_layers").get<int>(), 2);
    const QStringList onDisk = QDir(model).entryList(QDir::Files, QDir::Name);
    QCOMPARE(int(m.at("files").size()), onDisk.size());
    QVERIFY(onDisk.contains("model-00002-of-00002.safetensors"));
    for (size_t i = 0; i < m.at("files").size(); ++i) {
      const auto& f = m.at("files")[i];
      QCOMPARE(QString::fromStdString(f.at("name").get<std::string>()), onDisk[int(i)]);
      QCOMPARE(f.at("bytes").get<qint64>(), QFileInfo(model + "/" + onDisk[int(i)]).size());
    }
    const auto info = nlohmann::json::parse(runCli({"info", model, "--json"}).out.toStdString());
    QCOMPARE(m.at("parameters").get<int64_t>(), info.at("parameters").get<int64_t>());
  }

  // Ctrl-C during a scan: exit 130, no results file (not even a partial one), nothing on stdout.
  void interruptedScanExits130AndWritesNothing() {
    QTemporaryDir dir;
    const QString out = dir.filePath("r.json");
    QProcess p;
    p.start(srdd_test::cliPath(), {"scan", srdd_test::demoModelDir(), "--scans", "all", "--trials", "20", "--out", out,
                                   "--csv", dir.filePath("r.csv")});
    QVERIFY(p.waitForStarted());
    QByteArray err;
    while (!err.contains("ETA") && p.state() == QProcess::Running) {  // the first progress line: scanning
      p.waitForReadyRead(1000);
      err += p.readAllStandardError();
    }
    QVERIFY2(p.state() == QProcess::Running, err.constData());
    QCOMPARE(::kill(static_cast<pid_t>(p.processId()), SIGINT), 0);
    QVERIFY(p.waitForFinished(60000));
    err += p.readAllStandardError();
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 130, err.constData());
    QVERIFY(err.contains("srdd scan: cancelled; nothing was written"));
    QVERIFY(p.readAllStandardOutput().isEmpty());
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList());  // no r.json, no temporary
  }

  // A command without cancellation points ends at once on Ctrl-C, with 130 as well.
  void interruptedServerExits130() {
    QProcess p;
    p.start(srdd_test::cliPath(), {"serve", "--stdio", "--direct"});
    QVERIFY(p.waitForStarted());
    // Up and waiting for requests once it catches SIGINT (bit 2 of SigCgt in /proc/PID/status).
    const QString status = QString("/proc/%1/status").arg(p.processId());
    bool catching = false;
    for (int i = 0; i < 600 && !catching; ++i) {
      for (const QString& line : QString::fromUtf8(readAll(status)).split('\n'))
        if (line.startsWith("SigCgt:"))
          catching = line.mid(7).trimmed().toULongLong(nullptr, 16) & (1ull << (SIGINT - 1));
      if (!catching) QThread::msleep(100);
    }
    QVERIFY(catching);
    QCOMPARE(::kill(static_cast<pid_t>(p.processId()), SIGINT), 0);
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 130);
    QVERIFY(p.readAllStandardError().contains("srdd: interrupted"));
  }
};

QTEST_GUILESS_MAIN(TestCliUsage)
#include "test_cli_usage.moc"
