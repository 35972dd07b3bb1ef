#!/usr/bin/env bash
# For the lead's GPU call, after scripts/gpu/run_checks.sh built build-gpu/app/srdd: an AQN comparison on the GPU
# with enough seeds for the statistics to mean something (MDE shrinks from d_z 1.68 with 5 seeds to 0.996 with 10),
# the BF16 + AQN arm and the QeRL-faithful preset, plus tensor histograms of the demo model on CUDA's build.
# Prints the one-line answer to "SRDD-guided AQN lower loss than Global AQN, p < 0.05?". Logs and JSON go to $OUT.
# Takes about 5-8 minutes on one H100/H200 (10 seeds x 5 configurations x 120 steps on the 3 M-parameter demo model; 2 presets).
set -uo pipefail
OUT="${OUT:-/tmp/srdd-gpu-out}"; mkdir -p "$OUT"
S=${SRDD:-build-gpu/app/srdd}
log() { echo; echo "=== $* ($(date -u +%H:%M:%S))"; }
log "scan (targets come from its recommended set; falls back to --targets 2,4 when it recommends none or all)"
timeout 120 $S scan --device cuda --out "$OUT/aqn_scan.json" > "$OUT/aqn_scan.log" 2>&1; echo "scan rc=$?"
TARGETS=(--targets-from "$OUT/aqn_scan.json")
$S aqn "${TARGETS[@]}" --configs baseline --seeds 2 --steps 1 --out /tmp/aqn-probe --quiet > /dev/null 2> "$OUT/aqn_probe.err" ||
  { echo "targets-from refused: $(tail -1 "$OUT/aqn_probe.err")"; TARGETS=(--targets 2,4); }
for preset in ${PRESETS:-default qerl}; do
  log "aqn preset $preset"
  timeout 290 $S aqn "${TARGETS[@]}" --device cuda --preset "$preset" --seeds 10 --steps 120 --batch 8 --seq 128 \
    --configs baseline,global,targeted,healthy,bf16-aqn --out "$OUT/aqn_$preset" --quiet > "$OUT/aqn_$preset.txt" 2>&1
  echo "aqn rc=$?"; tail -4 "$OUT/aqn_$preset.txt"
done
log "histograms"; $S histograms --layer 2 --module down_proj --out "$OUT/hist_weight.json"
$S histograms --layer 2 --module q_proj --tensor activation --out "$OUT/hist_act.json"
