#!/usr/bin/env bash
# One device call of a session: build (again without CUDA graphs if their source does not compile against this
# LibTorch), trace the known crashes, then the issue #14 numbers. Everything goes to stdout and $OUT.
cd "$(dirname "$0")/../.."
start=$(date +%s)
if ! bash packaging/build-gpu.sh > "$OUT/build.log" 2>&1; then
  grep -B2 -A12 "error" "$OUT/build.log" | head -60
  echo "== build failed; again without CUDA graphs"
  bash packaging/build-gpu.sh -DCMAKE_CXX_FLAGS=-DSRDD_NO_CUDA_GRAPHS > "$OUT/build2.log" 2>&1 || { tail -30 "$OUT/build2.log"; exit 1; }
fi
echo "build $(( $(date +%s) - start )) s"
SRDD_SKIP_BUILD=1 bash scripts/gpu/debug_crash.sh 2>&1 | tee "$OUT/crash.log"
bash scripts/gpu/baseline_profile.sh 2>&1 | tee "$OUT/profile.log"
