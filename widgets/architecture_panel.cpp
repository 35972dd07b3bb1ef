#include "architecture_panel.h"

#include "formatting.h"

#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QStringList>

namespace srdd_gui {

const char* const ArchitecturePanel::kFields[] = {
    "architecture", "modelType", "layers",         "hidden",        "intermediate", "heads",       "headDim", "vocab",
    "ropeTheta",    "rmsEps",    "tiedEmbeddings", "attentionBias", "parameters",   "bytesOnDisk", "files",   nullptr};

static QString labelFor(const QString& key) {
  static const std::map<QString, QString> labels = {{"architecture", QObject::tr("Architecture")},
                                                    {"modelType", QObject::tr("Model type")},
                                                    {"layers", QObject::tr("Layers")},
                                                    {"hidden", QObject::tr("Hidden size")},
                                                    {"intermediate", QObject::tr("Intermediate")},
                                                    {"heads", QObject::tr("Heads / KV heads")},
                                                    {"headDim", QObject::tr("Head dim")},
                                                    {"vocab", QObject::tr("Vocabulary")},
                                                    {"ropeTheta", QObject::tr("RoPE theta")},
                                                    {"rmsEps", QObject::tr("RMS norm eps")},
                                                    {"tiedEmbeddings", QObject::tr("Tied embeddings")},
                                                    {"attentionBias", QObject::tr("Attention bias")},
                                                    {"parameters", QObject::tr("Parameters")},
                                                    {"bytesOnDisk", QObject::tr("On disk")},
                                                    {"files", QObject::tr("Files")}};
  return labels.at(key);
}

ArchitecturePanel::ArchitecturePanel(QWidget* parent) : QWidget(parent) {
  auto* form = new QFormLayout(this);
  form->setLabelAlignment(Qt::AlignRight);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  for (int i = 0; kFields[i]; ++i) {
    const QString key = QString::fromLatin1(kFields[i]);
    auto* value = new QLabel(this);
    value->setObjectName("value_" + key);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(labelFor(key) + ':', value);
    m_values[key] = value;
  }
  clear();
}

static QString yesNo(bool b) { return b ? QObject::tr("yes") : QObject::tr("no"); }

void ArchitecturePanel::setSummary(const srdd::ModelSummary& s) {
  setValue("architecture", QString::fromStdString(s.architecture));
  setValue("modelType", QString::fromStdString(s.modelType));
  setValue("layers", QString::number(s.numLayers));
  setValue("hidden", formatExact(s.hiddenSize));
  setValue("intermediate", formatExact(s.intermediateSize));
  setValue("heads", QStringLiteral("%1 / %2").arg(s.numHeads).arg(s.numKvHeads));
  setValue("headDim", QString::number(s.headDim));
  setValue("vocab", formatExact(s.vocabSize));
  setValue("ropeTheta", QString::number(s.ropeTheta, 'g', 10));
  setValue("rmsEps", QString::number(s.rmsNormEps, 'g', 6));
  setValue("tiedEmbeddings", yesNo(s.tiedEmbeddings));
  setValue("attentionBias", yesNo(s.attentionBias));
  setValue("parameters", formatCount(s.totalParameters), formatExact(s.totalParameters) + tr(" parameters"));
  setValue("bytesOnDisk", formatBytes(s.bytesOnDisk), formatExact(s.bytesOnDisk) + tr(" bytes"));
  QStringList names, paths;
  for (const std::string& f : s.files) {
    paths << QDir::toNativeSeparators(QString::fromStdString(f));
    names << QFileInfo(paths.back()).fileName();
  }
  setValue("files", names.size() <= 2 ? names.join('\n') : tr("%n files", nullptr, names.size()), paths.join('\n'));
}

void ArchitecturePanel::clear() {
  for (auto& [key, label] : m_values) {
    label->setText(QStringLiteral("—"));
    label->setToolTip({});
  }
}

QString ArchitecturePanel::valueText(const QString& key) const {
  const auto it = m_values.find(key);
  return it == m_values.end() ? QString() : it->second->text();
}

void ArchitecturePanel::setValue(const char* key, const QString& text, const QString& toolTip) {
  QLabel* label = m_values.at(QString::fromLatin1(key));
  label->setText(text);
  label->setToolTip(toolTip);
}

}  // namespace srdd_gui
