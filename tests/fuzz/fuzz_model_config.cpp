// Fuzzes config.json: parsing, the typed key reader and validate(). An accepted config must also give a
// tensor layout and round-trip through toJson().
#include "fuzz_support.h"
#include "srdd/error.h"
#include "srdd/model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = srdd_fuzz::scratchDir() / "config.json";
  srdd_fuzz::writeInput(path, data, size);
  try {
    const srdd::ModelConfig c = srdd::ModelConfig::fromFile(path.string());
    const srdd::ModelConfig back = srdd::ModelConfig::fromJson(c.toJson(), "round trip");
    if (back.tensorLayout() != c.tensorLayout() || back.parameterCount() != c.parameterCount()) __builtin_trap();
  } catch (const srdd::Error&) {
  }
  return 0;
}
