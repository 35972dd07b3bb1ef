#include "report/proposal_report.h"

#include "export/atomic_write.h"

#include <srdd/error.h>
#include <srdd/scan_job.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QStandardPaths>

namespace srdd_gui {

ProposalReportJob::ProposalReportJob(QObject* parent) : QObject(parent) {}

ProposalReportJob::~ProposalReportJob() {
  if (isRunning()) {
    m_process->kill();
    m_process->waitForFinished(5000);
  }
}

QString ProposalReportJob::cliProgram() {
  const QString beside = QCoreApplication::applicationDirPath() + QStringLiteral("/srdd");
  if (QFileInfo(beside).isExecutable()) return beside;
  const QString env = qEnvironmentVariable("SRDD_CLI");
  if (!env.isEmpty() && QFileInfo(env).isExecutable()) return env;
  return QStandardPaths::findExecutable(QStringLiteral("srdd"));
}

void ProposalReportJob::start(const srdd::ScanResult& scan, const srdd::aqn::ComparisonResult* aqn,
                              const ReportRequest& request) {
  if (isRunning()) throw srdd::Error("a proposal report is being written already");
  const QString cli = cliProgram();
  if (cli.isEmpty())
    throw srdd::Error("the srdd command-line tool is not next to this program (nor $SRDD_CLI, nor on the PATH)");
  const QDir inputs(request.outDir + QStringLiteral("/inputs"));
  if (!QDir().mkpath(inputs.path()))
    throw srdd::Error(QDir::toNativeSeparators(inputs.path()).toStdString() + ": cannot create the report folder");
  const QString scanFile = inputs.filePath(QStringLiteral("scan.json"));
  srdd::writeScanJsonFile(srdd::scanResultToJson(scan), scanFile.toStdString());
  QStringList args = {QStringLiteral("report"),    scanFile,       QStringLiteral("--format"), request.format,
                      QStringLiteral("--out"),     request.outDir, QStringLiteral("--lang"),   request.language,
                      QStringLiteral("--figures"), request.figures};
  if (aqn) {
    const QString aqnFile = inputs.filePath(QStringLiteral("comparison.json"));
    writeFileAtomically(aqnFile, QByteArray::fromStdString(aqn->toJson().dump(2) + "\n"));
    args << QStringLiteral("--aqn") << aqnFile;
  }
  delete m_process;
  m_process = new QProcess(this);
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  // The figures are drawn by this very program when it is srdd-studio (an installed or a build tree's).
  if (!env.contains(QStringLiteral("SRDD_STUDIO")) &&
      QFileInfo(QCoreApplication::applicationFilePath()).fileName() == "srdd-studio")
    env.insert(QStringLiteral("SRDD_STUDIO"), QCoreApplication::applicationFilePath());
  m_process->setProcessEnvironment(env);
  connect(m_process, &QProcess::finished, this, &ProposalReportJob::onFinished);
  connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart)
      Q_EMIT failed(tr("cannot start %1: %2").arg(m_process->program(), m_process->errorString()));
  });
  m_process->start(cli, args);
}

void ProposalReportJob::onFinished(int code, QProcess::ExitStatus status) {
  const QString out = QString::fromUtf8(m_process->readAllStandardOutput()).trimmed();
  const QString err = QString::fromUtf8(m_process->readAllStandardError()).trimmed();
  if (status == QProcess::NormalExit && code == 0) {
    Q_EMIT finished(out.split('\n').last());
    return;
  }
  QString message = err.isEmpty() ? tr("srdd report failed (exit status %1)").arg(code) : err.split('\n').last();
  Q_EMIT failed(message);
}

}  // namespace srdd_gui
