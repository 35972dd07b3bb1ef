// `srdd report --format md|html --out DIR`: the proposal report of a real scan (a planted fault, so one layer is
// flagged) and a real tiny AQN comparison. The page must hold the scan's own numbers, the flags and their rules,
// the AQN table and its significance line; every file it links must exist; the CSV must hold the JSON's numbers to
// the bit; Chinese pages and figures must be Chinese, in a CJK font; the HTML must render in headless Chromium;
// bad inputs must fail with one line naming the file.
#include "report_fixture.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <QColor>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdio>
#include <fstream>

using nlohmann::json;

namespace {
json readJson(const QString& path) {
  std::ifstream in(path.toStdString());
  return json::parse(in);
}
QString readText(const QString& path) { return QString::fromUtf8(srdd_test::fileBytes(path)); }
QString fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return QString::fromLatin1(buf);
}
QString escaped(QString s) { return s.toHtmlEscaped().replace('\'', QStringLiteral("&#39;")); }

// The relative links of a page: src/href attributes (HTML) or (target) of [text](target) (Markdown).
QStringList links(const QString& page, bool html) {
  const QRegularExpression re(html ? QStringLiteral("(?:src|href)=\"([^\"#:]+)\"")
                                   : QStringLiteral("\\]\\(([^)#:]+)\\)"));
  QStringList out;
  for (auto it = re.globalMatch(page); it.hasNext();) out << it.next().captured(1);
  out.removeDuplicates();
  return out;
}
}  // namespace

class TestReportCli : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_tmp.isValid());
    const QString error = report_test::makeInputs(m_tmp.path(), &m_in);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_scan = readJson(m_in.scan);
    m_aqn = readJson(m_in.aqn + "/comparison.json");
    for (const auto& [name, args] : std::vector<std::pair<QString, QStringList>>{
             {"en-html", {"--format", "html"}},
             {"en-md", {"--format", "md", "--figures", "png"}},
             {"zh-html", {"--format", "html", "--lang", "zh"}},
             {"zh-pdf", {"--format", "md", "--lang", "zh", "--figures", "pdf"}}}) {
      const auto run =
          srdd_test::runCli(QStringList{"report", m_in.scan, "--aqn", m_in.aqn, "--out", dir(name)} + args);
      QVERIFY2(run.code == 0, qPrintable(name + ": " + run.err));
      QVERIFY2(run.err.isEmpty(), qPrintable(run.err));
    }
  }

  // Every layer's row holds the scan's own numbers, rounded as `srdd report` prints them.
  void pagesHoldThePerLayerValues() {
    const QString html = readText(dir("en-html") + "/report.html"), md = readText(dir("en-md") + "/report.md");
    QCOMPARE(m_scan.at("layers").size(), size_t(6));
    for (const auto& l : m_scan.at("layers")) {
      const QStringList cells = {QString::number(l.at("layer").get<int>()),
                                 fmt("%.3g", l["bf16"]["gain"]["mean"].get<double>()),
                                 fmt("%.3g", l["quantized"]["gain"]["mean"].get<double>()),
                                 fmt("%.3f", l["ratio"]["gain"].get<double>()),
                                 fmt("%.3g", l["bf16"]["kurtosis"]["mean"].get<double>()),
                                 fmt("%.3g", l["quantized"]["kurtosis"]["mean"].get<double>()),
                                 fmt("%.3f", l["ratio"]["kurtosis"].get<double>())};
      const QString htmlRow = "<td class=\"num\">" + cells.join("</td><td class=\"num\">") + "</td>";
      QVERIFY2(html.contains(htmlRow), qPrintable(htmlRow));
      const QString mdRow = "| " + cells.join(" | ") + " |";
      QVERIFY2(md.contains(mdRow), qPrintable(mdRow));
      QVERIFY(html.contains(fmt("%.1f", l["weights"]["sqnr_db"].get<double>())));
    }
  }

  // The planted layer is flagged, with its rules, and the page says so; the flags CSV holds every flag.
  void pagesHoldTheFlaggedLayersAndWhy() {
    const QString html = readText(dir("en-html") + "/report.html");
    int flags = 0;
    for (const auto& l : m_scan.at("layers"))
      for (const auto& f : l.at("flags")) {
        ++flags;
        const QString rule = QString::fromStdString(f.at("rule").get<std::string>());
        const QString row = QStringLiteral("<tr class=\"marked\"><td class=\"num\">%1</td><td>%2")
                                .arg(l.at("layer").get<int>())
                                .arg(rule);
        QVERIFY2(html.contains(row), qPrintable(row));
        QVERIFY(html.contains(fmt("%.4g", f.at("value").get<double>())));
      }
    QVERIFY2(flags >= 1, "the planted fault should be flagged");
    QCOMPARE(m_scan.at("verdict").at("problematic_layers"), json::array({report_test::kPlantedLayer}));
    QVERIFY(html.contains("outlier across the quantized layers"));
    QVERIFY(html.contains("<dt>Problematic layers</dt><dd>3</dd>"));
    const QStringList csv = readText(dir("en-html") + "/flags.csv").split('\n', Qt::SkipEmptyParts);
    QCOMPARE(csv.first(), QStringLiteral("layer,rule,metric,value,threshold,where,kind"));
    QCOMPARE(csv.size() - 1, flags);
    for (const QString& line : csv.mid(1)) QVERIFY2(line.startsWith("3,outlier_"), qPrintable(line));
  }

  // The AQN table: each configuration's mean ± sd and CI, each test's p, and the engine's significance line.
  void pagesHoldTheAqnComparison() {
    const QString html = readText(dir("en-html") + "/report.html"), md = readText(dir("en-md") + "/report.md");
    QCOMPARE(m_aqn.at("configs").size(), size_t(3));
    for (const auto& c : m_aqn.at("configs")) {
      const auto& q = c.at("eval_loss_quantized");
      const QString cell = fmt("%.4f", q.at("mean").get<double>()) + " ± " + fmt("%.4f", q.at("sd").get<double>());
      QVERIFY2(html.contains("<td class=\"num\">" + cell + "</td>"), qPrintable(cell));
      QVERIFY(md.contains(cell));
      QVERIFY(html.contains("[" + fmt("%.4f", q.at("ci_low").get<double>()) + ", " +
                            fmt("%.4f", q.at("ci_high").get<double>()) + "]"));
    }
    for (const auto& t : m_aqn.at("tests")) QVERIFY(html.contains(fmt("%.4g", t.at("paired").at("p").get<double>())));
    const QString line = QString::fromStdString(m_aqn.at("primary").at("line").get<std::string>());
    QVERIFY(line.startsWith("SRDD-guided AQN lower loss than Global AQN, p < 0.05?"));
    QVERIFY2(html.contains("<p class=\"highlight\">" + escaped(line) + "</p>"), qPrintable(line));
    // aqn.csv: one row per run and metric, the runs' own losses to the bit.
    const QString csv = readText(dir("en-html") + "/aqn.csv");
    const json result = readJson(m_in.aqn + "/runs/targeted-seed1/result.json");
    const double loss = result.at("eval_loss_quantized").get<double>();
    const QStringList rows = csv.split('\n').filter(QRegularExpression("^targeted,1,[0-9]+,3,eval_loss_quantized,"));
    QCOMPARE(rows.size(), 1);
    const QString row = rows.first();
    QCOMPARE(row.section(',', -1).toDouble(), loss);
  }

  // layers.csv: one number per row; every BF16 / quantized mean and every ratio equals the JSON's to the bit.
  void layersCsvHoldsEveryNumberToTheBit() {
    QHash<QString, double> value;
    const QStringList lines = readText(dir("en-html") + "/layers.csv").split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.first(), QStringLiteral("layer,module,variant,metric,statistic,value"));
    for (const QString& line : lines.mid(1)) {
      const QStringList f = line.split(',');
      QCOMPARE(f.size(), 6);
      value.insert(f.mid(0, 5).join(','), f[5].toDouble());
    }
    int checked = 0;
    for (const auto& l : m_scan.at("layers")) {
      const QString layer = QString::number(l.at("layer").get<int>());
      for (const char* variant : {"bf16", "quantized"})
        for (const auto& [metric, s] : l.at(variant).items()) {
          if (!s.at("mean").is_number()) continue;
          const QString key = layer + ",," + variant + "," + QString::fromStdString(metric) + ",mean";
          QVERIFY2(value.contains(key), qPrintable(key));
          QCOMPARE(value.value(key), s.at("mean").get<double>());
          QCOMPARE(value.value(layer + ",," + variant + "," + QString::fromStdString(metric) + ",ci95_high"),
                   s.at("ci95").at(1).get<double>());
          ++checked;
        }
      for (const auto& [metric, v] : l.at("ratio").items()) {
        QCOMPARE(value.value(layer + ",,ratio," + QString::fromStdString(metric) + ",value"), v.get<double>());
        ++checked;
      }
    }
    QVERIFY(checked > 50);
  }

  // Every file a page links exists and is not empty; SVG/PNG figures are shown, PDF ones linked.
  void everyLinkedFileExists() {
    for (const auto& [name, page, html] :
         std::vector<std::tuple<QString, QString, bool>>{{"en-html", "report.html", true},
                                                         {"en-md", "report.md", false},
                                                         {"zh-html", "report.html", true},
                                                         {"zh-pdf", "report.md", false}}) {
      const QStringList targets = links(readText(dir(name) + "/" + page), html);
      QVERIFY2(targets.filter("figures/").size() >= 6, qPrintable(name + ": " + targets.join(' ')));
      for (const QString& t : targets) {
        const QFileInfo f(dir(name) + "/" + t);
        QVERIFY2(f.isFile() && f.size() > 0, qPrintable(name + ": " + t));
      }
      for (const char* csv : {"layers.csv", "flags.csv", "aqn.csv"})
        QVERIFY2(targets.contains(csv), qPrintable(name + " " + csv));
      // Nothing half-written: no temporary file of the atomic writer is left.
      for (const QString& entry : srdd_test::entryNames(dir(name)) + srdd_test::entryNames(dir(name) + "/figures"))
        QVERIFY2(!entry.contains(".tmp."), qPrintable(entry));
    }
    QVERIFY(readText(dir("en-html") + "/report.html").contains("<img src=\"figures/compare-gain-ratio.svg\""));
    QVERIFY(readText(dir("en-md") + "/report.md").contains("](figures/compare-gain-ratio.png)"));
    QVERIFY(readText(dir("zh-pdf") + "/report.md").contains("](figures/compare-gain-ratio.pdf)"));
    // The AQN comparison's own figures, in its section.
    const QString html = readText(dir("en-html") + "/report.html");
    QVERIFY(html.indexOf("<img src=\"figures/aqn-final-loss.svg\"") > html.indexOf("<h2>AQN comparison</h2>"));
    QVERIFY(html.indexOf("<img src=\"figures/aqn-final-loss.svg\"") < html.indexOf("<h2>Figures</h2>"));
    QVERIFY(html.contains("Figure 1. Final loss per configuration"));
    QVERIFY(readText(dir("zh-html") + "/report.html").contains("图 1. 各配置的最终损失"));
  }

  // --lang zh: the page text, table headings and figure captions are Chinese; the figures use the CJK font.
  void chineseReportAndFigures() {
    const QString html = readText(dir("zh-html") + "/report.html");
    for (const QString& text : {QStringLiteral("<html lang=\"zh-CN\">"), QStringLiteral("<h2>逐层指标</h2>"),
                                QStringLiteral("<h2>被标记的层</h2>"), QStringLiteral("<h2>AQN 对比</h2>"),
                                QStringLiteral("<th>增益 BF16</th>"), QStringLiteral("<h2>来源信息</h2>"),
                                QStringLiteral("SRDD 引导 AQN 的损失是否低于全局 AQN"),
                                QStringLiteral("<figcaption>图 3. 增益：BF16 与 MXFP4 对比，比值</figcaption>")})
      QVERIFY2(html.contains(text), qPrintable(text));
    QVERIFY(!html.contains("<h2>Per-layer metrics</h2>"));
    // The engine's recommendation sentence, translated with its numbers.
    QVERIFY2(html.contains("<dd>针对性缓解 — 6 个量化层中有 1 个突出"),
             qPrintable(html.section("<dt>建议</dt>", 1).left(300)));
    // The figure itself: title in Chinese, drawn in WenQuanYi Micro Hei (SVG text and the PDF's embedded font).
    const QString svg = readText(dir("zh-html") + "/figures/compare-gain-ratio.svg");
    QVERIFY(svg.contains("增益：BF16 与 MXFP4 对比，比值"));
    QVERIFY(svg.contains("font-family=\"WenQuanYi Micro Hei\""));
    QVERIFY(readText(dir("zh-html") + "/figures/compare-gain-ratio.json").contains("增益"));
    QProcess fonts;
    fonts.start("pdffonts", {dir("zh-pdf") + "/figures/compare-gain-ratio.pdf"});
    QVERIFY2(fonts.waitForFinished(60000) && fonts.exitCode() == 0, "pdffonts (poppler-utils) must run");
    const QString list = QString::fromUtf8(fonts.readAllStandardOutput());
    QVERIFY2(list.contains("WenQuanYiMicroHei") || list.contains("WenQuanYi Micro Hei"), qPrintable(list));
    // The English report's figures do not use it.
    QVERIFY(!readText(dir("en-html") + "/figures/compare-gain-ratio.svg").contains("WenQuanYi"));
  }

  // Headless Chromium renders both pages: a non-blank picture with text and the figures' colours (bars, heatmaps).
  void htmlRendersInHeadlessChromium() {
    const QString chromium = QStandardPaths::findExecutable("chromium");
    QVERIFY2(!chromium.isEmpty(), "chromium is not installed (packaging/install-deps.sh installs it)");
    for (const QString& name : {QStringLiteral("en-html"), QStringLiteral("zh-html")}) {
      const QString shot = m_tmp.filePath(name + ".png");
      QProcess p;
      p.setProcessChannelMode(QProcess::MergedChannels);
      p.start(chromium, {"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                         "--user-data-dir=" + m_tmp.filePath("chromium-profile"), "--screenshot=" + shot,
                         "--window-size=1200,4000", QUrl::fromLocalFile(dir(name) + "/report.html").toString()});
      QVERIFY2(p.waitForFinished(180000), "chromium did not finish within 3 minutes");
      QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAll())));
      const QImage image(shot);
      QCOMPARE(image.size(), QSize(1200, 4000));  // tall enough to show the first figures
      int ink = 0, coloured = 0;
      for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2) {
          const QColor c = image.pixelColor(x, y);
          if (c.lightness() < 128) ++ink;
          if (c.hsvSaturation() > 120 && c.value() > 60) ++coloured;
        }
      QVERIFY2(ink > 2000, qPrintable(QString("%1: %2 dark pixels").arg(name).arg(ink)));
      QVERIFY2(coloured > 200, qPrintable(QString("%1: %2 coloured pixels (figures shown?)").arg(name).arg(coloured)));
    }
  }

  // Text is escaped: a prompt source with markup shows as text, never as markup.
  void textIsEscaped() {
    json scan = m_scan;
    scan["prompts"]["source"] = "<script>alert('x')</script> & \"q\"";
    const QString path = m_tmp.filePath("markup.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromStdString(scan.dump()));
    f.close();
    const auto run =
        srdd_test::runCli({"report", path, "--format", "html", "--out", dir("markup"), "--figures", "none"});
    QVERIFY2(run.code == 0, qPrintable(run.err));
    const QString html = readText(dir("markup") + "/report.html");
    QVERIFY(!html.contains("<script>"));
    QVERIFY(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"));
    QVERIFY(html.contains("No figures (srdd report --figures none)."));
    // Markdown: markup characters are backslash-escaped, so the text reads as text (and a | never splits a cell).
    const auto md = srdd_test::runCli({"report", path, "--format", "md", "--out", dir("markup"), "--figures", "none"});
    QVERIFY2(md.code == 0, qPrintable(md.err));
    QVERIFY(readText(dir("markup") + "/report.md").contains("\\<script\\>alert('x')\\</script\\> & \"q\""));
  }

  // Bad inputs: exit 1 and one line naming the file; a wrong command line: exit 2.
  void badInputsFailWithOneLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("names");
    const QString out = m_tmp.filePath("bad-out");
    QTest::newRow("missing results") << QStringList{"report", m_tmp.filePath("none.json"), "--format", "html", "--out",
                                                    out}
                                     << 1 << m_tmp.filePath("none.json");
    QTest::newRow("wrong schema") << QStringList{"report", m_in.aqn + "/comparison.json", "--format", "md", "--out",
                                                 out}
                                  << 1 << m_in.aqn + "/comparison.json";
    QTest::newRow("missing AQN") << QStringList{"report", m_in.scan, "--format", "md",
                                                "--out",  out,       "--aqn",    m_tmp.filePath("no-run")}
                                 << 1 << m_tmp.filePath("no-run");
    QTest::newRow("AQN is a scan") << QStringList{"report", m_in.scan, "--format", "md",
                                                  "--out",  out,       "--aqn",    m_in.scan}
                                   << 1 << m_in.scan;
    QTest::newRow("folder is a file") << QStringList{"report", m_in.scan, "--format",  "md",
                                                     "--out",  m_in.scan, "--figures", "none"}
                                      << 1 << m_in.scan;
    QTest::newRow("unwritable folder") << QStringList{"report", m_in.scan,           "--format",  "md",
                                                      "--out",  "/proc/srdd-report", "--figures", "none"}
                                       << 1 << QStringLiteral("/proc/srdd-report");
    QTest::newRow("format without out") << QStringList{"report", m_in.scan, "--format", "html"} << 2
                                        << QStringLiteral("--out");
    QTest::newRow("lang without format") << QStringList{"report", m_in.scan, "--lang", "zh"} << 2
                                         << QStringLiteral("--lang");
    QTest::newRow("unknown language") << QStringList{"report", m_in.scan, "--format", "md",
                                                     "--out",  out,       "--lang",   "fr"}
                                      << 2 << QStringLiteral("--lang");
  }
  void badInputsFailWithOneLine() {
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, names);
    const auto run = srdd_test::runCli(args);
    QCOMPARE(run.code, code);
    const QStringList lines = run.err.split('\n', Qt::SkipEmptyParts);
    if (code == 1) {
      QCOMPARE(lines.size(), 1);
      QVERIFY2(lines.first().startsWith("srdd report: error: "), qPrintable(run.err));
    }
    QVERIFY2(run.err.contains(names), qPrintable(run.err));
    QVERIFY(!QFileInfo::exists(m_tmp.filePath("bad-out/report.md")) &&
            !QFileInfo::exists(m_tmp.filePath("bad-out/report.html")));
  }

  // Without srdd-studio the report asks for --figures none, before writing anything; with it, it needs none.
  void missingStudioSuggestsFiguresNone() {
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("SRDD_STUDIO", m_tmp.filePath("no-studio"));
    p.setProcessEnvironment(env);
    p.start(srdd_test::cliPath(), {"report", m_in.scan, "--format", "html", "--out", dir("no-studio")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains("--figures none") && err.contains(m_tmp.filePath("no-studio")), qPrintable(err));
    QVERIFY(!QFileInfo::exists(dir("no-studio")));
    p.start(srdd_test::cliPath(),
            {"report", m_in.scan, "--format", "html", "--out", dir("no-studio"), "--figures", "none"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(QFileInfo(dir("no-studio") + "/report.html").size() > 0);
  }

 private:
  QString dir(const QString& name) const { return m_tmp.filePath("report-" + name); }

  QTemporaryDir m_tmp;
  report_test::Inputs m_in;
  json m_scan, m_aqn;
};

QTEST_GUILESS_MAIN(TestReportCli)
#include "test_report_cli.moc"
