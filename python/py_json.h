#pragma once
// JSON documents (nlohmann) to Python objects and back. Objects become dicts, arrays lists, null None;
// the members that an ArrayRule picks become 1-D float64 NumPy arrays (null -> NaN).
#include <pybind11/pybind11.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace srdd_py {

// Whether member `key` of `parent` (an object) becomes a NumPy array; it must hold numbers and nulls.
using ArrayRule = std::function<bool(const nlohmann::json& parent, const std::string& key)>;

// Statistics over prompts (srdd/stat.h: an object with mean, std, ci95, n and values): "values".
bool statValues(const nlohmann::json& parent, const std::string& key);

pybind11::object toPython(const nlohmann::json& j, const ArrayRule& arrays = {});
// dicts (str keys), lists, tuples, str, bool, int, float, None, NumPy arrays and scalars. NaN and
// infinities become null, as in the engine's files; `where` names the argument in a TypeError.
nlohmann::json fromPython(const pybind11::handle& o, const std::string& where);

}  // namespace srdd_py
