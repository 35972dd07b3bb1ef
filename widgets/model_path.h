#pragma once
// Whether two model paths name the same model directory.
#include <QString>

namespace srdd_gui {

// LOCAL: the paths are on this computer and compare by their canonical form (links, "..", trailing
// slashes) where both exist; otherwise (paths on an engine host) by their cleaned text. Two empty paths are
// the same (no model).
bool sameModelPath(const QString& a, const QString& b, bool local);

}  // namespace srdd_gui
