// Command lines for engines: POSIX-shell word splitting without expansion, and quoting back.
#include "srdd/engine.h"
#include "srdd/error.h"

namespace srdd::engine {

std::vector<std::string> splitCommandLine(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool inWord = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (inWord) words.push_back(word);
      word.clear();
      inWord = false;
      continue;
    }
    inWord = true;
    if (c == '\\') {
      if (++i == line.size()) throw Error("command line '" + line + "': ends with a backslash");
      if (line[i] != '\n') word += line[i];  // backslash-newline joins lines
    } else if (c == '\'') {
      const size_t end = line.find('\'', i + 1);
      if (end == std::string::npos) throw Error("command line '" + line + "': unterminated single quote");
      word += line.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i >= line.size()) throw Error("command line '" + line + "': unterminated double quote");
        if (line[i] == '"') break;
        if (line[i] == '\\' && i + 1 < line.size() && std::string("\\\"$`\n").find(line[i + 1]) != std::string::npos) {
          if (line[++i] != '\n') word += line[i];
        } else {
          word += line[i];
        }
      }
    } else {
      word += c;
    }
  }
  if (inWord) words.push_back(word);
  return words;
}

std::string joinCommandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789_-+=/.,:@%") == std::string::npos;
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

}  // namespace srdd::engine
