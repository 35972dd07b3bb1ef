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

// The message of a JSON library exception without its "[json.exception.parse_error.101] " tag, for Error
// texts: "parse error at line 1, column 19: syntax error while parsing object - unexpected end of input".
std::string jsonErrorText(const std::exception& e);

}  // namespace srdd
