#!/usr/bin/env bash
# Sets everything up (dependencies, build with warnings as errors) and runs the whole test suite, checks the
# formatting (packaging/check-format.sh), then builds the sanitizer configuration and runs its tests, a demo scan
# and AQN, and every fuzz harness (packaging/run-sanitized.sh; SRDD_SANITIZED_TESTS=0 skips that part). Each part
# prints its time; docs/reliability.md records them.
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
if [ "${SRDD_SANITIZED_TESTS:-1}" != 0 ]; then
  bash "$root/packaging/run-sanitized.sh"
fi
printf '== all of run-tests.sh: %d s\n' "$(($(date +%s) - start))"
if [ "$format" != 0 ]; then
  echo "run-tests: sources not formatted (packaging/check-format.sh)" >&2
  exit 1
fi
