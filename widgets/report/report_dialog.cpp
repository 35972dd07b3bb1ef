#include "report/report_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace srdd_gui {

namespace {
QComboBox* choices(const QList<std::pair<QString, QString>>& items, QWidget* parent) {
  auto* box = new QComboBox(parent);
  for (const auto& [label, value] : items) box->addItem(label, value);
  return box;
}
void select(QComboBox* box, const QString& value) {
  if (const int i = box->findData(value); i >= 0) box->setCurrentIndex(i);
}
}  // namespace

ReportDialog::ReportDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Write Proposal Report"));
  m_folder = new QLineEdit(this);
  auto* browse = new QPushButton(tr("Browse\u2026"), this);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Report Folder"), m_folder->text());
    if (!dir.isEmpty()) m_folder->setText(dir);
  });
  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(m_folder, 1);
  folderRow->addWidget(browse);
  m_format = choices({{tr("HTML page"), "html"}, {tr("Markdown page"), "md"}}, this);
  m_language = choices({{tr("English"), "en"}, {QStringLiteral("简体中文 (Simplified Chinese)"), "zh"}}, this);
  m_figures = choices({{tr("SVG"), "svg"}, {tr("PDF"), "pdf"}, {tr("PNG"), "png"}, {tr("None"), "none"}}, this);
  auto* form = new QFormLayout;
  form->addRow(tr("Folder:"), folderRow);
  form->addRow(tr("Page:"), m_format);
  form->addRow(tr("Language:"), m_language);
  form->addRow(tr("Figures:"), m_figures);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Write"));
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(m_folder, &QLineEdit::textChanged, this, [this, buttons](const QString& t) {
    buttons->button(QDialogButtonBox::Ok)->setEnabled(!t.trimmed().isEmpty());
  });
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(buttons);
  setRequest({});
}

void ReportDialog::setRequest(const ReportRequest& r) {
  m_folder->setText(r.outDir);
  select(m_format, r.format);
  select(m_language, r.language);
  select(m_figures, r.figures);
}

ReportRequest ReportDialog::request() const {
  return {m_folder->text().trimmed(), m_format->currentData().toString(), m_language->currentData().toString(),
          m_figures->currentData().toString()};
}

}  // namespace srdd_gui
