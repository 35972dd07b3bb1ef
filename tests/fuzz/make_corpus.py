#!/usr/bin/env python3
"""Writes the seed corpora tests/fuzz/corpus/<harness>/seed-* from the repository's real files.

Run from the repository root:  python3 tests/fuzz/make_corpus.py --scan SCAN.json --aqn RUNDIR
SCAN.json and RUNDIR are outputs of the real `srdd` on the demo model (the commands are in
docs/reliability-fuzzing.md); without them the scan_result and aqn_rundir seeds are only the hand-made ones.
Seeds (seed-*) and the regression inputs made here are rewritten; other regress-* files are kept. Big files are shrunk so
that the corpora stay small (the fuzzers' time goes into mutating, not into parsing megabytes).
"""
import argparse
import json
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fuzz" / "corpus"
DEMO = ROOT / "resources" / "demo-model"
HF = ROOT / "tests" / "fixtures" / "hf"


def write(harness, name, data):
    d = OUT / harness
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / ("seed-" + name)).write_bytes(data)


def clear_seeds(harness):
    d = OUT / harness
    if d.exists():
        for f in d.glob("seed-*"):
            f.unlink()


def safetensors(tensors, metadata=None, pad=True):
    """tensors: [(name, dtype, shape, bytes)] -> file bytes, laid out like srdd's writer."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds():
    clear_seeds("safetensors")
    for path in [HF / "qwen2-tiny-gqa2-tied-f32" / "reference_bf16.safetensors",
                 HF / "qwen2-tiny-gqa4-untied-sharded-f32" / "model-00006-of-00006.safetensors"]:
        write("safetensors", path.parent.name + "-" + path.name, path.read_bytes())
    # The demo model's real header over a data area shrunk to 8 bytes per tensor (shapes rewritten to match).
    raw = (DEMO / "model.safetensors").read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", None)
    small = [(k, v["dtype"], [4], raw[8 + n + v["data_offsets"][0]:][:8]) for k, v in header.items()]
    write("safetensors", "demo-header-shrunk", safetensors(small, meta))
    write("safetensors", "demo-header-truncated-data", raw[:8 + n + 64])
    write("safetensors", "dtypes", safetensors([
        ("bf16", "BF16", [2, 2], bytes(range(8))), ("f16", "F16", [3], bytes(6)), ("f32", "F32", [1, 1, 2], bytes(8)),
        ("f64", "F64", [1], bytes(8)), ("i64", "I64", [1], bytes(8)), ("i32", "I32", [2], bytes(8)),
        ("i16", "I16", [1], bytes(2)), ("i8", "I8", [3], b"\x01\x02\x03"), ("u8", "U8", [1], b"\xff"),
        ("bool", "BOOL", [2], b"\x00\x01"), ("f8", "F8_E4M3", [2], b"\x38\x40"), ("f8b", "F8_E5M2", [1], b"\x3c"),
        ("scalar", "F32", [], bytes(4)), ("empty", "F32", [0, 5], b""),
    ], {"format": "pt"}))
    write("safetensors", "unaligned", safetensors([("a", "U8", [1], b"\x07"), ("b", "F32", [2], bytes(8))], pad=False))
    write("safetensors", "empty-header-object", safetensors([]))


def config_seeds():
    clear_seeds("model_config")
    write("model_config", "demo", (DEMO / "config.json").read_bytes())
    for d in sorted(HF.iterdir()):
        if (d / "config.json").exists():
            write("model_config", d.name, (d / "config.json").read_bytes())
    base = json.loads((HF / "llama-tiny-gqa2-f16" / "config.json").read_text())
    write("model_config", "llama-biases-head-dim", json.dumps(dict(base, attention_bias=True, mlp_bias=True,
                                                                    head_dim=16, eos_token_id=[1, 2])))
    write("model_config", "mistral", json.dumps(dict(base, architectures=["MistralForCausalLM"], model_type="mistral",
                                                     sliding_window=4096, rope_scaling=None)))
    write("model_config", "model-type-only", json.dumps({k: v for k, v in base.items() if k != "architectures"}))


def shrunk_tokenizer(path, keep):
    """The tokenizer with its vocabulary cut to the `keep` lowest ids and the merges among them."""
    t = json.loads(path.read_text())
    vocab = {k: v for k, v in t["model"]["vocab"].items() if v < keep}
    merges = []
    for m in t["model"]["merges"]:
        a, b = m.split(" ") if isinstance(m, str) else m
        if a in vocab and b in vocab and a + b in vocab:
            merges.append(m)
    t["model"]["vocab"], t["model"]["merges"] = vocab, merges
    return json.dumps(t, ensure_ascii=False, indent=1)


def tokenizer_seeds():
    clear_seeds("tokenizer")
    for path in [ROOT / "tests" / "fixtures" / "tokenizer-handmade" / "tokenizer.json",
                 ROOT / "tests" / "fixtures" / "tokenizer-handmade" / "tokenizer-gpt2.json",
                 HF / "tokenizer" / "tokenizer.json"]:
        write("tokenizer", path.parent.name + "-" + path.name, path.read_bytes())
    write("tokenizer", "demo-shrunk", shrunk_tokenizer(DEMO / "tokenizer.json", 400))


def session_seeds():
    clear_seeds("session")
    base = {"format": "srdd-studio-session", "schema_version": 1, "model_dir": "/models/Qwen2.5-1.5B",
            "layer_selection": [4, 9], "target_set": {"num_layers": 28, "layers": [3, 7, 12]},
            "view": {"metric": "sqnr", "heatmap_scale": "log", "tab": "heatmap",
                     "views": {"heatmap": {"normalise": "per-metric"}, "splitter": [400, 800]}}}
    write("session", "scan-path", json.dumps(dict(base, scan={"path": "/models/scan/results.json"}), indent=4))
    embedded = {"schema": "srdd-scan/1", "layers": [{"layer": 0, "bf16": {"gain": {"mean": 1.0, "n": 3}}}]}
    write("session", "scan-embedded", json.dumps(dict(base, scan={"embedded": embedded})))
    write("session", "relative-paths", json.dumps(dict(base, model_dir="../model", scan={"path": "scan.json"})))
    write("session", "minimal", json.dumps({"format": "srdd-studio-session", "schema_version": 1}))


def frame(header, payload=b""):
    h = json.dumps(header, separators=(",", ":")).encode()
    return b"SRDF" + struct.pack(">IQ", len(h), len(payload)) + h + payload


def frames_seeds():
    clear_seeds("engine_frames")
    hello = frame({"type": "hello", "protocol_version": 1})
    scan = frame({"type": "scan", "job": 7, "request": {"schema": "srdd-scan-request/1", "model_dir": "",
                                                        "scans": ["gain"], "max_prompts": 2}})
    aqn = frame({"type": "aqn", "job": 8, "settings": {"targets": "1,4", "seeds": 2, "configs": ["baseline"]},
                 "run_dir": "run", "force": False})
    progress = frame({"type": "progress", "job": 7, "seq": 3, "body": {
        "stage": "scan", "layer": 2, "num_layers": 6, "step": 2, "total_steps": 6, "fraction": 0.33,
        "elapsed_s": 1.5, "eta_s": -1}})
    info = frame({"type": "result", "job": 9, "seq": 4, "body": {"architecture": "Qwen2ForCausalLM", "num_layers": 6}})
    big = frame({"type": "result", "job": 7, "seq": 5, "body_in_payload": True}, json.dumps({"schema": "srdd-scan/1"}).encode())
    binary = frame({"type": "log", "job": 7, "seq": 6, "body": {"line": "caf\u00e9"}}, bytes(range(256)))
    # First byte: the chunk size the harness feeds the stream in.
    write("engine_frames", "hello", b"\x00" + hello)
    write("engine_frames", "requests", b"\x05" + hello + scan + aqn + frame({"type": "shutdown"}))
    write("engine_frames", "events", b"\x0f" + progress + info + big + binary)
    write("engine_frames", "truncated", b"\x02" + progress[:-3])
    write("engine_frames", "banner", b"\x3f" + b"Welcome to host\n" + hello)


def stat(mean, n=3):
    return {"mean": mean, "std": 0.1, "ci95": [mean - 0.1, mean + 0.1], "n": n, "values": [mean] * n}


def handmade_scan_seeds():
    """Results files written from the fields scanResultFromJson reads (real ones: --scan)."""
    layer = lambda i: {"layer": i, "bf16": {"gain": stat(1.0), "kurtosis": stat(3.2), "sqnr_db": stat(30.0)},
                       "quantized": {"gain": stat(0.8), "kurtosis": stat(2.9), "sqnr_db": stat(12.0)},
                       "ratio": {"gain": 0.8}, "difference": {"gain": -0.2},
                       "sensitivity": {"kl_single": stat(0.01 * (i + 1))}, "weights": {"sqnr_db": 18.5},
                       "layer_quantized": True,
                       "quantized_tensors": [{"module": "q_proj", "role": "weight", "metrics": {"sqnr_db": 17.0},
                                              "floor": {"sqnr_db": 16.5}}],
                       "harm": {"kl_single_median": 0.01, "top1_single": 0.97, "tokens": 64}}
    doc = {"schema": "srdd-scan/1",
           "provenance": {"model": {"path": "resources/demo-model", "num_layers": 2}, "created_utc": "2026-12-03T00:00:00Z"},
           "parameters": {"rules": "absolute", "thresholds": {}, "quantization": {"spec": {"format": "mxfp4"}}},
           "prompts": {"source": "builtin:scanner", "max_tokens": 32, "count": 2, "texts": ["Hello", "caf\u00e9"],
                       "token_ids": [[1, 2], [3]]},
           "end_to_end": {"loss_bf16": stat(2.5), "loss_quantized": stat(2.7), "kl": stat(0.05)},
           "layers": [layer(0), layer(1)],
           "weights": [{"layer": 0, "module": "q_proj", "shape": [192, 192], "metrics": {"sqnr_db": 18.0}},
                       {"layer": -1, "module": "lm_head", "shape": [4096, 192], "metrics": {}}]}
    write("scan_result", "handmade-two-layers", json.dumps(doc, indent=1))
    floor = dict(doc, parameters=dict(doc["parameters"], rules="floor", thresholds={"sqnr_db": 10.0}))
    write("scan_result", "handmade-floor-rules", json.dumps(floor, separators=(",", ":")))


def handmade_aqn_seeds():
    """AQN run-directory files written from the fields their readers take (real ones: --aqn)."""
    run = lambda config, k: {"schema": "srdd-aqn-run/1", "config": config, "seed_index": k, "seed": 42 + k,
                             "noise_layers": [1, 4] if config == "targeted" else [], "eval_loss_quantized": 3.1 + k / 10,
                             "eval_loss_bf16": None, "seconds": 1.5, "train_loss": [3.4, 3.2], "sigma": [0.05, 0.0005],
                             "grad_norm": [1.0, 0.9]}
    write("aqn_rundir", "handmade-result", json.dumps(run("baseline", 0), indent=2))
    settings = {"model": "", "protocol": "training", "targets": "1,4", "configs": ["baseline", "targeted"], "seeds": 2}
    write("aqn_rundir", "handmade-config", json.dumps({"schema": "srdd-aqn-config/1", "settings": settings,
                                                         "model_files": {"config.json": "0123abcd"}, "data_files": {}}))
    comparison = {"schema": "srdd-aqn/1", "provenance": {}, "settings": settings,
                  "initial": {"eval_loss_quantized": 3.3, "eval_loss_bf16": 3.0},
                  "runs": [run(c, k) for c in ("baseline", "targeted") for k in (0, 1)],
                  "configs": [{"name": "baseline", "noise_layers": []}, {"name": "targeted", "noise_layers": [1, 4]}],
                  "schedule": {"sigma_per_step": [0.05, 0.0005]}}
    write("aqn_rundir", "handmade-comparison", json.dumps(comparison, indent=1))


def scan_seeds(scan_path):
    raw = Path(scan_path).read_text()
    write("scan_result", "demo-gain", raw)
    j = json.loads(raw)
    j["layers"] = j["layers"][:2]
    j["weights"] = j.get("weights", [])[:2]
    write("scan_result", "demo-two-layers", json.dumps(j, separators=(",", ":")))


def aqn_seeds(rundir):
    rundir = Path(rundir)
    write("aqn_rundir", "config", (rundir / "config.json").read_bytes())
    write("aqn_rundir", "comparison", (rundir / "comparison.json").read_bytes())
    result = sorted(rundir.glob("runs/baseline-seed0/result.json")) or sorted(rundir.glob("runs/*/result.json"))
    write("aqn_rundir", "result", result[0].read_bytes())


DEEP = 100000  # nesting levels: enough to overflow an 8 MB stack in nlohmann::json's recursive copy and dump


def nested(depth=DEEP):
    return "[" * depth + "]" * depth


def deep_nesting_regressions():
    """The first fuzzing finding: 100000-deep JSON overflowed the stack where a reader copied or printed a value."""
    write_regress("model_config", "deep-nesting", '{"architectures": %s}' % nested())
    write_regress("tokenizer", "deep-nesting", '{"normalizer": %s}' % nested())
    write_regress("scan_result", "deep-nesting", '{"schema": "srdd-scan/1", "provenance": %s}' % nested())
    write_regress("aqn_rundir", "deep-nesting", '{"schema": "srdd-aqn-config/1", "settings": %s}' % nested())
    header = ('{"t": {"dtype": %s, "shape": [1], "data_offsets": [0, 1]}}' % nested()).encode()
    write_regress("safetensors", "deep-nesting", struct.pack("<Q", len(header)) + header + b"\0")


def empty_unaligned_regression():
    """UBSan: an empty tensor at an odd offset took the aligned-copy path, memcpy(nullptr, p, 0)."""
    write_regress("safetensors", "empty-unaligned-tensor",
                  safetensors([("a", "U8", [1], b"\x07"), ("empty", "F32", [0, 5], b"")]))


def write_regress(harness, name, data):
    d = OUT / harness
    d.mkdir(parents=True, exist_ok=True)
    (d / ("regress-" + name)).write_bytes(data.encode() if isinstance(data, str) else data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scan", help="a srdd-scan/1 file of the demo model")
    ap.add_argument("--aqn", help="an AQN run directory of the demo model")
    args = ap.parse_args()
    safetensors_seeds()
    config_seeds()
    tokenizer_seeds()
    session_seeds()
    frames_seeds()
    clear_seeds("scan_result")
    handmade_scan_seeds()
    clear_seeds("aqn_rundir")
    handmade_aqn_seeds()
    deep_nesting_regressions()
    empty_unaligned_regression()
    if args.scan:
        scan_seeds(args.scan)
    if args.aqn:
        aqn_seeds(args.aqn)


if __name__ == "__main__":
    main()
