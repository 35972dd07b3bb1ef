// `srdd bench quant`: GB/s (bytes read + written) of the fused fake-quantizer, allocating its output
// and into a preallocated one, next to a plain device copy and the composed-ATen version, for 1M,
// 4M, 16M, ... elements; the linear weights of Qwen2.5-1.5B back to back; and on CUDA a bit-for-bit
// comparison of the CUDA kernels with the CPU kernels over formats, options, dtypes and shapes.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench.h"
#include "cli_options.h"
#include "model_options.h"
#include "scan_cli.h"
#include "srdd/error.h"
#include "srdd/mx_quant.h"
#include "srdd/runtime.h"

namespace srdd_cli {
namespace {

void sync(const at::Tensor& t) {
  if (t.is_cuda()) (void)t.reshape({-1})[0].item<float>();  // waits for the current stream
}

// Seconds per call: one warm-up call, then batches of calls with one sync each until a batch takes
// 0.3 s (at least one call).
double timeIt(const std::function<at::Tensor()>& f) {
  sync(f());
  for (long n = 1;;) {
    auto t0 = std::chrono::steady_clock::now();
    at::Tensor last;
    for (long i = 0; i < n; ++i) last = f();
    sync(last);
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (dt >= 0.3 || n >= 100000) return dt / double(n);
    n = dt > 0 ? std::max(n * 2, long(double(n) * 0.35 / dt) + 1) : n * 10;
  }
}

bool bitEqual(const at::Tensor& a, const at::Tensor& b) {
  at::Tensor x = a.cpu().contiguous(), y = b.cpu().contiguous();
  return x.sizes() == y.sizes() && x.scalar_type() == y.scalar_type() &&
         std::memcmp(x.data_ptr(), y.data_ptr(), x.numel() * x.element_size()) == 0;
}

// Data with per-row magnitudes from 2^-140 (subnormal outputs) to 2^124, zeros, -0, NaN and ±Inf.
at::Tensor checkData(int64_t rows, int64_t cols) {
  at::Tensor x = at::randn({rows, cols}) * at::exp2(at::randint(-140, 125, {rows, 1}, at::kFloat));
  x.index_put_({at::rand({rows, cols}) < 0.03}, 0.0);
  x.index_put_({at::rand({rows, cols}) < 0.01}, -0.0);
  x[1][5].fill_(NAN);
  x[2][40].fill_(INFINITY);
  x[3][cols - 1].fill_(-INFINITY);
  return x;
}

// Every option combination on a fast-path shape (row length a multiple of 32) and a ragged one.
nlohmann::json cudaVsCpu(bool print) {
  std::vector<srdd::QuantSpec> specs;
  for (const auto& name : srdd::quantFormatNames()) {
    for (auto r : {srdd::Rounding::NearestEven, srdd::Rounding::NearestAway, srdd::Rounding::Stochastic}) {
      for (auto s : {srdd::ScaleRule::Floor, srdd::ScaleRule::RCeil}) {
        for (const char* b : {"1x32", "32x32"}) {
          srdd::QuantSpec q = srdd::parseQuantSpec(name);
          if (q.isNvfp4() && s == srdd::ScaleRule::RCeil) continue;
          q.rounding = r;
          q.scale = s;
          q.seed = 7;
          const std::string shape = !q.isNvfp4() ? b : std::string(b) == "1x32" ? "1x16" : "16x16";
          q.block = srdd::parseBlockShape(shape, &q.blockSize);
          specs.push_back(q);
        }
      }
    }
  }
  for (auto r : {srdd::Rounding::NearestAway, srdd::Rounding::Stochastic}) {
    for (auto b : {srdd::BlockShape::Row1x32, srdd::BlockShape::Tile32x32}) {
      srdd::QuantSpec q = srdd::parseQuantSpec("mxfp4");
      q.reference = true;
      q.rounding = r;
      q.block = b;
      q.seed = 3;
      specs.push_back(q);
    }
  }
  int cases = 0, same = 0;
  nlohmann::json failures = nlohmann::json::array();
  for (int64_t cols : {320, 333}) {
    const at::Tensor base = checkData(67, cols);
    for (auto dt : {at::kFloat, at::kBFloat16, at::kHalf}) {
      const at::Tensor x = base.to(dt), xg = x.to(at::kCUDA);
      for (const auto& q : specs) {
        ++cases;
        if (bitEqual(srdd::fakeQuantize(xg, q, 5), srdd::fakeQuantize(x, q, 5))) {
          ++same;
        } else {
          failures.push_back(q.describe() + " " + c10::toString(dt) + " [67, " + std::to_string(cols) + "]");
          if (print) std::printf("  DIFFERENT: %s\n", failures.back().get<std::string>().c_str());
        }
      }
    }
  }
  if (print)
    std::printf("CUDA vs CPU kernels, all options x dtypes x {67x320, 67x333}: %d of %d bit-identical\n", same, cases);
  return {{"cases", cases}, {"bitIdentical", same}, {"failures", failures}};
}

// All linear weights of Qwen2.5-1.5B (28 layers of q, k, v, o, gate, up, down) in bfloat16.
nlohmann::json modelCase(const srdd::QuantSpec& spec, const std::string& device, bool print) {
  const std::vector<std::pair<int64_t, int64_t>> layer = {{1536, 1536}, {256, 1536},  {256, 1536}, {1536, 1536},
                                                          {8960, 1536}, {8960, 1536}, {1536, 8960}};
  std::vector<at::Tensor> w, o;
  double elements = 0;
  for (int l = 0; l < 28; ++l) {
    for (auto [r, c] : layer) {
      w.push_back(at::randn({r, c}, at::TensorOptions().device(device)).to(at::kBFloat16));
      o.push_back(at::empty_like(w.back()));
      elements += double(r * c);
    }
  }
  const double bytes = 2.0 * elements * 2.0;
  const double tCopy = timeIt([&] {
    for (size_t i = 0; i < w.size(); ++i) o[i].copy_(w[i]);
    return o.back();
  });
  const double tFused = timeIt([&] {
    for (size_t i = 0; i < w.size(); ++i) srdd::fakeQuantizeInto(w[i], o[i], spec);
    return o.back();
  });
  nlohmann::json r = {{"matrices", w.size()},
                      {"elements", elements},
                      {"bytes", bytes},
                      {"copyMs", tCopy * 1e3},
                      {"fusedMs", tFused * 1e3},
                      {"copyGBs", bytes / tCopy / 1e9},
                      {"fusedGBs", bytes / tFused / 1e9},
                      {"fusedOverCopy", tCopy / tFused}};
  if (device != "cpu")
    r["bitIdenticalToCpu"] = bitEqual(srdd::fakeQuantize(w[4], spec), srdd::fakeQuantize(w[4].cpu(), spec));
  if (print) {
    std::printf(
        "Qwen2.5-1.5B linear weights (%zu bf16 matrices, %.0fM elements): copy %.2f ms (%.1f GB/s), fused %.2f ms "
        "(%.1f GB/s) = %.0f %% of copy\n",
        w.size(), elements / 1e6, tCopy * 1e3, bytes / tCopy / 1e9, tFused * 1e3, bytes / tFused / 1e9,
        100.0 * tCopy / tFused);
    if (r.contains("bitIdenticalToCpu"))
      std::printf("  gate_proj 8960x1536 CUDA vs CPU: %s\n",
                  r["bitIdenticalToCpu"].get<bool>() ? "bit-identical" : "DIFFERENT");
  }
  return r;
}

int runQuantBench(const Parsed& o) {
  const std::string device = srdd::normalizeDeviceName(o.value("--device", "cpu"));
  srdd::QuantSpec spec = srdd::parseQuantSpec(o.value("--format", "mxfp4"));
  if (auto s = o.value("--scale")) spec.scale = srdd::parseScaleRule(*s);
  if (auto r = o.value("--rounding")) spec.rounding = srdd::parseRounding(*r);
  if (auto b = o.value("--block")) spec.block = srdd::parseBlockShape(*b, &spec.blockSize);
  spec.reference = o.flag("--reference");
  spec.seed = uint64_t(o.integer("--seed", 0));
  spec.validate();
  const std::string dtName = o.value("--dtype", "float32");
  const at::ScalarType dt = dtName == "float32" ? at::kFloat : dtName == "bfloat16" ? at::kBFloat16 : at::kHalf;
  const bool cuda = device != "cpu";
  const long long maxEl = o.integer("--max-elements", cuda ? (1ll << 30) : (1ll << 26));
  const long long minEl = o.integer("--min-elements", 1ll << 20);
  const long long maxComposed = o.integer("--max-composed", cuda ? (1ll << 28) : (1ll << 24));
  if (maxEl < minEl) throw UsageError("options --min-elements/--max-elements: need min <= max");
  const bool composed = !o.flag("--no-composed") && spec.rounding != srdd::Rounding::Stochastic;
  const bool model = cuda ? !o.flag("--no-model-case") : o.flag("--model-case");
  const bool json = o.flag("--json");

  nlohmann::json out = {
      {"spec", spec.toJson()}, {"device", device}, {"dtype", dtName}, {"threads", at::get_num_threads()}};
  if (!json)
    std::printf("srdd bench quant: %s, %s, %s, %d threads\n", spec.describe().c_str(), device.c_str(), dtName.c_str(),
                at::get_num_threads());
  if (cuda && !o.flag("--no-check")) out["cudaCheck"] = cudaVsCpu(!json);
  if (!json)
    std::printf("%12s %10s %10s %10s %10s %10s %10s\n", "elements", "copy GB/s", "fused", "fused-into", "composed",
                "into/comp", "into/copy");
  nlohmann::json rows = nlohmann::json::array();
  for (long long n = minEl; n <= maxEl; n *= 4) {
    at::Tensor x =
        at::randn({n / 1024 > 0 ? n / 1024 : 1, n >= 1024 ? 1024 : n}, at::TensorOptions().device(device)).to(dt);
    const double bytes = 2.0 * double(x.numel()) * double(x.element_size());
    at::Tensor y = at::empty_like(x);
    const double tCopy = timeIt([&] { return y.copy_(x); });
    const double tFused = timeIt([&] { return srdd::fakeQuantize(x, spec); });
    const double tInto = timeIt([&] {
      srdd::fakeQuantizeInto(x, y, spec);
      return y;
    });
    if (cuda && !out.contains("bitIdenticalToCpu")) {  // the benchmark's own case: the CUDA fast path
      out["bitIdenticalToCpu"] = bitEqual(y, srdd::fakeQuantize(x.cpu(), spec));
      if (!json)
        std::printf("CUDA vs CPU on the %lld-element benchmark tensor: %s\n", (long long)x.numel(),
                    out["bitIdenticalToCpu"].get<bool>() ? "bit-identical" : "DIFFERENT");
    }
    double tComp = 0;
    if (composed && n <= maxComposed) {
      try {
        tComp = timeIt([&] { return srdd::fakeQuantizeComposed(x, spec); });
      } catch (const std::exception&) {
        tComp = 0;  // typically out of memory for the composed intermediates
      }
    }
    nlohmann::json r = {{"elements", x.numel()},
                        {"bytes", bytes},
                        {"copyGBs", bytes / tCopy / 1e9},
                        {"fusedGBs", bytes / tFused / 1e9},
                        {"fusedIntoGBs", bytes / tInto / 1e9},
                        {"fusedSeconds", tFused},
                        {"fusedIntoSeconds", tInto},
                        {"fusedIntoOverCopy", tCopy / tInto}};
    if (tComp > 0) {
      r["composedGBs"] = bytes / tComp / 1e9;
      r["fusedOverComposed"] = tComp / tFused;
      r["fusedIntoOverComposed"] = tComp / tInto;
    }
    rows.push_back(r);
    if (!json) {
      std::printf("%12lld %10.2f %10.2f %10.2f", (long long)x.numel(), bytes / tCopy / 1e9, bytes / tFused / 1e9,
                  bytes / tInto / 1e9);
      if (tComp > 0)
        std::printf(" %10.3f %9.1fx", bytes / tComp / 1e9, tComp / tInto);
      else
        std::printf(" %10s %10s", "-", "-");
      std::printf(" %9.0f%%\n", 100.0 * tCopy / tInto);
      std::fflush(stdout);
    }
  }
  out["results"] = rows;
  if (model) out["qwen2_5_1_5bLinear"] = modelCase(spec, device, !json);
  if (json) std::cout << out.dump(2) << "\n";
  return 0;
}

Runner define(CLI::App& app) {
  Declare d(app);
  declareDeviceOption(d);
  declareQuantizerOptions(d);
  d.integer("--seed", "--seed N", "seed of stochastic rounding (default 0)", 0);
  d.choice("--dtype", "--dtype T", "float32 (default), bfloat16 or float16", {"float32", "bfloat16", "float16"});
  d.integer("--min-elements", "--min-elements N", "smallest tensor (default 1M); sizes grow x4", 1);
  d.integer("--max-elements", "--max-elements N", "largest tensor (default 64M on CPU, 1G on CUDA)", 1);
  d.integer("--max-composed", "--max-composed N", "the composed path runs up to N elements (16M on CPU, 256M on CUDA)",
            1);
  d.flag("--no-composed", "skip the composed-ATen path");
  auto* modelCase =
      d.flag("--model-case", "time the Qwen2.5-1.5B case (196 bf16 linear weights; default on CUDA only)");
  d.flag("--no-model-case", "skip the Qwen2.5-1.5B case")->excludes(modelCase);
  d.flag("--no-check", "on CUDA: skip the bit-for-bit comparison with the CPU kernels");
  d.flag("--json", "print JSON");
  return [&app] { return runQuantBench(Parsed(app)); };
}

const BenchRegistrar registrar(
    {"quant", "fused fake-quantizer GB/s vs device copy vs composed ATen ops",
     "srdd bench quant [--device cpu|cuda] [--format mxfp4] [--scale floor|rceil] [--rounding rne|away|stochastic]\n"
     "    [--seed N] [--block 1x32|32x32] [--dtype float32|bfloat16|float16] [--min-elements N] [--max-elements N]\n"
     "    [--max-composed N] [--no-composed] [--model-case|--no-model-case] [--no-check] [--json]",
     "GB/s counts bytes read + written; 'fused' allocates its output, 'fused-into' reuses one (fakeQuantizeInto). On "
     "CUDA the kernels are first compared bit for bit with the CPU kernels (--no-check skips).",
     define});

}  // namespace
}  // namespace srdd_cli
