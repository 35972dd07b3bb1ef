// MainWindow: exporting the Results page's figures (one, or all into a folder) and the current figure's data.
#include "main_window.h"

#include "export/data_export.h"
#include "export/export_dialog.h"
#include "export/figure_export.h"
#include "headless_export.h"
#include "results/figures.h"
#include "results/results_panel.h"

#include <srdd/error.h>

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>

namespace srdd_gui {

namespace {
const char* const kExportDirKey = "export/lastDirectory";

void rememberExportDirectory(const QString& dir) { QSettings().setValue(kExportDirKey, dir); }
}  // namespace

QString MainWindow::exportStartDirectory() const {
  const QString last = QSettings().value(kExportDirKey).toString();
  return !last.isEmpty() && QFileInfo(last).isDir() ? last : QDir::homePath();
}

bool MainWindow::exportCurrentFigure(const QString& path, const ExportOptions& options) {
  const ScanData* data = m_results->scanData();
  const QString id = m_results->currentFigureId();
  if (!data || id.isEmpty()) {
    showError(tr("No figure to export: run a scan or open scan results first."));
    return false;
  }
  try {
    exportFigure(
        path, [data, id](QCustomPlot* plot) { renderFigure(plot, *data, id, true); },
        figureExportOptions(*data, id, options));
  } catch (const srdd::Error& e) {
    showError(QString::fromStdString(e.what()));
    return false;
  }
  setStatus(tr("Exported %1").arg(QDir::toNativeSeparators(path)));
  return true;
}

QStringList MainWindow::exportAllFigures(const QString& dir, const ExportOptions& options) {
  const ScanData* data = m_results->scanData();
  if (!data) {
    showError(tr("No figures to export: run a scan or open scan results first."));
    return {};
  }
  QStringList files;
  try {
    files = exportScanFigures(*data, dir, options);
  } catch (const srdd::Error& e) {
    showError(QString::fromStdString(e.what()));
    return {};
  }
  setStatus(tr("Exported %1 files to %2").arg(files.size()).arg(QDir::toNativeSeparators(dir)));
  return files;
}

bool MainWindow::exportCurrentData(const QString& path) {
  const ScanData* data = m_results->scanData();
  const QString id = m_results->currentFigureId();
  const QString suffix = QFileInfo(path).suffix().toLower();
  try {
    if (!data || id.isEmpty()) throw srdd::Error("No data to export: run a scan or open scan results first.");
    if (suffix == QLatin1String("csv"))
      exportCsv(path, figureCsv(*data, id));
    else if (suffix == QLatin1String("json"))
      exportJson(path, figureJson(*data, id));
    else
      throw srdd::Error(QDir::toNativeSeparators(path).toStdString() + ": choose a .csv or a .json file");
  } catch (const srdd::Error& e) {
    showError(QString::fromStdString(e.what()));
    return false;
  }
  setStatus(tr("Exported %1").arg(QDir::toNativeSeparators(path)));
  return true;
}

void MainWindow::chooseFigureExport() {
  const ScanData* data = m_results->scanData();
  const QString id = m_results->currentFigureId();
  if (!data || id.isEmpty()) return;
  ExportDialog dialog(ExportDialog::Target::File, this);
  dialog.setPath(QDir(exportStartDirectory()).filePath(figureFileStem(id) + '.' + dialog.options().extension()));
  if (dialog.exec() != QDialog::Accepted) return;
  if (exportCurrentFigure(dialog.path(), dialog.options()))
    rememberExportDirectory(QFileInfo(dialog.path()).absolutePath());
}

void MainWindow::chooseAllFiguresExport() {
  const ScanData* data = m_results->scanData();
  if (!data) return;
  ExportDialog dialog(ExportDialog::Target::Folder, this);
  dialog.setPath(QDir(exportStartDirectory()).filePath(data->modelName() + QStringLiteral("-figures")));
  if (dialog.exec() != QDialog::Accepted) return;
  if (!exportAllFigures(dialog.path(), dialog.options()).isEmpty())
    rememberExportDirectory(QFileInfo(dialog.path()).absolutePath());
}

void MainWindow::chooseDataExport() {
  const QString id = m_results->currentFigureId();
  if (id.isEmpty()) return;
  const QString csv = tr("CSV (*.csv)"), json = tr("JSON (*.json)");
  QString filter = csv;
  QString file = QFileDialog::getSaveFileName(this, tr("Export Figure Data"),
                                              QDir(exportStartDirectory()).filePath(figureFileStem(id) + ".csv"),
                                              csv + ";;" + json, &filter);
  if (file.isEmpty()) return;
  if (QFileInfo(file).suffix().isEmpty()) file += filter == json ? ".json" : ".csv";
  if (exportCurrentData(file)) rememberExportDirectory(QFileInfo(file).absolutePath());
}

}  // namespace srdd_gui
