// The files the build generates from the `srdd` binary (app/cli/docs.cmake): the bash completion script, which
// must source in bash and complete commands, options and their values, and the help2man man pages.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include "test_support.h"

namespace {

QString env(const char* name) {
  const QString v = qEnvironmentVariable(name);
  if (v.isEmpty()) qFatal("%s is not set (run the tests through ctest)", name);
  return v;
}

QString readText(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// What bash completion offers for the command line WORDS, the last word being the one under the cursor.
QStringList complete(const QStringList& words) {
  QString array;
  for (const QString& w : words) array += " '" + w + "'";
  const QString script = "source \"$1\" || exit 3; complete -p srdd >/dev/null || exit 4; COMP_WORDS=(" + array +
                         "); COMP_CWORD=" + QString::number(words.size() - 1) +
                         "; _srdd; printf '%s\\n' \"${COMPREPLY[@]}\"";
  QProcess bash;
  bash.start("bash", {"--norc", "--noprofile", "-c", script, "_", env("SRDD_BASH_COMPLETION")});
  if (!bash.waitForFinished(30000) || bash.exitCode() != 0)
    qWarning("bash exit %d: %s", bash.exitCode(), bash.readAllStandardError().constData());
  return QString::fromUtf8(bash.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
}

}  // namespace

class TestCliDocs : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void completionScriptIsTheBinarys() {
    const auto r = srdd_test::runCli({"completion", "bash"});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, readText(env("SRDD_BASH_COMPLETION")));
    QCOMPARE(srdd_test::runCli({"completion", "zsh"}).code, 2);
  }

  void completesCommandsOptionsAndValues() {
    QCOMPARE(complete({"srdd", "sc"}), QStringList({"scan"}));
    QCOMPARE(complete({"srdd", "make"}), QStringList({"make-random"}));
    const QStringList all = complete({"srdd", ""});
    for (const char* c :
         {"aqn", "bench", "completion", "engine", "eval", "info", "report", "scan", "serve", "tokenize"})
      QVERIFY2(all.contains(c), c);
    QVERIFY(!all.contains("help"));  // hidden
    QCOMPARE(complete({"srdd", "bench", "q"}), QStringList({"quant"}));
    QCOMPARE(complete({"srdd", "engine", "h"}), QStringList({"hello"}));
    QCOMPARE(complete({"srdd", "scan", "--for"}), QStringList({"--format"}));
    QCOMPARE(complete({"srdd", "scan", "--device", ""}), QStringList({"cpu", "cuda", "auto"}));
    QCOMPARE(complete({"srdd", "make-random", "--like", "tiny"}), QStringList({"tiny-qwen2"}));
    QCOMPARE(complete({"srdd", "bench", "quant", "--rounding", "s"}), QStringList({"stochastic"}));
    const QStringList formats = complete({"srdd", "scan", "--format", "mxfp8"});
    QCOMPARE(formats, QStringList({"mxfp8-e4m3", "mxfp8-e5m2"}));
    // Option names after options and positionals; a value-taking option without choices offers nothing.
    QVERIFY(complete({"srdd", "scan", "MODEL", "--json", "--qu"}).contains("--quiet"));
    QCOMPARE(complete({"srdd", "scan", "--seed", ""}), QStringList());
    // Paths: MODEL completes directories.
    const QStringList dirs = complete({"srdd", "info", srdd_test::sourceDir() + "/resources/demo-m"});
    QCOMPARE(dirs, QStringList({srdd_test::sourceDir() + "/resources/demo-model"}));
  }

  void manPagesHoldEveryOption() {
    const QDir man(env("SRDD_MAN_DIR"));
    const QString top = readText(man.filePath("srdd.1"));
    QVERIFY2(top.startsWith(".\\\" DO NOT MODIFY THIS FILE!") || top.contains(".TH SRDD "), qPrintable(top.left(200)));
    const QString help = srdd_test::runCli({"--help"}).out;
    QRegularExpression listed("\\n  ([a-z][a-z-]+) +\\S");
    QStringList commands;
    for (auto it = listed.globalMatch(help); it.hasNext();) commands << it.next().captured(1);
    QVERIFY(commands.contains("scan") && commands.contains("make-random"));
    QRegularExpression optionName("--[a-z0-9][a-z0-9-]*");
    for (const QString& c : commands) {
      const QString page = readText(man.filePath("srdd-" + c + ".1"));
      QVERIFY2(page.contains(".TH SRDD-" + c.toUpper() + " \"1\""), qPrintable(c));
      QVERIFY2(page.contains(".SH NAME\nsrdd-" + c + " \\- "), qPrintable(c));
      QVERIFY2(top.contains(QString(c).replace("-", "\\-")), qPrintable(c + " not in srdd.1"));
      // Every option of `srdd CMD --help` is on the page (roff writes "-" as "\-").
      const QString cmdHelp = srdd_test::runCli({c, "--help"}).out;
      int options = 0;
      for (auto it = optionName.globalMatch(cmdHelp); it.hasNext(); ++options) {
        const QString o = it.next().captured(0);
        QVERIFY2(page.contains(QString(o).replace("-", "\\-")), qPrintable(o + " not in srdd-" + c + ".1"));
      }
      QVERIFY(options >= 1);  // at least --help
    }
    QVERIFY(readText(man.filePath("srdd-scan.1")).contains("\\-\\-threshold\\-gain\\-ratio"));
    QVERIFY(readText(man.filePath("srdd-bench.1")).contains("\\-\\-max\\-elements"));  // a benchmark's option
  }
};

QTEST_GUILESS_MAIN(TestCliDocs)
#include "test_cli_docs.moc"
