#!/usr/bin/env bash
# What the lead runs on the GPU host in one call: build the engine against the host's LibTorch with CUDA,
# regenerate the HF fixtures, check CPU/CUDA agreement, and run the benchmarks. Logs go to $OUT.
set -uo pipefail
OUT="${OUT:-/tmp/srdd-gpu-out}"; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
log() { echo; echo "=== $* ($(date -u +%H:%M:%S))"; }
S=build-gpu/app/srdd
log "GPU"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)"
log "build"; timeout 300 bash packaging/build-gpu.sh > "$OUT/build.log" 2>&1; echo "build rc=$?"; tail -5 "$OUT/build.log"
$S --version || exit 1
log "fixtures"; timeout 120 python3 scripts/fixtures/make_hf_fixtures.py /tmp/hf > "$OUT/fixtures.log" 2>&1 && tar czf "$OUT/hf.tgz" -C /tmp hf; echo "fixtures rc=$?"
log "CPU vs CUDA forward (fp32 fixture)"
M=tests/fixtures/hf/qwen2-tiny-gqa2-tied-f32
$S forward $M --ids "5 17 99 3 250 7 42" --dtype fp32 --json > /tmp/f_cpu.json && $S forward $M --ids "5 17 99 3 250 7 42" --dtype fp32 --device cuda --json > /tmp/f_cuda.json
python3 - <<'PY'
import json
a, b = json.load(open('/tmp/f_cpu.json')), json.load(open('/tmp/f_cuda.json'))
print('max |logit cpu - cuda| fp32 =', max(abs(x - y) for x, y in zip(a['last_token_logits'], b['last_token_logits'])))
PY
log "demo model held-out loss on CUDA (card: bf16 3.5520, fp32 compute 3.5521)"
$S eval --device cuda --dtype fp32; $S eval --device cuda --dtype bf16
log "make-random qwen2.5-1.5b"; time $S make-random --like qwen2.5-1.5b /tmp/q15 --dtype bf16 > /dev/null; $S info /tmp/q15
# Random weights come without a tokenizer; the demo tokenizer's 4096 ids are valid in the 151936-token vocabulary.
cp resources/demo-model/tokenizer.json resources/demo-model/prompts.txt /tmp/q15/
log "bench forward srdd"; timeout 200 $S bench forward /tmp/q15 --device cuda --dtype bf16 --json > "$OUT/bench_forward.json"; cat "$OUT/bench_forward.json" | python3 -c "import json,sys; [print(r) for r in json.load(sys.stdin)['results']]"
log "bench forward HF"; timeout 200 python3 scripts/gpu/hf_forward_bench.py /tmp/q15 2>&1 | grep -v -i warn | tee "$OUT/bench_forward_hf.txt"
log "bench quant"; timeout 150 $S bench quant --device cuda --dtype bfloat16 --max-elements 1073741824 2>&1 | tee "$OUT/bench_quant.txt"
log "bench scan"; timeout 150 $S bench scan /tmp/q15 --device cuda --dtype bf16 2>&1 | tee "$OUT/bench_scan.txt"
log "default scan of the 1.5B model"; ( time timeout 150 $S scan /tmp/q15 --device cuda --dtype bf16 --out "$OUT/scan_q15.json" --quiet --no-report ) 2>&1 | tail -4
log "default scan of the demo model on CUDA"; ( time $S scan --device cuda --out "$OUT/scan_demo_cuda.json" --quiet --no-report ) 2>&1 | tail -4
log done
