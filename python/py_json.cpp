#include "py_json.h"

#include <pybind11/numpy.h>

#include <cmath>
#include <limits>

namespace py = pybind11;

namespace srdd_py {

bool statValues(const nlohmann::json& parent, const std::string& key) {
  return key == "values" && parent.contains("mean") && parent.contains("std") && parent.contains("ci95") &&
         parent.contains("n");
}

namespace {

py::array_t<double> numbers(const nlohmann::json& a, const std::string& key) {
  if (!a.is_array()) throw py::type_error("JSON member '" + key + "' is not an array of numbers");
  py::array_t<double> out(static_cast<py::ssize_t>(a.size()));
  auto w = out.mutable_unchecked<1>();
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& v = a[i];
    if (v.is_null())
      w(i) = std::numeric_limits<double>::quiet_NaN();
    else if (v.is_number())
      w(i) = v.get<double>();
    else
      throw py::type_error("JSON member '" + key + "' holds a " + std::string(v.type_name()) + ", not a number");
  }
  return out;
}

}  // namespace

py::object toPython(const nlohmann::json& j, const ArrayRule& arrays) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return py::none();
    case nlohmann::json::value_t::boolean: return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return py::int_(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return py::int_(j.get<uint64_t>());
    case nlohmann::json::value_t::number_float: return py::float_(j.get<double>());
    case nlohmann::json::value_t::string: return py::str(j.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      py::list l;
      for (const auto& e : j) l.append(toPython(e, arrays));
      return py::object(std::move(l));
    }
    case nlohmann::json::value_t::object: {
      py::dict d;
      for (const auto& [key, value] : j.items())
        d[py::str(key)] = arrays && arrays(j, key) ? py::object(numbers(value, key)) : toPython(value, arrays);
      return py::object(std::move(d));
    }
    default: throw py::type_error("JSON value of type " + std::string(j.type_name()) + " has no Python form");
  }
}

nlohmann::json fromPython(const py::handle& o, const std::string& where) {
  if (o.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(o)) return o.cast<bool>();  // before int: bool is an int in Python
  if (py::isinstance<py::int_>(o)) {
    if (o.cast<py::int_>() < py::int_(0)) return o.cast<int64_t>();
    return o.cast<uint64_t>();
  }
  if (py::isinstance<py::float_>(o)) {
    const double v = o.cast<double>();
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
  }
  if (py::isinstance<py::str>(o)) return o.cast<std::string>();
  if (py::isinstance<py::dict>(o)) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : o.cast<py::dict>()) {
      if (!py::isinstance<py::str>(k)) throw py::type_error(where + ": dict keys must be strings");
      const std::string key = k.cast<std::string>();
      j[key] = fromPython(v, where + "['" + key + "']");
    }
    return j;
  }
  if (py::isinstance<py::list>(o) || py::isinstance<py::tuple>(o)) {
    nlohmann::json j = nlohmann::json::array();
    size_t i = 0;
    for (const auto& e : o) j.push_back(fromPython(e, where + "[" + std::to_string(i++) + "]"));
    return j;
  }
  // NumPy arrays and scalars: their plain-Python form (tolist() of an array, item() of a scalar).
  const py::module_ np = py::module_::import("numpy");
  if (py::isinstance(o, np.attr("ndarray"))) return fromPython(o.attr("tolist")(), where);
  if (py::isinstance(o, np.attr("generic"))) return fromPython(o.attr("item")(), where);
  throw py::type_error(where + ": a " + std::string(py::str(py::type::handle_of(o).attr("__name__"))) +
                       " has no JSON form (use dict, list, str, int, float, bool, None or a NumPy array)");
}

}  // namespace srdd_py
