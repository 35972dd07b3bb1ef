// `srdd bench quant`: GB/s (bytes read + written) of the fused fake-quantizer next to a plain
// device copy and the composed-ATen version, for 1M, 4M, 16M, ... elements.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench.h"
#include "options.h"
#include "srdd/error.h"
#include "srdd/mx_quant.h"
#include "srdd/runtime.h"

namespace srdd_cli {
namespace {

// Seconds per call: one warm-up, then repeat until 0.5 s or 20 calls (at least 2).
double timeIt(const std::function<at::Tensor()>& f) {
  auto sync = [](const at::Tensor& t) { if (t.is_cuda()) (void)t.reshape({-1})[0].item<float>(); };
  sync(f());
  int n = 0;
  auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  at::Tensor last;
  do {
    last = f();
    ++n;
    if (last.is_cuda() && n < 20 && elapsed < 0.5) sync(last);
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } while ((elapsed < 0.5 && n < 20) || n < 2);
  sync(last);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / n;
}

int runQuantBench(const Args& args) {
  Options o(args, {"--device", "--format", "--scale", "--rounding", "--block", "--seed", "--dtype", "--max-elements",
                   "--min-elements", "--max-composed"},
            {"--json", "--no-composed"});
  const std::string device = srdd::normalizeDeviceName(o.value("--device", "cpu"));
  srdd::QuantSpec spec = srdd::parseQuantSpec(o.value("--format", "mxfp4"));
  if (auto s = o.value("--scale")) spec.scale = srdd::parseScaleRule(*s);
  if (auto r = o.value("--rounding")) spec.rounding = srdd::parseRounding(*r);
  if (auto b = o.value("--block")) spec.block = srdd::parseBlockShape(*b, &spec.blockSize);
  spec.seed = uint64_t(o.integer("--seed", 0));
  spec.validate();
  const std::string dtName = o.value("--dtype", "float32");
  at::ScalarType dt = dtName == "float32" ? at::kFloat : dtName == "bfloat16" ? at::kBFloat16 : dtName == "float16" ? at::kHalf : at::kByte;
  if (dt == at::kByte) throw srdd::Error("option --dtype: '" + dtName + "' is not one of float32, bfloat16, float16");
  const bool cuda = device != "cpu";
  const long long maxEl = o.integer("--max-elements", cuda ? (1ll << 30) : (1ll << 26));
  const long long minEl = o.integer("--min-elements", 1ll << 20);
  const long long maxComposed = o.integer("--max-composed", 1ll << 28);
  if (minEl < 1 || maxEl < minEl) throw srdd::Error("options --min-elements/--max-elements: need 1 <= min <= max");
  const bool composed = !o.flag("--no-composed") && spec.rounding != srdd::Rounding::Stochastic;
  const bool json = o.flag("--json");

  nlohmann::json rows = nlohmann::json::array();
  if (!json) {
    std::printf("srdd bench quant: %s, %s, %s, %d threads\n", spec.describe().c_str(), device.c_str(), dtName.c_str(),
                at::get_num_threads());
    std::printf("%14s %12s %12s %12s %10s\n", "elements", "copy GB/s", "fused GB/s", "composed GB/s", "fused/comp");
  }
  nlohmann::json cudaCheck;
  for (long long n = minEl; n <= maxEl; n *= 4) {
    at::Tensor x = at::randn({n / 1024 > 0 ? n / 1024 : 1, n >= 1024 ? 1024 : n}, at::TensorOptions().device(device)).to(dt);
    const double bytes = 2.0 * double(x.numel()) * double(x.element_size());
    at::Tensor y = at::empty_like(x);
    const double tCopy = timeIt([&] { return y.copy_(x); });
    const double tFused = timeIt([&] { return srdd::fakeQuantize(x, spec); });
    if (cuda && cudaCheck.is_null()) {  // the CUDA kernel must give the CPU kernel's bits
      at::Tensor g = srdd::fakeQuantize(x, spec).cpu(), c = srdd::fakeQuantize(x.cpu(), spec);
      const bool same = std::memcmp(g.data_ptr(), c.data_ptr(), g.numel() * g.element_size()) == 0;
      cudaCheck = {{"elements", x.numel()}, {"bitIdenticalToCpu", same}};
      if (!json) std::printf("CUDA vs CPU kernel on %lld elements: %s\n", (long long)x.numel(), same ? "bit-identical" : "DIFFERENT");
    }
    double tComp = 0;
    if (composed && n <= maxComposed) {
      try {
        tComp = timeIt([&] { return srdd::fakeQuantizeComposed(x, spec); });
      } catch (const std::exception&) {
        tComp = 0;  // typically out of memory for the composed intermediates
      }
    }
    nlohmann::json r = {{"elements", x.numel()}, {"bytes", bytes}, {"copyGBs", bytes / tCopy / 1e9},
                        {"fusedGBs", bytes / tFused / 1e9}, {"fusedSeconds", tFused}};
    if (tComp > 0) {
      r["composedGBs"] = bytes / tComp / 1e9;
      r["fusedOverComposed"] = tComp / tFused;
    }
    rows.push_back(r);
    if (!json) {
      std::printf("%14lld %12.2f %12.2f", (long long)x.numel(), bytes / tCopy / 1e9, bytes / tFused / 1e9);
      if (tComp > 0) std::printf(" %12.2f %9.1fx\n", bytes / tComp / 1e9, tComp / tFused);
      else std::printf(" %12s %10s\n", "-", "-");
      std::fflush(stdout);
    }
  }
  if (json) {
    nlohmann::json out = {{"spec", spec.toJson()}, {"device", device}, {"dtype", dtName},
                          {"threads", at::get_num_threads()}, {"results", rows}};
    if (!cudaCheck.is_null()) out["cudaCheck"] = cudaCheck;
    std::cout << out.dump(2) << "\n";
  }
  return 0;
}

const BenchRegistrar registrar({"quant", "fused fake-quantizer GB/s vs device copy vs composed ATen ops",
                                "srdd bench quant [--device cpu|cuda] [--format mxfp4] [--scale floor|rceil]\n"
                                "    [--rounding rne|away|stochastic] [--seed N] [--block 1x32|32x32]\n"
                                "    [--dtype float32|bfloat16|float16] [--min-elements N] [--max-elements N]\n"
                                "    [--max-composed N] [--no-composed] [--json]\n"
                                "  Sizes grow x4 from --min-elements (1M) to --max-elements (64M on CPU, 1G on CUDA).\n"
                                "  GB/s counts bytes read + written. The composed path runs up to --max-composed (256M).",
                                runQuantBench});

}  // namespace
}  // namespace srdd_cli
