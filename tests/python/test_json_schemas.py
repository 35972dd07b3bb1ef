"""The JSON Schemas of docs/schemas against real files: scans (CLI, in-process and through an engine
process), AQN run directories (training and reference protocol) — each must validate — and mutated copies
(a missing key, a wrong type, a value outside an enum, an unknown key in a closed object) — each must be
rejected. Session files are checked by tests/gui/test_session_schema.cpp, which writes them with the GUI."""
import copy
import glob
import os
import tempfile
import unittest

from srdd_test_support import TIMESTAMP, cli, demo_model, read_json, read_jsonl, tiny_aqn_run, tiny_model
from validate_json import load_schemas, problems, validator

SCHEMAS = load_schemas()
FILES = {}  # schema file name -> [(description, document)]


def add(schema, what, document):
    FILES.setdefault(schema, []).append((what, document))


TMP = tempfile.TemporaryDirectory(prefix="srdd-schemas-")


def tearDownModule():
    TMP.cleanup()


def setUpModule():
    tmp = TMP.name
    scan = ["scan", demo_model(), "--quiet", "--no-report", "--timestamp", TIMESTAMP, "--prompts", "builtin:srdd"]
    variants = {
        # every scan: quantized_tensors, harm, histogram, dcgain and discrete metrics; sensitivity on held-out text
        "all scans": ["--scans", "all", "--max-tokens", "8", "--sensitivity-windows", "1", "--sensitivity-tokens", "16"],
        # absolute rules (ranking without anomaly fields), stochastic rounding (spec.seed), w4a4 with lm_head
        "absolute w4a4 stochastic": ["--scans", "gain,kurtosis,fidelity", "--max-tokens", "8", "--rules", "absolute",
                                     "--rounding", "stochastic", "--mode", "w4a4", "--lm-head", "--layers", "1-3"],
        "reference nvfp4 residual": ["--scans", "gain,fidelity", "--max-tokens", "8", "--format", "nvfp4", "--mode",
                                     "residual"],
        "reference numerics": ["--scans", "gain", "--max-tokens", "8", "--reference", "--rounding", "away"],
        # through an engine process: provenance.engine
        "engine process": ["--scans", "gain", "--max-tokens", "8", "--engine",
                           f"{os.environ['SRDD_CLI']} serve --stdio --direct"],
    }
    for i, (what, args) in enumerate(variants.items()):
        out = os.path.join(tmp, f"scan{i}.json")
        cli(*scan, "--out", out, *args)
        add("srdd-scan-1.schema.json", f"scan ({what})", read_json(out))

    training = tiny_aqn_run(os.path.join(tmp, "aqn-training"))
    reference = os.path.join(tmp, "aqn-reference")
    cli("aqn", tiny_model(), "--protocol", "reference", "--targets", "1", "--configs", "baseline,global,targeted",
        "--seeds", "2", "--prompts", "builtin:srdd", "--max-tokens", "8", "--out", reference, "--quiet", "--json",
        "--timestamp", TIMESTAMP)
    for what, run_dir in (("training", training), ("reference", reference)):
        add("srdd-aqn-config-1.schema.json", f"{what} config.json", read_json(os.path.join(run_dir, "config.json")))
        add("srdd-aqn-1.schema.json", f"{what} comparison.json", read_json(os.path.join(run_dir, "comparison.json")))
        results = sorted(glob.glob(os.path.join(run_dir, "runs", "*", "result.json")))
        assert results, run_dir
        for path in results:
            add("srdd-aqn-run-1.schema.json", f"{what} {os.path.relpath(path, run_dir)}", read_json(path))
        for path in sorted(glob.glob(os.path.join(run_dir, "runs", "*", "metrics.jsonl"))):
            for n, line in enumerate(read_jsonl(path)):
                add("srdd-aqn-metrics-1.schema.json", f"{what} {os.path.relpath(path, run_dir)}:{n + 1}", line)


def at(document, *path):
    for p in path:
        document = document[p]
    return document


def mutated(document, path, change):
    """A copy of document with the value at path (keys/indices; the last one is the member) changed:
    change(parent, key) edits the parent in place."""
    doc = copy.deepcopy(document)
    change(at(doc, *path[:-1]), path[-1])
    return doc


def delete(parent, key):
    del parent[key]


def set_to(value):
    def change(parent, key):
        parent[key] = value
    return change


# (schema, description, path, change): each must make a valid file invalid.
NEGATIVE = [
    ("srdd-scan-1.schema.json", "missing layers", ["layers"], delete),
    ("srdd-scan-1.schema.json", "other schema tag", ["schema"], set_to("srdd-scan/2")),
    ("srdd-scan-1.schema.json", "unknown top-level key", ["extra"], set_to(1)),
    ("srdd-scan-1.schema.json", "layer index as a string", ["layers", 0, "layer"], set_to("0")),
    ("srdd-scan-1.schema.json", "statistic without n", ["layers", 0, "bf16", "gain", "n"], delete),
    ("srdd-scan-1.schema.json", "per-prompt value as a string", ["layers", 0, "bf16", "gain", "values", 0], set_to("1.0")),
    ("srdd-scan-1.schema.json", "ci95 with three ends", ["end_to_end", "kl", "ci95"], set_to([0, 1, 2])),
    ("srdd-scan-1.schema.json", "unknown quantization mode", ["parameters", "quantization", "mode"], set_to("w8a8")),
    ("srdd-scan-1.schema.json", "unknown format", ["parameters", "quantization", "spec", "format"], set_to("mxfp5")),
    ("srdd-scan-1.schema.json", "unknown strategy", ["verdict", "recommendation", "strategy"], set_to("panic")),
    ("srdd-scan-1.schema.json", "flag kind outside the enum", ["layers", 0, "flags"],
     set_to([{"rule": "r", "metric": "m", "value": 1, "threshold": 2, "kind": "maybe"}])),
    ("srdd-scan-1.schema.json", "provenance without created_utc", ["provenance", "created_utc"], delete),
    ("srdd-scan-1.schema.json", "negative token count", ["prompts", "token_counts", 0], set_to(-1)),
    ("srdd-scan-1.schema.json", "model file without bytes", ["provenance", "model", "files", 0, "bytes"], delete),
    ("srdd-aqn-1.schema.json", "missing runs", ["runs"], delete),
    ("srdd-aqn-1.schema.json", "unknown protocol", ["protocol"], set_to("guessing")),
    ("srdd-aqn-1.schema.json", "seeds as a string", ["settings", "seeds"], set_to("2")),
    ("srdd-aqn-1.schema.json", "unknown key in power", ["power", "beta"], set_to(0.2)),
    ("srdd-aqn-1.schema.json", "answer outside yes/no/null", ["primary", "answer"], set_to("maybe")),
    ("srdd-aqn-1.schema.json", "run with a string loss", ["runs", 0, "eval_loss_quantized"], set_to("low")),
    ("srdd-aqn-run-1.schema.json", "missing seed", ["seed"], delete),
    ("srdd-aqn-run-1.schema.json", "train_loss as a number", ["train_loss"], set_to(1.0)),
    ("srdd-aqn-run-1.schema.json", "unknown key", ["notes"], set_to("x")),
    ("srdd-aqn-run-1.schema.json", "negative seed index", ["seed_index"], set_to(-1)),
    ("srdd-aqn-config-1.schema.json", "missing settings", ["settings"], delete),
    ("srdd-aqn-config-1.schema.json", "other schema tag", ["schema"], set_to("srdd-aqn/1")),
    ("srdd-aqn-config-1.schema.json", "noise target outside the enum", ["settings", "noise", "target"], set_to("biases")),
    ("srdd-aqn-config-1.schema.json", "data file digest as a number", ["data_files", "train"], set_to(12)),
    ("srdd-aqn-metrics-1.schema.json", "loss as a string", ["loss"], set_to("2.5")),
    ("srdd-aqn-metrics-1.schema.json", "unknown key", ["momentum"], set_to(0.9)),
]


class SchemaTest(unittest.TestCase):
    def test_every_schema_is_tested_with_real_files(self):
        self.assertEqual(sorted(FILES), sorted(n for n in SCHEMAS if n not in ("srdd-common.schema.json", "srdd-studio-session-1.schema.json")))
        self.assertEqual(len(FILES["srdd-scan-1.schema.json"]), 5)

    def test_real_files_validate(self):
        for name, files in FILES.items():
            v = validator(name, SCHEMAS)
            for what, document in files:
                with self.subTest(schema=name, file=what):
                    self.assertEqual(problems(v, document), [])

    def test_mistakes_are_rejected(self):
        for name, what, path, change in NEGATIVE:
            v = validator(name, SCHEMAS)
            # the first real file where the path exists (the parent of the changed member, for additions)
            base = next(doc for _, doc in FILES[name] if self._has(doc, path[:-1]) and
                        (change is not delete or self._has(doc, path)))
            with self.subTest(schema=name, mistake=what):
                self.assertEqual(problems(v, base), [])
                self.assertNotEqual(problems(v, mutated(base, path, change)), [], f"{name} accepted: {what}")

    @staticmethod
    def _has(document, path):
        try:
            at(document, *path)
            return True
        except (KeyError, IndexError, TypeError):
            return False


if __name__ == "__main__":
    unittest.main(verbosity=2)
