// srdd.scan() and srdd.Scanner: a ScanRequest from keyword arguments, run on a worker thread with the GIL
// released, so that the calling (main) thread can turn Ctrl-C into a cancel and feed the progress callback.
#include <pybind11/stl.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "py_bindings.h"
#include "py_json.h"
#include "srdd/engine.h"
#include "srdd/runtime.h"
#include "srdd/scan.h"
#include "srdd/scan_job.h"

namespace py = pybind11;

namespace srdd_py {
namespace {

// The request: keyword arguments are ScanRequest JSON fields (scan_job.h); `scans` may also be a string
// ("gain,kurtosis", "all", "default"). Unknown names and wrong types are srdd.Error from fromJson.
srdd::ScanRequest requestOf(const py::object& model, const std::string& device, const py::kwargs& options) {
  nlohmann::json j = fromPython(options, "scan options");
  if (j.contains("model_dir")) throw py::type_error("scan(): give the model as the first argument, not model_dir");
  j["model_dir"] = model.is_none() ? srdd::defaultModelDirectory() : py::str(model).cast<std::string>();
  j["device"] = device;
  if (j.contains("scans") && j["scans"].is_string()) {
    nlohmann::json names = nlohmann::json::array();
    for (auto kind : srdd::parseScanKinds(j["scans"].get<std::string>())) names.push_back(srdd::scanKindName(kind));
    j["scans"] = names;
  }
  return srdd::ScanRequest::fromJson(j);
}

// One scan on a worker thread. The caller's thread waits without the GIL, checks for signals every
// 50 ms (KeyboardInterrupt cancels the scan and is raised once it has stopped) and the progress callback
// runs under the GIL on the worker (an exception from it also cancels the scan and is raised).
py::object runCancellable(srdd::ScanJob& job, const srdd::ScanRequest& request, const py::object& progress) {
  srdd::CancelToken cancel;
  std::optional<py::error_already_set> pythonError;  // created and destroyed under the GIL
  std::mutex m;
  std::condition_variable finished;
  bool done = false;
  nlohmann::json result;
  std::exception_ptr failure;

  srdd::ProgressCallback callback;
  if (!progress.is_none())
    callback = [&](const srdd::ProgressInfo& p) {
      py::gil_scoped_acquire gil;
      if (pythonError) return;
      try {
        progress(toPython(srdd::engine::progressToJson(p)));
      } catch (py::error_already_set& e) {
        pythonError.emplace(std::move(e));
        cancel.cancel();
      }
    };
  {
    py::gil_scoped_release released;
    std::thread worker([&] {
      try {
        result = job.run(request, callback, &cancel);
      } catch (...) {
        failure = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(m);
      done = true;
      finished.notify_all();
    });
    std::unique_lock<std::mutex> lock(m);
    while (!finished.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) {
      lock.unlock();
      {
        py::gil_scoped_acquire gil;
        if (!pythonError && PyErr_CheckSignals() != 0) {
          pythonError.emplace();  // fetches (and clears) the KeyboardInterrupt
          cancel.cancel();
        }
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (pythonError) throw std::move(*pythonError);
  if (failure) std::rethrow_exception(failure);  // srdd::Error -> srdd.Error (srdd_module.cpp)
  return toPython(result, statValues);
}

}  // namespace

void bindScan(py::module_& m) {
  m.def(
      "scan",
      [](const py::object& model, const std::string& device, const py::object& progress, const py::kwargs& options) {
        srdd::ScanJob job;
        return runCancellable(job, requestOf(model, device, options), progress);
      },
      py::arg("model") = py::none(), py::arg("device") = "cpu", py::kw_only(), py::arg("progress") = py::none(),
      R"(Scans MODEL (a Hugging Face directory; None: the bundled demo model) and returns the srdd-scan/1
document that `srdd scan --out` writes, as dicts and lists; each statistic's per-prompt "values" is a
float64 NumPy array (NaN where the file has null). Keyword options are the scan request's fields
(scans, prompts, max_tokens, format, scale, rounding, block, mode, layers, seed, trials, created_utc, ...;
python/README.md). progress(info) is called with {stage, layer, num_layers, step, total_steps, fraction,
elapsed_s, eta_s}. Ctrl-C (KeyboardInterrupt) cancels the scan.)");

  py::class_<srdd::ScanJob>(m, "Scanner", "Runs scans and keeps the last model loaded, so a re-scan skips loading.")
      .def(py::init<>())
      .def(
          "scan",
          [](srdd::ScanJob& job, const py::object& model, const std::string& device, const py::object& progress,
             const py::kwargs& options) { return runCancellable(job, requestOf(model, device, options), progress); },
          py::arg("model") = py::none(), py::arg("device") = "cpu", py::kw_only(), py::arg("progress") = py::none(),
          "As srdd.scan(), reusing the loaded model when model, device, dtype and the model files are unchanged.")
      .def_property_readonly("model_loads", &srdd::ScanJob::modelLoads,
                             "Models loaded so far (del the Scanner to free one).");

  m.def(
      "report", [](const py::object& doc) { return srdd::scanReportText(fromPython(doc, "report()")); },
      py::arg("scan"), "The readable per-layer report (`srdd report`) of a scan document.");
  m.def(
      "write_scan_json",
      [](const py::object& doc, const std::string& path) {
        srdd::writeScanJsonFile(fromPython(doc, "write_scan_json()"), path);
      },
      py::arg("scan"), py::arg("path"), "Writes a scan document exactly as `srdd scan --out` does (atomically).");
  m.def("scan_names", &srdd::scanNames, "Every scan, in engine order.");
  m.def("default_scan_names", &srdd::defaultScanNames, "The scans a default scan runs.");
  m.def("available_devices", &srdd::availableDevices, "cpu, then cuda:0, cuda:1, ... for each usable GPU.");
}

}  // namespace srdd_py
