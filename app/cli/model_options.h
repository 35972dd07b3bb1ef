#pragma once
// Options shared by the subcommands that load a model: MODEL (default: the bundled demo model),
// --device and --dtype.
#include <memory>
#include <string>

#include "options.h"
#include "srdd/model.h"

namespace srdd_cli {

inline const char* kModelOptionsUsage =
    "  MODEL            Hugging Face model directory (default: the bundled demo model)\n"
    "  --device DEV     cpu, cuda or cuda:N (default cpu)\n"
    "  --dtype T        auto (the checkpoint's dtype, default), bf16, fp16 or fp32\n";

std::string modelDirectory(const Options& options, size_t positionalIndex = 0);
srdd::LoadOptions loadOptions(const Options& options);
std::shared_ptr<srdd::Model> loadModel(const Options& options, size_t positionalIndex = 0);

}  // namespace srdd_cli
