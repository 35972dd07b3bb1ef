#include "export/export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

#include <cmath>

namespace srdd_gui {

namespace {
enum Preset { SingleColumn, DoubleColumn, Custom };

QDoubleSpinBox* pointBox(double lo, double hi, const char* name) {
  auto* b = new QDoubleSpinBox;
  b->setObjectName(name);
  b->setRange(lo, hi);
  b->setDecimals(1);
  b->setSuffix(QStringLiteral(" pt"));
  return b;
}
}  // namespace

ExportDialog::ExportDialog(Target target, QWidget* parent) : QDialog(parent), m_target(target) {
  setWindowTitle(target == Target::File ? tr("Export Figure") : tr("Export All Figures"));
  m_format = new QComboBox;
  m_format->setObjectName("format");
  m_format->addItem(tr("PDF (vector)"), ExportOptions::Pdf);
  m_format->addItem(tr("SVG (vector)"), ExportOptions::Svg);
  m_format->addItem(tr("PNG (raster)"), ExportOptions::Png);
  m_preset = new QComboBox;
  m_preset->setObjectName("preset");
  m_preset->addItem(tr("Single column (252 pt)"), SingleColumn);
  m_preset->addItem(tr("Double column (516 pt)"), DoubleColumn);
  m_preset->addItem(tr("Custom"), Custom);
  m_width = pointBox(36, 2880, "width");
  m_height = pointBox(36, 2880, "height");
  m_font = pointBox(4, 72, "fontSize");
  m_font->setSingleStep(0.5);
  m_dpi = new QSpinBox;
  m_dpi->setObjectName("dpi");
  m_dpi->setRange(36, 2400);
  m_dpi->setSuffix(tr(" dpi"));
  m_path = new QLineEdit;
  m_path->setObjectName("path");
  auto* browseButton = new QPushButton(tr("Browse\u2026"));
  m_summary = new QLabel;
  m_summary->setObjectName("summary");

  auto* pathRow = new QHBoxLayout;
  pathRow->addWidget(m_path, 1);
  pathRow->addWidget(browseButton);
  auto* form = new QFormLayout;
  form->addRow(tr("Format:"), m_format);
  form->addRow(tr("Size:"), m_preset);
  form->addRow(tr("Width:"), m_width);
  form->addRow(tr("Height:"), m_height);
  form->addRow(tr("Font size:"), m_font);
  form->addRow(tr("Resolution:"), m_dpi);
  form->addRow(target == Target::File ? tr("File:") : tr("Folder:"), pathRow);
  form->addRow(m_summary);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(buttons);

  connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);
  connect(browseButton, &QPushButton::clicked, this, &ExportDialog::browse);
  connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::onFormatChanged);
  connect(m_preset, &QComboBox::currentIndexChanged, this, &ExportDialog::onPresetChanged);
  connect(m_width, &QDoubleSpinBox::valueChanged, this, [this](double w) {
    const int preset = w == ExportOptions::kSingleColumnPt   ? SingleColumn
                       : w == ExportOptions::kDoubleColumnPt ? DoubleColumn
                                                             : Custom;
    const QSignalBlocker block(m_preset);
    m_preset->setCurrentIndex(m_preset->findData(preset));
    updateSummary();
  });
  for (QDoubleSpinBox* b : {m_height, m_font})
    connect(b, &QDoubleSpinBox::valueChanged, this, &ExportDialog::updateSummary);
  connect(m_dpi, &QSpinBox::valueChanged, this, &ExportDialog::updateSummary);
  setOptions(lastOptions());
}

void ExportDialog::setOptions(const ExportOptions& options) {
  m_options = options;
  m_format->setCurrentIndex(m_format->findData(options.format));
  m_width->setValue(options.widthPt);
  m_height->setValue(options.effectiveHeightPt());
  m_font->setValue(options.fontPt);
  m_dpi->setValue(options.dpi);
  onFormatChanged();
  updateSummary();
}

ExportOptions ExportDialog::options() const {
  ExportOptions o = m_options;
  o.format = static_cast<ExportOptions::Format>(m_format->currentData().toInt());
  o.widthPt = m_width->value();
  o.heightPt = m_height->value();
  o.fontPt = m_font->value();
  o.dpi = m_dpi->value();
  return o;
}

void ExportDialog::setPath(const QString& path) {
  m_path->setText(path);
  onFormatChanged();
}

QString ExportDialog::path() const { return m_path->text().trimmed(); }

void ExportDialog::onFormatChanged() {
  const bool png = m_format->currentData().toInt() == ExportOptions::Png;
  m_dpi->setEnabled(png);
  if (m_target == Target::File && !path().isEmpty()) {
    QString p = path();
    const QString suffix = QFileInfo(p).suffix();
    if (ExportOptions::formatFromName(suffix)) p.chop(suffix.size() + 1);
    const QString ext = ExportOptions::extension(options().format);
    m_path->setText(p + '.' + ext);
  }
  updateSummary();
}

void ExportDialog::onPresetChanged() {
  const int preset = m_preset->currentData().toInt();
  if (preset == Custom) return;
  const double w = preset == SingleColumn ? ExportOptions::kSingleColumnPt : ExportOptions::kDoubleColumnPt;
  const double aspect = m_height->value() / m_width->value();
  m_width->setValue(w);
  m_height->setValue(std::round(w * aspect));
}

void ExportDialog::browse() {
  const ExportOptions o = options();
  QString chosen;
  if (m_target == Target::Folder) {
    chosen = QFileDialog::getExistingDirectory(this, windowTitle(), path());
  } else {
    const QString filter = tr("%1 files (*.%2)").arg(o.extension().toUpper(), o.extension());
    chosen = QFileDialog::getSaveFileName(this, windowTitle(), path(), filter);
  }
  if (!chosen.isEmpty()) setPath(chosen);
}

void ExportDialog::updateSummary() {
  const ExportOptions o = options();
  QString text = tr("%1 \u00d7 %2 pt (%3 \u00d7 %4 mm)")
                     .arg(o.widthPt)
                     .arg(o.effectiveHeightPt())
                     .arg(o.widthPt / 72 * 25.4, 0, 'f', 1)
                     .arg(o.effectiveHeightPt() / 72 * 25.4, 0, 'f', 1);
  if (o.format == ExportOptions::Png)
    text += tr(", %1 \u00d7 %2 pixels")
                .arg(std::lround(o.widthPt / 72 * o.dpi))
                .arg(std::lround(o.effectiveHeightPt() / 72 * o.dpi));
  const QString problem = o.validate();
  m_summary->setText(problem.isEmpty() ? text : problem);
}

void ExportDialog::accept() {
  const QString problem = options().validate();
  if (!problem.isEmpty() || path().isEmpty()) {
    m_summary->setText(problem.isEmpty() ? (m_target == Target::File ? tr("Choose a file.") : tr("Choose a folder."))
                                         : problem);
    return;
  }
  rememberOptions(options());
  QDialog::accept();
}

ExportOptions ExportDialog::lastOptions() {
  const QSettings s;
  ExportOptions o;
  o.format = ExportOptions::formatFromName(s.value("export/format", "pdf").toString()).value_or(ExportOptions::Pdf);
  o.widthPt = s.value("export/widthPt", o.widthPt).toDouble();
  o.heightPt = s.value("export/heightPt", o.effectiveHeightPt()).toDouble();
  o.fontPt = s.value("export/fontPt", o.fontPt).toDouble();
  o.dpi = s.value("export/dpi", o.dpi).toInt();
  if (!o.validate().isEmpty()) o = ExportOptions();  // a hand-edited or stale entry
  return o;
}

void ExportDialog::rememberOptions(const ExportOptions& o) {
  QSettings s;
  s.setValue("export/format", o.extension());
  s.setValue("export/widthPt", o.widthPt);
  s.setValue("export/heightPt", o.effectiveHeightPt());
  s.setValue("export/fontPt", o.fontPt);
  s.setValue("export/dpi", o.dpi);
}

}  // namespace srdd_gui
