#!/usr/bin/env bash
# Makes the planted-fault models of docs/validation.md from the demo model, scans each with the default
# rules, and prints the validation table (markdown). Usage: planted_faults.sh SRDD OUTDIR [extra scan options]
set -euo pipefail
SRDD=${1:?path to the srdd binary}; OUT=${2:?output directory}; shift 2
DEMO=$(cd "$(dirname "$0")/../../resources/demo-model" && pwd)
mkdir -p "$OUT"
"$SRDD" plant "$DEMO" "$OUT/down_proj" --fault weight-outliers --module down_proj --layer 3 --channels 16 >/dev/null
"$SRDD" plant "$DEMO" "$OUT/o_proj" --fault weight-outliers --module o_proj --layer 1 --channels 1 >/dev/null
"$SRDD" plant "$DEMO" "$OUT/act" --fault activation-channel --layer 4 >/dev/null
"$SRDD" plant "$DEMO" "$OUT/control" --fault qk-scale --layer 2 >/dev/null
run() {  # name model planted-layer scan-options...
  local name=$1 model=$2 planted=$3; shift 3
  "$SRDD" scan "$model" --quiet --no-report --timestamp 2026-01-01T00:00:00Z --out "$OUT/$name.json" "$@" "${EXTRA[@]}"
  echo "$name|$planted|$*" >> "$OUT/runs.txt"
}
EXTRA=("$@")
: > "$OUT/runs.txt"
run demo-w4a16 "$DEMO" - --mode w4a16
run demo-w4a4 "$DEMO" - --mode w4a4
run down_proj "$OUT/down_proj" 3 --mode w4a16
run o_proj "$OUT/o_proj" 1 --mode w4a16
run act-w4a4 "$OUT/act" 4 --mode w4a4
run act-w4a4-layers1-5 "$OUT/act" 4 --mode w4a4 --layers 1,2,3,4,5
run control-w4a16 "$OUT/control" 2 --mode w4a16
run control-w4a4 "$OUT/control" 2 --mode w4a4
python3 "$(dirname "$0")/planted_table.py" "$OUT"
