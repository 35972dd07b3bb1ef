#include "srdd/layer_list.h"

#include <cctype>
#include <limits>

#include "srdd/error.h"

namespace srdd {

namespace {

const char* kExpected = " (expected e.g. 0-2,5, all or all-but 3)";
constexpr long long kMaxRange = 100000;  // a longer range is a typo, not a model

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

bool startsWithWord(const std::string& s, const std::string& word) {
  if (s.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != word[i]) return false;
  return true;
}

// "–" (U+2013, UTF-8 E2 80 93) becomes '-', and spaces around a dash go, so "7 – 9" is one token.
std::string normalizeDashes(const std::string& text) {
  std::string s;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "\xE2\x80\x93") == 0) {
      s += '-';
      i += 2;
    } else {
      s += text[i];
    }
  }
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-') {
      while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
      out += '-';
      while (i + 1 < s.size() && (s[i + 1] == ' ' || s[i + 1] == '\t')) ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool isSeparator(char c) { return c == ',' || c == ';' || std::isspace(static_cast<unsigned char>(c)); }

long long number(const std::string& token, const std::string& item, const std::string& what) {
  if (token.empty() || token.size() > 9) throw Error(what + ": '" + item + "' is not a layer index" + kExpected);
  for (char c : token)
    if (!std::isdigit(static_cast<unsigned char>(c)))
      throw Error(what + ": '" + item + "' is not a layer index" + kExpected);
  return std::stoll(token);
}

void parseItem(const std::string& item, std::set<int>& out, const std::string& what) {
  if (item[0] == '-' && item.size() > 1 && item.find('-', 1) == std::string::npos) {
    number(item.substr(1), item, what);  // a well-formed negative number gets the range message
    throw Error(what + ": layer " + item + " is out of range (layer indices start at 0)");
  }
  const auto dash = item.find('-');
  if (dash == std::string::npos) {
    out.insert(static_cast<int>(number(item, item, what)));
    return;
  }
  const long long a = number(item.substr(0, dash), item, what), b = number(item.substr(dash + 1), item, what);
  if (b < a) throw Error(what + ": range '" + item + "' runs backwards");
  if (b - a > kMaxRange) throw Error(what + ": range '" + item + "' is too long");
  for (long long l = a; l <= b; ++l) out.insert(static_cast<int>(l));
}

std::set<int> parseList(const std::string& text, const std::string& what) {
  const std::string s = normalizeDashes(text);
  std::set<int> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && isSeparator(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !isSeparator(s[j])) ++j;
    if (j > i) parseItem(s.substr(i, j - i), out, what);
    i = j;
  }
  if (out.empty()) throw Error(what + " is empty" + kExpected);
  return out;
}

}  // namespace

LayerSelection parseLayerSelection(const std::string& input, const std::string& what) {
  const std::string text = trim(input);
  if (text.empty()) throw Error(what + " is empty" + kExpected);
  LayerSelection sel;
  if (startsWithWord(text, "all")) {
    std::string rest = trim(text.substr(3));
    if (rest.empty()) {
      sel.all = true;
      return sel;
    }
    std::string tail;
    if (rest[0] == '-' || rest[0] == '_')
      tail = rest.substr(1);
    else if (std::isspace(static_cast<unsigned char>(text[3])))
      tail = rest;
    if (startsWithWord(tail, "but")) {
      rest = trim(tail.substr(3));
      if (!rest.empty() && rest[0] == ':') rest = trim(rest.substr(1));
      if (rest.empty()) throw Error(what + ": 'all-but' needs the layers to leave out, e.g. all-but 3,7");
      sel.all = true;
      sel.listed = parseList(rest, what + " (all-but)");
      return sel;
    }
    if (isSeparator(text[3])) throw Error(what + ": 'all' takes no other layers (use all-but LIST to leave some out)");
    const auto end = text.find_first_of(",; \t");
    throw Error(what + ": '" + text.substr(0, end) + "' is not a layer index" + kExpected);
  }
  sel.listed = parseList(text, what);
  return sel;
}

std::vector<int> LayerSelection::resolve(int numLayers, const std::string& what) const {
  if (numLayers < 0) {
    if (all) throw Error(what + ": 'all' and 'all-but' need the model's layer count; list the layers");
    return {listed.begin(), listed.end()};
  }
  for (int l : listed)
    if (l >= numLayers)
      throw Error(what + ": layer " + std::to_string(l) + " is out of range (the model has " +
                  std::to_string(numLayers) + " layers, 0-" + std::to_string(numLayers - 1) + ")");
  std::vector<int> out;
  if (!all) return {listed.begin(), listed.end()};
  for (int l = 0; l < numLayers; ++l)
    if (!listed.count(l)) out.push_back(l);
  if (out.empty()) throw Error(what + ": leaves no layer (the model has " + std::to_string(numLayers) + " layers)");
  return out;
}

std::vector<int> parseLayerList(const std::string& text, int numLayers, const std::string& what) {
  return parseLayerSelection(text, what).resolve(numLayers, what);
}

std::string formatLayerList(const std::vector<int>& layers) {
  std::string out;
  for (size_t i = 0; i < layers.size();) {
    size_t j = i;
    while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(layers[i]);
    if (j > i) out += (j == i + 1 ? "," : "-") + std::to_string(layers[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace srdd
