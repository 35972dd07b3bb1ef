#!/usr/bin/env bash
# The engine protocol's overhead on a GPU host: the default scan of a full-size random Qwen2.5-1.5B, wall
# time of the whole `srdd scan` command, in-process versus through `srdd serve --stdio` as a child process
# (--direct: a fresh engine per scan, so it loads the model each time, like in-process), and through the
# per-user daemon (its later scans reuse the loaded model). $RUNS (default 3) interleaved runs each, median; prints
# markdown table rows for docs/benchmarks.md.
# Usage: scripts/gpu/engine_bench.sh [SRDD (default build-gpu/app/srdd)] [MODEL_DIR (default /tmp/q15)]
# (DEVICE=cpu to try it without a GPU.)
set -euo pipefail
S="$(realpath "${1:-build-gpu/app/srdd}")"
M="${2:-/tmp/q15}"
OUT="${OUT:-/tmp/srdd-engine-bench}"; mkdir -p "$OUT"
if [ ! -f "$M/config.json" ]; then
  "$S" make-random --like qwen2.5-1.5b "$M" --dtype bf16 > /dev/null
fi
# Random weights come without a tokenizer; the demo tokenizer's ids are valid in the 151936-token vocabulary.
[ -f "$M/tokenizer.json" ] || cp resources/demo-model/tokenizer.json resources/demo-model/prompts.txt "$M/"
SOCK="$OUT/daemon/engine.sock"
DEVICE="${DEVICE:-cuda}"
common=(scan "$M" --device "$DEVICE" --dtype bf16 --quiet --no-report --timestamp 2026-01-01T00:00:00Z)

wall() {  # wall seconds of one command
  local t0 t1
  t0=$(date +%s.%N); "$@" > /dev/null 2>> "$OUT/stderr.log"; t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

"$S" scan "$M" --device "$DEVICE" --dtype bf16 --quiet --no-report --scans gain --max-tokens 8 --out "$OUT/warm.json"  # page cache, CUDA init
declare -a inproc direct daemon
for i in $(seq "${RUNS:-3}"); do
  inproc+=("$(wall "$S" "${common[@]}" --out "$OUT/inproc.json")")
  direct+=("$(wall "$S" "${common[@]}" --out "$OUT/direct.json" --engine "$S serve --stdio --direct")")
  daemon+=("$(wall "$S" "${common[@]}" --out "$OUT/daemon.json" --engine "$S serve --stdio --socket $SOCK --idle-exit 60")")
done
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
a = json.load(open(f"{out}/inproc.json"))
for name in ("direct", "daemon"):
    b = json.load(open(f"{out}/{name}.json"))
    b["provenance"].pop("engine")
    print(f"results {name} == in-process (except provenance.engine):", a == b)
PY
mi=$(median "${inproc[@]}"); md=$(median "${direct[@]}"); mm=$(median "${daemon[@]}")
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || true)
[ -n "$gpu" ] && [ "$DEVICE" != cpu ] || gpu="CPU ($(nproc) cores)"
echo
echo "runs (s): in-process ${inproc[*]} | serve --direct ${direct[*]} | daemon ${daemon[*]}"
echo "| GPU | in-process s | serve --stdio --direct s | overhead | daemon (model kept loaded) s |"
echo "|---|---:|---:|---:|---:|"
printf '| %s | %.2f | %.2f | %+.1f %% | %.2f |\n' "$gpu" "$mi" "$md" "$(awk -v a="$mi" -v b="$md" 'BEGIN { print (b - a) / a * 100 }')" "$mm"
