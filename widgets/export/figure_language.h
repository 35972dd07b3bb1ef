#pragma once
// The language of exported figures (titles, axis labels, legends, captions): English, or Simplified Chinese from
// the report's string table (srdd/report.h) through a QTranslator, drawn in a CJK font. For the headless export
// (`srdd-studio --export ... --lang zh`, which `srdd report` runs); the interactive GUI stays English.
#include "export/export_options.h"

#include <srdd/report.h>

#include <QTranslator>

namespace srdd_gui {

// Answers every tr() / QCoreApplication::translate with srdd::report::translate; texts the table lacks stay English.
class ReportTranslator : public QTranslator {
 public:
  explicit ReportTranslator(srdd::report::Language language, QObject* parent = nullptr);
  QString translate(const char* context, const char* sourceText, const char* disambiguation = nullptr,
                    int n = -1) const override;
  bool isEmpty() const override { return false; }

 private:
  srdd::report::Language m_language;
};

// For LANGUAGE other than English: installs a ReportTranslator on the application (owned by it) and sets OPTIONS'
// font family to the CJK font. Throws srdd::Error when that font is not installed (Debian: fonts-wqy-microhei).
void useFigureLanguage(srdd::report::Language language, ExportOptions& options);

}  // namespace srdd_gui
