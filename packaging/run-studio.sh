#!/usr/bin/env bash
# Sets everything up (dependencies, build) and launches SRDD Studio on the bundled demo model.
# Arguments are passed to srdd-studio (e.g. a model directory).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SRDD_BUILD_DIR:-$root/build}"
SRDD_BUILD_TARGETS="srdd-studio srdd" bash "$root/packaging/build.sh"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "No display found: starting SRDD Studio under Xvfb (set DISPLAY to use your own)." >&2
  exec xvfb-run -a -s "-screen 0 1600x1000x24" "$build/app/srdd-studio" "$@"
fi
exec "$build/app/srdd-studio" "$@"
