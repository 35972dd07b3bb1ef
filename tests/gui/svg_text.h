#pragma once
// The texts of an exported SVG figure, read with QXmlStreamReader (an independent reader of the file).
#include <QFile>
#include <QStringList>
#include <QXmlStreamReader>

namespace svg_test {

// Every <text> element's content, trimmed, in document order; empty when the file cannot be read.
inline QStringList svgTexts(const QString& path) {
  QFile f(path);
  QStringList texts;
  if (!f.open(QIODevice::ReadOnly)) return texts;
  QXmlStreamReader xml(&f);
  while (!xml.atEnd())
    if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("text"))
      texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
  return xml.hasError() ? QStringList() : texts;
}

// All texts joined by single spaces (non-breaking ones included): a caption wrapped over several lines reads
// as one sentence again.
inline QString svgProse(const QString& path) {
  return svgTexts(path).join(' ').replace(QChar(0x00a0), ' ').simplified();
}

}  // namespace svg_test
