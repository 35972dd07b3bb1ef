#pragma once
// The scan setup panel: model directory, device and dtype, quantizer and mode, scans, prompts, seed and
// the advanced scan options, validated live by the engine's rules; Run / Cancel. The controls edit a
// srdd::ScanRequest, which is remembered in QSettings between sessions (the model directory excepted:
// it follows the model the window opens).
#include <srdd/scan_job.h>

#include <QWidget>

#include <map>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace srdd_gui {

class ModelDirectoryField;

class ScanSetupPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ScanSetupPanel(QWidget* parent = nullptr);

  srdd::ScanRequest request() const;
  void setRequest(const srdd::ScanRequest& request);  // fills every control, the model directory included
  QString modelDirectory() const;
  void setModelDirectory(const QString& directory);  // does not emit modelDirectoryChosen
  // The engine's message for the current settings; empty when they are valid (Run is enabled then).
  QString validationError() const { return m_error; }
  void setRunning(bool running);  // Cancel is enabled while a scan runs
  // For an engine on another host: its devices, and paths that are checked there (by the engine), not here.
  // An empty list and remote = false restore this machine's devices and local checks.
  void setEngineHost(const QStringList& devices, bool remote);
  bool isRemoteEngine() const { return m_remote; }

  void saveSettings() const;
  void restoreSettings();  // ignores a stored request the engine no longer accepts

  QPushButton* runButton() const { return m_run; }
  QPushButton* cancelButton() const { return m_cancel; }
  ModelDirectoryField* modelField() const { return m_model; }
  QCheckBox* scanBox(const QString& name) const;  // nullptr for an unknown scan

 Q_SIGNALS:
  void runRequested();
  void cancelRequested();
  void modelDirectoryChosen(const QString& directory);
  void requestChanged();

 private:
  QWidget* createModelGroup();
  QWidget* createQuantGroup();
  QWidget* createScansGroup();
  QWidget* createPromptGroup();
  QWidget* createAdvancedGroup();
  void updateFormatOptions();
  void choosePromptFile();
  void setPromptSpec(const QString& spec);
  void revalidate();

  ModelDirectoryField* m_model;
  QComboBox *m_device, *m_dtype, *m_format, *m_scale, *m_rounding, *m_block, *m_mode, *m_prompts;
  QCheckBox *m_reference, *m_lmHead;
  std::map<QString, QCheckBox*> m_scans;
  QSpinBox *m_maxTokens, *m_seed, *m_trials, *m_gainDraws, *m_batch;
  QDoubleSpinBox* m_noiseScale;
  QLabel *m_description, *m_errorLabel;
  QPushButton *m_run, *m_cancel;
  QString m_error;
  QString m_promptSpec;        // the prompt set in use ("Choose File…" is an action, not a set)
  srdd::ScanRequest m_hidden;  // fields without a control (layers, thresholds, ...) survive setRequest()
  bool m_filling = false;      // setRequest() is writing the controls
  bool m_remote = false;       // the engine runs elsewhere: model and prompt paths are its host's
};

}  // namespace srdd_gui
