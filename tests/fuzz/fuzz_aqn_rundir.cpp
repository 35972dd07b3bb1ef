// Fuzzes the files of an AQN run directory that a resumed run reads: the input is written as
// runs/baseline-seed0/result.json (a finished run), as config.json (the resume check against the settings of
// the new run) and as comparison.json (srdd-aqn/1, what `srdd aqn` and the GUI show).
#include "fuzz_support.h"
#include "srdd/aqn.h"
#include "srdd/aqn_rundir.h"
#include "srdd/error.h"

namespace rundir = srdd::aqn::rundir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto dir = srdd_fuzz::scratchDir() / "run";
  srdd_fuzz::writeInput(dir / "runs" / "baseline-seed0" / "result.json", data, size);
  try {
    if (const auto r = rundir::readFinished(dir.string(), "baseline", 0)) (void)r->toJson().dump();
  } catch (const srdd::Error&) {
  }
  srdd_fuzz::writeInput(dir / "config.json", data, size);
  try {
    const nlohmann::json config = {{"settings", {{"targets", "1,4"}, {"seeds", 5}}},
                                   {"model_files", {{"config.json", "0123abcd"}}},
                                   {"data_files", nlohmann::json::object()}};
    rundir::prepare(dir.string(), config, false);
  } catch (const srdd::Error&) {
  }
  srdd_fuzz::writeInput(dir / "comparison.json", data, size);
  try {
    (void)srdd::aqn::formatComparison(srdd::aqn::readComparison((dir / "comparison.json").string()));
  } catch (const srdd::Error&) {
  }
  return 0;
}
