#include "targets/target_set_panel.h"

#include "targets/target_formats.h"

#include <srdd/error.h>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

namespace srdd_gui {

namespace {
QPushButton* button(const QString& text, const char* name, const QString& tip) {
  auto* b = new QPushButton(text);
  b->setObjectName(name);
  b->setToolTip(tip);
  return b;
}

// Runs ACTION with a fixed TEXT, so the panel does not widen with the command's name; the action's own text
// ("Undo Add layers 2, 5") becomes the tooltip.
QToolButton* commandButton(QAction* action, const QString& text, const char* name) {
  auto* b = new QToolButton;
  b->setObjectName(name);
  b->setText(text);
  auto sync = [b, action] {
    b->setEnabled(action->isEnabled());
    b->setToolTip(action->text());
  };
  sync();
  QObject::connect(action, &QAction::changed, b, sync);
  QObject::connect(b, &QToolButton::clicked, action, &QAction::trigger);
  return b;
}
}  // namespace

TargetSetPanel::TargetSetPanel(TargetSet* targets, QWidget* parent) : QWidget(parent), m_targets(targets) {
  m_summary = new QLabel;
  m_summary->setObjectName("targetSummary");
  m_list = new QListWidget;
  m_list->setObjectName("targetList");
  m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_list->setToolTip(tr("Layers AQN will target. Double-click to show a layer; Delete removes the highlighted ones."));

  m_add = button(tr("Add selected"), "addSelected", tr("Add the layers selected in the plots and the table"));
  m_remove = button(tr("Remove selected"), "removeSelected",
                    tr("Remove the entries highlighted in this list, or else the layers selected in the views"));
  m_problematicButton = button(tr("All problematic"), "allProblematic", tr("Make the set exactly the flagged layers"));
  m_invert = button(tr("Invert"), "invert", tr("Every layer not in the set, and none that is"));
  m_clear = button(tr("Clear"), "clear", tr("Remove every layer"));
  m_topK = button(tr("Top-K"), "topK", tr("Make the set the K worst layers by the chosen metric"));
  m_paste = button(tr("Paste"), "paste", tr("Replace the set by layers from the clipboard (any copy form, or 3, 7-9)"));
  m_metric = new QComboBox;
  m_metric->setObjectName("topKMetric");
  m_metric->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);  // long names do not widen the panel
  m_metric->setMinimumContentsLength(16);
  m_k = new QSpinBox;
  m_k->setObjectName("topKCount");
  m_k->setPrefix(tr("K = "));
  m_k->setRange(1, 1);

  QUndoStack* stack = m_targets->undoStack();
  m_undo = commandButton(stack->createUndoAction(this, tr("Undo")), tr("Undo"), "undo");
  m_redo = commandButton(stack->createRedoAction(this, tr("Redo")), tr("Redo"), "redo");
  auto* copyMenu = new QMenu(this);
  copyMenu->setObjectName("copyMenu");
  const std::pair<CopyFormat, QString> forms[] = {{CopyFormat::JsonList, tr("JSON list  [3, 7, 12]")},
                                                  {CopyFormat::IndexList, tr("Index list  3,7,12")},
                                                  {CopyFormat::ModuleRegex, tr("Module-name regex")},
                                                  {CopyFormat::LlmCompressorTarget, tr("llm-compressor target (re:)")}};
  for (const auto& [format, label] : forms) {
    QAction* a = copyMenu->addAction(label);
    a->setData(static_cast<int>(format));
    connect(a, &QAction::triggered, this, [this, f = format] { copyToClipboard(f); });
  }
  m_copy = new QToolButton;
  m_copy->setObjectName("copy");
  m_copy->setText(tr("Copy"));
  m_copy->setMenu(copyMenu);
  m_copy->setPopupMode(QToolButton::InstantPopup);

  m_message = new QLabel;
  m_message->setObjectName("targetMessage");
  m_message->setWordWrap(true);
  m_message->hide();

  auto* grid = new QGridLayout;
  grid->addWidget(m_add, 0, 0);
  grid->addWidget(m_remove, 0, 1);
  grid->addWidget(m_problematicButton, 1, 0);
  grid->addWidget(m_invert, 1, 1);
  grid->addWidget(m_clear, 1, 2);
  auto* topRow = new QHBoxLayout;
  topRow->addWidget(m_metric, 1);
  topRow->addWidget(m_k);
  topRow->addWidget(m_topK);
  auto* editRow = new QHBoxLayout;
  editRow->addWidget(m_undo);
  editRow->addWidget(m_redo);
  editRow->addStretch(1);
  editRow->addWidget(m_copy);
  editRow->addWidget(m_paste);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_summary);
  layout->addWidget(m_list, 1);
  layout->addLayout(grid);
  layout->addLayout(topRow);
  layout->addLayout(editRow);
  layout->addWidget(m_message);

  connect(m_add, &QPushButton::clicked, this, [this] { run([this] { m_targets->add(m_selection); }); });
  connect(m_remove, &QPushButton::clicked, this, [this] { run([this] { m_targets->remove(layersToRemove()); }); });
  connect(m_problematicButton, &QPushButton::clicked, this,
          [this] { run([this] { m_targets->setToProblematic(m_problematic); }); });
  connect(m_invert, &QPushButton::clicked, this, [this] { run([this] { m_targets->invert(); }); });
  connect(m_clear, &QPushButton::clicked, this, [this] { run([this] { m_targets->clear(); }); });
  connect(m_topK, &QPushButton::clicked, this, [this] { addTopK(); });
  connect(m_paste, &QPushButton::clicked, this, [this] { pasteText(QApplication::clipboard()->text()); });
  connect(m_list, &QListWidget::itemSelectionChanged, this, [this] { refresh(); });
  connect(m_list, &QListWidget::itemDoubleClicked, this,
          [this](QListWidgetItem* item) { Q_EMIT layerActivated(item->data(Qt::UserRole).toInt()); });
  m_list->installEventFilter(this);
  connect(m_targets, &TargetSet::changed, this, [this] {
    m_message->hide();
    refresh();
  });
  refresh();
}

bool TargetSetPanel::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_list && event->type() == QEvent::KeyPress) {
    const int key = static_cast<QKeyEvent*>(event)->key();
    if ((key == Qt::Key_Delete || key == Qt::Key_Backspace) && !m_list->selectedItems().isEmpty()) {
      run([this] { m_targets->remove(layersToRemove()); });
      return true;
    }
  }
  return QWidget::eventFilter(watched, event);
}

void TargetSetPanel::run(const std::function<void()>& edit) {
  try {
    edit();
    m_message->hide();
  } catch (const srdd::Error& e) {
    m_message->setText(QString::fromStdString(e.what()));
    m_message->show();
  }
}

QList<int> TargetSetPanel::layersToRemove() const {
  QList<int> highlighted;
  for (const QListWidgetItem* item : m_list->selectedItems()) highlighted << item->data(Qt::UserRole).toInt();
  return highlighted.isEmpty() ? m_selection : highlighted;
}

void TargetSetPanel::addTopK() {
  const int index = m_metric->currentIndex();
  if (index < 0 || index >= m_metrics.size()) return;
  const TargetMetric& metric = m_metrics[index];
  run([&] { m_targets->setToTopK(metric.values, m_k->value(), metric.worst, metric.name); });
}

void TargetSetPanel::setCurrentSelection(const QList<int>& layers) {
  m_selection = layers;
  refresh();
}

void TargetSetPanel::setCurrentSelection(const std::set<int>& layers) {
  setCurrentSelection(QList<int>(layers.begin(), layers.end()));
}

void TargetSetPanel::setProblematicLayers(const QList<int>& layers) {
  m_problematic = layers;
  refresh();
}

void TargetSetPanel::setMetrics(const QList<TargetMetric>& metrics) {
  const QString current = m_metric->currentText();
  m_metrics = metrics;
  m_metric->clear();
  for (const TargetMetric& m : metrics)
    m_metric->addItem(m.worst == TargetSet::Worst::Highest ? tr("%1 (highest)").arg(m.name)
                                                           : tr("%1 (lowest)").arg(m.name));
  const int keep = m_metric->findText(current);
  if (keep >= 0) m_metric->setCurrentIndex(keep);
  refresh();
}

void TargetSetPanel::setLayersPrefix(const QString& prefix) { m_prefix = prefix; }

void TargetSetPanel::refresh() {
  const QList<int> layers = m_targets->layers();
  const int n = m_targets->numLayers();
  m_summary->setText(tr("Target set: %1 of %2 layers").arg(layers.size()).arg(n));

  QList<int> shown;
  for (int i = 0; i < m_list->count(); ++i) shown << m_list->item(i)->data(Qt::UserRole).toInt();
  if (shown != layers) {
    QList<int> highlighted;
    for (const QListWidgetItem* item : m_list->selectedItems()) highlighted << item->data(Qt::UserRole).toInt();
    const QSignalBlocker block(m_list);
    m_list->clear();
    for (int l : layers) {
      auto* item = new QListWidgetItem(m_list);
      item->setData(Qt::UserRole, l);
      item->setSelected(highlighted.contains(l));
    }
  }
  for (int i = 0; i < m_list->count(); ++i) {
    QListWidgetItem* item = m_list->item(i);
    const int l = item->data(Qt::UserRole).toInt();
    item->setText(m_problematic.contains(l) ? tr("Layer %1  (problematic)").arg(l) : tr("Layer %1").arg(l));
  }
  const bool anyHighlighted = !m_list->selectedItems().isEmpty();

  const auto anyOf = [&](const QList<int>& ls, bool inSet) {
    return std::any_of(ls.begin(), ls.end(), [&](int l) { return m_targets->contains(l) == inSet; });
  };
  m_add->setEnabled(anyOf(m_selection, false));
  m_remove->setEnabled(anyHighlighted || anyOf(m_selection, true));
  m_problematicButton->setEnabled(!m_problematic.isEmpty());
  m_invert->setEnabled(n > 0);
  m_clear->setEnabled(!layers.isEmpty());
  m_topK->setEnabled(!m_metrics.isEmpty() && n > 0);
  m_metric->setEnabled(!m_metrics.isEmpty());
  m_k->setRange(1, std::max(1, n));
  m_copy->setEnabled(!layers.isEmpty());
  m_paste->setEnabled(n > 0);
}

QString TargetSetPanel::copyText(CopyFormat format) const {
  const QList<int> layers = m_targets->layers();
  switch (format) {
    case CopyFormat::JsonList: return toJsonList(layers);
    case CopyFormat::IndexList: return toIndexList(layers);
    case CopyFormat::ModuleRegex: return toModuleRegex(layers, m_prefix);
    case CopyFormat::LlmCompressorTarget: return toLlmCompressorTarget(layers, m_prefix);
  }
  return {};
}

void TargetSetPanel::copyToClipboard(CopyFormat format) const { QApplication::clipboard()->setText(copyText(format)); }

QString TargetSetPanel::pasteText(const QString& text) {
  QString error;
  try {
    const QList<int> layers = parseLayerList(text, m_targets->numLayers());
    m_targets->replace(layers, tr("Paste %1").arg(TargetSet::describeLayers(layers)));
    m_message->hide();
  } catch (const srdd::Error& e) {
    error = QString::fromStdString(e.what());
    m_message->setText(error);
    m_message->show();
  }
  return error;
}

}  // namespace srdd_gui
