#!/usr/bin/env bash
# After a build-gpu build: the "before" numbers of issue #14 on this card — forward latency, the default scan's
# per-stage profile and the bench scan protocols — and the CUDA graph API header of this LibTorch. Logs to $OUT.
set -uo pipefail
cd "$(dirname "$0")/../.."
S=build-gpu/app/srdd
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
[ -d /tmp/q15 ] || { $S make-random --like qwen2.5-1.5b /tmp/q15 --dtype bf16 > /dev/null &&
  cp resources/demo-model/tokenizer.json resources/demo-model/prompts.txt /tmp/q15/; }
inc="$(python3 -c 'import torch,os; print(os.path.join(os.path.dirname(torch.__file__), "include"))')"
cp "$inc/ATen/cuda/CUDAGraph.h" "$OUT/" 2>/dev/null
echo "== bench forward"; timeout 150 $S bench forward /tmp/q15 --device cuda --dtype bf16 --batches "${BATCHES:-1,8,32}" --seqs "${SEQS:-16,128,512}" --graphs || timeout 100 $S bench forward /tmp/q15 --device cuda --dtype bf16 --batches 1,32 --seqs 16,128
[ "${SRDD_QUICK:-0}" != 0 ] && exit 0  # a short device call: the forward table only
echo "== default scan, profiled (twice: the first run pays the digest)"
for i in 1 2; do ( time timeout 150 $S scan /tmp/q15 --device cuda --dtype bf16 --profile --out /tmp/s.json --quiet ) 2>&1 | tail -30; done
echo "== bench scan"; timeout 150 $S bench scan /tmp/q15 --device cuda --dtype bf16 --repeat 3 2>&1 | tail -30
