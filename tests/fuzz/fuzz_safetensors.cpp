// Fuzzes the safetensors reader (header length, JSON header, dtypes, shapes, offsets, overlaps): an input is a
// whole .safetensors file. Every tensor that opens is read to its last byte, so that offsets the validation let
// through that point outside the mapping are caught by the sanitizers.
#include "fuzz_support.h"
#include "srdd/error.h"
#include "srdd/safetensors.h"

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = srdd_fuzz::scratchDir() / "model.safetensors";
  srdd_fuzz::writeInput(path, data, size);
  try {
    const auto file = srdd::SafetensorsFile::open(path.string());
    for (const auto& e : file->entries()) {
      if (file->find(e.name) != &e) __builtin_trap();  // the index must point at the entry itself
      const at::Tensor t = file->tensor(e.name);
      const size_t bytes = t.numel() * t.element_size();
      if (bytes != e.end - e.begin) __builtin_trap();
      unsigned char sum = 0;  // reads every byte (a bad offset shows as an ASan report)
      const auto* p = static_cast<const unsigned char*>(t.data_ptr());
      for (size_t i = 0; i < bytes; ++i) sum += p[i];
      asm volatile("" : : "r"(sum));  // keeps the loop
    }
  } catch (const srdd::Error&) {
  }
  return 0;
}
