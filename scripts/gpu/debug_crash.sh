#!/usr/bin/env bash
# One device call: build, then native stack scans of the two crashes seen on this host.
cd "$(dirname "$0")/../.."
start=$(date +%s)
bash packaging/build-gpu.sh > "$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; exit 1; }
echo "build $(( $(date +%s) - start )) s"
gcc -shared -fPIC -o /tmp/segv.so scripts/gpu/segv_trace.c -ldl || exit 1
B=build-gpu
python3 scripts/gpu/synthetic_tokenizer.py /tmp/bigtok/tokenizer.json >/dev/null 2>&1
resolve() {  # SYM lines -> function and source line
  grep '^SYM\|^===' "$1" | head -120 | while read -r tag what file off name; do
    [ "$tag" = "===" ] && { echo "$tag $what $file $off $name"; continue; }
    printf '%s %s %s ' "$what" "$(basename "$file")" "$name"; addr2line -f -C -i -e "$file" "$off" 2>/dev/null | tr '\n' ' ' | cut -c1-300; echo
  done
}
echo "== bench tokenizer"
LD_PRELOAD=/tmp/segv.so timeout 120 $B/app/srdd bench tokenizer /tmp/bigtok/tokenizer.json --repeat 2 > /tmp/tok.out 2>&1; echo "rc=$?"
resolve /tmp/tok.out > "$OUT/tok.trace"; grep -v '^SYM' /tmp/tok.out | tail -5; head -60 "$OUT/tok.trace"
export PYTHONPATH=$PWD/$B/python
echo "== python scan cuda"
LD_PRELOAD=/tmp/segv.so timeout 300 python3 -c "
import srdd
r = srdd.scan('resources/demo-model', device='cuda', scans='gain', prompts='builtin:srdd', max_tokens=16)
print('scan ok', flush=True)
" > /tmp/py.out 2>&1; echo "rc=$?"
resolve /tmp/py.out > "$OUT/py.trace"; grep -v '^SYM' /tmp/py.out | tail -5; head -60 "$OUT/py.trace"
