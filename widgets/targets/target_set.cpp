#include "targets/target_set.h"

#include <srdd/error.h>

#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace srdd_gui {

// One command for every kind of edit: it stores the set before and after.
class SetLayersCommand : public QUndoCommand {
 public:
  SetLayersCommand(TargetSet* set, std::set<int> before, std::set<int> after, const QString& text)
      : QUndoCommand(text), m_set(set), m_before(std::move(before)), m_after(std::move(after)) {}
  void redo() override { m_set->assign(m_after); }
  void undo() override { m_set->assign(m_before); }

 private:
  TargetSet* m_set;
  std::set<int> m_before, m_after;
};

TargetSet::TargetSet(QObject* parent) : QObject(parent), m_stack(new QUndoStack(this)) {}

QList<int> TargetSet::layers() const { return QList<int>(m_layers.begin(), m_layers.end()); }

std::set<int> TargetSet::validated(const QList<int>& layers) const {
  std::set<int> out;
  for (int l : layers) {
    if (l < 0 || l >= m_numLayers)
      throw srdd::Error(QStringLiteral("target set: layer %1 is out of range (the model has %2 layers)")
                            .arg(l)
                            .arg(m_numLayers)
                            .toStdString());
    out.insert(l);
  }
  return out;
}

void TargetSet::reset(int numLayers, const QList<int>& layers) {
  if (numLayers < 0) throw srdd::Error("target set: negative layer count");
  const int oldCount = m_numLayers;
  m_numLayers = numLayers;
  std::set<int> s;
  try {
    s = validated(layers);
  } catch (...) {
    m_numLayers = oldCount;
    throw;
  }
  m_stack->clear();
  m_layers = std::move(s);
  Q_EMIT changed();
}

void TargetSet::assign(const std::set<int>& layers) {
  m_layers = layers;
  Q_EMIT changed();
}

void TargetSet::push(std::set<int> after, const QString& text) {
  if (after == m_layers) return;
  m_stack->push(new SetLayersCommand(this, m_layers, std::move(after), text));
}

void TargetSet::add(const QList<int>& layers) {
  std::set<int> after = m_layers;
  QList<int> added;
  for (int l : validated(layers))
    if (after.insert(l).second) added << l;
  push(std::move(after), tr("Add %1").arg(describeLayers(added)));
}

void TargetSet::remove(const QList<int>& layers) {
  std::set<int> after = m_layers;
  QList<int> removed;
  for (int l : validated(layers))
    if (after.erase(l)) removed << l;
  push(std::move(after), tr("Remove %1").arg(describeLayers(removed)));
}

void TargetSet::setToProblematic(const QList<int>& problematic) {
  std::set<int> after = validated(problematic);
  push(after, tr("Set to all problematic (%1)").arg(describeLayers(QList<int>(after.begin(), after.end()))));
}

QList<int> TargetSet::topK(const QVector<double>& values, int k, Worst worst) {
  QList<int> order;
  for (int i = 0; i < values.size(); ++i)
    if (!std::isnan(values[i])) order << i;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return worst == Worst::Highest ? values[a] > values[b] : values[a] < values[b];
  });
  order = order.mid(0, std::max(0, k));
  std::sort(order.begin(), order.end());
  return order;
}

void TargetSet::setToTopK(const QVector<double>& values, int k, Worst worst, const QString& metricName) {
  if (values.size() != m_numLayers)
    throw srdd::Error(QStringLiteral("target set: %1 has %2 values for %3 layers")
                          .arg(metricName)
                          .arg(values.size())
                          .arg(m_numLayers)
                          .toStdString());
  const QList<int> chosen = topK(values, k, worst);
  push(std::set<int>(chosen.begin(), chosen.end()),
       tr("Top %1 by %2 (%3)").arg(k).arg(metricName, worst == Worst::Highest ? tr("highest") : tr("lowest")));
}

void TargetSet::invert() {
  std::set<int> after;
  for (int l = 0; l < m_numLayers; ++l)
    if (!m_layers.count(l)) after.insert(l);
  push(std::move(after), tr("Invert target set"));
}

void TargetSet::clear() { push({}, tr("Clear target set")); }

void TargetSet::replace(const QList<int>& layers, const QString& commandText) { push(validated(layers), commandText); }

QString TargetSet::describeLayers(const QList<int>& layers) {
  constexpr int kShown = 6;
  QStringList parts;
  for (int i = 0; i < std::min<int>(kShown, layers.size()); ++i) parts << QString::number(layers[i]);
  if (layers.isEmpty()) return tr("no layers");
  if (layers.size() == 1) return tr("layer %1").arg(parts.front());
  if (layers.size() <= kShown) return tr("layers %1").arg(parts.join(QStringLiteral(", ")));
  return tr("layers %1, \u2026 (%2 layers)").arg(parts.join(QStringLiteral(", "))).arg(layers.size());
}

}  // namespace srdd_gui
