// MainWindow: showing a scan on the Results page and the Scan Report, and the links between the layer
// selection, the target set, the AQN page, the window title and the actions that need a scan.
#include "main_window.h"

#include "aqn/aqn_workspace.h"
#include "results/layer_selection.h"
#include "results/metric_catalog.h"
#include "results/results_panel.h"
#include "scan/scan_report_view.h"
#include "targets/target_set.h"
#include "targets/target_set_panel.h"

#include <srdd/error.h>

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QScopedValueRollback>
#include <QTabWidget>

#include <algorithm>
#include <cmath>

namespace srdd_gui {

namespace {

// Layer count of the scanned model; a scan without it counts up to its highest layer.
int scannedLayerCount(const ScanData& data) {
  int n = data.numLayers();
  for (int layer : data.layerIndices()) n = std::max(n, layer + 1);
  return n;
}

// The per-layer metrics offered for "top-K", quantized values, worst end from the metric's direction.
QList<TargetMetric> targetMetrics(const ScanData& data, int numLayers) {
  QList<TargetMetric> out;
  const auto add = [&](const QString& key, bool paired) {
    const MetricInfo info = metricInfo(key);
    if (info.better == Better::Neutral) return;
    TargetMetric m;
    m.name = paired ? QStringLiteral("%1 (%2)").arg(info.name, data.formatName()) : info.name;
    m.values = QVector<double>(numLayers, std::nan(""));
    for (int row = 0; row < data.layerCount(); ++row) {
      const int layer = data.layer(row).layer;
      if (layer < 0 || layer >= numLayers) continue;
      const double v = data.value(row, key, Side::Quantized);
      m.values[layer] = info.better == Better::NearOne ? std::abs(v - 1) : v;
    }
    if (info.better == Better::NearOne) m.name += QStringLiteral(" |x\u22121|");
    m.worst = info.better == Better::Higher ? TargetSet::Worst::Lowest : TargetSet::Worst::Highest;
    out << m;
  };
  for (const QString& key : data.pairedMetrics())
    if (key != QLatin1String("tokens")) add(key, true);
  for (const QString& key : data.singleMetrics()) add(key, false);
  return out;
}

}  // namespace

void MainWindow::connectTargets() {
  LayerSelection* selection = m_results->layerSelection();
  connect(selection, &LayerSelection::changed, this, [this, selection] {
    m_targetPanel->setCurrentSelection(selection->selected());
    markModified();
  });
  connect(m_targetPanel, &TargetSetPanel::layerActivated, this, [this, selection](int layer) {
    selection->selectOnly(layer);
    if (m_results->hasData()) showPage(ResultsPage);
  });
  connect(m_targets, &TargetSet::changed, this, [this] {
    m_aqn->setTargets(m_targets->layers());
    m_copyTargetsMenu->setEnabled(!m_targets->isEmpty());
    markModified();
  });
  m_copyTargetsMenu->setEnabled(false);
}

void MainWindow::showStoredScan(const ScanData& data, nlohmann::json scan, const QString& modelDir) {
  auto outcome = std::make_shared<ScanOutcome>();
  outcome->scan = std::move(scan);
  outcome->request.modelDir = modelDir.toStdString();
  outcome->report = QString::fromStdString(srdd::scanReportText(outcome->scan));
  applyScan(data, outcome);
}

void MainWindow::applyScan(const ScanData& data, const ScanOutcomePtr& outcome) {
  m_lastScan = outcome;
  m_report->setOutcome(outcome);
  m_results->setScanData(data);
  const int numLayers = scannedLayerCount(data);
  sizeTargetSet(numLayers);
  m_targetPanel->setProblematicLayers(QList<int>(data.problematicLayers().begin(), data.problematicLayers().end()));
  m_targetPanel->setMetrics(targetMetrics(data, numLayers));
  m_targetPanel->setCurrentSelection(m_results->layerSelection()->selected());
  m_aqn->setNumLayers(numLayers);
  showPage(ResultsPage);
  updateTitle();
  updateActions();
  Q_EMIT scanShown();
}

// A set built for another layer count cannot carry over; one for this count stays (with its undo history).
// Emptying it for a new model is not an edit of the session.
void MainWindow::sizeTargetSet(int numLayers) {
  const QScopedValueRollback<bool> quiet(m_restoring, true);
  if (numLayers > 0 && m_targets->numLayers() != numLayers) m_targets->reset(numLayers);
}

void MainWindow::markModified() {
  if (!m_restoring) setWindowModified(true);
}

void MainWindow::setSessionPath(const QString& path) {
  m_sessionPath = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
  setWindowModified(false);
  updateTitle();
}

// "session.srdd-session[*] — demo-model — SRDD Studio"; the model is the loaded one, else the scanned one.
void MainWindow::updateTitle() {
  QStringList parts;
  if (!m_sessionPath.isEmpty()) parts << QFileInfo(m_sessionPath).fileName();
  QString model;
  if (!m_workModel.isEmpty())
    model = QFileInfo(m_workModel).fileName();
  else if (m_summary)
    model = QFileInfo(QString::fromStdString(m_summary->directory)).fileName();
  else if (const ScanData* d = m_results->scanData())
    model = d->modelName();
  if (!model.isEmpty()) parts << model;
  parts << tr("SRDD Studio");
  parts.first() += QStringLiteral("[*]");
  setWindowTitle(parts.join(QStringLiteral(" \u2014 ")));
}

void MainWindow::updateActions() {
  for (QAction* a : m_needScan) a->setEnabled(m_results->hasData());
}

}  // namespace srdd_gui
