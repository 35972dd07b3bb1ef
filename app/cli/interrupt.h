#pragma once
// Ctrl-C. By default (exitOnInterrupt, installed by main) SIGINT ends the process at once with exit code
// 130. Commands whose work stops cleanly (scan, aqn, jobs on an engine) call cancelOnInterrupt() instead:
// SIGINT and SIGTERM then cancel the returned token, the work throws srdd::Cancelled between steps without
// writing its results, and main exits with 130. A second SIGINT exits at once.
#include "srdd/progress.h"

namespace srdd_cli {
void exitOnInterrupt();
const srdd::CancelToken* cancelOnInterrupt();
}  // namespace srdd_cli
