#!/usr/bin/env bash
# Installs the dependencies (Debian packages) and builds SRDD Studio into ./build (or $SRDD_BUILD_DIR).
# Extra arguments are passed to CMake's configure step; $SRDD_BUILD_TARGETS (space-separated) limits what is built.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SRDD_BUILD_DIR:-$root/build}"
bash "$root/packaging/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
targets=()
for t in ${SRDD_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" --parallel "$(nproc)" "${targets[@]}"
