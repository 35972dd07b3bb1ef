#pragma once
// Colours and fonts of the results figures: a fixed light "paper" theme for exports, and one derived from the
// widget palette on screen (dark mode). Also the few QCustomPlot helpers every figure builder shares.
#include <qcustomplot.h>

#include <QColor>
#include <QFont>
#include <QPalette>

namespace srdd_gui {

struct PlotTheme {
  bool dark = false;
  QColor background, foreground, grid, muted;
  QColor bf16, quantized, delta;  // bar colours of the three compare panels
  QColor threshold, selection;    // rule threshold lines, selection outlines
  QColor nan;                     // heatmap cells without a value
  QColor divergingMid;            // centre of the diverging colour scale
  QFont font;

  // Paper theme for exports: white background, fixed font family so output matches on every host.
  static PlotTheme light(int pointSize = 9);
  // Follows PALETTE (dark when its window colour is dark) with the application font.
  static PlotTheme fromPalette(const QPalette& palette, const QFont& font);
  QFont titleFont() const;
  QFont smallFont() const;
};

// True when PLOT is narrower than kNarrowWidth layout units (a single-column export is 252 pt): figures then
// use a compact layout. A hidden child widget has no real size yet and counts as wide.
constexpr int kNarrowWidth = 400;
bool isNarrowPlot(const QCustomPlot* plot);
// Empties PLOT: no plottables, items, layout elements or margin groups; xAxis/yAxis become null.
void resetPlot(QCustomPlot* plot);
void styleAxis(QCPAxis* axis, const PlotTheme& theme);
// A new axis rect with themed bottom/left axes (top/right hidden), no automatic legend, small margins when narrow.
QCPAxisRect* newAxisRect(QCustomPlot* plot, const PlotTheme& theme);
QCPTextElement* newText(QCustomPlot* plot, const QString& text, const QFont& font, const QColor& color);
// A text element that re-wraps TEXT at spaces to the plot's width (at its current font) on every layout,
// so that captions and key legends are never cut off, whatever size and font an export picks.
// Explicit '\n' in TEXT start new lines.
QCPTextElement* newWrappedText(QCustomPlot* plot, const QString& text, const QFont& font, const QColor& color);
// The text to wrap of an element made by newWrappedText (its text() is the wrapped one); empty for others.
QString wrappedFullText(const QCPTextElement* element);
void setWrappedFullText(QCPTextElement* element, const QString& text);
// A legend (no frame, no fill) whose entries go as many to a line as fit the plot's width at its current font,
// chosen again on every layout: no entry is cut off at any export size. Not yet placed in a layout.
QCPLegend* newFittingLegend(const PlotTheme& theme);
// A layer above "main" for selection outlines, created once.
QCPLayer* overlayLayer(QCustomPlot* plot);
// Perceptually uniform (viridis) for magnitudes, blue–neutral–red for signed deviations.
QCPColorGradient sequentialGradient(const PlotTheme& theme);
QCPColorGradient divergingGradient(const PlotTheme& theme);

}  // namespace srdd_gui
