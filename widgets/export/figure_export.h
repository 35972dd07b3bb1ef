#pragma once
// Writing one QCustomPlot figure to PDF (vector, colour maps stored losslessly), SVG or PNG at a physical
// size in points, in the light paper theme, with the options' metadata embedded. Files are written atomically.
#include "export/export_options.h"

#include <QString>

#include <functional>

class QCustomPlot;

namespace srdd_gui {

// Draws a figure into an empty plot (e.g. a lambda calling the results' renderFigure(plot, data, id, true)).
using FigureRenderer = std::function<void(QCustomPlot*)>;

// Exports PLOT as it is now (its UI theme, fonts and selection are put back afterwards).
// Throws srdd::Error naming PATH when the options are out of range or the file cannot be written.
void exportPlot(QCustomPlot* plot, const QString& path, const ExportOptions& options);
// Renders a fresh offscreen plot sized to the options with RENDER, then exports it like exportPlot.
void exportFigure(const QString& path, const FigureRenderer& render, const ExportOptions& options);

// The dots per inch that Qt lays out text with (QFontMetrics without a device); export fonts are scaled by
// 72 / this so that text comes out at ExportOptions::fontPt on the page.
int layoutTextDpi();

}  // namespace srdd_gui
