#!/usr/bin/env bash
# GPU check of the floor rules and the planted-fault suite (run from the repository root on the device):
# the planted-fault test, and the validation table on CUDA next to the CPU one in docs/validation.md.
# Usage: scripts/gpu/scan_floor_check.sh BUILD_DIR OUT_DIR
set -euo pipefail
BUILD=${1:-build}; OUT=${2:-${OUT:-/tmp/scan-floor}}
mkdir -p "$OUT"
(cd "$BUILD" && ctest -R 'test_planted_faults|test_scan_floor|test_scan_rules' --output-on-failure) 2>&1 | tee "$OUT/ctest.txt"
scripts/validation/planted_faults.sh "$BUILD/app/srdd" "$OUT/val" --device cuda > "$OUT/validation_cuda.md"
cat "$OUT/validation_cuda.md"
