// srdd-studio: the desktop application.
//   srdd-studio [MODEL_DIR | SESSION.srdd-session | RESULTS.json] [--engine ENGINE] [--scan] [--screenshot FILE]
//   srdd-studio --export RESULTS.json --out DIR [--format pdf|svg|png] [--width-pt 252] [--font-pt 8] [--dpi 300]
//               [--lang en|zh] [--aqn RUNDIR]
#include "aqn/aqn_workspace.h"
#include "engine/engine_dialog.h"
#include "export/atomic_write.h"
#include "headless_export.h"
#include "main_window.h"
#include "results/layer_selection.h"
#include "results/results_panel.h"
#include "scan/scan_setup_panel.h"
#include "session/session.h"
#include "studio_app.h"
#include "targets/target_set.h"
#include "wheel_guard.h"

#include <srdd/error.h>
#include <srdd/runtime.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <set>

namespace {

bool hasArgument(int argc, char** argv, std::initializer_list<const char*> names) {
  for (int i = 1; i < argc; ++i)
    for (const char* name : names) {
      const size_t n = std::strlen(name);
      if (std::strncmp(argv[i], name, n) == 0 && (argv[i][n] == '\0' || argv[i][n] == '=')) return true;
    }
  return false;
}

// --help and --version must work without a display (e.g. over ssh), so they get a QCoreApplication. --export
// draws figures, which needs a QApplication, but no display: it gets the offscreen platform unless one was chosen.
std::unique_ptr<QCoreApplication> createApplication(int& argc, char** argv) {
  if (hasArgument(argc, argv, {"-h", "--help", "--help-all", "-v", "--version"}))
    return std::make_unique<QCoreApplication>(argc, argv);
  if (hasArgument(argc, argv, {"--export"}) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") &&
      !hasArgument(argc, argv, {"-platform", "--platform"}))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  return std::make_unique<QApplication>(argc, argv);
}

[[noreturn]] void usageError(const QString& message) {
  std::fprintf(stderr, "srdd-studio: %s\n", qPrintable(message));
  std::exit(2);
}

double numberOption(const QCommandLineParser& parser, const QCommandLineOption& option, double fallback) {
  if (!parser.isSet(option)) return fallback;
  bool ok = false;
  const double v = parser.value(option).toDouble(&ok);
  if (!ok) usageError(QStringLiteral("--%1: '%2' is not a number").arg(option.names().first(), parser.value(option)));
  return v;
}

// Saves a picture of WINDOW to FILE and quits; exit status 1 when the picture could not be written or
// the window shows an error.
void shoot(srdd_gui::MainWindow* window, const QString& file) {
  // Let the layout settle after the views were filled.
  QTimer::singleShot(300, window, [window, file] {
    bool saved = true;
    try {
      srdd_gui::writeFileAtomically(file, [&](QIODevice* out) {
        if (!window->grab().save(out, "PNG")) throw srdd::Error(file.toStdString() + ": cannot encode the screenshot");
      });
    } catch (const srdd::Error& e) {
      std::fprintf(stderr, "srdd-studio: %s\n", e.what());
      saved = false;
    }
    const QString error = window->errorMessage();
    if (!error.isEmpty()) std::fprintf(stderr, "srdd-studio: %s\n", qPrintable(error));
    QCoreApplication::exit(saved && error.isEmpty() ? 0 : 1);
  });
}

// Once the pending model load (if any) has finished: runs the scan (with SCAN), then calls DONE.
void afterLoad(srdd_gui::MainWindow* window, bool scan, const std::function<void()>& done) {
  auto loaded = [window, scan, done] {
    if (!scan || !window->errorMessage().isEmpty()) return done();
    QObject::connect(window, &srdd_gui::MainWindow::scanFinished, window, done);
    QObject::connect(window, &srdd_gui::MainWindow::scanFailed, window, done);
    if (window->runScan() == 0) done();
  };
  if (!window->isLoading()) return loaded();
  QObject::connect(window, &srdd_gui::MainWindow::modelLoaded, window, loaded);
  QObject::connect(window, &srdd_gui::MainWindow::loadFailed, window, loaded);
}

// For screenshots and demos: selects LAYERS ("2,4") in the views and adds them to the target set.
void demoSelect(srdd_gui::MainWindow* window, const QString& layers) {
  std::set<int> chosen;
  for (const QString& s : layers.split(',', Qt::SkipEmptyParts)) chosen.insert(s.trimmed().toInt());
  window->resultsPanel()->layerSelection()->setSelection(chosen);
  const std::set<int>& available = window->resultsPanel()->layerSelection()->selected();
  if (!available.empty()) window->targetSet()->add(QList<int>(available.begin(), available.end()));
}

// Shows PAGE: model, results, compare, metrics (layer x metric heatmap), modules, aqn or report.
void showPage(srdd_gui::MainWindow* window, const QString& page) {
  using W = srdd_gui::MainWindow;
  const QStringList resultTabs = {"compare", "metrics", "modules"};
  if (resultTabs.contains(page)) {
    window->showPage(W::ResultsPage);
    window->resultsPanel()->tabs()->setCurrentIndex(resultTabs.indexOf(page));
  } else {
    const QStringList pages = {"model", "results", "aqn", "report"};
    if (pages.contains(page)) window->showPage(static_cast<W::Page>(pages.indexOf(page)));
  }
}

}  // namespace

int main(int argc, char** argv) {
  srdd::preferPassiveOpenMpWaiting(argv);
  std::unique_ptr<QCoreApplication> app = createApplication(argc, argv);
  srdd_gui::setApplicationIdentity();

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "SRDD Studio: per-layer MXFP4 diagnostics for LLM checkpoints.\n\n"
      "Headless figure export (no display needed):\n"
      "  srdd-studio --export results.json --out DIR [--format pdf|svg|png] [--width-pt 252] [--font-pt 8] "
      "[--dpi 300] [--lang en|zh] [--aqn RUNDIR]"));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("MODEL_DIR"),
                               QStringLiteral("Model directory to open (config.json + *.safetensors), or a session "
                                              "(*.srdd-session) or scan results (*.json) file. Default: "
                                              "$SRDD_DEMO_MODEL or the bundled demo model."),
                               QStringLiteral("[MODEL_DIR]"));
  const QCommandLineOption scan(QStringLiteral("scan"),
                                QStringLiteral("Once the model has loaded, run a scan with the Scan Setup panel's "
                                               "settings (those last used, else the defaults)."));
  const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                      QStringLiteral("Render the window once the model has loaded (and, with --scan, "
                                                     "the scan has finished), save it as a PNG to FILE and quit "
                                                     "(exit status 1 if loading or scanning failed)."),
                                      QStringLiteral("FILE"));
  const QCommandLineOption exportScan(QStringLiteral("export"),
                                      QStringLiteral("Render every figure of the scan results FILE (srdd scan --out), "
                                                     "with its CSV and JSON data, into --out DIR and quit. Needs no "
                                                     "display."),
                                      QStringLiteral("FILE"));
  const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Folder for --export."), QStringLiteral("DIR"));
  const QCommandLineOption format(QStringLiteral("format"),
                                  QStringLiteral("Figure format for --export: pdf (default), svg or png."),
                                  QStringLiteral("FORMAT"), QStringLiteral("pdf"));
  const QCommandLineOption widthPt(
      QStringLiteral("width-pt"),
      QStringLiteral("Figure width in points for --export (252 single column, 516 double)."), QStringLiteral("PT"),
      QStringLiteral("252"));
  const QCommandLineOption heightPt(QStringLiteral("height-pt"),
                                    QStringLiteral("Figure height in points for --export (default: 3/4 of the width)."),
                                    QStringLiteral("PT"));
  const QCommandLineOption fontPt(QStringLiteral("font-pt"), QStringLiteral("Font size in points for --export."),
                                  QStringLiteral("PT"), QStringLiteral("8"));
  const QCommandLineOption dpi(QStringLiteral("dpi"), QStringLiteral("PNG resolution for --export."),
                               QStringLiteral("DPI"), QStringLiteral("300"));
  const QCommandLineOption aqnFigures(QStringLiteral("aqn"),
                                      QStringLiteral("With --export: also the figures of this AQN run directory "
                                                     "(srdd aqn --out) or comparison.json."),
                                      QStringLiteral("RUNDIR"));
  const QCommandLineOption lang(
      QStringLiteral("lang"),
      QStringLiteral("Language of the figures' titles, labels and captions for --export: en "
                     "(default) or zh (Simplified Chinese, in the WenQuanYi Micro Hei font)."),
      QStringLiteral("LANG"), QStringLiteral("en"));
  // For screenshots and demos, not listed in --help.
  QCommandLineOption select(QStringLiteral("demo-select"),
                            QStringLiteral("After loading/scanning, select LAYERS and add them to the target set."),
                            QStringLiteral("LAYERS"));
  QCommandLineOption page(QStringLiteral("show"),
                          QStringLiteral("Show PAGE: model, results, metrics, modules, aqn or report."),
                          QStringLiteral("PAGE"));
  QCommandLineOption aqnRun(QStringLiteral("aqn-run"), QStringLiteral("Show the AQN run directory DIR."),
                            QStringLiteral("DIR"));
  const QCommandLineOption engine(
      QStringLiteral("engine"),
      QStringLiteral("The engine: a saved connection's name (Engine \u2192 Connections\u2026), "
                     "\"in-process\", or a command line such as \"ssh gpu1 srdd serve --stdio\". "
                     "Default: the connection used last."),
      QStringLiteral("ENGINE"));
  QCommandLineOption engineDialog(QStringLiteral("engine-dialog"),
                                  QStringLiteral("Open the Engine dialog and test the selected connection."));
  QCommandLineOption windowSize(QStringLiteral("window-size"), QStringLiteral("Window size WxH in pixels."),
                                QStringLiteral("WxH"));
  for (QCommandLineOption* hidden : {&select, &page, &aqnRun, &windowSize, &engineDialog})
    hidden->setFlags(QCommandLineOption::HiddenFromHelp);
  parser.addOptions({scan, screenshot, exportScan, out, format, widthPt, heightPt, fontPt, dpi, lang, aqnFigures,
                     engine, select, page, aqnRun, windowSize, engineDialog});
  parser.process(*app);  // exits for --help / --version

  if (parser.isSet(exportScan)) {
    if (!parser.isSet(out)) usageError(QStringLiteral("--export needs --out DIR"));
    srdd_gui::HeadlessExport job;
    job.resultsPath = parser.value(exportScan);
    job.outDir = parser.value(out);
    const auto chosen = srdd_gui::ExportOptions::formatFromName(parser.value(format));
    if (!chosen) usageError(QStringLiteral("--format: '%1' is not pdf, svg or png").arg(parser.value(format)));
    job.options.format = *chosen;
    job.options.widthPt = numberOption(parser, widthPt, job.options.widthPt);
    job.options.heightPt = numberOption(parser, heightPt, 0);
    job.options.fontPt = numberOption(parser, fontPt, job.options.fontPt);
    job.options.dpi = static_cast<int>(numberOption(parser, dpi, job.options.dpi));
    job.aqnPath = parser.value(aqnFigures);
    try {
      job.language = srdd::report::parseLanguage(parser.value(lang).toStdString());
    } catch (const srdd::Error& e) {
      usageError(QStringLiteral("--lang: %1").arg(QString::fromStdString(e.what())));
    }
    return srdd_gui::runHeadlessExport(job);
  }

  const QStringList args = parser.positionalArguments();
  if (args.size() > 1) usageError(QStringLiteral("expected at most one MODEL_DIR, got %1").arg(args.size()));
  QApplication::setWindowIcon(srdd_gui::applicationIcon());
  srdd_gui::WheelGuard::install(app.get());
  srdd_gui::MainWindow window;
  if (parser.isSet(engine))
    window.connectEngine(parser.value(engine));
  else
    window.restoreEngine();
  const QString target = args.isEmpty() ? srdd_gui::defaultModelDirectory() : args.first();
  const QFileInfo info(target);
  if (info.isFile() && info.suffix() == QLatin1String(srdd_gui::Session::kFileSuffix)) {
    window.openSession(target);
  } else if (info.isFile()) {
    window.openScanResults(target);
  } else if (!target.isEmpty()) {
    window.setupPanel()->setModelDirectory(target);
    window.openModel(target);
  }
  if (parser.isSet(aqnRun)) window.aqnWorkspace()->openRunDirectory(parser.value(aqnRun));
  if (parser.isSet(windowSize)) {
    const QStringList wh = parser.value(windowSize).split('x');
    if (wh.size() != 2 || wh[0].toInt() <= 0 || wh[1].toInt() <= 0)
      usageError(QStringLiteral("--window-size: '%1' is not WxH").arg(parser.value(windowSize)));
    window.resize(wh[0].toInt(), wh[1].toInt());
  }
  window.show();
  if (parser.isSet(engineDialog)) window.showEngineDialog()->testConnection();

  const QString layers = parser.value(select), shownPage = parser.value(page);
  const QString shotFile = parser.value(screenshot);
  const bool shot = parser.isSet(screenshot);
  if (shot || parser.isSet(scan) || !layers.isEmpty() || !shownPage.isEmpty()) {
    afterLoad(&window, parser.isSet(scan), [&window, layers, shownPage, shot, shotFile] {
      if (!layers.isEmpty()) demoSelect(&window, layers);
      if (!shownPage.isEmpty()) showPage(&window, shownPage);
      if (shot) shoot(&window, shotFile);
    });
  }
  return app->exec();
}
