#pragma once
// The proposal report's two page formats behind one interface: the content (report_page.cpp) says what goes on
// the page, a PageWriter says how. Every text passed in is plain text; the writers escape it.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "srdd/report.h"

namespace srdd::report {

using Facts = std::vector<std::pair<std::string, std::string>>;  // label, value

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> marked;    // per row: highlighted (a flagged layer, a significant test)
  std::vector<bool> numeric;   // per column: right-aligned
  bool monospaceLast = false;  // the last column holds identifiers (flags, digests)
};

class PageWriter {
 public:
  virtual ~PageWriter() = default;
  virtual void title(const std::string& text) = 0;
  virtual void heading(const std::string& text) = 0;
  virtual void paragraph(const std::string& text) = 0;
  virtual void highlight(const std::string& text) = 0;  // a stand-out line (the significance answer)
  virtual void facts(const Facts& facts) = 0;
  virtual void table(const Table& table) = 0;
  virtual void figure(const Figure& figure, const std::string& caption) = 0;
  virtual void files(const Facts& fileAndDescription) = 0;  // links to files of the folder
  virtual std::string finish() = 0;
};

std::unique_ptr<PageWriter> markdownWriter();
std::unique_ptr<PageWriter> htmlWriter(Language language);

// Text escaping (exposed for the tests of the writers).
std::string escapeHtml(const std::string& text);
std::string escapeMarkdown(const std::string& text);
// A relative path as a URL: every byte outside [A-Za-z0-9/._~-] percent-encoded.
std::string encodePath(const std::string& path);

}  // namespace srdd::report
