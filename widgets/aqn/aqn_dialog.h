#pragma once
// "Run AQN…": every setting of an AQN comparison (srdd::aqn::ComparisonSettings) plus the run directory,
// validated live by the engine (its message is shown inline and OK stays disabled while invalid), with a
// plot of σ per training step. Editors carry object names (e.g. "sigmaStart", "steps") for tests.
#include <srdd/aqn.h>

#include <QDialog>
#include <QList>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QDialogButtonBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace srdd_gui {

class AqnDialog : public QDialog {
  Q_OBJECT
 public:
  explicit AqnDialog(QWidget* parent = nullptr);

  // Fills every editor from S (fields without an editor, e.g. the quantization plan, are kept as given).
  void setSettings(const srdd::aqn::ComparisonSettings& s);
  // The settings as edited. Throws srdd::Error naming the field when an editor does not parse.
  srdd::aqn::ComparisonSettings settings() const;
  // Empty: the bundled demo model. FOUND false: DIR is where the results say their model was, but it is not
  // there; the dialog says so, refuses to run (never another model instead) and offers "Locate…".
  void setModelDirectory(const QString& dir, bool found = true);
  void setNumLayers(int numLayers);           // -1: unknown (no layer-range checks)
  void setTargets(const QList<int>& layers);  // prefills the targets field
  void setRunDirectory(const QString& dir);
  // Paths (texts, run directory) are on another host: only the engine there can check them.
  void setRemoteEngine(bool remote);
  QString runDirectory() const;
  bool force() const;  // discard the runs of an existing run directory with other settings

  QString validationMessage() const { return m_message; }  // empty when valid
  bool isValid() const { return m_message.isEmpty(); }
  QCustomPlot* sigmaPlot() const { return m_plot; }
  void setSigmaLogScale(bool on);
  std::vector<double> plottedSigma() const { return m_sigma; }  // the schedule the plot shows

 Q_SIGNALS:
  void validityChanged(bool valid);
  void locateModelRequested();  // "Locate…" next to a missing model

 private:
  QLineEdit* lineEdit(const char* name, const QString& placeholder = {});
  QSpinBox* spinBox(const char* name, int min, int max);
  QComboBox* comboBox(const char* name, const QStringList& items);
  QWidget* fileRow(QLineEdit* edit, bool directory);
  QGroupBox* comparisonGroup();
  QGroupBox* trainingGroup();
  QGroupBox* noiseGroup();
  QGroupBox* dataGroup();
  QGroupBox* referenceGroup();
  QGroupBox* outputGroup();
  QWidget* plotPanel();
  void connectEditors();
  void revalidate();
  void updatePlot();

  srdd::aqn::ComparisonSettings m_base;
  int m_numLayers = -1;
  bool m_remote = false;
  bool m_modelFound = true;
  bool m_filling = false;  // setSettings is filling the editors
  QString m_message;
  std::vector<double> m_sigma;

  QLabel* m_model;
  QPushButton* m_locate;
  QComboBox *m_protocol, *m_device, *m_dtype, *m_noiseTarget, *m_noiseScale;
  QCheckBox* m_config[5];  // baseline, global, targeted, healthy, bf16-aqn
  QLineEdit *m_custom, *m_targets, *m_baseSeed;
  QSpinBox *m_seeds, *m_steps, *m_batch, *m_seqLength, *m_lrWarmup, *m_levels;
  QLineEdit *m_lr, *m_weightDecay, *m_gradClip, *m_trainable;
  QCheckBox* m_quantizeTraining;
  QLineEdit *m_sigmaStart, *m_sigmaEnd, *m_warmupFraction;
  QLineEdit *m_trainPath, *m_evalPath, *m_evalTokens;
  QSpinBox *m_evalSeqLength, *m_evalBatch;
  QLineEdit *m_gamma, *m_prompts;
  QSpinBox* m_maxTokens;
  QCheckBox* m_researchQuantizer;
  QLineEdit* m_runDir;
  QCheckBox* m_force;
  QLabel* m_runDirNote;
  QGroupBox *m_training, *m_data, *m_reference;
  QCheckBox* m_logScale;
  QCustomPlot* m_plot;
  QLabel* m_error;
  QDialogButtonBox* m_buttons;
};

}  // namespace srdd_gui
