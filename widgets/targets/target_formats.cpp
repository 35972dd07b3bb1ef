#include "targets/target_formats.h"

#include <srdd/error.h>
#include <srdd/layer_list.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <set>

namespace srdd_gui {

namespace {

QString joined(const QList<int>& layers, const QString& separator) {
  QStringList parts;
  for (int l : layers) parts << QString::number(l);
  return parts.join(separator);
}

// "(3|7|12)", or "3" for one layer (no group needed).
QString alternation(const QList<int>& layers) {
  return layers.size() == 1 ? QString::number(layers.front()) : '(' + joined(layers, QStringLiteral("|")) + ')';
}

[[noreturn]] void fail(const QString& what) { throw srdd::Error("pasted text: " + what.toStdString()); }

QList<int> checked(const std::set<long long>& values, int numLayers) {
  QList<int> out;
  for (long long v : values) {
    if (v < 0 || v >= numLayers)
      fail(QStringLiteral("layer %1 is out of range (the model has %2 layers, 0..%3)")
               .arg(v)
               .arg(numLayers)
               .arg(numLayers - 1));
    out << static_cast<int>(v);
  }
  return out;
}

long long number(const QString& token) {
  bool ok = false;
  const long long v = token.toLongLong(&ok);
  if (!ok) fail(QStringLiteral("'%1' is not a layer index").arg(token));
  return v;
}

}  // namespace

QString toJsonList(const QList<int>& layers) { return '[' + joined(layers, QStringLiteral(", ")) + ']'; }

QString toIndexList(const QList<int>& layers) { return joined(layers, QStringLiteral(",")); }

QString toModuleRegex(const QList<int>& layers, const QString& layersPrefix) {
  if (layers.isEmpty()) return {};
  return QRegularExpression::escape(layersPrefix) + QStringLiteral("\\.") + alternation(layers) + QStringLiteral("\\.");
}

QString toLlmCompressorTarget(const QList<int>& layers, const QString& layersPrefix) {
  if (layers.isEmpty()) return {};
  return QStringLiteral("re:^") + toModuleRegex(layers, layersPrefix) +
         QStringLiteral("(self_attn|mlp)\\.[a-z_]+_proj$");
}

QList<int> parseLayerList(const QString& input, int numLayers) {
  const QString text = input.trimmed();
  if (text.isEmpty()) fail(QStringLiteral("it is empty"));
  std::set<long long> values;

  // Either regex form: the layer alternation follows "layers\." (the prefix before it may be anything).
  static const QRegularExpression regexForm(QStringLiteral("layers\\\\\\.(?:\\(([0-9|]+)\\)|([0-9]+))\\\\\\."));
  if (const auto m = regexForm.match(text); m.hasMatch()) {
    const QString group = m.captured(1).isEmpty() ? m.captured(2) : m.captured(1);
    for (const QString& t : group.split('|')) {
      if (t.isEmpty()) fail(QStringLiteral("the regex has an empty alternative"));
      values.insert(number(t));
    }
    return checked(values, numLayers);
  }

  if (text.startsWith('[')) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
      fail(QStringLiteral("not a JSON list (%1 at offset %2)").arg(error.errorString()).arg(error.offset));
    for (const QJsonValue& v : doc.array()) {
      const double d = v.toDouble(-1.5);
      if (!v.isDouble() || d != static_cast<double>(static_cast<long long>(d)))
        fail(QStringLiteral("the JSON list holds an entry that is not a whole number"));
      values.insert(static_cast<long long>(d));
    }
    return checked(values, numLayers);
  }

  // Indices, ranges, all, all-but: the one layer-list grammar of the engine (srdd/layer_list.h).
  QList<int> out;
  for (int l : srdd::parseLayerList(text.toStdString(), numLayers, "pasted text")) out << l;
  return out;
}

}  // namespace srdd_gui
