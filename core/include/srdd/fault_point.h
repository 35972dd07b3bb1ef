#pragma once
// Crash points for the fault tests (docs/reliability.md, "Faults"). When the environment variable
// SRDD_KILL_AT is "NAME" or "NAME:N", the process kills itself with SIGKILL the N-th time (default 1)
// it reaches faultPoint(NAME) — a real kill -9 at an exact place, which a timed external kill cannot hit.
// Without SRDD_KILL_AT it costs one comparison. Points: "aqn.step" (after each training step),
// "aqn.run-files" (between a run's metrics.jsonl and result.json), "aqn.comparison" (all runs done,
// before comparison.json), "atomic.before-rename" (a temporary file complete, not yet renamed).
namespace srdd {
void faultPoint(const char* name);
}
