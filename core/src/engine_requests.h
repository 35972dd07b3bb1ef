#pragma once
// What each engine request does (internal): the handlers behind the job queue, run on its worker thread.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "srdd/progress.h"
#include "srdd/scan_job.h"

namespace srdd::engine {

struct JobContext {
  ProgressCallback progress;
  std::function<void(const std::string&)> log;
  const CancelToken* cancel = nullptr;
  ScanJob* scanJob = nullptr;  // keeps the last scanned model loaded between scan requests
};

// srdd::Error for a request that is not an object, has no known "type", or has a field its type does
// not take. Cheap: loads nothing.
void checkRequest(const nlohmann::json& request);
// Runs the request and returns the result event's body; srdd::Error / srdd::Cancelled otherwise.
nlohmann::json runRequest(const nlohmann::json& request, JobContext& ctx);
// The handshake body of this process's engine (see Engine::hello), without the "engine" field.
nlohmann::json localHello();

}  // namespace srdd::engine
