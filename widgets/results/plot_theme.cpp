#include "results/plot_theme.h"

#include <algorithm>
#include <vector>

namespace srdd_gui {

PlotTheme PlotTheme::light(int pointSize) {
  PlotTheme t;
  t.background = Qt::white;
  t.foreground = QColor(0x20, 0x20, 0x20);
  t.grid = QColor(0xd0, 0xd0, 0xd0);
  t.muted = QColor(0x60, 0x60, 0x60);
  t.bf16 = QColor(0x00, 0x72, 0xb2);       // Okabe–Ito blue
  t.quantized = QColor(0xd5, 0x5e, 0x00);  // vermillion
  t.delta = QColor(0x00, 0x9e, 0x73);      // bluish green
  t.threshold = QColor(0xcc, 0x00, 0x33);
  t.selection = QColor(0x10, 0x10, 0x10);
  t.nan = QColor(0xee, 0xee, 0xee);
  t.divergingMid = QColor(0xf7, 0xf7, 0xf7);
  t.font = QFont(QStringLiteral("DejaVu Sans"), pointSize);
  return t;
}

PlotTheme PlotTheme::fromPalette(const QPalette& palette, const QFont& font) {
  PlotTheme t = light(font.pointSize() > 0 ? font.pointSize() : 9);
  t.font = font;
  t.background = palette.color(QPalette::Base);
  t.foreground = palette.color(QPalette::Text);
  t.dark = palette.color(QPalette::Window).lightness() < 128;
  if (t.dark) {
    t.grid = QColor(0x50, 0x50, 0x50);
    t.muted = QColor(0xa0, 0xa0, 0xa0);
    t.bf16 = QColor(0x56, 0xb4, 0xe9);       // sky blue
    t.quantized = QColor(0xe6, 0x9f, 0x00);  // orange
    t.delta = QColor(0x4c, 0xc9, 0x9a);
    t.threshold = QColor(0xff, 0x6b, 0x6b);
    t.selection = QColor(0xf5, 0xf5, 0xf5);
    t.nan = QColor(0x38, 0x38, 0x38);
    t.divergingMid = QColor(0x40, 0x40, 0x40);
  }
  return t;
}

QFont PlotTheme::titleFont() const {
  QFont f = font;
  f.setPointSizeF(font.pointSizeF() * 1.15);
  f.setBold(true);
  return f;
}

QFont PlotTheme::smallFont() const {
  QFont f = font;
  f.setPointSizeF(font.pointSizeF() * 0.85);
  return f;
}

bool isNarrowPlot(const QCustomPlot* plot) {
  return (plot->isWindow() || plot->isVisible()) && plot->width() < kNarrowWidth;
}

void resetPlot(QCustomPlot* plot) {
  plot->clearItems();
  plot->clearPlottables();
  plot->plotLayout()->clear();
  plot->plotLayout()->simplify();
  for (auto* group : plot->findChildren<QCPMarginGroup*>()) delete group;
  plot->xAxis = plot->yAxis = plot->xAxis2 = plot->yAxis2 = nullptr;
  plot->setInteractions(QCP::Interactions());
}

void styleAxis(QCPAxis* axis, const PlotTheme& t) {
  const QPen pen(t.foreground, 1);
  axis->setBasePen(pen);
  axis->setTickPen(pen);
  axis->setSubTickPen(pen);
  axis->setTickLabelColor(t.foreground);
  axis->setLabelColor(t.foreground);
  axis->setTickLabelFont(t.font);
  axis->setLabelFont(t.font);
  axis->grid()->setPen(QPen(t.grid, 1, Qt::DotLine));
  axis->grid()->setZeroLinePen(Qt::NoPen);
  axis->grid()->setSubGridVisible(false);
}

QCPAxisRect* newAxisRect(QCustomPlot* plot, const PlotTheme& theme) {
  auto* rect = new QCPAxisRect(plot, true);
  for (auto* a : rect->axes()) styleAxis(a, theme);
  rect->axis(QCPAxis::atTop)->setVisible(false);
  rect->axis(QCPAxis::atRight)->setVisible(false);
  rect->setBackground(Qt::NoBrush);
  // QCustomPlot keeps 15 units free on every side; narrow figures need only room for half a tick label.
  if (isNarrowPlot(plot)) rect->setMinimumMargins(QMargins(2, 6, 8, 2));
  return rect;
}

namespace {
QCPTextElement* styled(QCPTextElement* e, const QColor& color) {
  e->setTextColor(color);
  e->setMargins(QMargins(4, 2, 4, 2));
  return e;
}
}  // namespace

QCPTextElement* newText(QCustomPlot* plot, const QString& text, const QFont& font, const QColor& color) {
  return styled(new QCPTextElement(plot, text, font), color);
}

namespace {
class WrappedText : public QCPTextElement {
 public:
  WrappedText(QCustomPlot* plot, const QString& text, const QFont& font)
      : QCPTextElement(plot, text, font), m_full(text) {}
  QString m_full;

 protected:
  void update(UpdatePhase phase) override {
    if (phase == upPreparation && mParentPlot) {
      const QMargins m = margins();
      const int width = mParentPlot->viewport().width() - m.left() - m.right() - 4;
      setText(wrap(QFontMetrics(font()), width));
    }
    QCPTextElement::update(phase);
  }

 private:
  QString wrap(const QFontMetrics& fm, int width) const {
    QStringList lines;
    for (const QString& paragraph : m_full.split('\n')) {
      QString line;
      for (const QString& word : paragraph.split(' ', Qt::SkipEmptyParts)) {
        const QString longer = line.isEmpty() ? word : line + ' ' + word;
        if (!line.isEmpty() && fm.horizontalAdvance(longer) > width) {
          lines << line;
          line = word;
        } else {
          line = longer;
        }
      }
      lines << line;
    }
    return lines.join('\n');
  }
};

class FittingLegend : public QCPLegend {
 protected:
  void update(UpdatePhase phase) override {
    if (phase == upPreparation && mParentPlot && itemCount() > 0) {
      const QMargins m = margins();
      const int width = mParentPlot->viewport().width() - m.left() - m.right() - 8;
      std::vector<int> widths;
      for (int i = 0; i < itemCount(); ++i) widths.push_back(item(i)->minimumOuterSizeHint().width());
      int perLine = itemCount();
      for (; perLine > 1; --perLine) {  // the widest line of PERLINE entries with the column spacing
        bool fits = true;
        for (int start = 0; start < itemCount() && fits; start += perLine) {
          int line = 0;
          for (int i = start; i < std::min(itemCount(), start + perLine); ++i) line += widths[static_cast<size_t>(i)];
          fits = line + (perLine - 1) * columnSpacing() <= width;
        }
        if (fits) break;
      }
      if (perLine != wrap()) {
        setWrap(perLine);
        setFillOrder(foColumnsFirst, true);
      }
    }
    QCPLegend::update(phase);
  }
};
}  // namespace

QCPLegend* newFittingLegend(const PlotTheme& t) {
  auto* legend = new FittingLegend;
  legend->setFont(t.font);
  legend->setTextColor(t.foreground);
  legend->setBrush(Qt::NoBrush);
  legend->setBorderPen(Qt::NoPen);
  legend->setIconSize(18, 8);
  legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  legend->setRowSpacing(0);
  legend->setColumnSpacing(12);
  legend->setMargins(QMargins(4, 0, 4, 0));
  return legend;
}

QCPTextElement* newWrappedText(QCustomPlot* plot, const QString& text, const QFont& font, const QColor& color) {
  return styled(new WrappedText(plot, text, font), color);
}

QString wrappedFullText(const QCPTextElement* element) {
  const auto* w = dynamic_cast<const WrappedText*>(element);
  return w ? w->m_full : QString();
}

void setWrappedFullText(QCPTextElement* element, const QString& text) {
  if (auto* w = dynamic_cast<WrappedText*>(element)) {
    w->m_full = text;
    w->setText(text);
  }
}

QCPLayer* overlayLayer(QCustomPlot* plot) {
  if (QCPLayer* l = plot->layer(QStringLiteral("overlay"))) return l;
  plot->addLayer(QStringLiteral("overlay"), plot->layer(QStringLiteral("main")), QCustomPlot::limAbove);
  return plot->layer(QStringLiteral("overlay"));
}

QCPColorGradient sequentialGradient(const PlotTheme& t) {
  QCPColorGradient g;
  g.clearColorStops();
  static const unsigned char kViridis[256][3] = {
#include "viridis_table.inc"
  };
  for (int i = 0; i < 256; ++i) g.setColorStopAt(i / 255.0, QColor(kViridis[i][0], kViridis[i][1], kViridis[i][2]));
  g.setColorInterpolation(QCPColorGradient::ciRGB);
  g.setLevelCount(256);
  g.setNanHandling(QCPColorGradient::nhNanColor);
  g.setNanColor(t.nan);
  return g;
}

QCPColorGradient divergingGradient(const PlotTheme& t) {
  QCPColorGradient g;
  g.clearColorStops();
  g.setColorStopAt(0.00, QColor(0x21, 0x66, 0xac));
  g.setColorStopAt(0.25, QColor(0x67, 0xa9, 0xcf));
  g.setColorStopAt(0.50, t.divergingMid);
  g.setColorStopAt(0.75, QColor(0xef, 0x8a, 0x62));
  g.setColorStopAt(1.00, QColor(0xb2, 0x18, 0x2b));
  g.setColorInterpolation(QCPColorGradient::ciRGB);
  g.setLevelCount(256);
  g.setNanHandling(QCPColorGradient::nhNanColor);
  g.setNanColor(t.nan);
  return g;
}

}  // namespace srdd_gui
