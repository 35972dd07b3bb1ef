// The `srdd` Python module: scans, the MX quantizer and AQN run directories through the engine's own API
// (python/README.md). srdd::Error becomes srdd.Error; srdd::Cancelled becomes srdd.Cancelled.
#include <pybind11/pybind11.h>

#include "py_bindings.h"
#include "srdd/progress.h"
#include "srdd/version.h"

namespace py = pybind11;

PYBIND11_MODULE(srdd, m) {
  m.doc() = "SRDD Studio's engine: srdd.scan(), srdd.quantize(), srdd.read_aqn_run() (python/README.md)";
  // Translators run newest first, so Cancelled (a kind of Error) is registered after Error.
  auto& error = py::register_exception<srdd::Error>(m, "Error", PyExc_RuntimeError);
  py::register_exception<srdd::Cancelled>(m, "Cancelled", error.ptr());
  m.attr("__version__") = srdd::versionString();
  srdd_py::bindScan(m);
  srdd_py::bindQuantize(m);
  srdd_py::bindAqn(m);
}
