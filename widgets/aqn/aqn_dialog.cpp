#include "aqn/aqn_dialog.h"

#include "aqn/aqn_figures.h"
#include "aqn/aqn_format.h"

#include <srdd/error.h>
#include <srdd/layer_list.h>

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <climits>
#include <cmath>

namespace srdd_gui {

namespace aqn = srdd::aqn;

namespace {

QString number(double v) { return QString::number(v, 'g', 12); }

double readDouble(const QLineEdit* e, const QString& what) {
  bool ok = false;
  const double v = e->text().trimmed().toDouble(&ok);
  if (!ok) throw srdd::Error((what + ": '" + e->text() + "' is not a number").toStdString());
  return v;
}

long readLong(const QLineEdit* e, const QString& what) {
  bool ok = false;
  const long v = e->text().trimmed().toLong(&ok);
  if (!ok) throw srdd::Error((what + ": '" + e->text() + "' is not a whole number").toStdString());
  return v;
}

// "name=3,7; late=4-5" -> {name: [3, 7], late: [4, 5]}
std::map<std::string, std::vector<int>> parseCustom(const QString& text, int numLayers) {
  std::map<std::string, std::vector<int>> out;
  for (const QString& part : text.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
    if (part.trimmed().isEmpty()) continue;
    const int eq = part.indexOf(QLatin1Char('='));
    if (eq < 0)
      throw srdd::Error("custom configurations: '" + part.trimmed().toStdString() +
                        "' has no '=' (expected e.g. early=0-3; late=4,5)");
    const std::string name = part.left(eq).trimmed().toStdString();
    if (out.count(name)) throw srdd::Error("custom configurations: '" + name + "' is defined twice");
    out[name] = srdd::parseLayerList(part.mid(eq + 1).trimmed().toStdString(), numLayers,
                                     "custom configuration '" + name + "'");
  }
  return out;
}

QString customText(const std::map<std::string, std::vector<int>>& custom) {
  QStringList parts;
  for (const auto& [name, layers] : custom)
    parts << QString::fromStdString(name) + QLatin1Char('=') + formatLayerList(layers);
  return parts.join(QStringLiteral("; "));
}

QFormLayout* newForm(QGroupBox* box) {
  auto* form = new QFormLayout(box);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  return form;
}

}  // namespace

AqnDialog::AqnDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Run AQN comparison"));
  auto* column = new QWidget;
  auto* columnLayout = new QVBoxLayout(column);
  columnLayout->addWidget(comparisonGroup());
  columnLayout->addWidget(m_training = trainingGroup());
  columnLayout->addWidget(noiseGroup());
  columnLayout->addWidget(m_data = dataGroup());
  columnLayout->addWidget(m_reference = referenceGroup());
  columnLayout->addWidget(outputGroup());
  columnLayout->addStretch();
  auto* scroll = new QScrollArea;
  scroll->setWidget(column);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(column->sizeHint().width() + 24);

  auto* splitter = new QSplitter;
  splitter->addWidget(scroll);
  splitter->addWidget(plotPanel());
  splitter->setStretchFactor(1, 1);

  m_error = new QLabel;
  m_error->setObjectName(QStringLiteral("validationMessage"));
  m_error->setWordWrap(true);
  m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_error->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; }"));
  m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Add to queue"));
  connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(splitter, 1);
  layout->addWidget(m_error);
  layout->addWidget(m_buttons);
  resize(980, 720);

  setSettings(aqn::ComparisonSettings());
  connectEditors();
  revalidate();
}

QLineEdit* AqnDialog::lineEdit(const char* name, const QString& placeholder) {
  auto* e = new QLineEdit;
  e->setObjectName(QString::fromLatin1(name));
  e->setPlaceholderText(placeholder);
  return e;
}

QSpinBox* AqnDialog::spinBox(const char* name, int min, int max) {
  auto* s = new QSpinBox;
  s->setObjectName(QString::fromLatin1(name));
  s->setRange(min, max);
  s->setKeyboardTracking(true);
  return s;
}

QComboBox* AqnDialog::comboBox(const char* name, const QStringList& items) {
  auto* c = new QComboBox;
  c->setObjectName(QString::fromLatin1(name));
  c->addItems(items);
  return c;
}

QWidget* AqnDialog::fileRow(QLineEdit* edit, bool directory) {
  auto* row = new QWidget;
  auto* h = new QHBoxLayout(row);
  h->setContentsMargins(0, 0, 0, 0);
  auto* browse = new QPushButton(tr("Browse…"));
  h->addWidget(edit, 1);
  h->addWidget(browse);
  connect(browse, &QPushButton::clicked, this, [this, edit, directory] {
    const QString start = edit->text().isEmpty() ? QDir::homePath() : edit->text();
    const QString path = directory ? QFileDialog::getExistingDirectory(this, tr("Run directory"), start)
                                   : QFileDialog::getOpenFileName(this, tr("Text file"), start,
                                                                  tr("Text or JSONL (*.txt *.jsonl);;All files (*)"));
    if (!path.isEmpty()) edit->setText(path);
  });
  return row;
}

QGroupBox* AqnDialog::comparisonGroup() {
  auto* box = new QGroupBox(tr("Comparison"));
  auto* form = newForm(box);
  m_model = new QLabel;
  m_model->setObjectName(QStringLiteral("modelLabel"));
  m_model->setWordWrap(true);
  m_locate = new QPushButton(tr("Locate\u2026"));
  m_locate->setObjectName(QStringLiteral("locateModel"));
  m_locate->setToolTip(tr("Point to the model directory of these results"));
  m_locate->hide();
  connect(m_locate, &QPushButton::clicked, this, &AqnDialog::locateModelRequested);
  auto* modelRow = new QWidget;
  auto* modelLayout = new QHBoxLayout(modelRow);
  modelLayout->setContentsMargins(0, 0, 0, 0);
  modelLayout->addWidget(m_model, 1);
  modelLayout->addWidget(m_locate);
  form->addRow(tr("Model:"), modelRow);
  m_protocol = comboBox("protocol", {QStringLiteral("training"), QStringLiteral("reference")});
  m_protocol->setItemData(0, tr("AQN training runs (fine-tuning with scheduled noise)"), Qt::ToolTipRole);
  m_protocol->setItemData(1,
                          tr("The research scripts' quick protocol: inference-time activation noise, NOT AQN "
                             "training"),
                          Qt::ToolTipRole);
  form->addRow(tr("Protocol:"), m_protocol);
  auto* configs = new QWidget;
  auto* h = new QHBoxLayout(configs);
  h->setContentsMargins(0, 0, 0, 0);
  const auto names = aqn::builtinConfigNames();
  for (int i = 0; i < 5; ++i) {
    m_config[i] = new QCheckBox(QString::fromStdString(names[static_cast<size_t>(i)]));
    m_config[i]->setObjectName(QStringLiteral("config_") + m_config[i]->text());
    h->addWidget(m_config[i]);
  }
  m_config[4]->setToolTip(tr("BF16 + AQN: noise on every layer, trained without fake quantization"));
  h->addStretch();
  form->addRow(tr("Configurations:"), configs);
  form->addRow(tr("Custom sets:"), m_custom = lineEdit("custom", tr("e.g. early=0-2; late=4,5")));
  form->addRow(tr("Targets:"), m_targets = lineEdit("targets", tr("e.g. 3, 7, 12, 0-5 or all-but 2")));
  m_targets->setToolTip(tr("Decoder layers noised by 'targeted' and left out by 'healthy'"));
  form->addRow(tr("Seeds:"), m_seeds = spinBox("seeds", 1, 1000));
  form->addRow(tr("Base seed:"), m_baseSeed = lineEdit("baseSeed"));
  m_baseSeed->setToolTip(tr("Seed k of every configuration is base seed + k, so paired tests are valid"));
  m_device = comboBox("device", {QStringLiteral("cpu"), QStringLiteral("cuda"), QStringLiteral("cuda:0")});
  m_device->setEditable(true);
  form->addRow(tr("Device:"), m_device);
  form->addRow(tr("Model dtype:"), m_dtype = comboBox("dtype", {QStringLiteral("auto"), QStringLiteral("bf16"),
                                                                QStringLiteral("fp16"), QStringLiteral("fp32")}));
  m_dtype->setToolTip(tr("auto: the checkpoint's own dtype (config.json torch_dtype)"));
  return box;
}

QGroupBox* AqnDialog::trainingGroup() {
  auto* box = new QGroupBox(tr("Training"));
  auto* form = newForm(box);
  form->addRow(tr("Steps:"), m_steps = spinBox("steps", 0, 10000000));
  form->addRow(tr("Batch size:"), m_batch = spinBox("batchSize", 0, 100000));
  form->addRow(tr("Sequence length:"), m_seqLength = spinBox("seqLength", 0, 1000000));
  form->addRow(tr("Learning rate:"), m_lr = lineEdit("learningRate"));
  form->addRow(tr("LR warm-up steps:"), m_lrWarmup = spinBox("lrWarmupSteps", -1, 10000000));
  form->addRow(tr("Weight decay:"), m_weightDecay = lineEdit("weightDecay"));
  form->addRow(tr("Gradient clip:"), m_gradClip = lineEdit("gradClip", tr("0 = off")));
  form->addRow(tr("Trainable:"), m_trainable = lineEdit("trainable", tr("all, norms, or regular expressions")));
  m_quantizeTraining = new QCheckBox(tr("Fake-quantized training forward (W4A16 MXFP4, straight-through)"));
  m_quantizeTraining->setObjectName(QStringLiteral("quantizeTraining"));
  form->addRow(QString(), m_quantizeTraining);
  return box;
}

QGroupBox* AqnDialog::noiseGroup() {
  auto* box = new QGroupBox(tr("Noise"));
  auto* form = newForm(box);
  form->addRow(tr("Target:"),
               m_noiseTarget = comboBox("noiseTarget", {QStringLiteral("norms"), QStringLiteral("linears")}));
  m_noiseTarget->setItemData(0, tr("RMSNorm weights of the noise layers (QeRL)"), Qt::ToolTipRole);
  m_noiseTarget->setItemData(1, tr("The 7 linear weights of the noise layers"), Qt::ToolTipRole);
  form->addRow(tr("Scale:"),
               m_noiseScale = comboBox("noiseScale", {QStringLiteral("absolute"), QStringLiteral("relative"),
                                                      QStringLiteral("relative-rms")}));
  auto* preset = new QComboBox;
  preset->setObjectName(QStringLiteral("noisePreset"));
  preset->addItem(tr("(choose to fill in)"));
  for (const auto& name : aqn::noisePresetNames()) preset->addItem(QString::fromStdString(name));
  preset->setToolTip(
      tr("default: this engine's defaults; qerl: QeRL-faithful, both RMSNorm weights, 10 stages, "
         "σ 1e-2 → 5e-4"));
  connect(preset, &QComboBox::activated, this, [this, preset](int i) {
    if (i == 0) return;
    const auto n = aqn::noisePreset(preset->itemText(i).toStdString());
    m_noiseTarget->setCurrentText(QString::fromStdString(aqn::noiseTargetName(n.target)));
    m_noiseScale->setCurrentText(QString::fromStdString(aqn::noiseScaleName(n.scale)));
    m_sigmaStart->setText(QString::number(n.schedule.sigmaStart, 'g', 17));
    m_sigmaEnd->setText(QString::number(n.schedule.sigmaEnd, 'g', 17));
    m_levels->setValue(n.schedule.levels);
    m_warmupFraction->setText(QString::number(n.schedule.warmupFraction, 'g', 17));
    preset->setCurrentIndex(0);
  });
  form->addRow(tr("Preset:"), preset);
  form->addRow(tr("σ start:"), m_sigmaStart = lineEdit("sigmaStart"));
  form->addRow(tr("σ end:"), m_sigmaEnd = lineEdit("sigmaEnd"));
  form->addRow(tr("σ levels:"), m_levels = spinBox("levels", 0, 10000));
  m_levels->setToolTip(tr("Geometric stages from σ start to σ end; QeRL's num_stages N is N − 1 levels"));
  form->addRow(tr("σ warm-up fraction:"), m_warmupFraction = lineEdit("warmupFraction"));
  return box;
}

QGroupBox* AqnDialog::dataGroup() {
  auto* box = new QGroupBox(tr("Data"));
  auto* form = newForm(box);
  form->addRow(tr("Training text:"), fileRow(m_trainPath = lineEdit("trainPath", tr("MODEL/aqn-train.txt")), false));
  form->addRow(tr("Held-out text:"), fileRow(m_evalPath = lineEdit("evalPath", tr("MODEL/heldout.txt")), false));
  form->addRow(tr("Eval window:"), m_evalSeqLength = spinBox("evalSeqLength", 0, 1000000));
  form->addRow(tr("Eval tokens:"), m_evalTokens = lineEdit("evalTokens", tr("0 = all")));
  form->addRow(tr("Eval batch:"), m_evalBatch = spinBox("evalBatchSize", 0, 100000));
  return box;
}

QGroupBox* AqnDialog::referenceGroup() {
  auto* box = new QGroupBox(tr("Reference protocol (not AQN training)"));
  auto* form = newForm(box);
  form->addRow(tr("γ (activation noise):"), m_gamma = lineEdit("gamma"));
  form->addRow(tr("Prompts:"), m_prompts = lineEdit("prompts", tr("builtin:NAME or a file")));
  form->addRow(tr("Max tokens:"), m_maxTokens = spinBox("maxTokens", 0, 1000000));
  m_researchQuantizer = new QCheckBox(tr("The research scripts' MXFP4 numerics"));
  m_researchQuantizer->setObjectName(QStringLiteral("researchQuantizer"));
  form->addRow(QString(), m_researchQuantizer);
  return box;
}

QGroupBox* AqnDialog::outputGroup() {
  auto* box = new QGroupBox(tr("Output"));
  auto* form = newForm(box);
  form->addRow(tr("Run directory:"), fileRow(m_runDir = lineEdit("runDirectory"), true));
  m_force = new QCheckBox(tr("Discard the runs of an existing directory with other settings"));
  m_force->setObjectName(QStringLiteral("force"));
  form->addRow(QString(), m_force);
  m_runDirNote = new QLabel;
  m_runDirNote->setWordWrap(true);
  form->addRow(QString(), m_runDirNote);
  return box;
}

QWidget* AqnDialog::plotPanel() {
  auto* panel = new QWidget;
  auto* v = new QVBoxLayout(panel);
  auto* title = new QLabel(tr("<b>σ schedule</b> (per training step)"));
  m_logScale = new QCheckBox(tr("Logarithmic σ axis"));
  m_logScale->setObjectName(QStringLiteral("sigmaLogScale"));
  m_plot = new QCustomPlot;
  m_plot->setObjectName(QStringLiteral("sigmaPlot"));
  m_plot->setMinimumSize(360, 260);
  auto* head = new QHBoxLayout;
  head->addWidget(title);
  head->addStretch();
  head->addWidget(m_logScale);
  v->addLayout(head);
  v->addWidget(m_plot, 1);
  connect(m_logScale, &QCheckBox::toggled, this, [this] { updatePlot(); });
  return panel;
}

void AqnDialog::connectEditors() {
  for (auto* e : findChildren<QLineEdit*>()) connect(e, &QLineEdit::textChanged, this, &AqnDialog::revalidate);
  for (auto* s : findChildren<QSpinBox*>()) connect(s, &QSpinBox::valueChanged, this, &AqnDialog::revalidate);
  for (auto* c : findChildren<QComboBox*>()) connect(c, &QComboBox::currentTextChanged, this, &AqnDialog::revalidate);
  for (auto* c : findChildren<QCheckBox*>())
    if (c != m_logScale) connect(c, &QCheckBox::toggled, this, &AqnDialog::revalidate);
}

void AqnDialog::setSettings(const aqn::ComparisonSettings& s) {
  m_base = s;
  m_filling = true;
  setModelDirectory(QString::fromStdString(s.modelDirectory));
  m_protocol->setCurrentText(QString::fromStdString(aqn::protocolName(s.protocol)));
  for (auto* c : m_config)
    c->setChecked(std::find(s.configs.begin(), s.configs.end(), c->text().toStdString()) != s.configs.end());
  m_custom->setText(customText(s.custom));
  m_targets->setText(s.targets.empty() ? QString() : formatLayerList(s.targets));
  m_seeds->setValue(s.seeds);
  m_baseSeed->setText(QString::number(s.baseSeed));
  m_device->setCurrentText(QString::fromStdString(s.device));
  m_dtype->setCurrentText(QString::fromStdString(s.dtype));
  m_steps->setValue(s.train.steps);
  m_batch->setValue(s.train.batchSize);
  m_seqLength->setValue(s.train.seqLength);
  m_lr->setText(number(s.train.learningRate));
  m_lrWarmup->setValue(s.train.lrWarmupSteps);
  m_weightDecay->setText(number(s.train.weightDecay));
  m_gradClip->setText(number(s.train.gradClip));
  m_trainable->setText(QString::fromStdString(s.train.trainable));
  m_quantizeTraining->setChecked(s.train.quantizeTraining);
  m_noiseTarget->setCurrentText(QString::fromStdString(aqn::noiseTargetName(s.noise.target)));
  m_noiseScale->setCurrentText(QString::fromStdString(aqn::noiseScaleName(s.noise.scale)));
  m_sigmaStart->setText(number(s.noise.schedule.sigmaStart));
  m_sigmaEnd->setText(number(s.noise.schedule.sigmaEnd));
  m_levels->setValue(s.noise.schedule.levels);
  m_warmupFraction->setText(number(s.noise.schedule.warmupFraction));
  m_trainPath->setText(QString::fromStdString(s.data.trainPath));
  m_evalPath->setText(QString::fromStdString(s.data.evalPath));
  m_evalSeqLength->setValue(s.data.evalSeqLength);
  m_evalTokens->setText(QString::number(s.data.evalTokens));
  m_evalBatch->setValue(s.data.evalBatchSize);
  m_gamma->setText(number(s.reference.gamma));
  m_prompts->setText(QString::fromStdString(s.reference.prompts));
  m_maxTokens->setValue(s.reference.maxTokens);
  m_researchQuantizer->setChecked(s.reference.researchQuantizer);
  m_filling = false;
  revalidate();
}

aqn::ComparisonSettings AqnDialog::settings() const {
  aqn::ComparisonSettings s = m_base;
  s.protocol = aqn::parseProtocol(m_protocol->currentText().toStdString());
  s.custom = parseCustom(m_custom->text(), m_numLayers);
  s.configs.clear();
  for (auto* c : m_config)
    if (c->isChecked()) s.configs.push_back(c->text().toStdString());
  for (const auto& [name, layers] : s.custom) s.configs.push_back(name);
  const QString targets = m_targets->text().trimmed();
  s.targets =
      targets.isEmpty() ? std::vector<int>{} : srdd::parseLayerList(targets.toStdString(), m_numLayers, "targets");
  s.seeds = m_seeds->value();
  bool ok = false;
  s.baseSeed = m_baseSeed->text().trimmed().toULongLong(&ok);
  if (!ok) throw srdd::Error("base seed: '" + m_baseSeed->text().toStdString() + "' is not a non-negative integer");
  s.device = m_device->currentText().trimmed().toStdString();
  s.dtype = m_dtype->currentText().toStdString();
  s.train.steps = m_steps->value();
  s.train.batchSize = m_batch->value();
  s.train.seqLength = m_seqLength->value();
  s.train.learningRate = readDouble(m_lr, tr("learning rate"));
  s.train.lrWarmupSteps = m_lrWarmup->value();
  s.train.weightDecay = readDouble(m_weightDecay, tr("weight decay"));
  s.train.gradClip = readDouble(m_gradClip, tr("gradient clip"));
  s.train.trainable = m_trainable->text().trimmed().toStdString();
  s.train.quantizeTraining = m_quantizeTraining->isChecked();
  s.noise.target = aqn::parseNoiseTarget(m_noiseTarget->currentText().toStdString());
  s.noise.scale = aqn::parseNoiseScale(m_noiseScale->currentText().toStdString());
  s.noise.schedule.sigmaStart = readDouble(m_sigmaStart, tr("σ start"));
  s.noise.schedule.sigmaEnd = readDouble(m_sigmaEnd, tr("σ end"));
  s.noise.schedule.levels = m_levels->value();
  s.noise.schedule.warmupFraction = readDouble(m_warmupFraction, tr("σ warm-up fraction"));
  s.data.trainPath = m_trainPath->text().trimmed().toStdString();
  s.data.evalPath = m_evalPath->text().trimmed().toStdString();
  s.data.evalSeqLength = m_evalSeqLength->value();
  s.data.evalTokens = readLong(m_evalTokens, tr("eval tokens"));
  s.data.evalBatchSize = m_evalBatch->value();
  s.reference.gamma = readDouble(m_gamma, tr("γ"));
  s.reference.prompts = m_prompts->text().trimmed().toStdString();
  s.reference.maxTokens = m_maxTokens->value();
  s.reference.researchQuantizer = m_researchQuantizer->isChecked();
  return s;
}

void AqnDialog::setModelDirectory(const QString& dir, bool found) {
  m_base.modelDirectory = dir.toStdString();
  m_modelFound = found || dir.isEmpty();
  m_model->setText(dir.isEmpty()  ? tr("bundled demo model")
                   : m_modelFound ? QDir::toNativeSeparators(dir)
                                  : tr("%1 (not found)").arg(QDir::toNativeSeparators(dir)));
  m_model->setStyleSheet(m_modelFound ? QString() : QStringLiteral("QLabel { color: #c0392b; }"));
  m_locate->setVisible(!m_modelFound);
  revalidate();
}

void AqnDialog::setNumLayers(int numLayers) {
  m_numLayers = numLayers;
  revalidate();
}

void AqnDialog::setTargets(const QList<int>& layers) {
  m_targets->setText(layers.isEmpty() ? QString() : formatLayerList(std::vector<int>(layers.begin(), layers.end())));
}

void AqnDialog::setRunDirectory(const QString& dir) { m_runDir->setText(dir); }

QString AqnDialog::runDirectory() const { return m_runDir->text().trimmed(); }

bool AqnDialog::force() const { return m_force->isChecked(); }

void AqnDialog::setSigmaLogScale(bool on) { m_logScale->setChecked(on); }

void AqnDialog::setRemoteEngine(bool remote) {
  m_remote = remote;
  revalidate();
}

void AqnDialog::revalidate() {
  if (m_filling) return;
  const bool training = m_protocol->currentIndex() == 0;
  m_training->setEnabled(training);
  m_data->setEnabled(training);
  m_reference->setEnabled(!training);
  QString message;
  try {
    if (!m_modelFound)
      throw srdd::Error("the model of these results, " + m_base.modelDirectory + ", is " +
                        (m_remote ? "not on the engine's host" : "not on this computer") +
                        "; use Locate… to point to it");
    const aqn::ComparisonSettings s = settings();
    s.validate(m_numLayers);
    const std::pair<std::string, const char*> files[] = {{s.data.trainPath, "training text"},
                                                         {s.data.evalPath, "held-out text"}};
    for (const auto& [path, what] : files)
      if (training && !m_remote && !path.empty() && !QFileInfo(QString::fromStdString(path)).isFile())
        throw srdd::Error(std::string(what) + " '" + path + "' is not a file");
    if (runDirectory().isEmpty()) throw srdd::Error("choose a run directory");
  } catch (const srdd::Error& e) {
    message = QString::fromStdString(e.what());
  }
  const QString dir = runDirectory();
  const bool existing = !m_remote && !dir.isEmpty() && QFileInfo::exists(dir + QStringLiteral("/config.json"));
  m_runDirNote->setText(existing ? tr("This directory holds a comparison: finished runs with the same settings are "
                                      "kept and the rest is resumed.")
                                 : QString());
  m_runDirNote->setVisible(existing);
  const bool changed = message != m_message;
  m_message = message;
  m_error->setText(message);
  m_error->setVisible(!message.isEmpty());
  m_buttons->button(QDialogButtonBox::Ok)->setEnabled(message.isEmpty());
  updatePlot();
  if (changed) Q_EMIT validityChanged(message.isEmpty());
}

void AqnDialog::updatePlot() {
  const PlotTheme theme = PlotTheme::fromPalette(m_plot->palette(), m_plot->font());
  QString why;
  m_sigma.clear();
  try {
    aqn::Schedule sc;
    sc.sigmaStart = readDouble(m_sigmaStart, tr("σ start"));
    sc.sigmaEnd = readDouble(m_sigmaEnd, tr("σ end"));
    sc.levels = m_levels->value();
    sc.warmupFraction = readDouble(m_warmupFraction, tr("σ warm-up fraction"));
    sc.validate();
    if (m_steps->value() < 1) throw srdd::Error("no training step");
    m_sigma = sc.sigmaPerStep(m_steps->value());
  } catch (const srdd::Error&) {
    why = tr("No valid schedule (see the message below)");
  }
  renderSigmaSchedule(m_plot, m_sigma, m_logScale->isChecked(), theme, why);
  m_plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace srdd_gui
