#pragma once
// "Export all figures to folder": every figure rendered offscreen into DIR/<id>.<ext>, plus the data the caller
// provides for it as DIR/<id>.csv and DIR/<id>.json.
#include "export/export_options.h"
#include "export/figure_export.h"

#include <QJsonDocument>
#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace srdd_gui {

struct BatchFigure {
  QString id;             // file base name: letters, digits, '-', '_' and '.' only
  FigureRenderer render;  // draws the figure into an empty plot
  QString csv;            // written as <id>.csv unless empty
  QJsonDocument json;     // written as <id>.json unless null
};

// Creates DIR if needed. Each figure's metadata gets "Title" = id unless OPTIONS set one. Returns the files
// written, in order. Throws srdd::Error naming the file at the first failure (files already written stay).
QStringList exportAll(const QString& dir, const std::vector<BatchFigure>& figures, const ExportOptions& options);
QStringList exportAll(const QString& dir, const std::vector<std::pair<QString, FigureRenderer>>& figures,
                      const ExportOptions& options);

}  // namespace srdd_gui
