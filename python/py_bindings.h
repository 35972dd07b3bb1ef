#pragma once
// The parts of the `srdd` module, one file each (srdd_module.cpp puts them together).
#include <pybind11/pybind11.h>

namespace srdd_py {
void bindScan(pybind11::module_& m);      // scan(), Scanner, report(), write_scan_json()
void bindQuantize(pybind11::module_& m);  // quantize(), quantize_detail()
void bindAqn(pybind11::module_& m);       // read_aqn_run()
}  // namespace srdd_py
