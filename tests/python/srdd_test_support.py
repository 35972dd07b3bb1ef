"""Helpers shared by the Python tests (run by CTest with Debian's /usr/bin/python3; tests/CMakeLists.txt sets
SRDD_CLI, SRDD_SOURCE_DIR, SRDD_FIXTURES_DIR and PYTHONPATH to the built module)."""
import json
import math
import os
import subprocess

import numpy as np

TIMESTAMP = "2026-01-01T00:00:00Z"
# One engine thread for the tool and the module alike (read by srdd::initRuntime): on a busy 2-core box more
# threads are slower, and a scan's provenance.threads must be the same in both for the documents to compare.
os.environ.setdefault("SRDD_THREADS", "1")


def env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set (run the tests through ctest)")
    return value


def demo_model():
    return os.path.join(env("SRDD_SOURCE_DIR"), "resources", "demo-model")


def tiny_model():
    """A 4-layer random Qwen2 fixture: AQN runs on it take a second."""
    return os.path.join(env("SRDD_FIXTURES_DIR"), "hf", "qwen2-tiny-gqa2-tied-f32")


def cli(*args, check=True):
    """Runs the `srdd` tool; returns its stdout."""
    p = subprocess.run([env("SRDD_CLI"), *map(str, args)], capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"srdd {' '.join(map(str, args))} failed ({p.returncode}): {p.stderr}")
    return p.stdout


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def tiny_aqn_run(out_dir, *extra):
    """`srdd aqn` on the tiny fixture: configurations baseline and targeted, 2 seeds, 2 steps."""
    heldout = os.path.join(demo_model(), "heldout.txt")
    cli("aqn", tiny_model(), "--targets", "1", "--configs", "baseline,targeted", "--seeds", "2", "--steps", "2",
        "--seq", "32", "--batch", "2", "--train", heldout, "--eval", heldout, "--eval-tokens", "128", "--eval-seq",
        "64", "--out", out_dir, "--quiet", "--json", "--timestamp", TIMESTAMP, *extra)
    return out_dir


def plain(value):
    """A document as json.load gives it: NumPy arrays as lists, NaN as None (the files' null)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
