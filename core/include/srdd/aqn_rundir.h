#pragma once
// The AQN run directory (internal to the engine and its tests): layout, config check, finished runs.
//   RUNDIR/config.json                            settings, model and data files, schedule ("srdd-aqn-config/1")
//   RUNDIR/runs/<config>-seed<k>/metrics.jsonl    one JSON object per training step
//   RUNDIR/runs/<config>-seed<k>/result.json      written last: its presence marks a finished run
//   RUNDIR/comparison.json                        statistics over all runs ("srdd-aqn/1")
//   RUNDIR/.srdd-aqn.lock                         flock(2)-ed while a process works on RUNDIR; holds its pid
// Every file is written atomically (temporary file in the same directory, fsync, rename).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "srdd/aqn.h"

namespace srdd::aqn::rundir {

// An exclusive flock(2) on RUNDIR/.srdd-aqn.lock (RUNDIR is created if needed) for the object's lifetime,
// so that two processes (or two jobs of one process) never write one run directory. The kernel drops it
// when the holder dies, even by kill -9, so a crashed run never blocks its resumption. When another holder
// has it: srdd::Error "RUNDIR: the run directory is in use by another srdd process (pid N) ...".
class Lock {
 public:
  explicit Lock(const std::string& dir);
  ~Lock();
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

 private:
  int fd_ = -1;
};
constexpr const char* kLockFileName = ".srdd-aqn.lock";

std::string runName(const std::string& config, int seedIndex);  // "<config>-seed<k>"
std::string runPath(const std::string& dir, const std::string& config, int seedIndex);

// Creates dir and its parents if needed; srdd::Error naming dir when it is a file or cannot be made.
void createDirectory(const std::string& dir);

// Creates dir if needed, removes stale temporary files left by a killed writer, then writes
// config.json, or checks that the existing one holds the same "settings", "model_files" and
// "data_files" (srdd::Error
// naming the file and the first difference otherwise). With force, an existing directory's runs and
// comparison are discarded and config.json is rewritten. A non-empty directory without an AQN
// config.json is refused (with or without force).
void prepare(const std::string& dir, const nlohmann::json& config, bool force);

// The finished run's result, or nothing when the run has no result.json.
std::optional<RunResult> readFinished(const std::string& dir, const std::string& config, int seedIndex);
// Writes metrics.jsonl, then result.json.
void writeRun(const std::string& dir, const RunResult& r, const std::vector<nlohmann::json>& metrics);

}  // namespace srdd::aqn::rundir
