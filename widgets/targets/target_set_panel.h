#pragma once
// The target-set panel: the layers in the set and the buttons that edit it (each edit undoable through the
// set's QUndoStack), plus copy in four text forms and paste. It knows nothing of the result views: the
// current layer selection, the problematic layers and the per-layer metric values are handed in by setters.
#include "targets/target_set.h"

#include <QList>
#include <QVector>
#include <QWidget>

#include <functional>
#include <set>

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace srdd_gui {

struct TargetMetric {
  QString name;            // "kurtosis", "SQNR (MXFP4)"
  QVector<double> values;  // one per layer, NaN where not measured
  TargetSet::Worst worst = TargetSet::Worst::Highest;
};

class TargetSetPanel : public QWidget {
  Q_OBJECT
 public:
  enum class CopyFormat { JsonList, IndexList, ModuleRegex, LlmCompressorTarget };

  explicit TargetSetPanel(TargetSet* targets, QWidget* parent = nullptr);
  TargetSet* targetSet() const { return m_targets; }

  void setCurrentSelection(const QList<int>& layers);  // the layers selected in the result views
  void setCurrentSelection(const std::set<int>& layers);
  void setProblematicLayers(const QList<int>& layers);
  void setMetrics(const QList<TargetMetric>& metrics);  // choices for top-K
  void setLayersPrefix(const QString& prefix);          // HF name prefix of decoder layers, default "model.layers"

  QString copyText(CopyFormat format) const;
  void copyToClipboard(CopyFormat format) const;
  // Replaces the set with the layers in TEXT (any copy form or "3, 7-9"); returns the error shown, or empty.
  QString pasteText(const QString& text);

 Q_SIGNALS:
  void layerActivated(int layer);  // double-click on an entry: show that layer in the views

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;  // Delete/Backspace in the list

 private:
  void refresh();
  void run(const std::function<void()>& edit);  // shows srdd::Error messages instead of throwing
  QList<int> layersToRemove() const;
  void addTopK();

  TargetSet* m_targets;
  QList<int> m_selection, m_problematic;
  QList<TargetMetric> m_metrics;
  QString m_prefix = QStringLiteral("model.layers");
  QLabel* m_summary;
  QListWidget* m_list;
  QPushButton *m_add, *m_remove, *m_problematicButton, *m_invert, *m_clear, *m_topK, *m_paste;
  QComboBox* m_metric;
  QSpinBox* m_k;
  QToolButton *m_undo, *m_redo, *m_copy;
  QLabel* m_message;
};

}  // namespace srdd_gui
