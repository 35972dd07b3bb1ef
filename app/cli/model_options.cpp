#include "model_options.h"

#include "srdd/runtime.h"

namespace srdd_cli {

std::string modelDirectory(const Options& options, size_t positionalIndex) {
  if (options.positional().size() > positionalIndex) return options.positional()[positionalIndex];
  return srdd::defaultModelDirectory();
}

srdd::LoadOptions loadOptions(const Options& options) {
  srdd::LoadOptions lo;
  lo.device = options.value("--device", "cpu");
  lo.dtype = options.value("--dtype", "auto");
  srdd::validateDtypeOption(lo.dtype);  // validate early, with a clear message
  return lo;
}

std::shared_ptr<srdd::Model> loadModel(const Options& options, size_t positionalIndex) {
  return srdd::Model::load(modelDirectory(options, positionalIndex), loadOptions(options));
}

}  // namespace srdd_cli
