#!/usr/bin/env bash
# One GPU-host call: regenerate the Hugging Face fixtures (new architectures included) and check that the old
# ones come out byte-identical, time tokenizer loads with and without the binary cache, and run the default
# scan of random-weight 7B-shaped models. Usage: scripts/gpu/arch_and_scale_checks.sh OUTDIR
set -uo pipefail
out="${1:?usage: arch_and_scale_checks.sh OUTDIR}"
mkdir -p "$out"
srdd=build-gpu/app/srdd
log() { echo "== $*"; }

log "fixtures"
python3 scripts/fixtures/make_hf_fixtures.py "$out/hf" > "$out/fixtures.log" 2>&1 || tail -20 "$out/fixtures.log"
for d in tests/fixtures/hf/*/; do
  name="$(basename "$d")"
  if diff -rq "$d" "$out/hf/$name" > /dev/null 2>&1; then echo "fixture $name: byte-identical"; else echo "fixture $name: DIFFERS"; fi
done
ls "$out/hf"
# New fixture folders travel back as one archive (unpack into tests/fixtures/hf).
( cd "$out/hf" && tar czf "$out/new_fixtures.tgz" $(for d in */; do [ -d "$OLDPWD/tests/fixtures/hf/$d" ] || echo "$d"; done) versions.json )

log "tokenizer load (real Qwen tokenizer if the HF cache has one, else a synthetic one of the same size)"
tok="$(ls -d ~/.cache/huggingface/hub/models--Qwen--Qwen2.5-*/snapshots/*/tokenizer.json 2>/dev/null | head -1)"
if [ -z "$tok" ]; then python3 scripts/gpu/synthetic_tokenizer.py /tmp/bigtok/tokenizer.json; tok=/tmp/bigtok/tokenizer.json; fi
echo "tokenizer: $tok"
/usr/bin/time -f "srdd --version (process start, LibTorch load): %e s wall" "$srdd" --version > /dev/null
for mode in off cold warm warm; do
  [ "$mode" = cold ] && rm -rf /tmp/tokcache
  cache=/tmp/tokcache; [ "$mode" = off ] && cache=off
  /usr/bin/time -f "tokenize cache=$mode: %e s wall, %M KiB" env SRDD_TOKENIZER_CACHE=$cache "$srdd" tokenize --tokenizer "$tok" --text "Hello, world" > /dev/null
done

log "7B-shaped random model: default scan on one GPU"
"$srdd" make-random --like qwen2.5-7b /tmp/q7b
# Random weights come without a tokenizer; the demo tokenizer's ids are valid in the 152064-token vocabulary.
cp resources/demo-model/tokenizer.json resources/demo-model/prompts.txt /tmp/q7b/
nvidia-smi --query-gpu=memory.used --format=csv,noheader
( while sleep 0.5; do nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits; done ) > "$out/q7b_mem.txt" &
sampler=$!
/usr/bin/time -f "scan 7b: %e s wall, %M KiB host RSS" "$srdd" scan /tmp/q7b --device cuda --profile --out "$out/q7b_scan.json" 2>&1 | tail -25
kill $sampler
echo "peak GPU memory used during the scan: $(sort -n "$out/q7b_mem.txt" | tail -1) MiB"
rm -rf /tmp/q7b
