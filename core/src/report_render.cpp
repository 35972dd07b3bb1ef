// The Markdown and HTML writers of the proposal report. The HTML page is self-contained: inline CSS, no scripts,
// figures linked by relative paths; vector/raster figures are shown, PDF figures are links.
#include "report_render.h"

#include <cctype>
#include <cstdio>
#include <sstream>

namespace srdd::report {

std::string escapeHtml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string escapeMarkdown(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    // Enough for inline text and table cells: emphasis, code, links, HTML and cell separators.
    if (std::string("\\`*_[]<>|").find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string encodePath(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::string("/._~-").find(static_cast<char>(c)) != std::string::npos) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

namespace {
bool isImage(const std::string& file) {
  const auto dot = file.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : file.substr(dot + 1);
  return ext == "svg" || ext == "png";
}

class Markdown : public PageWriter {
 public:
  void title(const std::string& t) override { o_ << "# " << escapeMarkdown(t) << "\n\n"; }
  void heading(const std::string& t) override { o_ << "\n## " << escapeMarkdown(t) << "\n\n"; }
  void paragraph(const std::string& t) override { o_ << escapeMarkdown(t) << "\n\n"; }
  void highlight(const std::string& t) override { o_ << "**" << escapeMarkdown(t) << "**\n\n"; }
  void facts(const Facts& f) override {
    for (const auto& [label, value] : f)
      o_ << "- **" << escapeMarkdown(label) << ":** " << escapeMarkdown(value) << "\n";
    o_ << "\n";
  }
  void table(const Table& t) override {
    auto row = [&](const std::vector<std::string>& cells) {
      o_ << "|";
      for (const auto& c : cells) o_ << " " << escapeMarkdown(c) << " |";
      o_ << "\n";
    };
    row(t.columns);
    o_ << "|";
    for (size_t c = 0; c < t.columns.size(); ++c) o_ << (c < t.numeric.size() && t.numeric[c] ? " ---: |" : " --- |");
    o_ << "\n";
    for (const auto& r : t.rows) row(r);
    o_ << "\n";
  }
  void figure(const Figure& f, const std::string& caption) override {
    if (isImage(f.file))
      o_ << "![" << escapeMarkdown(f.title) << "](" << encodePath(f.file) << ")\n\n"
         << escapeMarkdown(caption) << "\n\n";
    else
      o_ << "- [" << escapeMarkdown(caption) << "](" << encodePath(f.file) << ")\n";
  }
  void files(const Facts& f) override {
    for (const auto& [file, what] : f)
      o_ << "- [" << escapeMarkdown(file) << "](" << encodePath(file) << "): " << escapeMarkdown(what) << "\n";
    o_ << "\n";
  }
  std::string finish() override { return o_.str(); }

 private:
  std::ostringstream o_;
};

const char* kCss =
    R"(body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:14px;line-height:1.45;color:#111;margin:24px auto;max-width:1100px;padding:0 16px}
body.zh{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC","DejaVu Sans",sans-serif}
h1{font-size:24px;margin:0 0 12px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0 12px;font-size:12.5px}th,td{border:1px solid #ccc;padding:3px 7px;vertical-align:top}
th{background:#f0f0f0;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.mono{font-family:"DejaVu Sans Mono",monospace;font-size:11.5px;overflow-wrap:anywhere}tr.marked td{background:#fff1e6}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:8px 0}dl.facts dt{font-weight:bold}dl.facts dd{margin:0}
p.highlight{font-weight:bold;background:#eef4ff;border-left:4px solid #3465a4;padding:6px 10px}
.figures{display:grid;grid-template-columns:repeat(2,1fr);gap:16px}figure{margin:0;border:1px solid #ddd;padding:8px;background:#fff}
figure img{width:100%;height:auto;display:block}figcaption{font-size:12.5px;margin-top:4px;color:#333}
ul.files li{margin:2px 0}.footer{color:#666;font-size:12px;margin-top:24px})";

class Html : public PageWriter {
 public:
  explicit Html(Language l) : language_(l) {}
  void title(const std::string& t) override {
    title_ = t;
    body_ << "<h1>" << escapeHtml(t) << "</h1>\n";
  }
  void heading(const std::string& t) override {
    closeFigures();
    body_ << "<h2>" << escapeHtml(t) << "</h2>\n";
  }
  void paragraph(const std::string& t) override {
    closeFigures();
    body_ << "<p>" << escapeHtml(t) << "</p>\n";
  }
  void highlight(const std::string& t) override {
    closeFigures();
    body_ << "<p class=\"highlight\">" << escapeHtml(t) << "</p>\n";
  }
  void facts(const Facts& f) override {
    closeFigures();
    body_ << "<dl class=\"facts\">\n";
    for (const auto& [label, value] : f)
      body_ << "<dt>" << escapeHtml(label) << "</dt><dd>" << escapeHtml(value) << "</dd>\n";
    body_ << "</dl>\n";
  }
  void table(const Table& t) override {
    closeFigures();
    body_ << "<table>\n<thead><tr>";
    for (const auto& c : t.columns) body_ << "<th>" << escapeHtml(c) << "</th>";
    body_ << "</tr></thead>\n<tbody>\n";
    for (size_t r = 0; r < t.rows.size(); ++r) {
      body_ << (r < t.marked.size() && t.marked[r] ? "<tr class=\"marked\">" : "<tr>");
      for (size_t c = 0; c < t.rows[r].size(); ++c) {
        const bool num = c < t.numeric.size() && t.numeric[c];
        const bool mono = t.monospaceLast && c + 1 == t.rows[r].size();
        body_ << (num    ? "<td class=\"num\">"
                  : mono ? "<td class=\"mono\">"
                         : "<td>")
              << escapeHtml(t.rows[r][c]) << "</td>";
      }
      body_ << "</tr>\n";
    }
    body_ << "</tbody>\n</table>\n";
  }
  void figure(const Figure& f, const std::string& caption) override {
    const std::string href = escapeHtml(encodePath(f.file));
    if (!isImage(f.file)) {
      closeFigures();
      body_ << "<p><a href=\"" << href << "\">" << escapeHtml(caption) << "</a></p>\n";
      return;
    }
    if (!inFigures_) body_ << "<div class=\"figures\">\n";
    inFigures_ = true;
    body_ << "<figure><a href=\"" << href << "\"><img src=\"" << href << "\" alt=\"" << escapeHtml(f.title)
          << "\"></a><figcaption>" << escapeHtml(caption) << "</figcaption></figure>\n";
  }
  void files(const Facts& f) override {
    closeFigures();
    body_ << "<ul class=\"files\">\n";
    for (const auto& [file, what] : f)
      body_ << "<li><a href=\"" << escapeHtml(encodePath(file)) << "\">" << escapeHtml(file)
            << "</a>: " << escapeHtml(what) << "</li>\n";
    body_ << "</ul>\n";
  }
  std::string finish() override {
    closeFigures();
    const bool zh = language_ == Language::Zh;
    std::ostringstream o;
    o << "<!DOCTYPE html>\n<html lang=\"" << (zh ? "zh-CN" : "en") << "\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" << escapeHtml(title_)
      << "</title>\n<style>\n"
      << kCss << "\n</style>\n</head>\n<body" << (zh ? " class=\"zh\"" : "") << ">\n"
      << body_.str() << "</body>\n</html>\n";
    return o.str();
  }

 private:
  void closeFigures() {
    if (inFigures_) body_ << "</div>\n";
    inFigures_ = false;
  }
  Language language_;
  std::string title_;
  std::ostringstream body_;
  bool inFigures_ = false;
};
}  // namespace

std::unique_ptr<PageWriter> markdownWriter() { return std::make_unique<Markdown>(); }
std::unique_ptr<PageWriter> htmlWriter(Language language) { return std::make_unique<Html>(language); }

}  // namespace srdd::report
