#pragma once
// Value histograms of one tensor in BF16 (the model dtype) and fake-quantized, over common bins, plus its MX
// block statistics: the block-scale exponents and the share of blocks that clip. For the GUI's histogram
// view; torch-free (the computation lives in histograms.cpp). Layout: docs/histograms.md.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace srdd {

struct HistogramBins {
  std::vector<double> edges;             // bins + 1 ascending edges
  std::vector<int64_t> bf16, quantized;  // counts per bin (values outside the edges are not counted)
};

struct TensorHistograms {
  std::string tensor;               // e.g. "model.layers.3.mlp.down_proj.weight" or "... input"
  std::string kind;                 // "weight" or "activation"
  std::string format;               // QuantSpec::describe()
  std::vector<int64_t> shape;       // as quantized: [rows, cols], blocks along cols
  HistogramBins values;             // x and Q(x)
  HistogramBins normalized;         // x / s_b and Q(x) / s_b, s_b the element's block scale (the element grid's units)
  std::vector<double> elementGrid;  // the element format's representable values, negative and positive
  double modalScale = 1;            // the most common block scale; elementGrid · modalScale is that block's grid
  int64_t elements = 0, clippedElements = 0;  // clipped: |x| / s_b above the element format's largest value
  int64_t blocks = 0, clippingBlocks = 0;     // blocks with at least one clipped element
  std::vector<int> scaleExponents;            // floor(log2 s_b), ascending
  std::vector<int64_t> scaleExponentCounts;   // blocks per exponent
  double clipShare() const { return blocks ? double(clippingBlocks) / double(blocks) : 0.0; }
  nlohmann::json toJson() const;                              // schema "srdd-histograms/1"
  static TensorHistograms fromJson(const nlohmann::json& j);  // srdd::Error for another document
};

// Histograms of a row-major [rows, cols] tensor quantized with `format` (its default options, e.g. "mxfp4",
// blocks of 1x32 along cols) on `bins` bins. CPU. srdd::Error for sizes that do not match or bins < 2.
TensorHistograms histogramsOf(const std::vector<float>& values, int64_t rows, int64_t cols, const std::string& format,
                              int bins = 80, const std::string& name = "tensor", const std::string& kind = "weight");

struct HistogramRequest {
  std::string modelDir;  // empty: the bundled demo model
  std::string dtype = "auto";
  int layer = 0;
  std::string module = "down_proj";  // q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj
  std::string tensor = "weight";     // weight, or activation (the module's input over the prompts)
  std::string format = "mxfp4";
  std::string block;    // "" = the format's default, or 1xN / NxN
  std::string prompts;  // activations: builtin:NAME or a file; empty = MODEL/prompts.txt or builtin:scanner
  int64_t maxTokens = 64;
  int bins = 80;
  nlohmann::json toJson() const;
  static HistogramRequest fromJson(const nlohmann::json& j);
};
// Loads the model (CPU) and computes the histograms; srdd::Error naming the bad field or file.
TensorHistograms computeHistograms(const HistogramRequest& request);

}  // namespace srdd
