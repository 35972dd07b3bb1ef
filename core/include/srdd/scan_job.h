#pragma once
// A torch-free facade over the scan engine for front ends (the desktop app): a scan described by plain
// strings and numbers (ScanRequest), validated and round-tripped through JSON, run with progress and
// cancellation into a srdd-scan/1 JSON. ScanJob keeps the loaded model, so a re-scan skips loading.
// Field semantics follow `srdd scan` (docs/scans.md); this header includes no LibTorch header.
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "srdd/progress.h"

namespace srdd {

std::vector<std::string> scanNames();         // every scan, in engine order: instability, gain, ...
std::vector<std::string> defaultScanNames();  // the `--scans default` set
std::vector<std::string> quantFormatNames();  // mxfp4, ..., nvfp4 (declared in mx_quant.h as well)
std::vector<std::string> quantModeNames();    // w4a16, w16a4, w4a4, residual
// The block shapes a format offers, its default first: {"1x32", "32x32"} (nvfp4: {"1x16", "16x16"}).
std::vector<std::string> blockShapeChoices(const std::string& format);
std::vector<std::string> builtinPromptSetNames();  // scanner, srdd, experiment (use as "builtin:NAME")
std::vector<std::string> dtypeNames();             // auto, bf16, fp16, fp32
// "cpu", then "cuda:0", "cuda:1", ... for each GPU this LibTorch build can use.
std::vector<std::string> availableDevices();

// LibTorch intra-op threads for this process (after the runtime defaults are applied), e.g. to leave a
// core to a GUI thread. n >= 1.
void setEngineThreads(int n);
int engineThreads();

struct ScanRequest {
  std::string modelDir;        // Hugging Face directory: config.json, *.safetensors, tokenizer.json
  std::string device = "cpu";  // cpu, cuda, cuda:N
  std::string dtype = "auto";  // auto (the checkpoint's dtype), bf16, fp16, fp32
  // The quantizer, as `srdd scan --format/--scale/--rounding/--block/--reference`; an empty option keeps
  // the format's default.
  std::string format = "mxfp4";
  std::string scale;     // floor | rceil
  std::string rounding;  // rne | away | stochastic
  std::string block;     // 1xN | NxN
  bool reference = false;
  std::string mode = "w4a16";  // w4a16, w16a4, w4a4, residual
  std::vector<int> layers;     // quantized decoder layers; empty = all
  bool invertLayers = false;   // true: all layers except `layers`
  bool lmHead = false;
  bool embeddings = false;
  std::vector<std::string> scans = defaultScanNames();
  std::string prompts;  // builtin:NAME or a file; empty = MODEL/prompts.txt if present, else builtin:scanner
  int64_t maxTokens = 64;
  uint64_t seed = 42;  // gain noise and stochastic rounding
  int trials = 3;
  int gainDraws = 1;
  double noiseScale = 0.1;
  double dcShift = 50.0;
  int batchSize = 64;
  std::map<std::string, double> thresholds;  // rule overrides by name (gain_ratio, sqnr_db, ...)
  std::string rules = "floor";               // floor | absolute (the research scripts' thresholds)
  // Sensitivity text: a file cut into windows; empty = MODEL/heldout.txt if present, else "prompts".
  std::string sensitivityText;
  int sensitivityWindows = 32;
  int64_t sensitivityTokens = 128;
  std::string createdUtc;  // pins provenance.created_utc; empty = the time of the run

  // srdd::Error naming the field and the fault. Checks files exist (model, tokenizer, prompt file) but
  // loads nothing.
  void validate() const;
  std::string resolvedPrompts() const;          // the prompt spec the run uses
  std::string resolvedSensitivityText() const;  // the sensitivity text file the run uses, or "prompts"
  // The quantization plan in words, e.g. "w4a16 mxfp4 scale=floor rounding=rne block=1x32 layers=all";
  // srdd::Error for invalid quantizer fields.
  std::string quantizationDescription() const;
  nlohmann::json toJson() const;  // every field; schema "srdd-scan-request/1"
  // Missing fields keep their defaults; srdd::Error for a wrong type, an unknown field or another schema.
  static ScanRequest fromJson(const nlohmann::json& j);
};

// The readable per-layer report (`srdd report`) of a srdd-scan/1 JSON.
std::string scanReportText(const nlohmann::json& scan);
// The text of a scan JSON exactly as `srdd scan --out` writes it (the one serialization of results files).
std::string scanJsonText(const nlohmann::json& scan);
// Writes a scan JSON to path atomically (temp file, fsync, rename); srdd::Error naming the file.
void writeScanJsonFile(const nlohmann::json& scan, const std::string& path);

// Runs scan requests, one at a time (a second caller waits, cancellably, for the first). The model of
// the last run stays loaded, keyed by directory, device, dtype and the model files' sizes and times.
// Thread-safe.
class ScanJob {
 public:
  ScanJob();
  ~ScanJob();
  ScanJob(const ScanJob&) = delete;
  ScanJob& operator=(const ScanJob&) = delete;

  // Validates, loads (or reuses) the model, scans, and returns the srdd-scan/1 JSON. Progress reports
  // the stages "waiting", "loading model", "prompts" and then the engine's. Throws srdd::Cancelled when
  // `cancel` is set, srdd::Error (one line) for anything else.
  nlohmann::json run(const ScanRequest& request, const ProgressCallback& progress = {},
                     const CancelToken* cancel = nullptr);
  bool hasModelFor(const ScanRequest& request) const;  // whether run() would reuse the loaded model
  int modelLoads() const;                              // models loaded so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace srdd
