#pragma once
// Text forms of a target set (ascending layer indices) for the clipboard, and parsing any of them back.
#include <QList>
#include <QString>

namespace srdd_gui {

// "[3, 7, 12]"
QString toJsonList(const QList<int>& layers);
// "3,7,12"
QString toIndexList(const QList<int>& layers);
// Unanchored regex that finds the Hugging Face module (and parameter) names of those decoder layers:
// "model\.layers\.(3|7|12)\." matches "model.layers.7.mlp.down_proj" but not "model.layers.17.mlp.down_proj".
// Empty for an empty set.
QString toModuleRegex(const QList<int>& layers, const QString& layersPrefix = QStringLiteral("model.layers"));
// llm-compressor / compressed-tensors target: "re:" + a regex that re.match()es (anchored at both ends) the
// names of the Linear projections of those layers, e.g.
// "re:^model\.layers\.(3|7|12)\.(self_attn|mlp)\.[a-z_]+_proj$". Empty for an empty set.
QString toLlmCompressorTarget(const QList<int>& layers, const QString& layersPrefix = QStringLiteral("model.layers"));

// Parses pasted text in any of the forms above, or the engine's layer-list grammar (srdd/layer_list.h):
// indices and ranges separated by commas, semicolons or spaces ("3, 7-9 12"), "all", "all-but 3". Returns ascending
// unique indices. Throws srdd::Error ("pasted text: …") for text that is none of these, or indices outside
// 0..numLayers-1.
QList<int> parseLayerList(const QString& text, int numLayers);

}  // namespace srdd_gui
