#!/usr/bin/env bash
# Sets everything up (dependencies, build) and runs the whole test suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SRDD_BUILD_DIR:-$root/build}"
bash "$root/packaging/build.sh"
cd "$build"
ctest --no-tests=error --output-on-failure
