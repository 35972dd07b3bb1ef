// srdd.quantize() and srdd.quantize_detail(): NumPy in, NumPy out, through the engine's MX kernels with the
// QuantSpec that `srdd quantize` builds from the same options.
#include <ATen/ATen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstring>
#include <optional>

#include "py_bindings.h"
#include "py_json.h"
#include "srdd/mx_quant.h"
#include "srdd/runtime.h"

namespace py = pybind11;

namespace srdd_py {
namespace {

// As `srdd quantize --format --scale --rounding --block --seed --reference --sr-half-bug`: reference mode
// without a rounding takes the research scripts' ties-away rounding.
srdd::QuantSpec specOf(const std::string& format, const std::optional<std::string>& scale,
                       const std::optional<std::string>& rounding, const std::optional<std::string>& block,
                       uint64_t seed, bool reference, bool srHalfBug) {
  srdd::QuantSpec spec = srdd::parseQuantSpec(format);
  if (scale) spec.scale = srdd::parseScaleRule(*scale);
  spec.reference = reference;
  spec.referenceSrHalfBug = srHalfBug;
  if (rounding)
    spec.rounding = srdd::parseRounding(*rounding);
  else if (reference)
    spec.rounding = srdd::Rounding::NearestAway;
  if (block) spec.block = srdd::parseBlockShape(*block, &spec.blockSize);
  spec.seed = seed;
  spec.validate();
  return spec;
}

at::ScalarType scalarTypeOf(const py::array& a) {
  const py::dtype d = a.dtype();
  if (d.kind() == 'f' && d.attr("isnative").cast<bool>()) {
    if (d.itemsize() == 2) return at::kHalf;
    if (d.itemsize() == 4) return at::kFloat;
    if (d.itemsize() == 8) return at::kDouble;
  }
  throw py::type_error("quantize(): expected a float16, float32 or float64 array, got " +
                       d.attr("name").cast<std::string>());
}

// A CPU tensor that owns a copy of the array's elements (C order).
at::Tensor tensorOf(const py::array& in) {
  const at::ScalarType type = scalarTypeOf(in);
  const py::array a = py::array::ensure(in, py::array::c_style);
  std::vector<int64_t> shape(a.shape(), a.shape() + a.ndim());
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(type));
  std::memcpy(t.data_ptr(), a.data(), static_cast<size_t>(a.nbytes()));
  return t;
}

// A NumPy array of the tensor's dtype and shape (copied from the CPU).
py::array arrayOf(const at::Tensor& t, const py::dtype& dtype) {
  const at::Tensor c = t.cpu().contiguous();
  py::array out(dtype, std::vector<py::ssize_t>(c.sizes().begin(), c.sizes().end()));
  std::memcpy(out.mutable_data(), c.data_ptr(), static_cast<size_t>(out.nbytes()));
  return out;
}

}  // namespace

void bindQuantize(py::module_& m) {
  m.def(
      "quantize",
      [](const py::array& x, const std::string& format, const std::optional<std::string>& scale,
         const std::optional<std::string>& rounding, const std::optional<std::string>& block, uint64_t seed,
         bool reference, bool srHalfBug, const std::string& device) {
        const srdd::QuantSpec spec = specOf(format, scale, rounding, block, seed, reference, srHalfBug);
        const at::Device dev(srdd::normalizeDeviceName(device));
        at::Tensor in = tensorOf(x), out;
        {
          py::gil_scoped_release released;
          out = srdd::fakeQuantize(in.to(dev), spec);
        }
        return arrayOf(out, x.dtype());
      },
      py::arg("x"), py::arg("format") = "mxfp4", py::kw_only(), py::arg("scale") = py::none(),
      py::arg("rounding") = py::none(), py::arg("block") = py::none(), py::arg("seed") = 0,
      py::arg("reference") = false, py::arg("sr_half_bug") = false, py::arg("device") = "cpu",
      R"(Fake-quantizes x (float16/32/64, any shape; blocks run along the last axis) and returns the
dequantized values as an array of x's dtype and shape: the bits of `srdd quantize`. Options as the CLI's:
format mxfp4|mxfp6-e2m3|mxfp6-e3m2|mxfp8-e4m3|mxfp8-e5m2|nvfp4, scale floor|rceil, rounding
rne|away|stochastic, block 1xN|NxN, seed (stochastic rounding), reference (the research scripts' MXFP4),
sr_half_bug; device cpu|cuda|cuda:N picks the kernel.)");

  m.def(
      "quantize_detail",
      [](const py::array& x, const std::string& format, const std::optional<std::string>& scale,
         const std::optional<std::string>& rounding, const std::optional<std::string>& block, uint64_t seed,
         bool reference, bool srHalfBug) {
        const srdd::QuantSpec spec = specOf(format, scale, rounding, block, seed, reference, srHalfBug);
        const at::Tensor in = tensorOf(x).to(at::kFloat);
        srdd::QuantDetail d;
        {
          py::gil_scoped_release released;
          d = srdd::quantizeWithDetail(in, spec);
        }
        py::dict r;
        r["spec"] = toPython(spec.toJson());
        r["dequantized"] = arrayOf(d.dequantized, py::dtype::of<float>());
        r["codes"] = arrayOf(d.codes, py::dtype::of<uint8_t>());
        r["scale_bytes"] = arrayOf(d.scaleBytes, py::dtype::of<uint8_t>());
        r["scale_values"] = arrayOf(d.scaleValues, py::dtype::of<float>());
        r["scale_encoding"] = d.scalesAreE8M0 ? "e8m0" : "e4m3";
        r["tensor_scale"] = d.tensorScale;
        return r;
      },
      py::arg("x"), py::arg("format") = "mxfp4", py::kw_only(), py::arg("scale") = py::none(),
      py::arg("rounding") = py::none(), py::arg("block") = py::none(), py::arg("seed") = 0,
      py::arg("reference") = false, py::arg("sr_half_bug") = false,
      R"(The encoded form (`srdd quantize --json`), on the CPU: {spec, dequantized (float32, x's shape), codes
(uint8, x's shape), scale_bytes (uint8 E8M0 exponents; nvfp4: E4M3 bits), scale_values (float32),
scale_encoding "e8m0"|"e4m3", tensor_scale (nvfp4's s_t; 1 otherwise)}. Scale grids: [rows, blocks per row]
for 1xN blocks, [row tiles, column tiles] for NxN, [blocks] in reference mode.)");

  m.def(
      "quant_format_names", [] { return srdd::quantFormatNames(); }, "mxfp4, ..., nvfp4.");
}

}  // namespace srdd_py
