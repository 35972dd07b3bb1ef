#!/usr/bin/env bash
# The sanitizer part of CI: one Clang build (`cmake --preset asan`: AddressSanitizer + UBSan, libFuzzer
# instrumentation, no GUI) of the engine, the `srdd` CLI, the engine and parser tests and the fuzz harnesses.
# It runs those tests, a short scan and AQN run of the demo model, and every fuzz harness for
# $SRDD_FUZZ_SECONDS (default 15) seconds. Any sanitizer report fails it. Prints the time of each part.
# LibTorch and Qt are not instrumented; tests/sanitizers/*.supp holds the few reports that are theirs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-asan"
fuzz_seconds="${SRDD_FUZZ_SECONDS:-15}"
tests=(test_engine_daemon test_engine_frames test_engine_inprocess test_engine_serve test_engine_ssh
       test_safetensors test_bad_input_catalogue test_checkpoint test_tokenizer test_fuzz_regressions)
harnesses=(safetensors model_config tokenizer scan_result aqn_rundir engine_frames session)

supp="$root/tests/sanitizers"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:max_allocation_size_mb=8000:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:suppressions=$supp/asan.supp"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export SRDD_THREADS="${SRDD_THREADS:-1}"  # 2 OpenMP threads on a shared 2-core machine mostly wait for each other

part() { printf '== %s: %d s\n' "$1" "$(($(date +%s) - $2))"; }

bash "$root/packaging/install-deps.sh"
t=$(date +%s)
(cd "$root" && cmake --preset asan >/dev/null)
targets=(srdd "${tests[@]}")
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
cmake --build "$build" --parallel "$(nproc)" $(printf -- '--target %s ' "${targets[@]}")
part "sanitizer build" "$t"

t=$(date +%s)
(cd "$build" && ctest --no-tests=error --output-on-failure -R "^($(IFS='|'; echo "${tests[*]}")|fuzz_replay_.*)\$")
part "sanitizer tests and corpus replay" "$t"

t=$(date +%s)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$build/app/srdd" scan "$root/resources/demo-model" --max-tokens 32 --quiet --no-report --out "$work/scan.json"
"$build/app/srdd" report "$work/scan.json" >/dev/null
"$build/app/srdd" aqn --targets 1,4 --configs baseline,targeted --seeds 2 --steps 2 --eval-tokens 512 --quiet \
  --out "$work/aqn"
"$build/app/srdd" aqn --targets 1,4 --configs baseline,targeted --seeds 2 --steps 2 --eval-tokens 512 --quiet \
  --out "$work/aqn" >/dev/null  # resumes: reads back every finished run
part "demo scan and AQN under the sanitizers" "$t"

t=$(date +%s)
mkdir -p "$build/fuzz-artifacts"  # a crashing input stays here (the scratch corpora are removed at exit)
for h in "${harnesses[@]}"; do
  mkdir -p "$work/corpus-$h"
  # New inputs go to the scratch corpus; the committed one is only read. Memory stays bounded: no input may
  # make one allocation over 512 MB or the process over 2 GB.
  "$build/tests/fuzz/fuzz_$h" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=30 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$h-" "$work/corpus-$h" "$root/tests/fuzz/corpus/$h" \
    2>"$work/fuzz-$h.log" || { tail -50 "$work/fuzz-$h.log"; echo "fuzz_$h found a crash: $build/fuzz-artifacts/"; exit 1; }
  echo "fuzz_$h: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/fuzz-$h.log" | tr -s '[:space:]' ' ' || true)"
done
part "fuzzing (${fuzz_seconds} s per harness)" "$t"
