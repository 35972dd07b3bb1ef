#include "model_options.h"

#include "srdd/error.h"
#include "srdd/hf_hub.h"
#include "srdd/runtime.h"

namespace srdd_cli {

void declareDeviceOption(Declare& d) {
  d.choice("--device", "--device DEV", "cpu (default), cuda, cuda:N, or auto (cuda when a GPU is visible, else cpu)",
           [](const std::string& v) {
             const bool index =
                 v.rfind("cuda:", 0) == 0 && v.size() > 5 && v.find_first_not_of("0123456789", 5) == std::string::npos;
             if (v != "cpu" && v != "cuda" && v != "auto" && !index)
               throw srdd::Error("unknown device '" + v + "' (expected cpu, cuda, cuda:N or auto)");
           },
           {"cpu", "cuda", "auto"});
}

void declareDtypeOption(Declare& d) {
  d.choice("--dtype", "--dtype T", "auto (the checkpoint's dtype, default), bf16, fp16 or fp32",
           srdd::validateDtypeOption, {"auto", "bf16", "fp16", "fp32"});
}

void declareModelArgument(Declare& d) {
  d.positional("MODEL", "Hugging Face model directory (default: the bundled demo model)", false,
               {CompletionHint::Kind::Directory, {}});
}

void declareModelOptions(Declare& d) {
  declareModelArgument(d);
  declareDeviceOption(d);
  declareDtypeOption(d);
}

// MODEL is a directory or a Hugging Face id in the local hub cache; none given: the bundled demo model.
std::string modelDirectory(const Parsed& options) { return srdd::resolveModelDirectory(options.value("MODEL", "")); }

srdd::LoadOptions loadOptions(const Parsed& options) {
  srdd::LoadOptions lo;
  lo.device = options.value("--device", "cpu");
  lo.dtype = options.value("--dtype", "auto");
  return lo;
}

std::shared_ptr<srdd::Model> loadModel(const Parsed& options) {
  return srdd::Model::load(modelDirectory(options), loadOptions(options));
}

}  // namespace srdd_cli
