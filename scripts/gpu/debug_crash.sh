#!/usr/bin/env bash
# One device call: build, then native stack scans of the two crashes seen on this host.
cd "$(dirname "$0")/../.."
start=$(date +%s)
if [ "${SRDD_SKIP_BUILD:-0}" = 0 ]; then
  bash packaging/build-gpu.sh > "$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; exit 1; }
  echo "build $(( $(date +%s) - start )) s"
fi
gcc -shared -fPIC -o /tmp/segv.so scripts/gpu/segv_trace.c -ldl -lpthread || exit 1
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
pytry() {  # NAME CODE: one Python variant under the shim
  echo "== python $1"
  LD_PRELOAD=/tmp/segv.so timeout 300 python3 -X faulthandler -c "$2" > /tmp/py.out 2>&1; echo "rc=$?"
  resolve /tmp/py.out > "$OUT/py-$1.trace"; grep -v '^SYM' /tmp/py.out | tail -12; head -60 "$OUT/py-$1.trace"
}
pytry devices "import srdd; print(srdd.available_devices(), flush=True)"
pytry quantize-cuda "import srdd, numpy as np; print(srdd.quantize(np.arange(64, dtype=np.float32), format='mxfp4', device='cuda')[:4], flush=True)"
pytry scan-cuda "
import srdd
r = srdd.scan('resources/demo-model', device='cuda', scans='gain', prompts='builtin:srdd', max_tokens=16)
print('scan ok', flush=True)
"
pytry torch-first-scan-cuda "
import torch, srdd
r = srdd.scan('resources/demo-model', device='cuda', scans='gain', prompts='builtin:srdd', max_tokens=16)
print('scan ok', flush=True)
"
# The module's symbols hidden (pybind11's default) is what differs most from the `srdd` executable, which works.
echo "== python module rebuilt with default symbol visibility"
cmake -DSRDD_PYTHON_HIDDEN_SYMBOLS=OFF $B > /dev/null && cmake --build $B --target srdd_python > /tmp/pyvis.log 2>&1 || tail -20 /tmp/pyvis.log
pytry visible-scan-cuda "
import srdd
r = srdd.scan('resources/demo-model', device='cuda', scans='gain', prompts='builtin:srdd', max_tokens=16)
print('scan ok', flush=True)
"
cmake -DSRDD_PYTHON_HIDDEN_SYMBOLS=ON $B > /dev/null && cmake --build $B --target srdd_python > /tmp/pyvis.log 2>&1 || tail -20 /tmp/pyvis.log
