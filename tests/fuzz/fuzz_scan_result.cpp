// Fuzzes the reader of results files (srdd-scan/1, scan_io.cpp) and what `srdd report` and the research-script
// exports do with what it accepts: the verdict recomputed from the stored numbers, the report table, the
// JSON writers.
#include "fuzz_support.h"
#include "srdd/error.h"
#include "srdd/scan_job.h"
#include "srdd/scan_result.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = srdd_fuzz::scratchDir() / "results.json";
  srdd_fuzz::writeInput(path, data, size);
  try {
    const srdd::ScanResult r = srdd::readScanResult(path.string());
    (void)srdd::formatScanReport(r);
    (void)srdd::scanJsonText(srdd::scanResultToJson(r));
    (void)srdd::legacyExperimentJson(r).dump();
    (void)srdd::legacyScannerJson(r).dump();
  } catch (const srdd::Error&) {
  }
  return 0;
}
