#pragma once
// The figures of the proposal report: `srdd-studio --export` (the one figure renderer, Qt) run as a child process
// into a folder, with the report's language. The CLI itself stays Qt-free.
#include <string>
#include <vector>

#include "srdd/report.h"

namespace srdd_cli {

// $SRDD_STUDIO when set, else srdd-studio next to this program. srdd::Error when it is not an executable file:
// the message suggests --figures none.
std::string studioProgram();

// Runs `srdd-studio --export RESULTS --out DIR --format FORMAT --width-pt WIDTH --lang LANG [--aqn AQN]` (AQN:
// a run directory or comparison.json, or empty), and returns the figures
// it wrote, in its order, with the titles from their JSON sidecars; paths relative to RELATIVE_TO. srdd::Error with
// srdd-studio's own error line when it fails.
std::vector<srdd::report::Figure> exportFigures(const std::string& results, const std::string& aqn,
                                                const std::string& dir, const std::string& format, double widthPt,
                                                srdd::report::Language language, const std::string& relativeTo);

}  // namespace srdd_cli
