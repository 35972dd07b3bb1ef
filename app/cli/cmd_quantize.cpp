// `srdd quantize`: fake-quantizes a few values given on the command line and shows the block
// scales and element codes, so any block can be checked by hand.
#include <ATen/ATen.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "command.h"
#include "cli_options.h"
#include "scan_cli.h"
#include "srdd/error.h"
#include "srdd/mx_quant.h"

namespace srdd_cli {
namespace {

std::vector<float> parseValues(const std::string& text) {
  std::string s = text;
  for (char& c : s)
    if (c == ',') c = ' ';
  std::istringstream in(s);
  std::vector<float> v;
  for (std::string tok; in >> tok;) {
    char* end = nullptr;
    float f = std::strtof(tok.c_str(), &end);  // accepts nan, inf, -inf, 1e-3, hex floats
    if (end == tok.c_str() || *end != '\0') throw srdd::Error("option --values: '" + tok + "' is not a number");
    v.push_back(f);
  }
  if (v.empty()) throw srdd::Error("option --values: no values given");
  return v;
}

std::vector<int64_t> parseShape(const std::string& text, size_t count) {
  std::istringstream in(text);
  std::vector<int64_t> shape;
  int64_t n = 1;
  for (std::string tok; in >> tok;) {
    char* end = nullptr;
    long long d = std::strtoll(tok.c_str(), &end, 10);
    if (*end != '\0' || d <= 0) throw srdd::Error("option --shape: '" + tok + "' is not a positive integer");
    shape.push_back(d);
    n *= d;
  }
  if (shape.empty() || size_t(n) != count)
    throw srdd::Error("option --shape: '" + text + "' does not hold the " + std::to_string(count) + " values given");
  return shape;
}

nlohmann::json number(float v) {  // JSON has no NaN/Inf: write those as strings
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return double(v);
}

int runQuantize(const Parsed& o) {
  srdd::QuantSpec spec = srdd::parseQuantSpec(o.value("--format", "mxfp4"));
  if (auto s = o.value("--scale")) spec.scale = srdd::parseScaleRule(*s);
  spec.reference = o.flag("--reference");
  spec.referenceSrHalfBug = o.flag("--sr-half-bug");
  if (auto r = o.value("--rounding"))
    spec.rounding = srdd::parseRounding(*r);
  else if (spec.reference)
    spec.rounding = srdd::Rounding::NearestAway;  // the scripts' rounding
  if (auto b = o.value("--block")) spec.block = srdd::parseBlockShape(*b, &spec.blockSize);
  spec.seed = uint64_t(o.integer("--seed", 0));
  spec.validate();
  const std::vector<float> values = parseValues(*o.value("--values"));
  at::Tensor x = at::tensor(at::ArrayRef<float>(values), at::kFloat);
  if (auto s = o.value("--shape")) x = x.reshape(parseShape(*s, values.size()));

  srdd::QuantDetail d = srdd::quantizeWithDetail(x, spec);
  const float* deq = d.dequantized.data_ptr<float>();
  const uint8_t* codes = d.codes.data_ptr<uint8_t>();
  at::Tensor sb = d.scaleBytes.reshape({-1}), sv = d.scaleValues.reshape({-1});
  if (o.flag("--json")) {
    nlohmann::json j = {
        {"spec", spec.toJson()}, {"shape", x.sizes().vec()}, {"scaleEncoding", d.scalesAreE8M0 ? "e8m0" : "e4m3"}};
    nlohmann::json in = nlohmann::json::array(), out = nlohmann::json::array(), cs = nlohmann::json::array(),
                   scales = nlohmann::json::array();
    for (size_t i = 0; i < values.size(); ++i) {
      in.push_back(number(values[i]));
      out.push_back(number(deq[i]));
      cs.push_back(codes[i]);
    }
    for (int64_t b = 0; b < sb.numel(); ++b)
      scales.push_back({{"byte", sb[b].item<uint8_t>()}, {"value", number(sv[b].item<float>())}});
    j["input"] = in;
    j["dequantized"] = out;
    j["codes"] = cs;
    j["scales"] = scales;
    j["scaleGrid"] = d.scaleBytes.sizes().vec();
    if (!d.scalesAreE8M0) j["tensorScale"] = double(d.tensorScale);
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("%s\n", spec.describe().c_str());
  if (!d.scalesAreE8M0) std::printf("tensor scale s_t = %.9g\n", d.tensorScale);
  std::printf("scales (%s, grid %s):", d.scalesAreE8M0 ? "E8M0 byte = value" : "E4M3 bits = value",
              [&] {
                std::string g;
                for (auto s : d.scaleBytes.sizes()) g += (g.empty() ? "" : "x") + std::to_string(s);
                return g;
              }()
                  .c_str());
  for (int64_t b = 0; b < sb.numel(); ++b)
    std::printf(" 0x%02X=%.9g", unsigned(sb[b].item<uint8_t>()), sv[b].item<float>());
  std::printf("\n%8s %16s %6s %16s\n", "index", "input", "code", "dequantized");
  for (size_t i = 0; i < values.size(); ++i)
    std::printf("%8zu %16.9g  0x%02X %16.9g\n", i, values[i], unsigned(codes[i]), deq[i]);
  return 0;
}

Runner define(CLI::App& app) {
  Declare d(app);
  d.text("--values", "--values \"V1 V2 ...\"",
         "the values, separated by spaces or commas (nan, inf accepted; required)")
      ->required();
  declareQuantizerOptions(d);
  d.flag("--sr-half-bug", "with --reference: reproduce the scripts' x0.5 stochastic-rounding bug");
  d.integer("--seed", "--seed N", "seed of stochastic rounding (default 0)", 0);
  d.text("--shape", "--shape \"R C\"", "the values' shape; blocks run along the last axis (default: one row)");
  d.flag("--json", "print JSON: input, dequantized, codes, scales");
  return [&app] { return runQuantize(Parsed(app)); };
}

const Registrar registrar(
    {"quantize", "Fake-quantize values given on the command line and show scales and codes",
     "srdd quantize --values \"v1 v2 ...\" [--format F] [--scale floor|rceil] [--rounding rne|away|stochastic]\n"
     "    [--seed N] [--block 1x32|32x32] [--shape \"R C\"] [--reference [--sr-half-bug]] [--json]",
     "Prints each block's scale (E8M0 byte and value; E4M3 bits for nvfp4), each element's code and the dequantized "
     "values. --reference: the research scripts' MXFP4 numerics (flat blocks, ties away; see docs/quantization.md).",
     define});

}  // namespace
}  // namespace srdd_cli
