#include "aqn/aqn_partial_run_panel.h"

#include "aqn/aqn_format.h"

#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

#include <srdd/aqn_rundir.h>

#include <algorithm>
#include <map>

namespace srdd_gui {

AqnPartialRunPanel::AqnPartialRunPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("aqnPartialRun"));
  m_headline = new QLabel;
  m_headline->setObjectName(QStringLiteral("partialHeadline"));
  m_headline->setWordWrap(true);
  m_headline->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_runs = new QListWidget;
  m_runs->setObjectName(QStringLiteral("partialRuns"));
  m_runs->setFlow(QListView::LeftToRight);
  m_runs->setWrapping(true);
  m_runs->setResizeMode(QListView::Adjust);
  m_runs->setSpacing(2);
  m_runs->setMaximumHeight(96);
  m_resume = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Resume"));
  m_resume->setObjectName(QStringLiteral("resumeRunDirectory"));
  m_resume->setToolTip(
      tr("Queue this directory's settings again: finished runs are kept, the missing ones are trained"));
  connect(m_resume, &QPushButton::clicked, this, &AqnPartialRunPanel::resumeRequested);
  auto* head = new QHBoxLayout;
  head->addWidget(m_headline, 1);
  head->addWidget(m_resume, 0, Qt::AlignTop);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 4, 0, 0);
  layout->addLayout(head);
  layout->addWidget(m_runs);
  hide();
}

void AqnPartialRunPanel::setRunDirectory(const AqnRunDirectory& dir) {
  m_headline->setText(tr("<b>Partial run directory</b> %1: %2 of %3 runs finished, %4 missing. The curves "
                         "below cover the finished runs; the tables, the configurations with two or more of them.")
                          .arg(QDir::toNativeSeparators(dir.path).toHtmlEscaped())
                          .arg(dir.finished.size())
                          .arg(dir.expectedRuns())
                          .arg(dir.missing.size()));
  std::map<QString, double> loss;
  for (const auto& run : dir.result.runs)
    loss[QString::fromStdString(srdd::aqn::rundir::runName(run.config, run.seedIndex))] = run.evalLossQuantized;
  m_runs->clear();
  const QIcon done = style()->standardIcon(QStyle::SP_DialogApplyButton);
  const QIcon missing = style()->standardIcon(QStyle::SP_MessageBoxWarning);
  // Settings order: each configuration's seeds, finished or not.
  QStringList all = dir.finished + dir.missing;
  std::sort(all.begin(), all.end(), [&dir](const QString& a, const QString& b) {
    const auto rank = [&dir](const QString& run) {
      const QString config = run.section(QStringLiteral("-seed"), 0, -2);
      const auto& configs = dir.result.settings.configs;
      const auto it = std::find(configs.begin(), configs.end(), config.toStdString());
      return std::make_pair(static_cast<int>(it - configs.begin()), run.section(QStringLiteral("-seed"), -1).toInt());
    };
    return rank(a) < rank(b);
  });
  for (const QString& run : all) {
    const bool finished = dir.finished.contains(run);
    auto* item =
        new QListWidgetItem(finished ? done : missing,
                            finished ? tr("%1  %2").arg(run, formatStat(loss[run], 5)) : tr("%1  missing").arg(run));
    item->setData(Qt::UserRole, run);
    item->setData(Qt::UserRole + 1, finished);
    item->setToolTip(finished ? tr("Finished: final held-out loss (quantized) %1").arg(formatStat(loss[run], 8))
                              : tr("Not run yet: Resume trains it"));
    if (!finished) item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
    m_runs->addItem(item);
  }
  show();
}

void AqnPartialRunPanel::setResumeEnabled(bool enabled, const QString& why) {
  m_resume->setEnabled(enabled);
  if (!why.isEmpty()) m_resume->setToolTip(why);
}

QString AqnPartialRunPanel::headline() const { return m_headline->text(); }

}  // namespace srdd_gui
