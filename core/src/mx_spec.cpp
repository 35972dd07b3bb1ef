// QuantSpec: names, parsing, validation and JSON of a quantizer configuration.
#include <algorithm>
#include <cctype>

#include "srdd/error.h"
#include "srdd/mx_quant.h"

namespace srdd {
namespace {

struct NamedFormat {
  const char* name;
  ElementFormat element;
  int blockSize;
};
const NamedFormat kFormats[] = {
    {"mxfp4", ElementFormat::E2M1, 32},      {"mxfp6-e2m3", ElementFormat::E2M3, 32},
    {"mxfp6-e3m2", ElementFormat::E3M2, 32}, {"mxfp8-e4m3", ElementFormat::E4M3, 32},
    {"mxfp8-e5m2", ElementFormat::E5M2, 32}, {"nvfp4", ElementFormat::E2M1, 16},
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

}  // namespace

std::vector<std::string> quantFormatNames() {
  std::vector<std::string> names;
  for (const auto& f : kFormats) names.push_back(f.name);
  return names;
}

QuantSpec parseQuantSpec(const std::string& format) {
  const std::string name = lower(format);
  for (const auto& f : kFormats) {
    if (name == f.name) {
      QuantSpec s;
      s.formatName = f.name;
      s.element = f.element;
      s.blockSize = f.blockSize;
      return s;
    }
  }
  std::string valid;
  for (const auto& n : quantFormatNames()) valid += (valid.empty() ? "" : ", ") + n;
  throw Error("unknown quantization format '" + format + "' (valid: " + valid + ")");
}

ScaleRule parseScaleRule(const std::string& s) {
  if (s == "floor") return ScaleRule::Floor;
  if (s == "rceil") return ScaleRule::RCeil;
  throw Error("unknown scale rule '" + s + "' (valid: floor, rceil)");
}

Rounding parseRounding(const std::string& s) {
  if (s == "rne") return Rounding::NearestEven;
  if (s == "away") return Rounding::NearestAway;
  if (s == "stochastic") return Rounding::Stochastic;
  throw Error("unknown rounding '" + s + "' (valid: rne, away, stochastic)");
}

BlockShape parseBlockShape(const std::string& s, int* blockSize) {
  auto x = s.find('x');
  if (x != std::string::npos && x > 0 && x + 1 < s.size() &&
      std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit((unsigned char)c) || c == 'x'; }) &&
      s.find('x', x + 1) == std::string::npos) {
    int a = std::stoi(s.substr(0, x)), b = std::stoi(s.substr(x + 1));
    if (a == 1 || a == b) {
      if (blockSize) *blockSize = b;
      return a == 1 && b != 1 ? BlockShape::Row1x32 : BlockShape::Tile32x32;
    }
  }
  throw Error("unknown block shape '" + s + "' (valid: 1xN along the last axis or NxN tiles, e.g. 1x32, 32x32)");
}

std::string scaleRuleName(ScaleRule r) { return r == ScaleRule::Floor ? "floor" : "rceil"; }

std::string roundingName(Rounding r) {
  switch (r) {
    case Rounding::NearestEven: return "rne";
    case Rounding::NearestAway: return "away";
    default: return "stochastic";
  }
}

void QuantSpec::validate() const {
  const NamedFormat* f = nullptr;
  for (const auto& k : kFormats)
    if (formatName == k.name) f = &k;
  if (!f) parseQuantSpec(formatName);  // throws the listing error
  if (f->element != element)
    throw Error("quantization spec: element format does not match format '" + formatName + "'");
  if (blockSize < 2 || blockSize > 1024 || (blockSize & (blockSize - 1)))
    throw Error("quantization spec: block size " + std::to_string(blockSize) + " must be a power of two in [2, 1024]");
  if (block == BlockShape::Tile32x32 && blockSize > 64)
    throw Error("quantization spec: tile blocks are at most 64x64 (got " + std::to_string(blockSize) + ")");
  if (isNvfp4() && scale != ScaleRule::Floor)
    throw Error("quantization spec: nvfp4 block scales are E4M3 values; the scale rule option does not apply");
  if (reference) {
    if (formatName != "mxfp4" || blockSize != 32)
      throw Error("quantization spec: reference mode exists only for mxfp4 with 32-element blocks");
    if (scale != ScaleRule::Floor)
      throw Error("quantization spec: reference mode has its own scale rule; use scale=floor");
    if (rounding == Rounding::NearestEven)
      throw Error("quantization spec: reference mode rounds ties away from zero; use rounding away or stochastic");
  }
  if (referenceSrHalfBug && !(reference && rounding == Rounding::Stochastic))
    throw Error("quantization spec: the SR x0.5 bug flag needs reference mode with stochastic rounding");
}

std::string QuantSpec::describe() const {
  std::string s = formatName;
  const std::string n = std::to_string(blockSize);
  if (reference) {
    s += " reference rounding=" + roundingName(rounding) + (referenceSrHalfBug ? "+srhalfbug" : "");
    s += std::string(" block=flat") + (block == BlockShape::Tile32x32 ? "1024" : "32");
  } else {
    s += std::string(" scale=") + (isNvfp4() ? "e4m3" : scaleRuleName(scale));
    s += " rounding=" + roundingName(rounding);
    s += " block=" + (block == BlockShape::Tile32x32 ? n + "x" + n : "1x" + n);
  }
  if (rounding == Rounding::Stochastic) s += " seed=" + std::to_string(seed);
  return s;
}

nlohmann::json QuantSpec::toJson() const {
  const std::string n = std::to_string(blockSize);
  nlohmann::json j = {{"format", formatName},
                      {"scale", isNvfp4() ? "e4m3" : scaleRuleName(scale)},
                      {"rounding", roundingName(rounding)},
                      {"block", block == BlockShape::Tile32x32 ? n + "x" + n : "1x" + n},
                      {"reference", reference},
                      {"description", describe()}};
  if (rounding == Rounding::Stochastic) j["seed"] = seed;
  if (reference) j["referenceSrHalfBug"] = referenceSrHalfBug;
  return j;
}

QuantSpec QuantSpec::fromJson(const nlohmann::json& j) {
  try {
    QuantSpec s = parseQuantSpec(j.at("format").get<std::string>());
    if (j.contains("scale") && j["scale"].get<std::string>() != "e4m3")
      s.scale = parseScaleRule(j["scale"].get<std::string>());
    if (j.contains("rounding")) s.rounding = parseRounding(j["rounding"].get<std::string>());
    if (j.contains("block")) s.block = parseBlockShape(j["block"].get<std::string>(), &s.blockSize);
    if (j.contains("seed")) s.seed = j["seed"].get<uint64_t>();
    if (j.contains("reference")) s.reference = j["reference"].get<bool>();
    if (j.contains("referenceSrHalfBug")) s.referenceSrHalfBug = j["referenceSrHalfBug"].get<bool>();
    s.validate();
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("quantization spec JSON: ") + e.what());
  }
}

}  // namespace srdd
