#pragma once
// Results of one AQN comparison: a summary line, the configuration table (final held-out loss: mean ± sd,
// 95 % CI, BF16), the tests table (mean difference, Welch / paired / Student p, Cohen's d) and the training
// loss curves (mean per step over seeds with a min–max or ±sd band per configuration). Exports its figures
// (loss curves, final loss with 95 % intervals, σ schedule; PDF/SVG/PNG at a chosen width and font through the
// export dialog and helpers) and the tables and curves as CSV and JSON.
#include "aqn/aqn_results_data.h"
#include "export/export_options.h"
#include "export/figure_export.h"

#include <srdd/aqn.h>

#include <QStringList>
#include <QWidget>

#include <optional>

class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QTableView;

namespace srdd_gui {

class AqnConfigTableModel;
class AqnTestTableModel;

class AqnResultsView : public QWidget {
  Q_OBJECT
 public:
  explicit AqnResultsView(QWidget* parent = nullptr);

  void setResult(const srdd::aqn::ComparisonResult& result, const QString& runDirectory = {});
  // Reads DIR/comparison.json (or DIR itself when it is a file). Throws srdd::Error naming the file.
  void openRunDirectory(const QString& dir);
  void clear();
  const srdd::aqn::ComparisonResult* result() const { return m_result ? &*m_result : nullptr; }
  QString runDirectory() const { return m_runDir; }

  void setBand(AqnBand band);
  AqnBand band() const { return m_band; }
  const std::vector<AqnLossCurve>& curves() const { return m_curves; }

  AqnConfigTableModel* configModel() const { return m_configModel; }
  AqnTestTableModel* testModel() const { return m_testModel; }
  QCustomPlot* lossPlot() const { return m_plot; }
  QCustomPlot* sigmaPlot() const { return m_sigmaPlot; }
  QString primaryAnswer()
      const;  // "SRDD-guided AQN lower loss than Global AQN, p < 0.05? yes — ..." as shown  // σ per step of the runs

  enum class Figure { LossCurves, FinalLoss, SigmaSchedule };
  static QString figureId(Figure figure);  // "aqn-loss-curves", "aqn-final-loss", "aqn-sigma-schedule"
  // One figure in the paper theme at OPTIONS' size and font; OPTIONS.format decides the file type.
  // Throws srdd::Error.
  void exportFigure(Figure figure, const QString& path, const ExportOptions& options) const;
  void exportLossFigure(const QString& path, const ExportOptions& options) const {
    exportFigure(Figure::LossCurves, path, options);
  }
  // Every figure into DIR as <id>.<ext> with its data as <id>.csv / .json; returns the files written.
  QStringList exportFigures(const QString& dir, const ExportOptions& options) const;
  // BASE-configs.csv, BASE-tests.csv, BASE-loss-curves.csv and BASE.json; returns the files written.
  QStringList exportData(const QString& basePath) const;

 private:
  void redraw();
  void chooseFigureFile(Figure figure);
  void chooseFigureFolder();
  ExportOptions figureOptions(Figure figure, const ExportOptions& options) const;
  FigureRenderer renderer(Figure figure) const;
  void chooseDataFile();
  QString describe() const;

  std::optional<srdd::aqn::ComparisonResult> m_result;
  std::vector<AqnLossCurve> m_curves;
  QString m_runDir;
  AqnBand m_band = AqnBand::MinMax;
  QLabel* m_summary;
  QLabel* m_answer;  // the research plan's success criterion in one line
  QComboBox* m_bandBox;
  QPushButton *m_exportFigure, *m_exportData;
  AqnConfigTableModel* m_configModel;
  AqnTestTableModel* m_testModel;
  QTableView *m_configView, *m_testView;
  QCustomPlot *m_plot, *m_sigmaPlot;
};

}  // namespace srdd_gui
