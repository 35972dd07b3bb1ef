#include "aqn/aqn_results_view.h"

#include "aqn/aqn_figures.h"
#include "aqn/aqn_format.h"
#include "aqn/aqn_table_models.h"
#include "export/batch_export.h"
#include "export/data_export.h"
#include "export/export_dialog.h"
#include "export/figure_export.h"

#include <srdd/error.h>

#include <qcustomplot.h>

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QRegularExpression>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace srdd_gui {

namespace aqn = srdd::aqn;

namespace {

QTableView* tableView(QAbstractItemModel* model, QWidget* parent) {
  auto* proxy = new QSortFilterProxyModel(parent);
  proxy->setSourceModel(model);
  proxy->setSortRole(AqnSortRole);
  auto* view = new QTableView;
  view->setModel(proxy);
  view->setSortingEnabled(true);
  view->sortByColumn(-1, Qt::AscendingOrder);
  view->verticalHeader()->hide();
  view->setSelectionBehavior(QAbstractItemView::SelectRows);
  view->setAlternatingRowColors(true);
  view->setWordWrap(false);
  view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  view->horizontalHeader()->setStretchLastSection(true);
  view->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  view->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  view->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  return view;
}

// Fixes VIEW's height to its rows (the tables have a handful) and its horizontal scroll bar when one is
// needed, so the space below goes to the σ plot.
void fitHeight(QTableView* view) {
  int h = view->horizontalHeader()->sizeHint().height() + 2 * view->frameWidth();
  const int rows = std::max(1, view->model()->rowCount());
  h += rows * view->verticalHeader()->defaultSectionSize();
  if (view->horizontalScrollBar()->maximum() > 0) h += view->horizontalScrollBar()->sizeHint().height();
  view->setFixedHeight(h);
}

QLabel* heading(const QString& title) { return new QLabel(QStringLiteral("<b>%1</b>").arg(title)); }

}  // namespace

AqnResultsView::AqnResultsView(QWidget* parent)
    : QWidget(parent), m_configModel(new AqnConfigTableModel(this)), m_testModel(new AqnTestTableModel(this)) {
  m_summary = new QLabel;
  m_summary->setObjectName(QStringLiteral("aqnSummary"));
  m_summary->setWordWrap(true);
  m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_answer = new QLabel;
  m_answer->setObjectName(QStringLiteral("primaryAnswer"));
  m_answer->setWordWrap(true);
  m_answer->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_bandBox = new QComboBox;
  m_bandBox->setObjectName(QStringLiteral("band"));
  m_bandBox->addItem(tr("Band: min–max over seeds"));
  m_bandBox->addItem(tr("Band: mean ± sd"));
  connect(m_bandBox, &QComboBox::currentIndexChanged, this,
          [this](int i) { setBand(i == 0 ? AqnBand::MinMax : AqnBand::PlusMinusSd); });
  m_exportFigure = new QPushButton(tr("Export figure…"));
  m_exportData = new QPushButton(tr("Export data…"));
  m_exportFigure->setObjectName(QStringLiteral("exportFigure"));
  m_exportFigure->setToolTip(
      tr("The loss curves, the final loss per configuration or the σ schedule as PDF, SVG or PNG, "
         "at single- or double-column width and a chosen font size"));
  m_exportData->setToolTip(tr("Both tables and the loss curves as CSV, and everything as JSON"));
  auto* figureMenu = new QMenu(m_exportFigure);
  figureMenu->addAction(tr("Training loss curves…"), this, [this] { chooseFigureFile(Figure::LossCurves); });
  figureMenu->addAction(tr("Final loss per configuration (95 % CI)…"), this,
                        [this] { chooseFigureFile(Figure::FinalLoss); });
  figureMenu->addAction(tr("σ schedule…"), this, [this] { chooseFigureFile(Figure::SigmaSchedule); });
  figureMenu->addSeparator();
  figureMenu->addAction(tr("All figures to a folder…"), this, &AqnResultsView::chooseFigureFolder);
  m_exportFigure->setMenu(figureMenu);
  connect(m_exportData, &QPushButton::clicked, this, &AqnResultsView::chooseDataFile);

  m_configView = tableView(m_configModel, this);
  m_configView->setObjectName(QStringLiteral("configTable"));
  m_testView = tableView(m_testModel, this);
  m_testView->setObjectName(QStringLiteral("testTable"));
  m_testView->setColumnHidden(AqnTestTableModel::StudentP, true);
  // Welch's t and df stay in the CSV and the JSON; the view keeps room for the paired design's d_z, CI and Holm p.
  m_testView->setColumnHidden(AqnTestTableModel::WelchT, true);
  m_testView->setColumnHidden(AqnTestTableModel::WelchDf, true);
  for (QTableView* v : {m_configView, m_testView})
    connect(v->horizontalScrollBar(), &QScrollBar::rangeChanged, v, [v] { fitHeight(v); });
  m_plot = new QCustomPlot;
  m_plot->setObjectName(QStringLiteral("lossPlot"));
  m_plot->setMinimumSize(360, 260);
  m_sigmaPlot = new QCustomPlot;
  m_sigmaPlot->setObjectName(QStringLiteral("runSigmaPlot"));
  m_sigmaPlot->setMinimumSize(240, 120);
  m_sigmaPlot->setMaximumHeight(260);

  auto* tables = new QWidget;
  auto* left = new QVBoxLayout(tables);
  left->setContentsMargins(0, 0, 0, 0);
  left->addWidget(heading(tr("Final held-out loss per configuration")));
  left->addWidget(m_configView);
  left->addSpacing(6);
  left->addWidget(heading(tr("Tests on the final quantized loss")));
  left->addWidget(m_testView);
  left->addSpacing(6);
  left->addWidget(heading(tr("σ schedule of the runs")));
  left->addWidget(m_sigmaPlot, 1);
  left->addStretch();
  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(tables);
  split->addWidget(m_plot);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  split->setSizes({700, 580});

  auto* bar = new QHBoxLayout;
  bar->addWidget(m_summary, 1);
  bar->addWidget(m_bandBox);
  bar->addWidget(m_exportFigure);
  bar->addWidget(m_exportData);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(bar);
  layout->addWidget(m_answer);
  layout->addWidget(split, 1);
  clear();
}

void AqnResultsView::setResult(const aqn::ComparisonResult& result, const QString& runDirectory) {
  m_result = result;
  m_runDir = runDirectory;
  m_curves = lossCurves(result);
  m_configModel->setConfigs(result.configs);
  m_testModel->setTests(result.tests);
  // Student's t-test is what the research scripts reported: shown for their protocol (always in the CSV).
  m_testView->setColumnHidden(AqnTestTableModel::StudentP, result.settings.protocol == aqn::Protocol::Training);
  fitHeight(m_configView);
  fitHeight(m_testView);
  m_summary->setText(describe());
  m_summary->setToolTip(runDirectory);
  m_answer->setText(
      QString::fromStdString(result.primary.line)
          .toHtmlEscaped()
          .replace(QRegularExpression(QStringLiteral("\\? (yes|no) —")), QStringLiteral("? <b>\\1</b> —")));
  m_answer->setToolTip(
      tr("Paired two-sided t-test, targeted vs global, on the final quantized held-out loss (the "
         "pre-specified primary test; Holm-adjusted p beside it)"));
  m_exportFigure->setEnabled(true);
  m_exportData->setEnabled(true);
  redraw();
}

QString AqnResultsView::primaryAnswer() const {
  return m_result ? QString::fromStdString(m_result->primary.line) : QString();
}

void AqnResultsView::openRunDirectory(const QString& dir) {
  const QFileInfo info(dir);
  const QString file = info.isDir() ? info.absoluteFilePath() + QStringLiteral("/comparison.json") : dir;
  setResult(aqn::readComparison(file.toStdString()), info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

void AqnResultsView::clear() {
  m_result.reset();
  m_curves.clear();
  m_runDir.clear();
  m_configModel->setConfigs({});
  m_testModel->setTests({});
  fitHeight(m_configView);
  fitHeight(m_testView);
  m_summary->setText(tr("No AQN comparison shown: run one or open a run directory."));
  m_answer->clear();
  m_exportFigure->setEnabled(false);
  m_exportData->setEnabled(false);
  const PlotTheme theme = PlotTheme::fromPalette(m_plot->palette(), m_plot->font());
  renderNote(m_plot, tr("No comparison shown"), theme);
  renderNote(m_sigmaPlot, QString(), theme);
  m_plot->replot();
  m_sigmaPlot->replot();
}

void AqnResultsView::setBand(AqnBand band) {
  m_band = band;
  const QSignalBlocker block(m_bandBox);
  m_bandBox->setCurrentIndex(band == AqnBand::MinMax ? 0 : 1);
  if (m_result) redraw();
}

void AqnResultsView::redraw() {
  const PlotTheme theme = PlotTheme::fromPalette(m_plot->palette(), m_plot->font());
  renderLossCurves(m_plot, m_curves, m_band, theme);
  m_plot->replot();
  const bool training = m_result && m_result->settings.protocol == aqn::Protocol::Training;
  renderSigmaSchedule(
      m_sigmaPlot, m_result ? m_result->sigmaPerStep : std::vector<double>{}, true, theme,
      training ? tr("No σ schedule stored") : tr("No σ schedule: the reference protocol does not train"));
  m_sigmaPlot->replot();
}

QString AqnResultsView::describe() const {
  if (!m_result) return {};
  const aqn::ComparisonSettings& s = m_result->settings;
  const bool training = s.protocol == aqn::Protocol::Training;
  QStringList parts;
  parts << (training ? tr("AQN training") : tr("Reference protocol (activation noise, not AQN training)"));
  parts << tr("%1 configurations × %2 seeds").arg(s.configs.size()).arg(s.seeds);
  if (training) parts << tr("%1 steps").arg(s.train.steps);
  parts << tr("targets %1").arg(formatLayerList(s.targets));
  const QString model = QString::fromStdString(s.modelDirectory);
  parts << tr("model %1").arg(model.isEmpty() ? tr("demo") : QFileInfo(model).fileName());
  // The dtype the runs used (provenance), which "auto" resolved to.
  const auto& prov = m_result->provenance;
  const std::string dtype = prov.is_object() && prov.contains("dtype") && prov["dtype"].is_string()
                                ? prov["dtype"].get<std::string>()
                                : s.dtype;
  parts << QString::fromStdString(s.device + " " + dtype + (s.dtype == "auto" ? " (auto)" : ""));
  QString initial = tr("initial held-out loss %1 (quantized)").arg(formatStat(m_result->initialLossQuantized, 5));
  if (training) initial += tr(" / %1 (BF16)").arg(formatStat(m_result->initialLossBf16, 5));
  parts << initial;
  return parts.join(QStringLiteral(" · "));
}

QString AqnResultsView::figureId(Figure figure) {
  switch (figure) {
    case Figure::LossCurves: return QStringLiteral("aqn-loss-curves");
    case Figure::FinalLoss: return QStringLiteral("aqn-final-loss");
    case Figure::SigmaSchedule: return QStringLiteral("aqn-sigma-schedule");
  }
  return {};
}

FigureRenderer AqnResultsView::renderer(Figure figure) const {
  switch (figure) {
    case Figure::LossCurves: {
      const auto curves = m_curves;
      const AqnBand band = m_band;
      return [curves, band](QCustomPlot* plot) { renderLossCurves(plot, curves, band, PlotTheme::light()); };
    }
    case Figure::FinalLoss: {
      const auto configs = m_result->configs;
      return [configs](QCustomPlot* plot) { renderFinalLoss(plot, configs, PlotTheme::light()); };
    }
    case Figure::SigmaSchedule: {
      const auto sigma = m_result->sigmaPerStep;
      return [sigma](QCustomPlot* plot) { renderSigmaFigure(plot, sigma, PlotTheme::light()); };
    }
  }
  return {};
}

ExportOptions AqnResultsView::figureOptions(Figure figure, const ExportOptions& options) const {
  static const char* const titles[] = {"AQN training loss", "AQN final loss per configuration", "AQN σ schedule"};
  ExportOptions o = options;
  if (!o.metadata.contains(QStringLiteral("Title")))
    o.metadata[QStringLiteral("Title")] = tr(titles[static_cast<int>(figure)]);
  o.metadata[QStringLiteral("Comparison")] = describe();
  if (figure == Figure::LossCurves) o.metadata[QStringLiteral("Band")] = bandLabel(m_band);
  if (!m_runDir.isEmpty()) o.metadata[QStringLiteral("Run directory")] = m_runDir;
  return o;
}

void AqnResultsView::exportFigure(Figure figure, const QString& path, const ExportOptions& options) const {
  if (!m_result) throw srdd::Error(path.toStdString() + ": no AQN comparison to export");
  srdd_gui::exportFigure(path, renderer(figure), figureOptions(figure, options));
}

QStringList AqnResultsView::exportFigures(const QString& dir, const ExportOptions& options) const {
  if (!m_result) throw srdd::Error(dir.toStdString() + ": no AQN comparison to export");
  QJsonArray sigma;
  for (double v : m_result->sigmaPerStep) sigma.append(v);
  std::vector<BatchFigure> figures;
  for (Figure f : {Figure::LossCurves, Figure::FinalLoss, Figure::SigmaSchedule}) {
    BatchFigure b{figureId(f), renderer(f), {}, {}};
    if (f == Figure::LossCurves) b.csv = lossCurvesCsv(m_curves);
    if (f == Figure::FinalLoss) b.csv = configTableCsv(*m_result);
    if (f == Figure::SigmaSchedule) b.json = QJsonDocument(QJsonObject{{"sigma_per_step", sigma}});
    figures.push_back(b);
  }
  ExportOptions o = figureOptions(Figure::LossCurves, options);
  if (!options.metadata.contains(QStringLiteral("Title")))
    o.metadata.remove(QStringLiteral("Title"));  // exportAll: the id
  return exportAll(dir, figures, o);
}

QStringList AqnResultsView::exportData(const QString& basePath) const {
  if (!m_result) throw srdd::Error(basePath.toStdString() + ": no AQN comparison to export");
  const QStringList files{basePath + QStringLiteral("-configs.csv"), basePath + QStringLiteral("-tests.csv"),
                          basePath + QStringLiteral("-loss-curves.csv"), basePath + QStringLiteral(".json")};
  exportCsv(files[0], configTableCsv(*m_result));
  exportCsv(files[1], testTableCsv(*m_result));
  exportCsv(files[2], lossCurvesCsv(m_curves));
  exportJson(files[3], comparisonJson(*m_result));
  return files;
}

void AqnResultsView::chooseFigureFile(Figure figure) {
  ExportDialog dialog(ExportDialog::Target::File, this);
  const ExportOptions last = ExportDialog::lastOptions();
  dialog.setPath((m_runDir.isEmpty() ? QDir::homePath() : m_runDir) + '/' + figureId(figure) + '.' + last.extension());
  if (dialog.exec() != QDialog::Accepted) return;
  try {
    exportFigure(figure, dialog.path(), dialog.options());
  } catch (const srdd::Error& e) {
    QMessageBox::warning(this, tr("Export failed"), QString::fromStdString(e.what()));
  }
}

void AqnResultsView::chooseFigureFolder() {
  ExportDialog dialog(ExportDialog::Target::Folder, this);
  dialog.setPath((m_runDir.isEmpty() ? QDir::homePath() : m_runDir) + QStringLiteral("/figures"));
  if (dialog.exec() != QDialog::Accepted) return;
  try {
    exportFigures(dialog.path(), dialog.options());
  } catch (const srdd::Error& e) {
    QMessageBox::warning(this, tr("Export failed"), QString::fromStdString(e.what()));
  }
}

void AqnResultsView::chooseDataFile() {
  const QString start = (m_runDir.isEmpty() ? QDir::homePath() : m_runDir) + QStringLiteral("/aqn-results");
  QString base =
      QFileDialog::getSaveFileName(this, tr("Export data (base name)"), start, tr("CSV and JSON (*.csv *.json)"));
  if (base.isEmpty()) return;
  for (const char* ext : {".csv", ".json"})
    if (base.endsWith(QLatin1String(ext))) base.chop(static_cast<int>(qstrlen(ext)));
  try {
    exportData(base);
  } catch (const srdd::Error& e) {
    QMessageBox::warning(this, tr("Export failed"), QString::fromStdString(e.what()));
  }
}

}  // namespace srdd_gui
