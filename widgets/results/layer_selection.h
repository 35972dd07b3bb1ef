#pragma once
// The one layer selection every results view writes to and follows (plots, heatmaps, ranked table).
// Click semantics match item views: click = select only that layer, Ctrl+click toggles it,
// Shift+click selects the range from the anchor (Ctrl+Shift adds the range).
#include <QObject>

#include <set>
#include <vector>

namespace srdd_gui {

class LayerSelection : public QObject {
  Q_OBJECT
 public:
  explicit LayerSelection(QObject* parent = nullptr);

  // The layers that can be selected (scan order); drops selected layers that are no longer available.
  void setAvailableLayers(std::vector<int> layers);
  const std::vector<int>& availableLayers() const { return m_available; }

  const std::set<int>& selected() const { return m_selected; }
  std::vector<int> selectedList() const { return {m_selected.begin(), m_selected.end()}; }
  bool isSelected(int layer) const { return m_selected.count(layer) != 0; }
  bool isEmpty() const { return m_selected.empty(); }
  int current() const { return m_current; }  // last clicked layer, -1 when none
  int anchor() const { return m_anchor; }    // start of a Shift range, -1 when none

  // A click on LAYER with the keyboard MODIFIERS of the event; a layer that is not available is ignored.
  void click(int layer, Qt::KeyboardModifiers modifiers);
  // Replaces the selection (unavailable layers are dropped); CURRENT becomes current and anchor.
  void setSelection(const std::set<int>& layers, int current = -1);
  void selectOnly(int layer);
  void toggle(int layer);
  // Available layers between FROM and TO inclusive (either order); EXTEND keeps the existing selection.
  void selectRange(int from, int to, bool extend);
  void clear();

 Q_SIGNALS:
  void changed();  // the selected set, the current layer or the anchor changed

 private:
  bool isAvailable(int layer) const;
  void update(std::set<int> selected, int current, int anchor);

  std::vector<int> m_available;
  std::set<int> m_selected;
  int m_current = -1;
  int m_anchor = -1;
};

}  // namespace srdd_gui
