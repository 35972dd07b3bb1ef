#include "cli_options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "srdd/error.h"

namespace srdd_cli {

namespace {

std::map<const CLI::Option*, CompletionHint>& hints() {
  static std::map<const CLI::Option*, CompletionHint> h;
  return h;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// A check that throws UsageError with a message naming the option (CLI11's own would prefix it again).
CLI::Validator usageCheck(std::function<void(const std::string&)> f) {
  return CLI::Validator(
      [f](std::string& value) {
        f(value);
        return std::string();
      },
      "");
}

std::string joinWords(const std::vector<std::string>& words) {
  std::string s;
  for (size_t i = 0; i < words.size(); ++i) s += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
  return s;
}

}  // namespace

const CompletionHint* completionHint(const CLI::Option* option) {
  auto it = hints().find(option);
  return it == hints().end() ? nullptr : &it->second;
}

Declare::Declare(CLI::App& app) : app_(app) {}

Declare& Declare::group(const std::string& heading) {
  group_ = heading;
  return *this;
}

CLI::Option* Declare::finish(CLI::Option* o, const std::string& meta, CompletionHint hint) {
  o->group(group_)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  // meta is how the option reads in the help, "--seed N"; CLI11 prints the name itself, then this text.
  if (!meta.empty()) o->option_text(meta.rfind(o->get_name(), 0) == 0 ? meta.substr(o->get_name().size() + 1) : meta);
  if (hint.kind != CompletionHint::Kind::None) hints()[o] = std::move(hint);
  return o;
}

CLI::Option* Declare::text(const std::string& name, const std::string& meta, const std::string& help,
                           CompletionHint hint) {
  return finish(app_.add_option(name, help), meta, std::move(hint));
}

CLI::Option* Declare::file(const std::string& name, const std::string& meta, const std::string& help) {
  return text(name, meta, help, {CompletionHint::Kind::File, {}});
}

CLI::Option* Declare::directory(const std::string& name, const std::string& meta, const std::string& help) {
  return text(name, meta, help, {CompletionHint::Kind::Directory, {}});
}

CLI::Option* Declare::integer(const std::string& name, const std::string& meta, const std::string& help, long long lo,
                              long long hi) {
  auto* o = text(name, meta, help);
  o->check(usageCheck([name, lo, hi](const std::string& v) {
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno == ERANGE)
      throw UsageError("option " + name + ": " + quoted(v) + " is not an integer");
    if (n < lo || n > hi) {
      const auto bound = [](long long b, bool low) {
        return b == (low ? std::numeric_limits<long long>::min() : std::numeric_limits<long long>::max());
      };
      if (bound(hi, false))
        throw UsageError("option " + name + " must be at least " + std::to_string(lo) + ", not " + v);
      if (bound(lo, true)) throw UsageError("option " + name + " must be at most " + std::to_string(hi) + ", not " + v);
      throw UsageError("option " + name + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                       ", not " + v);
    }
  }));
  return o;
}

CLI::Option* Declare::number(const std::string& name, const std::string& meta, const std::string& help, double lo,
                             double hi) {
  auto* o = text(name, meta, help);
  o->check(usageCheck([name, lo, hi](const std::string& v) {
    char* end = nullptr;
    errno = 0;
    const double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(d))
      throw UsageError("option " + name + ": " + quoted(v) + " is not a number");
    if (d < lo || d > hi) {
      const auto text = [](double b) {
        std::ostringstream s;
        s << b;
        return s.str();
      };
      if (std::isinf(hi)) throw UsageError("option " + name + " must be at least " + text(lo) + ", not " + v);
      if (std::isinf(lo)) throw UsageError("option " + name + " must be at most " + text(hi) + ", not " + v);
      throw UsageError("option " + name + " must be between " + text(lo) + " and " + text(hi) + ", not " + v);
    }
  }));
  return o;
}

CLI::Option* Declare::choice(const std::string& name, const std::string& meta, const std::string& help,
                             const std::function<void(const std::string&)>& check, std::vector<std::string> words) {
  auto* o = text(name, meta, help, {CompletionHint::Kind::Words, std::move(words)});
  o->check(usageCheck([name, check](const std::string& v) {
    try {
      check(v);
    } catch (const srdd::Error& e) {
      throw UsageError("option " + name + ": " + e.what());
    }
  }));
  return o;
}

CLI::Option* Declare::choice(const std::string& name, const std::string& meta, const std::string& help,
                             std::vector<std::string> words) {
  const std::string noun = name.substr(name.find_first_not_of('-'));
  return choice(
      name, meta, help,
      [words, noun](const std::string& v) {
        for (const auto& w : words)
          if (v == w) return;
        throw srdd::Error("unknown " + noun + " " + quoted(v) + " (expected " + joinWords(words) + ")");
      },
      words);
}

CLI::Option* Declare::flag(const std::string& name, const std::string& help) {
  return finish(app_.add_flag(name, help), "", {});
}

CLI::Option* Declare::positional(const std::string& name, const std::string& help, bool required, CompletionHint hint,
                                 bool many) {
  auto* o = app_.add_option(name, help)->type_name("");
  if (many) o->expected(1, CLI::detail::expected_max_vector_size);
  if (required) o->required();
  if (hint.kind != CompletionHint::Kind::None) hints()[o] = std::move(hint);
  return o;
}

const CLI::Option* Parsed::option(const std::string& name) const {
  // A name the subcommand never declared is a bug in that subcommand: say so instead of reading nothing.
  const CLI::Option* o = app_.get_option_no_throw(name);
  if (!o) throw srdd::Error("internal: " + app_.get_name() + " has no option " + name);
  return o;
}

bool Parsed::flag(const std::string& name) const { return option(name)->count() > 0; }

std::optional<std::string> Parsed::value(const std::string& name) const {
  const CLI::Option* o = option(name);
  if (o->count() == 0) return std::nullopt;
  return o->results().back();
}

std::string Parsed::value(const std::string& name, const std::string& fallback) const {
  return value(name).value_or(fallback);
}

long long Parsed::integer(const std::string& name, long long fallback) const {
  const auto v = value(name);
  return v ? std::stoll(*v) : fallback;  // the option's check has validated the text
}

double Parsed::number(const std::string& name, double fallback) const {
  const auto v = value(name);
  return v ? std::stod(*v) : fallback;
}

std::vector<std::string> Parsed::values(const std::string& name) const { return option(name)->results(); }

}  // namespace srdd_cli
