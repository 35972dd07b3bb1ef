#include "help_format.h"

#include <map>
#include <sstream>

namespace srdd_cli {

namespace {

struct HelpText {
  std::string synopsis, about;
};
std::map<const CLI::App*, HelpText>& helpTexts() {
  static std::map<const CLI::App*, HelpText> texts;
  return texts;
}

class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter() { column_width(34); }

  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override {
    if (mode == CLI::AppFormatMode::Sub) return make_expanded(app);
    std::ostringstream out;
    out << make_usage(app, name) << "\n" << make_description(app);
    auto it = helpTexts().find(app);
    if (it != helpTexts().end() && !it->second.about.empty()) out << "\n" << it->second.about << "\n";
    out << make_positionals(app) << make_groups(app, mode) << make_subcommands(app, mode) << "\n" << make_footer(app);
    return out.str();
  }

  std::string make_usage(const CLI::App* app, std::string name) const override {
    auto it = helpTexts().find(app);
    if (it == helpTexts().end() || it->second.synopsis.empty()) return CLI::Formatter::make_usage(app, name);
    std::istringstream lines(it->second.synopsis);
    std::ostringstream out;
    std::string line;
    for (bool first = true; std::getline(lines, line); first = false)
      out << (first ? "Usage: " : "       ") << line << "\n";
    return out.str();
  }
};

}  // namespace

std::shared_ptr<CLI::Formatter> makeHelpFormatter() { return std::make_shared<HelpFormatter>(); }

void describe(const CLI::App* app, const std::string& synopsis, const std::string& about) {
  helpTexts()[app] = {synopsis, about};
}

CLI::App* addSubcommand(CLI::App& parent, const std::string& name, const std::string& summary,
                        const std::string& synopsis, const std::string& about) {
  CLI::App* sub = parent.add_subcommand(name, summary);
  sub->allow_extras();
  sub->add_flag("--version", "print the version")->group("");  // hidden: `srdd CMD --version` as before
  describe(sub, synopsis, about);
  return sub;
}

}  // namespace srdd_cli
