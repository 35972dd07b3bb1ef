#pragma once
// The light "paper" look every exported figure gets, whatever the UI palette: white background, black ink,
// light grey grid, explicit line widths, one font for all text, nothing selected. PaperThemeScope applies it
// to a live plot and puts every changed property back when it goes out of scope, so the on-screen plot keeps
// its theme and selection. Signals of the touched objects are blocked meanwhile, so clearing the selection
// does not reach the app's selection logic.
#include <QFont>

#include <functional>
#include <vector>

class QCPAxisRect;
class QCustomPlot;

namespace srdd_gui {

class PaperThemeScope {
 public:
  // FONT: family and point size for every text of the plot (bold/italic of each text are kept).
  PaperThemeScope(QCustomPlot* plot, const QFont& font);
  ~PaperThemeScope();
  PaperThemeScope(const PaperThemeScope&) = delete;
  PaperThemeScope& operator=(const PaperThemeScope&) = delete;

 private:
  // Records OBJECT's current value (GETTER) for the destructor, then applies VALUE through SETTER.
  template <class T, class R, class Setter, class V>
  void set(T* object, R (T::*getter)() const, Setter setter, const V& value);
  QFont exportFont(const QFont& original) const;
  void themeAxisRect(QCPAxisRect* rect);

  QCustomPlot* m_plot;
  QFont m_font;
  std::vector<std::function<void()>> m_restore;  // run in reverse order
};

}  // namespace srdd_gui
