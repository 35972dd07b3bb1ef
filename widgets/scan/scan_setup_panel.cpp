#include "scan_setup_panel.h"

#include "model_directory_field.h"

#include <srdd/error.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>

namespace srdd_gui {

namespace {

const char* const kSettingsKey = "scanSetup/request";
const char* const kChooseFile = "\x01choose";  // data of the "Choose File…" prompt entry

QString qs(const std::string& s) { return QString::fromStdString(s); }

QComboBox* comboOf(const std::vector<std::string>& items, const QString& objectName) {
  auto* c = new QComboBox;
  c->setObjectName(objectName);
  for (const auto& i : items) c->addItem(qs(i), qs(i));
  return c;
}

// Selects the entry whose data is VALUE, adding it when missing (e.g. a device that is not there now, so
// that validation can say so).
void selectData(QComboBox* c, const QString& value) {
  int i = c->findData(value);
  if (i < 0) {
    c->addItem(value, value);
    i = c->count() - 1;
  }
  c->setCurrentIndex(i);
}

QString dataOf(const QComboBox* c) { return c->currentData().toString(); }

QSpinBox* spin(int lo, int hi, const QString& objectName) {
  auto* s = new QSpinBox;
  s->setRange(lo, hi);
  s->setObjectName(objectName);
  return s;
}

QString scanToolTip(const QString& scan) {
  static const std::map<QString, QString> tips = {
      {"instability", QObject::tr("Spread between identical forwards (0 on a deterministic device)")},
      {"gain", QObject::tr("Noise gain of each layer: std(output change) / std(input noise)")},
      {"kurtosis", QObject::tr("Excess kurtosis and variance of each layer's output")},
      {"dcgain", QObject::tr("Response to a constant shift of the layer input")},
      {"discrete", QObject::tr("Fraction of elements that do not follow a constant input shift")},
      {"histogram", QObject::tr("Pile-up of layer outputs at the edges of their range")},
      {"fidelity", QObject::tr("SQNR, dead zone, clipping and relative error of each layer's output")},
      {"weights", QObject::tr("The same fidelity metrics for every linear weight")},
      {"sensitivity", QObject::tr("KL and loss change when quantizing only one layer / all but one")}};
  const auto it = tips.find(scan);
  return it == tips.end() ? QString() : it->second;
}

}  // namespace

ScanSetupPanel::ScanSetupPanel(QWidget* parent) : QWidget(parent) {
  auto* content = new QWidget;
  auto* groups = new QVBoxLayout(content);
  groups->addWidget(createModelGroup());
  groups->addWidget(createQuantGroup());
  groups->addWidget(createScansGroup());
  groups->addWidget(createPromptGroup());
  groups->addWidget(createAdvancedGroup());
  groups->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

  m_description = new QLabel;
  m_description->setObjectName("quantDescription");
  m_description->setWordWrap(true);
  m_description->setEnabled(false);  // muted text
  m_errorLabel = new QLabel;
  m_errorLabel->setObjectName("validationError");
  m_errorLabel->setWordWrap(true);
  m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_run = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Run Scan"));
  m_run->setObjectName("runScan");
  m_run->setDefault(true);
  m_cancel = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Cancel"));
  m_cancel->setObjectName("cancelScan");
  m_cancel->setEnabled(false);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(m_run, 1);
  buttons->addWidget(m_cancel);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(scroll, 1);
  auto* footer = new QVBoxLayout;
  footer->setContentsMargins(9, 0, 9, 9);
  footer->addWidget(m_description);
  footer->addWidget(m_errorLabel);
  footer->addLayout(buttons);
  layout->addLayout(footer);
  setMinimumWidth(280);

  connect(m_run, &QPushButton::clicked, this, [this] {
    saveSettings();
    Q_EMIT runRequested();
  });
  connect(m_cancel, &QPushButton::clicked, this, &ScanSetupPanel::cancelRequested);
  connect(m_model, &ModelDirectoryField::chosen, this, &ScanSetupPanel::modelDirectoryChosen);
  connect(m_model, &ModelDirectoryField::edited, this, &ScanSetupPanel::revalidate);
  for (QComboBox* c : {m_device, m_dtype, m_scale, m_rounding, m_block, m_mode})
    connect(c, &QComboBox::currentIndexChanged, this, &ScanSetupPanel::revalidate);
  connect(m_format, &QComboBox::currentIndexChanged, this, &ScanSetupPanel::updateFormatOptions);
  connect(m_mode, &QComboBox::currentIndexChanged, this, &ScanSetupPanel::updateFormatOptions);
  connect(m_reference, &QCheckBox::toggled, this, [this](bool on) {
    if (on && dataOf(m_rounding) == "rne") selectData(m_rounding, "away");  // reference mode rounds ties away
    revalidate();
  });
  connect(m_lmHead, &QCheckBox::toggled, this, &ScanSetupPanel::revalidate);
  for (auto& [name, box] : m_scans) connect(box, &QCheckBox::toggled, this, &ScanSetupPanel::revalidate);
  for (QSpinBox* s : {m_maxTokens, m_seed, m_trials, m_gainDraws, m_batch})
    connect(s, &QSpinBox::valueChanged, this, &ScanSetupPanel::revalidate);
  connect(m_noiseScale, &QDoubleSpinBox::valueChanged, this, &ScanSetupPanel::revalidate);
  connect(m_prompts, &QComboBox::currentIndexChanged, this, [this] {
    if (dataOf(m_prompts) == kChooseFile) return;
    m_promptSpec = dataOf(m_prompts);
    revalidate();
  });
  connect(m_prompts, &QComboBox::activated, this, [this](int index) {
    if (m_prompts->itemData(index).toString() == kChooseFile) choosePromptFile();
  });

  setRequest(srdd::ScanRequest());
  restoreSettings();
}

QWidget* ScanSetupPanel::createModelGroup() {
  auto* box = new QGroupBox(tr("Model"));
  auto* form = new QFormLayout(box);
  m_model = new ModelDirectoryField;
  m_device = comboOf(srdd::availableDevices(), "device");
  m_dtype = comboOf(srdd::dtypeNames(), "dtype");
  m_dtype->setToolTip(tr("Precision the model is loaded in (the unquantized reference)"));
  form->addRow(m_model);
  auto* row = new QHBoxLayout;
  row->addWidget(m_device, 1);
  row->addWidget(new QLabel(tr("DType:")));
  row->addWidget(m_dtype, 1);
  form->addRow(tr("Device:"), row);
  return box;
}

QWidget* ScanSetupPanel::createQuantGroup() {
  auto* box = new QGroupBox(tr("Quantization"));
  auto* form = new QFormLayout(box);
  m_format = comboOf(srdd::quantFormatNames(), "format");
  m_scale = comboOf({"floor", "rceil"}, "scale");
  m_scale->setToolTip(tr("Shared-scale rule: floor (OCP MX) or rceil (round the scale up, no clipping)"));
  m_rounding = comboOf({"rne", "away", "stochastic"}, "rounding");
  m_rounding->setToolTip(tr("Element rounding: nearest-even, nearest ties-away, or stochastic (seeded)"));
  m_block = new QComboBox;
  m_block->setObjectName("block");
  m_block->setToolTip(tr("One scale per 1\u00d7N row block, or per N\u00d7N tile"));
  m_reference = new QCheckBox(tr("Research-script numerics"));
  m_reference->setObjectName("reference");
  m_reference->setToolTip(tr("MXFP4 as the research scripts compute it (flat blocks, ties away)"));
  m_mode = comboOf(srdd::quantModeNames(), "mode");
  m_mode->setToolTip(tr("w4a16: weights; w16a4: linear inputs; w4a4: both; residual: each layer's output"));
  m_lmHead = new QCheckBox(tr("Also quantize lm_head"));
  m_lmHead->setObjectName("lmHead");
  form->addRow(tr("Format:"), m_format);
  form->addRow(tr("Scale:"), m_scale);
  form->addRow(tr("Rounding:"), m_rounding);
  form->addRow(tr("Block:"), m_block);
  form->addRow(QString(), m_reference);
  form->addRow(tr("Mode:"), m_mode);
  form->addRow(QString(), m_lmHead);
  return box;
}

QWidget* ScanSetupPanel::createScansGroup() {
  auto* box = new QGroupBox(tr("Scans"));
  auto* grid = new QGridLayout(box);
  const std::vector<std::string> names = srdd::scanNames();
  for (size_t i = 0; i < names.size(); ++i) {
    const QString name = qs(names[i]);
    auto* check = new QCheckBox(name);
    check->setObjectName("scan_" + name);
    check->setToolTip(scanToolTip(name));
    m_scans[name] = check;
    grid->addWidget(check, static_cast<int>(i / 2), static_cast<int>(i % 2));
  }
  auto* defaults = new QPushButton(tr("Default"));
  auto* all = new QPushButton(tr("All"));
  const int row = grid->rowCount();
  grid->addWidget(defaults, row, 0);
  grid->addWidget(all, row, 1);
  auto select = [this](const std::vector<std::string>& on) {
    for (auto& [name, check] : m_scans)
      check->setChecked(std::find(on.begin(), on.end(), name.toStdString()) != on.end());
  };
  connect(defaults, &QPushButton::clicked, this, [select] { select(srdd::defaultScanNames()); });
  connect(all, &QPushButton::clicked, this, [select] { select(srdd::scanNames()); });
  return box;
}

QWidget* ScanSetupPanel::createPromptGroup() {
  auto* box = new QGroupBox(tr("Prompts"));
  auto* form = new QFormLayout(box);
  m_prompts = new QComboBox;
  m_prompts->setObjectName("prompts");
  m_prompts->addItem(tr("Model's prompts.txt (else scanner)"), QString());
  for (const auto& name : srdd::builtinPromptSetNames())
    m_prompts->addItem(tr("Built-in: %1").arg(qs(name)), "builtin:" + qs(name));
  m_prompts->addItem(tr("Choose File\u2026"), QString::fromLatin1(kChooseFile));
  m_maxTokens = spin(1, 32768, "maxTokens");
  m_maxTokens->setToolTip(tr("Tokens kept per prompt"));
  m_seed = spin(0, INT_MAX, "seed");
  m_seed->setToolTip(tr("Seed of the gain-scan noise and of stochastic rounding"));
  form->addRow(tr("Set:"), m_prompts);
  form->addRow(tr("Max tokens:"), m_maxTokens);
  form->addRow(tr("Seed:"), m_seed);
  return box;
}

QWidget* ScanSetupPanel::createAdvancedGroup() {
  auto* wrapper = new QWidget;
  auto* layout = new QVBoxLayout(wrapper);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* toggle = new QToolButton;
  toggle->setObjectName("advancedToggle");
  toggle->setText(tr("Advanced"));
  toggle->setCheckable(true);
  toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  toggle->setArrowType(Qt::RightArrow);
  toggle->setAutoRaise(true);
  auto* body = new QWidget;
  auto* form = new QFormLayout(body);
  m_trials = spin(2, 1000, "trials");
  m_trials->setToolTip(tr("Identical forwards compared by the instability scan"));
  m_gainDraws = spin(1, 1000, "gainDraws");
  m_noiseScale = new QDoubleSpinBox;
  m_noiseScale->setObjectName("noiseScale");
  m_noiseScale->setDecimals(3);
  m_noiseScale->setRange(0.001, 100.0);
  m_noiseScale->setSingleStep(0.01);
  m_noiseScale->setToolTip(tr("Gain-scan noise relative to the std of the layer input"));
  m_batch = spin(1, 65536, "batchSize");
  m_batch->setToolTip(tr("Prompts per forward"));
  form->addRow(tr("Instability trials:"), m_trials);
  form->addRow(tr("Gain draws:"), m_gainDraws);
  form->addRow(tr("Noise scale:"), m_noiseScale);
  form->addRow(tr("Batch size:"), m_batch);
  body->hide();
  connect(toggle, &QToolButton::toggled, this, [toggle, body](bool open) {
    body->setVisible(open);
    toggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
  });
  layout->addWidget(toggle);
  layout->addWidget(body);
  return wrapper;
}

void ScanSetupPanel::updateFormatOptions() {
  const QString format = dataOf(m_format);
  const int blockIndex = std::max(0, m_block->currentIndex());
  {
    const QSignalBlocker block(m_block);
    m_block->clear();
    try {
      for (const auto& b : srdd::blockShapeChoices(format.toStdString())) m_block->addItem(qs(b), qs(b));
    } catch (const srdd::Error&) {
      // an unknown format: validation names it
    }
    m_block->setCurrentIndex(std::min(blockIndex, m_block->count() - 1));
  }
  m_scale->setEnabled(format != "nvfp4");  // nvfp4 scales are E4M3 values
  m_reference->setEnabled(format == "mxfp4");
  if (format != "mxfp4") m_reference->setChecked(false);
  m_lmHead->setEnabled(dataOf(m_mode) != "residual");
  if (!m_lmHead->isEnabled()) m_lmHead->setChecked(false);
  revalidate();
}

srdd::ScanRequest ScanSetupPanel::request() const {
  srdd::ScanRequest r = m_hidden;
  r.modelDir = m_model->directory().toStdString();
  r.device = dataOf(m_device).toStdString();
  r.dtype = dataOf(m_dtype).toStdString();
  r.format = dataOf(m_format).toStdString();
  r.scale = m_scale->isEnabled() ? dataOf(m_scale).toStdString() : std::string();
  r.rounding = dataOf(m_rounding).toStdString();
  r.block = dataOf(m_block).toStdString();
  r.reference = m_reference->isChecked();
  r.mode = dataOf(m_mode).toStdString();
  r.lmHead = m_lmHead->isChecked();
  r.scans.clear();
  for (const auto& name : srdd::scanNames())  // engine order
    if (m_scans.at(qs(name))->isChecked()) r.scans.push_back(name);
  r.prompts = m_promptSpec.toStdString();
  r.maxTokens = m_maxTokens->value();
  r.seed = static_cast<uint64_t>(m_seed->value());
  r.trials = m_trials->value();
  r.gainDraws = m_gainDraws->value();
  r.noiseScale = m_noiseScale->value();
  r.batchSize = m_batch->value();
  return r;
}

void ScanSetupPanel::setRequest(const srdd::ScanRequest& r) {
  m_filling = true;
  m_hidden = r;
  m_model->setDirectory(QString::fromStdString(r.modelDir));
  selectData(m_device, qs(r.device));
  selectData(m_dtype, qs(r.dtype));
  selectData(m_format, qs(r.format));
  selectData(m_mode, qs(r.mode));
  updateFormatOptions();
  selectData(m_scale, r.scale.empty() ? QStringLiteral("floor") : qs(r.scale));
  selectData(m_rounding, r.rounding.empty() ? QStringLiteral("rne") : qs(r.rounding));
  if (!r.block.empty()) selectData(m_block, qs(r.block));
  m_reference->setChecked(r.reference);
  if (r.reference && !r.rounding.empty()) selectData(m_rounding, qs(r.rounding));  // undo the toggle's default
  m_lmHead->setChecked(r.lmHead);
  for (auto& [name, check] : m_scans)
    check->setChecked(std::find(r.scans.begin(), r.scans.end(), name.toStdString()) != r.scans.end());
  setPromptSpec(qs(r.prompts));
  m_maxTokens->setValue(static_cast<int>(std::min<int64_t>(r.maxTokens, m_maxTokens->maximum())));
  m_seed->setValue(static_cast<int>(std::min<uint64_t>(r.seed, static_cast<uint64_t>(INT_MAX))));
  m_trials->setValue(r.trials);
  m_gainDraws->setValue(r.gainDraws);
  m_noiseScale->setValue(r.noiseScale);
  m_batch->setValue(r.batchSize);
  m_filling = false;
  revalidate();
}

QString ScanSetupPanel::modelDirectory() const { return m_model->directory(); }

void ScanSetupPanel::setModelDirectory(const QString& directory) { m_model->setDirectory(directory); }

QCheckBox* ScanSetupPanel::scanBox(const QString& name) const {
  const auto it = m_scans.find(name);
  return it == m_scans.end() ? nullptr : it->second;
}

void ScanSetupPanel::setRunning(bool running) {
  m_cancel->setEnabled(running);
  m_run->setToolTip(running ? tr("Restart the scan with these settings (the running one is cancelled)") : QString());
}

void ScanSetupPanel::setPromptSpec(const QString& spec) {
  int i = m_prompts->findData(spec);
  if (i < 0) {  // a prompt file: listed above "Choose File…"
    i = m_prompts->count() - 1;
    m_prompts->insertItem(i, QFileInfo(spec).fileName(), spec);
    m_prompts->setItemData(i, spec, Qt::ToolTipRole);
  }
  m_prompts->setCurrentIndex(i);
}

void ScanSetupPanel::choosePromptFile() {
  const QString file = QFileDialog::getOpenFileName(this, tr("Choose Prompt File"), modelDirectory(),
                                                    tr("Prompts (*.txt *.jsonl);;All files (*)"));
  setPromptSpec(file.isEmpty() ? m_promptSpec : file);
}

void ScanSetupPanel::setEngineHost(const QStringList& devices, bool remote) {
  const QString current = dataOf(m_device);
  m_filling = true;
  m_device->clear();
  if (devices.isEmpty())
    for (const auto& d : srdd::availableDevices()) m_device->addItem(qs(d), qs(d));
  else
    for (const QString& d : devices) m_device->addItem(d, d);
  selectData(m_device, current);
  m_remote = remote;
  m_filling = false;
  revalidate();
}

void ScanSetupPanel::revalidate() {
  if (m_filling) return;
  const srdd::ScanRequest r = request();
  try {
    if (!m_remote) {
      r.validate();
    } else if (r.modelDir.empty()) {
      throw srdd::Error("scan request: no model directory given");
    }
    m_error.clear();
    m_description->setText(qs(r.quantizationDescription()));
  } catch (const srdd::Error& e) {
    m_error = QString::fromStdString(e.what());
    m_description->clear();
  }
  m_errorLabel->setText(m_error.isEmpty() ? QString() : QStringLiteral("\u26a0 ") + m_error);
  m_errorLabel->setVisible(!m_error.isEmpty());
  m_run->setEnabled(m_error.isEmpty());
  Q_EMIT requestChanged();
}

void ScanSetupPanel::saveSettings() const {
  nlohmann::json j = request().toJson();
  j.erase("model_dir");
  j.erase("created_utc");
  QSettings().setValue(kSettingsKey, QString::fromStdString(j.dump()));
}

void ScanSetupPanel::restoreSettings() {
  const QString stored = QSettings().value(kSettingsKey).toString();
  if (stored.isEmpty()) return;
  try {
    srdd::ScanRequest r = srdd::ScanRequest::fromJson(nlohmann::json::parse(stored.toStdString()));
    r.modelDir = modelDirectory().toStdString();
    setRequest(r);
  } catch (const std::exception&) {
    // Written by another version: keep the defaults.
  }
}

}  // namespace srdd_gui
