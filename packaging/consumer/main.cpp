// Prints the engine's version and the layer count of the model directory given as argument, through the
// installed headers and library.
#include <iostream>

#include <srdd/model_summary.h>
#include <srdd/version.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: srdd_consumer MODEL_DIR\n";
    return 2;
  }
  const srdd::ModelSummary summary = srdd::summarizeModel(argv[1]);
  std::cout << "srdd " << srdd::versionString() << ": " << summary.architecture << ", " << summary.numLayers
            << " layers\n";
  return 0;
}
