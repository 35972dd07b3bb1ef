// srdd-studio: the desktop application. `srdd-studio [MODEL_DIR] [--scan] [--screenshot FILE]`.
#include "main_window.h"
#include "scan/scan_setup_panel.h"
#include "studio_app.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>

// --help and --version must work without a display (e.g. over ssh), so they get a QCoreApplication.
static std::unique_ptr<QCoreApplication> createApplication(int& argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    for (const char* opt : {"-h", "--help", "--help-all", "-v", "--version"})
      if (std::strcmp(argv[i], opt) == 0) return std::make_unique<QCoreApplication>(argc, argv);
  }
  return std::make_unique<QApplication>(argc, argv);
}

// Saves a picture of WINDOW to FILE and quits; exit status 1 when the picture could not be written or
// the window shows an error.
static void shoot(srdd_gui::MainWindow* window, const QString& file) {
  // Let the layout settle after the views were filled.
  QTimer::singleShot(300, window, [window, file] {
    const bool saved = window->grab().save(file, "PNG");
    if (!saved) std::fprintf(stderr, "srdd-studio: %s: cannot write the screenshot\n", qPrintable(file));
    const QString error = window->errorMessage();
    if (!error.isEmpty()) std::fprintf(stderr, "srdd-studio: %s\n", qPrintable(error));
    QCoreApplication::exit(saved && error.isEmpty() ? 0 : 1);
  });
}

// Once the pending model load (if any) has finished: runs the scan (with SCAN), then calls DONE with
// whether everything succeeded so far.
static void afterLoad(srdd_gui::MainWindow* window, bool scan, const std::function<void()>& done) {
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

int main(int argc, char** argv) {
  std::unique_ptr<QCoreApplication> app = createApplication(argc, argv);
  srdd_gui::setApplicationIdentity();

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("SRDD Studio: per-layer MXFP4 diagnostics for LLM checkpoints."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("MODEL_DIR"),
                               QStringLiteral("Model directory to open (config.json + *.safetensors). Default: "
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
  parser.addOption(scan);
  parser.addOption(screenshot);
  parser.process(*app);  // exits for --help / --version

  const QStringList args = parser.positionalArguments();
  if (args.size() > 1) {
    std::fprintf(stderr, "srdd-studio: expected at most one MODEL_DIR, got %lld\n", static_cast<long long>(args.size()));
    return 2;
  }
  QApplication::setWindowIcon(srdd_gui::applicationIcon());
  srdd_gui::MainWindow window;
  const QString model = args.isEmpty() ? srdd_gui::defaultModelDirectory() : args.first();
  if (!model.isEmpty()) {
    window.setupPanel()->setModelDirectory(model);
    window.openModel(model);
  }
  window.show();
  if (parser.isSet(screenshot)) {
    const QString file = parser.value(screenshot);
    afterLoad(&window, parser.isSet(scan), [&window, file] { shoot(&window, file); });
  } else if (parser.isSet(scan)) {
    afterLoad(&window, true, [] {});
  }
  return app->exec();
}
