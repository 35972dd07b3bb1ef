// `srdd tokenize`: encode text to token ids, or decode ids to text, with a tokenizer.json.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "command.h"
#include "cli_options.h"
#include "srdd/error.h"
#include "srdd/tokenizer.h"

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw srdd::Error(path + ": cannot open --file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<int64_t> parseIds(const std::string& text) {
  std::vector<int64_t> ids;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ' ')) {
    std::istringstream parts(item);
    std::string part;
    while (std::getline(parts, part, ',')) {
      if (part.empty()) continue;
      size_t used = 0;
      long long v = 0;
      try {
        v = std::stoll(part, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != part.size()) throw srdd::Error("option --decode: \"" + part + "\" is not a token id");
      ids.push_back(v);
    }
  }
  return ids;
}

int run(const srdd_cli::Parsed& opt) {
  std::string path = *opt.value("--tokenizer");
  if (std::filesystem::is_directory(path)) path = (std::filesystem::path(path) / "tokenizer.json").string();
  const int modes = opt.given("--text") + opt.given("--file") + opt.given("--decode");
  if (modes != 1) throw srdd_cli::UsageError("give exactly one of --text, --file or --decode");
  const auto tokenizer = srdd::Tokenizer::fromFile(path);
  const bool json = opt.flag("--json");

  if (auto ids = opt.value("--decode")) {
    const std::string text = tokenizer.decode(parseIds(*ids), opt.flag("--skip-special"));
    if (json)
      std::cout << nlohmann::json{{"text", text}}.dump() << "\n";
    else
      std::cout << text << "\n";
    return 0;
  }
  std::vector<int64_t> ids;
  if (auto text = opt.value("--text")) {
    ids = tokenizer.encode(*text);
  } else {
    const std::string file = *opt.value("--file");
    try {
      ids = tokenizer.encode(readFile(file));
    } catch (const srdd::Error& e) {
      if (std::string(e.what()).rfind(file, 0) == 0) throw;
      throw srdd::Error(file + ": " + e.what());
    }
  }
  if (json) {
    nlohmann::json tokens = nlohmann::json::array();
    for (int64_t id : ids) tokens.push_back(tokenizer.idToToken(id));
    std::cout << nlohmann::json{{"ids", ids}, {"tokens", tokens}}.dump() << "\n";
  } else {
    for (size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
    std::cout << "\n";
  }
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  d.file("--tokenizer", "--tokenizer FILE", "tokenizer.json, or a model directory that holds one (required)")
      ->required();
  d.text("--text", "--text TEXT", "the text to encode (UTF-8)");
  d.file("--file", "--file PATH", "encode the contents of this file instead");
  d.text("--decode", "--decode IDS", "decode these ids (separated by spaces or commas)");
  d.flag("--skip-special", "with --decode: leave out special tokens");
  d.flag("--json", "print {\"ids\": [...], \"tokens\": [...]} (encode) or {\"text\": ...} (decode)");
  return [&app] { return run(srdd_cli::Parsed(app)); };
}

const srdd_cli::Registrar reg(
    {"tokenize", "encode text to token ids or decode ids (tokenizer.json)",
     "srdd tokenize --tokenizer FILE (--text TEXT | --file PATH) [--json]\n"
     "srdd tokenize --tokenizer FILE --decode \"ID ID ...\" [--skip-special] [--json]",
     "Encodes text with a Hugging Face byte-level BPE tokenizer.json (as tokenizers' encode with "
     "add_special_tokens=False) and prints the ids separated by spaces, or decodes ids to text.",
     define});

}  // namespace
