#pragma once
// The AQN target set: an ordered set of decoder-layer indices (0..numLayers-1). Every edit goes through a
// QUndoCommand pushed on the set's own QUndoStack, so each one can be undone and redone and shows a readable
// text ("Add layers 3, 7"). Edits that would not change the set push nothing.
#include <QList>
#include <QObject>
#include <QString>
#include <QVector>

#include <set>

class QUndoStack;

namespace srdd_gui {

class TargetSet : public QObject {
  Q_OBJECT
 public:
  enum class Worst { Highest, Lowest };  // which end of a metric is "worst" for top-K

  explicit TargetSet(QObject* parent = nullptr);

  int numLayers() const { return m_numLayers; }
  QList<int> layers() const;  // ascending
  bool contains(int layer) const { return m_layers.count(layer) > 0; }
  int size() const { return static_cast<int>(m_layers.size()); }
  bool isEmpty() const { return m_layers.empty(); }
  QUndoStack* undoStack() const { return m_stack; }

  // Loads a set without an undo step (new scan, opened session): clears the undo history.
  // Throws srdd::Error for indices outside 0..numLayers-1.
  void reset(int numLayers, const QList<int>& layers = {});

  // Undoable edits. Out-of-range indices throw srdd::Error and change nothing.
  void add(const QList<int>& layers);
  void remove(const QList<int>& layers);
  void setToProblematic(const QList<int>& problematic);  // the set becomes exactly these layers
  // The set becomes the K worst layers by VALUES (one per layer; NaN = not measured, never chosen). Ties are
  // broken towards the lower layer index, so exactly min(K, measured layers) are chosen.
  void setToTopK(const QVector<double>& values, int k, Worst worst, const QString& metricName);
  void invert();
  void clear();
  void replace(const QList<int>& layers, const QString& commandText);  // e.g. a paste

  // Layer indices of the K worst values (the rule of setToTopK), ascending.
  static QList<int> topK(const QVector<double>& values, int k, Worst worst);
  // "layer 3", "layers 3, 7, 12", "layers 0, 1, 2, 3, 4, … (12 layers)"
  static QString describeLayers(const QList<int>& layers);

 Q_SIGNALS:
  void changed();  // the layers or the layer count changed

 private:
  friend class SetLayersCommand;
  void assign(const std::set<int>& layers);  // used by the commands only
  void push(std::set<int> after, const QString& text);
  std::set<int> validated(const QList<int>& layers) const;

  QUndoStack* m_stack;
  int m_numLayers = 0;
  std::set<int> m_layers;
};

}  // namespace srdd_gui
