#include "options.h"

#include <cerrno>
#include <cstdlib>

#include "srdd/error.h"

namespace srdd_cli {

Options::Options(const Args& args, const std::set<std::string>& valueOptions, const std::set<std::string>& flagOptions) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string name = a, inlineValue;
      bool hasInline = false;
      if (auto eq = a.find('='); eq != std::string::npos) {
        name = a.substr(0, eq);
        inlineValue = a.substr(eq + 1);
        hasInline = true;
      }
      if (valueOptions.count(name)) {
        if (hasInline) {
          values_[name] = inlineValue;
        } else {
          if (i + 1 >= args.size()) throw srdd::Error("option " + name + " needs a value");
          values_[name] = args[++i];
        }
      } else if (flagOptions.count(name) && !hasInline) {
        flags_.insert(name);
      } else {
        throw srdd::Error("unknown option '" + a + "'");
      }
    } else {
      positional_.push_back(a);
    }
  }
}

std::optional<std::string> Options::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Options::value(const std::string& name, const std::string& fallback) const {
  return value(name).value_or(fallback);
}

std::string Options::required(const std::string& name) const {
  auto v = value(name);
  if (!v) throw srdd::Error("option " + name + " is required");
  return *v;
}

double Options::number(const std::string& name, double fallback) const {
  auto v = value(name);
  if (!v) return fallback;
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0' || errno == ERANGE) throw srdd::Error("option " + name + ": '" + *v + "' is not a number");
  return d;
}

long long Options::integer(const std::string& name, long long fallback) const {
  auto v = value(name);
  if (!v) return fallback;
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno == ERANGE) throw srdd::Error("option " + name + ": '" + *v + "' is not an integer");
  return n;
}

std::string Options::positional(size_t i, const std::string& what) const {
  if (i >= positional_.size()) throw srdd::Error("missing argument: " + what);
  return positional_[i];
}

}  // namespace srdd_cli
