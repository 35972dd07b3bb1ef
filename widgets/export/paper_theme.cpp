#include "export/paper_theme.h"

#include <qcustomplot.h>

#include <QSignalBlocker>

namespace srdd_gui {

namespace {
const QColor kInk(0, 0, 0);
const QColor kGrid(0xd4, 0xd4, 0xd4);
const QColor kSubGrid(0xea, 0xea, 0xea);
const QColor kZeroLine(0x80, 0x80, 0x80);
const QColor kLegendFrame(0x80, 0x80, 0x80);
constexpr double kAxisWidthPt = 0.6;
constexpr double kGridWidthPt = 0.4;

QPen pen(const QColor& color, double width, Qt::PenStyle style = Qt::SolidLine) {
  QPen p(color, width, style);
  p.setCapStyle(Qt::SquareCap);
  return p;
}
}  // namespace

template <class T, class R, class Setter, class V>
void PaperThemeScope::set(T* object, R (T::*getter)() const, Setter setter, const V& value) {
  const V old = (object->*getter)();
  m_restore.push_back([object, setter, old] {
    const QSignalBlocker block(object);
    (object->*setter)(old);
  });
  const QSignalBlocker block(object);
  (object->*setter)(value);
}

QFont PaperThemeScope::exportFont(const QFont& original) const {
  QFont f = original;
  f.setFamily(m_font.family());
  f.setPointSizeF(m_font.pointSizeF());
  return f;
}

void PaperThemeScope::themeAxisRect(QCPAxisRect* rect) {
  set(rect, &QCPAxisRect::backgroundBrush,
      static_cast<void (QCPAxisRect::*)(const QBrush&)>(&QCPAxisRect::setBackground), QBrush(Qt::NoBrush));
  for (QCPAxis* axis : rect->axes()) {
    set(axis, &QCPAxis::basePen, &QCPAxis::setBasePen, pen(kInk, kAxisWidthPt));
    set(axis, &QCPAxis::tickPen, &QCPAxis::setTickPen, pen(kInk, kAxisWidthPt));
    set(axis, &QCPAxis::subTickPen, &QCPAxis::setSubTickPen, pen(kInk, kAxisWidthPt));
    set(axis, &QCPAxis::labelColor, &QCPAxis::setLabelColor, kInk);
    set(axis, &QCPAxis::tickLabelColor, &QCPAxis::setTickLabelColor, kInk);
    set(axis, &QCPAxis::labelFont, &QCPAxis::setLabelFont, exportFont(axis->labelFont()));
    set(axis, &QCPAxis::tickLabelFont, &QCPAxis::setTickLabelFont, exportFont(axis->tickLabelFont()));
    set(axis, &QCPAxis::selectedParts, &QCPAxis::setSelectedParts, QCPAxis::SelectableParts(QCPAxis::spNone));
    QCPGrid* grid = axis->grid();
    set(grid, &QCPGrid::pen, &QCPGrid::setPen, pen(kGrid, kGridWidthPt));
    set(grid, &QCPGrid::subGridPen, &QCPGrid::setSubGridPen, pen(kSubGrid, kGridWidthPt, Qt::DotLine));
    if (grid->zeroLinePen().style() != Qt::NoPen)
      set(grid, &QCPGrid::zeroLinePen, &QCPGrid::setZeroLinePen, pen(kZeroLine, kGridWidthPt));
  }
}

PaperThemeScope::PaperThemeScope(QCustomPlot* plot, const QFont& font) : m_plot(plot), m_font(font) {
  // QCustomPlot has no getter for its background brush; a member pointer taken through a subclass reads it.
  struct BrushAccess : QCustomPlot {
    static QBrush get(const QCustomPlot* p) { return p->*(&BrushAccess::mBackgroundBrush); }
  };
  const QBrush oldBrush = BrushAccess::get(plot);
  m_restore.push_back([plot, oldBrush] { plot->setBackground(oldBrush); });
  plot->setBackground(QBrush(Qt::white));
  set(plot, &QCustomPlot::background, static_cast<void (QCustomPlot::*)(const QPixmap&)>(&QCustomPlot::setBackground),
      QPixmap());

  for (int i = 0; i < plot->plottableCount(); ++i) {
    QCPAbstractPlottable* p = plot->plottable(i);
    set(p, &QCPAbstractPlottable::selection, &QCPAbstractPlottable::setSelection, QCPDataSelection());
  }
  for (int i = 0; i < plot->itemCount(); ++i) {
    QCPAbstractItem* item = plot->item(i);
    set(item, &QCPAbstractItem::selected, &QCPAbstractItem::setSelected, false);
    if (auto* text = qobject_cast<QCPItemText*>(item)) {
      if (text->color().lightness() > 160) set(text, &QCPItemText::color, &QCPItemText::setColor, kInk);
      set(text, &QCPItemText::font, &QCPItemText::setFont, exportFont(text->font()));
    }
  }

  for (QCPLayoutElement* element : plot->plotLayout()->elements(true)) {
    if (!element) continue;
    if (auto* rect = qobject_cast<QCPAxisRect*>(element)) {
      themeAxisRect(rect);
    } else if (auto* scale = qobject_cast<QCPColorScale*>(element)) {
      if (scale->axis()) themeAxisRect(scale->axis()->axisRect());
    } else if (auto* legend = qobject_cast<QCPLegend*>(element)) {
      set(legend, &QCPLegend::brush, &QCPLegend::setBrush, QBrush(Qt::white));
      set(legend, &QCPLegend::borderPen, &QCPLegend::setBorderPen, pen(kLegendFrame, kGridWidthPt));
      set(legend, &QCPLegend::selectedParts, &QCPLegend::setSelectedParts,
          QCPLegend::SelectableParts(QCPLegend::spNone));
    } else if (auto* entry = qobject_cast<QCPAbstractLegendItem*>(element)) {
      set(entry, &QCPAbstractLegendItem::textColor, &QCPAbstractLegendItem::setTextColor, kInk);
      set(entry, &QCPAbstractLegendItem::font, &QCPAbstractLegendItem::setFont, exportFont(entry->font()));
      set(entry, &QCPAbstractLegendItem::selected, &QCPAbstractLegendItem::setSelected, false);
    } else if (auto* text = qobject_cast<QCPTextElement*>(element)) {
      set(text, &QCPTextElement::textColor, &QCPTextElement::setTextColor, kInk);
      set(text, &QCPTextElement::font, &QCPTextElement::setFont, exportFont(text->font()));
      set(text, &QCPTextElement::selected, &QCPTextElement::setSelected, false);
    }
  }
}

PaperThemeScope::~PaperThemeScope() {
  for (auto it = m_restore.rbegin(); it != m_restore.rend(); ++it) (*it)();
  m_plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace srdd_gui
