#pragma once
// The export dialog: format, size preset (single column 252 pt, double column 516 pt, custom), height, font
// size, PNG resolution and the output file (or folder, for "Export all figures"). The last choices are kept
// in QSettings ("export/...") and offered next time.
#include "export/export_options.h"

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace srdd_gui {

class ExportDialog : public QDialog {
  Q_OBJECT
 public:
  enum class Target { File, Folder };
  explicit ExportDialog(Target target, QWidget* parent = nullptr);

  void setOptions(const ExportOptions& options);  // metadata is carried through untouched
  ExportOptions options() const;
  void setPath(const QString& path);  // file: its extension follows the chosen format
  QString path() const;

  static ExportOptions lastOptions();  // from QSettings, defaults where unset
  static void rememberOptions(const ExportOptions& options);

  void accept() override;  // refuses (with a message) an empty path or out-of-range options; remembers options

 private:
  void onFormatChanged();
  void onPresetChanged();
  void browse();
  void updateSummary();

  Target m_target;
  ExportOptions m_options;  // for the metadata
  QComboBox* m_format;
  QComboBox* m_preset;
  QDoubleSpinBox* m_width;
  QDoubleSpinBox* m_height;
  QDoubleSpinBox* m_font;
  QSpinBox* m_dpi;
  QLineEdit* m_path;
  QLabel* m_summary;
};

}  // namespace srdd_gui
