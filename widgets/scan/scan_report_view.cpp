#include "scan_report_view.h"

#include <QDir>
#include <QFileInfo>
#include <QFontDatabase>
#include <QKeySequence>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace srdd_gui {

ScanReportView::ScanReportView(QWidget* parent) : QWidget(parent), m_summary(new QLabel), m_report(new QPlainTextEdit) {
  m_summary->setObjectName("scanSummary");
  m_summary->setWordWrap(true);
  m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_report->setObjectName("scanReport");
  m_report->setReadOnly(true);
  m_report->setLineWrapMode(QPlainTextEdit::NoWrap);
  m_report->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_summary);
  layout->addWidget(m_report, 1);
  clear();
}

void ScanReportView::setOutcome(const ScanOutcomePtr& outcome) {
  if (!outcome) return clear();
  const nlohmann::json& scan = outcome->scan;
  const nlohmann::json& verdict = scan.value("verdict", nlohmann::json::object());
  const nlohmann::json& rec = verdict.value("recommendation", nlohmann::json::object());
  const QString model = QFileInfo(QString::fromStdString(outcome->request.modelDir)).fileName();
  const QString quant =
      QString::fromStdString(scan.value("parameters", nlohmann::json::object()).value("quantization_description", ""));
  const QString strategy = QString::fromStdString(rec.value("strategy", "?"));
  const int problematic = static_cast<int>(verdict.value("problematic_layers", nlohmann::json::array()).size());
  int layers = 0;  // the ones the plan quantizes: only those are scored
  for (const auto& l : scan.value("layers", nlohmann::json::array()))
    layers += l.value("layer_quantized", true) ? 1 : 0;
  m_summary->setText(
      tr("<b>%1</b> \u00b7 %2 on %3 \u00b7 %4 of %5 quantized layers problematic \u00b7 recommendation: <b>%6</b> "
         "\u00b7 %7 s")
          .arg(model.toHtmlEscaped(), quant.toHtmlEscaped(),
               QString::fromStdString(scan.value("provenance", nlohmann::json::object()).value("device", "?")))
          .arg(problematic)
          .arg(layers)
          .arg(strategy.toHtmlEscaped())
          .arg(outcome->seconds, 0, 'f', 1));
  m_report->setPlainText(outcome->report);
}

void ScanReportView::clear() {
  m_summary->setText(tr("No scan yet. Choose the settings in the Scan Setup panel and press Run Scan (%1).")
                         .arg(QKeySequence(Qt::CTRL | Qt::Key_R).toString(QKeySequence::NativeText)));
  m_report->clear();
}

QString ScanReportView::summaryText() const { return m_summary->text(); }

QString ScanReportView::reportText() const { return m_report->toPlainText(); }

}  // namespace srdd_gui
