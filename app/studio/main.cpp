// srdd-studio: the desktop application. `srdd-studio [MODEL_DIR] [--screenshot FILE]`.
#include "main_window.h"
#include "studio_app.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>
#include <cstring>
#include <memory>

// --help and --version must work without a display (e.g. over ssh), so they get a QCoreApplication.
static std::unique_ptr<QCoreApplication> createApplication(int& argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    for (const char* opt : {"-h", "--help", "--help-all", "-v", "--version"})
      if (std::strcmp(argv[i], opt) == 0) return std::make_unique<QCoreApplication>(argc, argv);
  }
  return std::make_unique<QApplication>(argc, argv);
}

// Saves a picture of WINDOW to FILE once the pending load (if any) has finished, then quits.
static void screenshotWhenReady(srdd_gui::MainWindow* window, const QString& file) {
  auto shoot = [window, file] {
    // Let the layout settle after the model view was filled.
    QTimer::singleShot(300, window, [window, file] {
      const bool saved = window->grab().save(file, "PNG");
      if (!saved) std::fprintf(stderr, "srdd-studio: %s: cannot write the screenshot\n", qPrintable(file));
      const bool failed = !window->errorMessage().isEmpty();
      QCoreApplication::exit(saved && !failed ? 0 : 1);
    });
  };
  if (!window->isLoading()) return shoot();
  QObject::connect(window, &srdd_gui::MainWindow::modelLoaded, window, shoot);
  QObject::connect(window, &srdd_gui::MainWindow::loadFailed, window, shoot);
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
  const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                      QStringLiteral("Render the window once the model has loaded, save it as a PNG "
                                                     "to FILE and quit (exit status 1 if loading failed)."),
                                      QStringLiteral("FILE"));
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
  if (!model.isEmpty()) window.openModel(model);
  window.show();
  if (parser.isSet(screenshot)) screenshotWhenReady(&window, parser.value(screenshot));
  return app->exec();
}
