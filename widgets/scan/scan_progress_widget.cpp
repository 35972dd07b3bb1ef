#include "scan_progress_widget.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QStyle>
#include <QToolButton>

#include <algorithm>
#include <cmath>

namespace srdd_gui {

ScanProgressWidget::ScanProgressWidget(QWidget* parent)
    : QWidget(parent), m_label(new QLabel), m_bar(new QProgressBar), m_cancel(new QToolButton) {
  m_label->setObjectName("scanProgressText");
  m_bar->setObjectName("scanProgressBar");
  m_bar->setRange(0, 1000);
  m_bar->setTextVisible(false);
  m_bar->setFixedWidth(160);
  m_bar->setMaximumHeight(m_label->sizeHint().height());
  m_cancel->setObjectName("scanProgressCancel");
  m_cancel->setIcon(style()->standardIcon(QStyle::SP_DialogCancelButton));
  m_cancel->setText(tr("Cancel"));
  m_cancel->setToolTip(tr("Cancel the scan"));
  m_cancel->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  m_cancel->setAutoRaise(true);
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(m_label);
  row->addWidget(m_bar);
  row->addWidget(m_cancel);
  connect(m_cancel, &QToolButton::clicked, this, &ScanProgressWidget::cancelRequested);
  reset();
}

void ScanProgressWidget::setProgress(const ScanProgress& p) {
  const int permille = static_cast<int>(std::lround(1000 * std::clamp(p.fraction, 0.0, 1.0)));
  m_label->setText(tr("Scan: %1").arg(p.text()));
  if (p.etaS < 0 && permille == 0) {
    m_bar->setRange(0, 0);  // loading, or no work unit done yet: indeterminate
  } else {
    m_bar->setRange(0, 1000);
    m_bar->setValue(permille);
  }
  m_bar->setToolTip(tr("%1% done, %2 s elapsed").arg(permille / 10.0, 0, 'f', 1).arg(p.elapsedS, 0, 'f', 1));
}

void ScanProgressWidget::reset() {
  m_label->setText(tr("Scan: starting\u2026"));
  m_bar->setRange(0, 0);
  m_bar->setToolTip({});
}

QString ScanProgressWidget::text() const { return m_label->text(); }

int ScanProgressWidget::permille() const { return m_bar->maximum() == 0 ? 0 : m_bar->value(); }

}  // namespace srdd_gui
