#include "interrupt.h"

#include <unistd.h>

#include <csignal>

#include "exit_codes.h"

namespace srdd_cli {

namespace {

srdd::CancelToken gInterrupted;

void exitNow() {
  static const char kMessage[] = "srdd: interrupted\n";
  (void)!::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);  // async-signal-safe, unlike iostreams
  ::_exit(kExitInterrupted);
}

extern "C" void onInterruptExit(int) { exitNow(); }
extern "C" void onInterruptCancel(int) {
  if (gInterrupted.cancelled()) exitNow();
  gInterrupted.cancel();
}

}  // namespace

void exitOnInterrupt() { std::signal(SIGINT, onInterruptExit); }

const srdd::CancelToken* cancelOnInterrupt() {
  std::signal(SIGINT, onInterruptCancel);
  std::signal(SIGTERM, onInterruptCancel);
  return &gInterrupted;
}

}  // namespace srdd_cli
