#include "results/figures.h"

#include "results/metric_catalog.h"

#include <srdd/error.h>

#include <QApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <cmath>

namespace srdd_gui {

namespace {
enum class Kind { Compare, MetricHeatmap, ModuleHeatmap };

struct Request {
  Kind kind = Kind::Compare;
  QString metric;
  DeltaMode mode = DeltaMode::Difference;
  bool log = false;  // compare: logarithmic value axes
  Side side = Side::Quantized;
  HeatScale scale = HeatScale::Linear;
};

const QStringList kSides = {"bf16", "quantized", "ratio", "difference"};
const QStringList kScales = {"linear", "log", "diverging"};
const QStringList kModuleMetrics = {"sqnr_db", "deadzone_ratio", "clipping_ratio", "relative_error"};

QString sideKey(Side s) { return kSides[static_cast<int>(s)]; }
QString scaleKey(HeatScale s) { return kScales[static_cast<int>(s)]; }

[[noreturn]] void badId(const QString& id, const char* why) {
  throw srdd::Error("figure \"" + id.toStdString() + "\": " + why);
}

Request parse(const QString& id) {
  const QStringList p = id.split(':');
  Request r;
  if ((p.size() == 3 || p.size() == 4) && p[0] == "compare") {
    r.kind = Kind::Compare;
    r.metric = p[1];
    if (p[2] != "difference" && p[2] != "ratio") badId(id, "the compare mode must be difference or ratio");
    r.mode = p[2] == "ratio" ? DeltaMode::Ratio : DeltaMode::Difference;
    if (p.size() == 4 && p[3] != "log") badId(id, "the only compare option is log");
    r.log = p.size() == 4;
  } else if (p.size() == 3 && (p[0] == "heatmap-metrics" || p[0] == "heatmap-modules")) {
    if (!kScales.contains(p[2])) badId(id, "the colour scale must be linear, log or diverging");
    r.scale = static_cast<HeatScale>(kScales.indexOf(p[2]));
    if (p[0] == "heatmap-metrics") {
      r.kind = Kind::MetricHeatmap;
      if (!kSides.contains(p[1])) badId(id, "the values must be bf16, quantized, ratio or difference");
      r.side = static_cast<Side>(kSides.indexOf(p[1]));
    } else {
      r.kind = Kind::ModuleHeatmap;
      r.metric = p[1];
    }
  } else {
    badId(id, "unknown figure (expected compare:…, heatmap-metrics:… or heatmap-modules:…)");
  }
  return r;
}

void checkAvailable(const ScanData& data, const Request& r, const QString& id) {
  if (r.kind == Kind::Compare && !data.pairedMetrics().contains(r.metric) && !data.singleMetrics().contains(r.metric))
    badId(id, "the scan has no such metric");
  if (r.kind == Kind::ModuleHeatmap && !data.weightMetrics().contains(r.metric))
    badId(id, "the scan has no such weight metric (run the weights scan)");
}

HeatmapGrid gridFor(const ScanData& data, const Request& r) {
  return r.kind == Kind::MetricHeatmap ? metricHeatmap(data, r.side, r.scale) : moduleHeatmap(data, r.metric, r.scale);
}

QString csvNumber(double v) { return std::isfinite(v) ? QString::number(v, 'g', 17) : QString(); }
QJsonValue jsonNumber(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null); }
QString csvText(QString s) {
  if (!s.contains(',') && !s.contains('"')) return s;
  return '"' + s.replace('"', QStringLiteral("\"\"")) + '"';
}
QString rowLabel(int layer) { return layer < 0 ? QStringLiteral("lm_head") : QString::number(layer); }

QJsonObject statJson(const Stat& s) {
  return {{"mean", jsonNumber(s.mean)},
          {"std", jsonNumber(s.stddev)},
          {"ci95", QJsonArray{jsonNumber(s.ciLow), jsonNumber(s.ciHigh)}},
          {"n", s.n}};
}
}  // namespace

QString compareFigureId(const QString& metric, DeltaMode mode, bool log) {
  return "compare:" + metric + (mode == DeltaMode::Ratio ? ":ratio" : ":difference") + (log ? ":log" : "");
}
QString metricHeatmapId(Side side, HeatScale scale) {
  return "heatmap-metrics:" + sideKey(side) + ":" + scaleKey(scale);
}
QString moduleHeatmapId(const QString& metric, HeatScale scale) {
  return "heatmap-modules:" + metric + ":" + scaleKey(scale);
}

QString figureFileStem(const QString& id) {
  return QString(id).replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]+")), QStringLiteral("-"));
}

QString figureTitle(const ScanData& data, const QString& id) {
  const Request r = parse(id);
  if (r.kind == Kind::Compare) return compareTitle(data, r.metric, r.mode);
  const HeatmapGrid g = gridFor(data, r);
  return g.title + " (" + scaleName(g.scale) + ")";
}

std::vector<FigureSpec> availableFigures(const ScanData& data) {
  QStringList ids;
  for (const QString& m : data.pairedMetrics())
    if (m != "tokens") ids << compareFigureId(m, DeltaMode::Difference) << compareFigureId(m, DeltaMode::Ratio);
  for (const QString& m : data.singleMetrics()) ids << compareFigureId(m, DeltaMode::Difference);
  ids << metricHeatmapId(Side::Quantized, HeatScale::Linear) << metricHeatmapId(Side::Ratio, HeatScale::Diverging)
      << metricHeatmapId(Side::Difference, HeatScale::Diverging);
  for (const QString& m : kModuleMetrics)
    if (data.weightMetrics().contains(m)) ids << moduleHeatmapId(m, HeatScale::Linear);
  std::vector<FigureSpec> out;
  for (const QString& id : ids) out.push_back({id, figureTitle(data, id), figureFileStem(id)});
  return out;
}

void renderFigure(QCustomPlot* plot, const ScanData& data, const QString& id, bool lightTheme) {
  renderFigure(plot, data, id,
               lightTheme ? PlotTheme::light() : PlotTheme::fromPalette(plot->palette(), QApplication::font()));
}

void renderFigure(QCustomPlot* plot, const ScanData& data, const QString& id, const PlotTheme& theme) {
  const Request r = parse(id);
  checkAvailable(data, r, id);
  if (r.kind == Kind::Compare)
    buildCompareFigure(plot, data, r.metric, r.mode, theme, r.log);
  else
    buildHeatmapFigure(plot, data, gridFor(data, r), theme);
  plot->replot();
}

QString figureCsv(const ScanData& data, const QString& id) {
  const Request r = parse(id);
  checkAvailable(data, r, id);
  QStringList lines;
  if (r.kind == Kind::Compare) {
    const CompareSeries s = compareSeries(data, r.metric, r.mode);
    const QString deltaName = r.mode == DeltaMode::Ratio ? "ratio" : "difference";
    QStringList header = {"layer"};
    for (const QString& side : s.paired ? QStringList{"bf16", "quantized"} : QStringList{"quantized"})
      header << side + "_mean" << side + "_std" << side + "_ci95_low" << side + "_ci95_high" << side + "_n";
    if (s.paired) header << deltaName << deltaName + "_ci95_low" << deltaName + "_ci95_high";
    lines << header.join(',');
    for (size_t i = 0; i < s.layers.size(); ++i) {
      QStringList row = {QString::number(s.layers[i])};
      auto add = [&row](const Stat& st) {
        row << csvNumber(st.mean) << csvNumber(st.stddev) << csvNumber(st.ciLow) << csvNumber(st.ciHigh)
            << (st.n > 0 ? QString::number(st.n) : QString());
      };
      if (s.paired) add(s.bf16[i]);
      add(s.quantized[i]);
      if (s.paired) row << csvNumber(s.delta[i].mean) << csvNumber(s.delta[i].ciLow) << csvNumber(s.delta[i].ciHigh);
      lines << row.join(',');
    }
  } else {
    const HeatmapGrid g = gridFor(data, r);
    const bool modules = r.kind == Kind::ModuleHeatmap;
    lines << (modules ? QStringLiteral("layer,module,value,shown") : QStringLiteral("layer,metric,value,shown"));
    for (int row = 0; row < g.rowCount(); ++row)
      for (int c = 0; c < g.columnCount(); ++c)
        lines << QStringList{rowLabel(g.rowLayers[static_cast<size_t>(row)]), csvText(g.columns[c]),
                             csvNumber(g.raw[static_cast<size_t>(row)][static_cast<size_t>(c)]),
                             csvNumber(g.shown[static_cast<size_t>(row)][static_cast<size_t>(c)])}
                     .join(',');
  }
  return lines.join('\n') + '\n';
}

QJsonDocument figureJson(const ScanData& data, const QString& id) {
  const Request r = parse(id);
  checkAvailable(data, r, id);
  QJsonObject root{{"schema", "srdd-figure/1"},           {"figure", id},
                   {"title", figureTitle(data, id)},      {"source", data.sourcePath()},
                   {"provenance", data.provenanceJson()}, {"parameters", data.parametersJson()}};
  if (r.kind == Kind::Compare) {
    const CompareSeries s = compareSeries(data, r.metric, r.mode);
    const MetricInfo info = metricInfo(r.metric);
    QJsonArray layers;
    for (size_t i = 0; i < s.layers.size(); ++i) {
      QJsonObject o{{"layer", s.layers[i]}, {"quantized", statJson(s.quantized[i])}};
      if (s.paired) {
        o["bf16"] = statJson(s.bf16[i]);
        o[r.mode == DeltaMode::Ratio ? "ratio" : "difference"] = jsonNumber(s.delta[i].mean);
        o[r.mode == DeltaMode::Ratio ? "ratio_ci95" : "difference_ci95"] =
            QJsonArray{jsonNumber(s.delta[i].ciLow), jsonNumber(s.delta[i].ciHigh)};
      }
      layers.append(o);
    }
    root["data"] = QJsonObject{{"metric", r.metric}, {"name", info.name},
                               {"unit", info.unit},  {"better", betterText(info.better)},
                               {"paired", s.paired}, {"mode", r.mode == DeltaMode::Ratio ? "ratio" : "difference"},
                               {"layers", layers}};
  } else {
    const HeatmapGrid g = gridFor(data, r);
    QJsonArray rows, layers, values, shown;
    for (int row = 0; row < g.rowCount(); ++row) {
      rows.append(g.rowLabels[row]);
      layers.append(g.rowLayers[static_cast<size_t>(row)]);
      QJsonArray v, s;
      for (int c = 0; c < g.columnCount(); ++c) {
        v.append(jsonNumber(g.raw[static_cast<size_t>(row)][static_cast<size_t>(c)]));
        s.append(jsonNumber(g.shown[static_cast<size_t>(row)][static_cast<size_t>(c)]));
      }
      values.append(v);
      shown.append(s);
    }
    root["data"] = QJsonObject{{"rows", rows},
                               {"row_layers", layers},
                               {"columns", QJsonArray::fromStringList(g.columns)},
                               {"values", values},
                               {"shown", shown},
                               {"scale", scaleKey(g.scale)},
                               {"color_label", g.colorLabel},
                               {"color_range", QJsonArray{g.colorRange.lower, g.colorRange.upper}}};
  }
  return QJsonDocument(root);
}

}  // namespace srdd_gui
