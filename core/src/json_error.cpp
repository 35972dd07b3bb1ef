#include <string>

#include "srdd/error.h"

namespace srdd {

std::string jsonErrorText(const std::exception& e) {
  std::string m = e.what();
  if (m.rfind("[json.exception.", 0) == 0) {
    const size_t end = m.find("] ");
    if (end != std::string::npos) m = m.substr(end + 2);
  }
  return m;
}

}  // namespace srdd
