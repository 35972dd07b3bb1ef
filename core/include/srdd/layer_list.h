#pragma once
// The one grammar for decoder-layer lists, shared by `srdd scan --layers`, `srdd aqn --targets`,
// settings files and the GUI. Torch-free.
//
//   LIST      := ITEM (SEP ITEM)*       SEP: ',', ';' or white space
//   ITEM      := N | N-M                ranges inclusive; '-' or an en dash, spaces around it allowed
//   SELECTION := LIST | all | all-but LIST   ("all but LIST" and "all-but:LIST" too)
//
// Errors are srdd::Error "WHAT: ..." naming the bad token.
#include <set>
#include <string>
#include <vector>

namespace srdd {

struct LayerSelection {
  bool all = false;      // "all" or "all-but LIST": every layer except `listed`
  std::set<int> listed;  // the listed layers (excluded when `all`)

  // The selected layers of a model with numLayers layers, ascending. srdd::Error naming `what` for a
  // layer outside [0, numLayers) or an empty result (e.g. "all-but 0-5" of 6 layers).
  std::vector<int> resolve(int numLayers, const std::string& what) const;
};

// srdd::Error "WHAT: 'x' is not a layer index ...", "WHAT: range '9-2' runs backwards", "WHAT is empty",
// "WHAT: layer -1 is out of range ...".
LayerSelection parseLayerSelection(const std::string& text, const std::string& what);

// parseLayerSelection + resolve. numLayers < 0 (unknown): no upper bound check, and "all"/"all-but" are an
// error (they need the model's layer count).
std::vector<int> parseLayerList(const std::string& text, int numLayers, const std::string& what);

// "0-2,5,7-9": ascending runs of consecutive layers as ranges; parseLayerList reads it back.
std::string formatLayerList(const std::vector<int>& layers);

}  // namespace srdd
