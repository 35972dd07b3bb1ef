#pragma once
// The AQN figures, drawn into a QCustomPlot (on screen and for export): the training-loss curves of a
// comparison (mean per step over seeds with a band per configuration), the final loss per configuration with
// its 95 % interval, and the σ schedule per step.
#include "aqn/aqn_results_data.h"
#include "results/plot_theme.h"

#include <QColor>
#include <QString>

#include <vector>

class QCustomPlot;

namespace srdd_gui {

// A fixed colour per configuration so that every AQN view agrees: baseline neutral, global blue,
// targeted vermillion, healthy green, custom ones from the rest of the Okabe–Ito palette in order.
QColor aqnConfigColor(const QString& config, int customIndex, const PlotTheme& theme);
bool aqnBuiltinConfig(const QString& config);  // baseline, global, targeted or healthy

// Empties PLOT and shows TEXT in its middle (e.g. "nothing to show yet").
void renderNote(QCustomPlot* plot, const QString& text, const PlotTheme& theme);

// Empties PLOT and draws one mean curve + band per configuration, with a legend and a caption naming the
// band. A plot without curves shows a note instead (reference protocol: no training).
void renderLossCurves(QCustomPlot* plot, const std::vector<AqnLossCurve>& curves, AqnBand band, const PlotTheme& theme);

// Empties PLOT and draws each configuration's final quantized held-out loss: the mean over seeds with its
// 95 % interval, and every seed beside it; a caption names the error bars.
void renderFinalLoss(QCustomPlot* plot, const std::vector<srdd::aqn::ConfigSummary>& configs, const PlotTheme& theme);

// Empties PLOT and draws σ per step (step k at x = k + 1) as a staircase, one point per step. With logY,
// σ = 0 steps (warm-up) are gaps. An empty SIGMA shows MESSAGE (e.g. why the schedule is invalid).
void renderSigmaSchedule(QCustomPlot* plot, const std::vector<double>& sigma, bool logY, const PlotTheme& theme,
                         const QString& message = {});

// The σ schedule as an exported figure: log σ axis, with a title.
void renderSigmaFigure(QCustomPlot* plot, const std::vector<double>& sigma, const PlotTheme& theme);

}  // namespace srdd_gui
