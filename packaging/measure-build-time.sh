#!/usr/bin/env bash
# Clean-clone build time with and without precompiled headers (README, "Development"): clones HEAD into a
# scratch directory and builds everything run-tests.sh builds, once per setting, with ccache off so that
# nothing is reused. Usage: packaging/measure-build-time.sh [ON|OFF ...] (default: OFF ON).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
settings=("$@")
[ ${#settings[@]} -gt 0 ] || settings=(OFF ON)
bash "$root/packaging/install-deps.sh" >/dev/null
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
git clone -q "$root" "$scratch/src"
for pch in "${settings[@]}"; do
  start=$(date +%s)
  CCACHE_DISABLE=1 cmake -S "$scratch/src" -B "$scratch/build-$pch" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSRDD_WERROR=ON -DSRDD_PCH="$pch" >/dev/null
  CCACHE_DISABLE=1 cmake --build "$scratch/build-$pch" --parallel "$(nproc)" >"$scratch/build-$pch.log" 2>&1 ||
    { tail -30 "$scratch/build-$pch.log"; exit 1; }
  printf 'SRDD_PCH=%s: clean build %d s (%s CPUs, %s)\n' "$pch" "$(($(date +%s) - start))" "$(nproc)" "$(git -C "$root" rev-parse --short HEAD)"
  rm -rf "$scratch/build-$pch"
done
