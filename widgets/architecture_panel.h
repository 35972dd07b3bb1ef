#pragma once
// The architecture panel: config.json facts and checkpoint totals of the loaded model.
#include <srdd/model_summary.h>

#include <QWidget>

#include <map>

class QLabel;
class QFormLayout;

namespace srdd_gui {

class ArchitecturePanel : public QWidget {
  Q_OBJECT
 public:
  // Field keys; each value label's objectName is "value_<key>" (used by tests and screenshots).
  static const char* const kFields[];

  explicit ArchitecturePanel(QWidget* parent = nullptr);

  void setSummary(const srdd::ModelSummary& summary);
  void clear();
  QString valueText(const QString& key) const;  // empty for an unknown key

 private:
  void setValue(const char* key, const QString& text, const QString& toolTip = {});
  std::map<QString, QLabel*> m_values;
};

}  // namespace srdd_gui
