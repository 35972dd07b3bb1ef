#!/usr/bin/env bash
# Builds the engine (srdd_core) and the `srdd` tool on a GPU host against the LibTorch of its PyTorch
# install, with the CUDA kernels, and the `srdd` Python module for that PyTorch's interpreter (build-gpu/python;
# pybind11 from its CMake package or from the headers PyTorch ships in torch/include/pybind11; it needs the
# interpreter's development headers, Python.h). No Qt needed: the GUI and the Qt Test suite are off.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SRDD_BUILD_DIR:-$root/build-gpu}"
python="${PYTHON:-python3}"
prefix="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
# Kernels for this host's GPUs (compute capability from nvidia-smi) plus A100 (80) and H100/H200 (90);
# SRDD_CUDA_ARCHITECTURES overrides the list.
host_arch="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | tr -d '.' | sort -u | tr '\n' ';' || true)"
archs="${SRDD_CUDA_ARCHITECTURES:-$(printf '%s' "${host_arch}80;90" | tr ';' '\n' | grep -v '^$' | sort -un | paste -sd ';')}"
echo "build-gpu: CUDA architectures $archs"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSRDD_BUILD_GUI=OFF -DSRDD_BUILD_TESTS=OFF \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CUDA_ARCHITECTURES="$archs" -DPython3_EXECUTABLE="$(command -v "$python")" "$@"
cmake --build "$build" --parallel "$(nproc)"
if [ -n "$(ls "$build"/python/srdd.*.so 2>/dev/null)" ]; then
  echo "build-gpu: Python module $(ls "$build"/python/srdd.*.so) (PYTHONPATH=$build/python)"
else
  echo "build-gpu: no Python module (see the 'SRDD: Python' lines of the cmake output: Python.h or pybind11 missing?)"
fi
