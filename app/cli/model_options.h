#pragma once
// Options shared by the subcommands that load a model: MODEL (default: the bundled demo model),
// --device and --dtype.
#include <memory>
#include <string>

#include "cli_options.h"
#include "srdd/model.h"

namespace srdd_cli {

// Declares MODEL (optional positional), --device and --dtype.
void declareModelOptions(Declare& d);
void declareModelArgument(Declare& d);  // MODEL alone
void declareDeviceOption(Declare& d);   // --device alone (cpu, cuda, cuda:N or auto)
void declareDtypeOption(Declare& d);    // --dtype alone (auto, bf16, fp16 or fp32)

std::string modelDirectory(const Parsed& options);  // MODEL, else the demo model
srdd::LoadOptions loadOptions(const Parsed& options);
std::shared_ptr<srdd::Model> loadModel(const Parsed& options);

}  // namespace srdd_cli
