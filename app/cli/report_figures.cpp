#include "report_figures.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "srdd/error.h"
#include "srdd/runtime.h"

extern char** environ;

namespace srdd_cli {

namespace fs = std::filesystem;

std::string studioProgram() {
  std::string path;
  if (const char* env = std::getenv("SRDD_STUDIO"); env && *env) {
    path = env;
  } else {
    const fs::path self = srdd::executablePath();
    path = (self.empty() ? fs::path("srdd-studio") : self.parent_path() / "srdd-studio").string();
  }
  if (::access(path.c_str(), X_OK) != 0 || fs::is_directory(path))
    throw srdd::Error("the figures need srdd-studio, which is not at " + path +
                      " (set $SRDD_STUDIO to it, or write the report without figures: --figures none)");
  return path;
}

namespace {
// Runs ARGV with stdin from /dev/null, stdout and stderr into one pipe; returns the output and the exit status.
std::pair<std::string, int> run(const std::vector<std::string>& argv) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw srdd::Error("cannot create a pipe for " + argv[0]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
  std::vector<std::string> copy = argv;
  std::vector<char*> args;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    throw srdd::Error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return {text, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)};
}

// The figure's id and title from its JSON sidecar (schema srdd-figure/1); the file name when it is unreadable.
std::pair<std::string, std::string> idAndTitle(const fs::path& figure) {
  fs::path sidecar = figure;
  sidecar.replace_extension(".json");
  std::ifstream in(sidecar);
  const auto j = nlohmann::json::parse(in, nullptr, false);
  const std::string stem = figure.stem().string();
  if (!j.is_object()) return {stem, stem};
  return {j.value("figure", stem), j.value("title", stem)};
}
}  // namespace

std::vector<srdd::report::Figure> exportFigures(const std::string& results, const std::string& aqn,
                                                const std::string& dir, const std::string& format, double widthPt,
                                                srdd::report::Language language, const std::string& relativeTo) {
  const std::string studio = studioProgram();
  char width[32];
  std::snprintf(width, sizeof width, "%g", widthPt);
  std::vector<std::string> argv = {studio,
                                   "--export",
                                   results,
                                   "--out",
                                   dir,
                                   "--format",
                                   format,
                                   "--width-pt",
                                   width,
                                   "--lang",
                                   srdd::report::languageName(language)};
  if (!aqn.empty()) argv.insert(argv.end(), {"--aqn", aqn});
  const auto [output, code] = run(argv);
  std::vector<std::string> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  if (code != 0) {
    // srdd-studio's own one-line error ("srdd-studio: FILE: problem"), else its last line.
    std::string why = lines.empty() ? "exit status " + std::to_string(code) : lines.back();
    for (const auto& l : lines)
      if (l.rfind("srdd-studio: ", 0) == 0) why = l;
    throw srdd::Error("figures: " + why);
  }
  std::vector<srdd::report::Figure> figures;
  for (const auto& line : lines) {
    const fs::path p(line);
    if (p.extension() != "." + format || !fs::is_regular_file(p)) continue;
    const auto [id, title] = idAndTitle(p);
    figures.push_back({id, fs::relative(p, relativeTo).generic_string(), title});
  }
  if (figures.empty()) throw srdd::Error("figures: " + studio + " wrote no " + format + " figure into " + dir);
  return figures;
}

}  // namespace srdd_cli
