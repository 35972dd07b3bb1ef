#include "results/layer_selection.h"

#include <algorithm>

namespace srdd_gui {

LayerSelection::LayerSelection(QObject* parent) : QObject(parent) {}

void LayerSelection::setAvailableLayers(std::vector<int> layers) {
  m_available = std::move(layers);
  std::set<int> kept;
  for (int l : m_selected)
    if (isAvailable(l)) kept.insert(l);
  update(std::move(kept), isAvailable(m_current) ? m_current : -1, isAvailable(m_anchor) ? m_anchor : -1);
}

bool LayerSelection::isAvailable(int layer) const {
  return std::find(m_available.begin(), m_available.end(), layer) != m_available.end();
}

void LayerSelection::click(int layer, Qt::KeyboardModifiers modifiers) {
  if (!isAvailable(layer)) return;
  const bool ctrl = modifiers.testFlag(Qt::ControlModifier);
  if (modifiers.testFlag(Qt::ShiftModifier) && m_anchor >= 0)
    selectRange(m_anchor, layer, ctrl);
  else if (ctrl)
    toggle(layer);
  else
    selectOnly(layer);
}

void LayerSelection::setSelection(const std::set<int>& layers, int current) {
  std::set<int> kept;
  for (int l : layers)
    if (isAvailable(l)) kept.insert(l);
  if (!isAvailable(current)) current = kept.empty() ? -1 : *kept.begin();
  update(std::move(kept), current, current);
}

void LayerSelection::selectOnly(int layer) {
  if (!isAvailable(layer)) return;
  update({layer}, layer, layer);
}

void LayerSelection::toggle(int layer) {
  if (!isAvailable(layer)) return;
  std::set<int> s = m_selected;
  if (!s.erase(layer)) s.insert(layer);
  update(std::move(s), layer, layer);
}

void LayerSelection::selectRange(int from, int to, bool extend) {
  if (!isAvailable(from) || !isAvailable(to)) return;
  std::set<int> s = extend ? m_selected : std::set<int>{};
  const int lo = std::min(from, to), hi = std::max(from, to);
  for (int l : m_available)
    if (l >= lo && l <= hi) s.insert(l);
  update(std::move(s), to, from);  // the anchor stays where the range started
}

void LayerSelection::clear() { update({}, -1, -1); }

void LayerSelection::update(std::set<int> selected, int current, int anchor) {
  if (selected == m_selected && current == m_current && anchor == m_anchor) return;
  m_selected = std::move(selected);
  m_current = current;
  m_anchor = anchor;
  Q_EMIT changed();
}

}  // namespace srdd_gui
