#include "export/figure_language.h"

#include <srdd/error.h>

#include <QCoreApplication>
#include <QFontDatabase>

namespace srdd_gui {

ReportTranslator::ReportTranslator(srdd::report::Language language, QObject* parent)
    : QTranslator(parent), m_language(language) {}

QString ReportTranslator::translate(const char*, const char* sourceText, const char*, int) const {
  if (!sourceText) return {};
  const std::string english(sourceText);
  const std::string text = srdd::report::translate(m_language, english);
  return text == english ? QString() : QString::fromStdString(text);  // empty: Qt keeps the source text
}

void useFigureLanguage(srdd::report::Language language, ExportOptions& options) {
  if (language == srdd::report::Language::En) return;
  const QString family = QString::fromLatin1(srdd::report::cjkFontFamily());
  if (!QFontDatabase::families().contains(family))
    throw srdd::Error("--lang " + srdd::report::languageName(language) + ": the font \"" + family.toStdString() +
                      "\" is not installed (Debian: apt install fonts-wqy-microhei)");
  options.fontFamily = family;
  QCoreApplication::installTranslator(new ReportTranslator(language, QCoreApplication::instance()));
}

}  // namespace srdd_gui
