#pragma once
#include <stdexcept>
#include <string>

namespace srdd {

// The one exception type the engine throws for bad input or failed operations. Its message is
// meant for the user: it names the file (or option) and the fault, on one line.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace srdd
