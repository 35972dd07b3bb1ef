#include "model_options.h"

#include "srdd/hf_hub.h"

namespace srdd_cli {

// MODEL is a directory or a Hugging Face id in the local hub cache; none given: the bundled demo model.
std::string modelDirectory(const Options& options, size_t positionalIndex) {
  const auto& given = options.positional();
  return srdd::resolveModelDirectory(given.size() > positionalIndex ? given[positionalIndex] : "");
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
