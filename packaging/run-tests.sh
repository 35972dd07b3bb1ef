#!/usr/bin/env bash
# Sets everything up (dependencies, build with warnings as errors) and runs the whole test suite, and checks the
# formatting (packaging/check-format.sh); with SRDD_SANITIZED_TESTS=1 also the
# sanitizer build's tests, demo runs and fuzzing (packaging/run-sanitized.sh). That part is off by default until
# it has run end to end once on the 2-core CI machine (its build alone is estimated at 15-25 min there).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SRDD_BUILD_DIR:-$root/build}"
start=$(date +%s)
bash "$root/packaging/install-deps.sh"
format=0
bash "$root/packaging/check-format.sh" || format=1  # reported, and fails the run, after the tests
bash "$root/packaging/build.sh" -DSRDD_WERROR=ON
(cd "$build" && ctest --no-tests=error --output-on-failure)
printf '== normal build and tests: %d s\n' "$(($(date +%s) - start))"
if [ "${SRDD_SANITIZED_TESTS:-0}" != 0 ]; then
  bash "$root/packaging/run-sanitized.sh"
fi
printf '== all of run-tests.sh: %d s\n' "$(($(date +%s) - start))"
if [ "$format" != 0 ]; then
  echo "run-tests: sources not formatted (packaging/check-format.sh)" >&2
  exit 1
fi
