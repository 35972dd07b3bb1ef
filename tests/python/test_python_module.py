"""The `srdd` Python module against independent truth: scans equal `srdd scan` JSON of the same settings,
quantize() equals the hand-derived MXFP4 vectors of tests/core/test_mx_vectors.cpp and `srdd quantize --json`,
read_aqn_run() equals the run directory's files; progress, Ctrl-C and errors behave as documented."""
import json
import os
import signal
import tempfile
import threading
import time
import unittest

import numpy as np

import srdd
from srdd_test_support import TIMESTAMP, cli, demo_model, plain, read_json, read_jsonl, tiny_aqn_run

SMALL = dict(scans="gain,kurtosis,fidelity", prompts="builtin:srdd", max_tokens=16)
SMALL_CLI = ["--scans", "gain,kurtosis,fidelity", "--prompts", "builtin:srdd", "--max-tokens", "16"]


def cli_scan(tmp, *args):
    out = os.path.join(tmp, "cli.json")
    cli("scan", demo_model(), "--quiet", "--no-report", "--timestamp", TIMESTAMP, "--out", out, *args)
    return read_json(out)


def stat_objects(doc):
    """Every statistic (mean/std/ci95/n/values) of a scan document, with where it is."""
    for layer in doc["layers"]:
        for group in ("bf16", "quantized", "sensitivity"):
            for metric, stat in layer[group].items():
                yield f"layers[{layer['layer']}].{group}.{metric}", stat
    for metric, stat in doc["end_to_end"].items():
        yield f"end_to_end.{metric}", stat


class ScanTest(unittest.TestCase):
    def test_scan_equals_the_cli_document(self):
        with tempfile.TemporaryDirectory() as tmp:
            want = cli_scan(tmp, *SMALL_CLI, "--format", "mxfp6-e2m3", "--rounding", "away", "--seed", "9")
            got = srdd.scan(demo_model(), "cpu", **SMALL, format="mxfp6-e2m3", rounding="away", seed=9,
                            created_utc=TIMESTAMP)
            self.assertEqual(got["schema"], "srdd-scan/1")
            self.assertEqual(len(got["layers"]), 6)
            for key in want:  # one key at a time first, for a readable failure
                self.assertEqual(plain(got[key]), want[key], key)
            self.assertEqual(plain(got), want)
            # The module's own writer gives the same file, and the engine reads the document back.
            srdd.write_scan_json(got, os.path.join(tmp, "py.json"))
            with open(os.path.join(tmp, "py.json"), encoding="utf-8") as a, open(os.path.join(tmp, "cli.json"), encoding="utf-8") as b:
                self.assertEqual(a.read(), b.read())
            self.assertIn("recommendation:", srdd.report(got))

    def test_unpinned_scans_differ_only_in_the_timestamp(self):
        with tempfile.TemporaryDirectory() as tmp:
            want = cli_scan(tmp, "--scans", "gain", "--prompts", "builtin:srdd", "--max-tokens", "8")
        got = plain(srdd.scan(demo_model(), scans=["gain"], prompts="builtin:srdd", max_tokens=8))
        self.assertRegex(got["provenance"]["created_utc"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        got["provenance"]["created_utc"] = want["provenance"]["created_utc"]
        self.assertEqual(got, want)

    def test_per_prompt_values_are_float64_arrays(self):
        doc = srdd.scan(demo_model(), **SMALL, created_utc=TIMESTAMP)
        prompts = doc["prompts"]["count"]
        self.assertEqual(prompts, 5)
        stats = list(stat_objects(doc))
        self.assertGreater(len(stats), 30)
        for where, stat in stats:
            self.assertIsInstance(stat["values"], np.ndarray, where)
            self.assertEqual(stat["values"].dtype, np.float64, where)
            self.assertEqual(stat["values"].shape, (prompts,), where)
            finite = stat["values"][np.isfinite(stat["values"])]
            self.assertEqual(stat["n"], len(finite), where)
            if len(finite):
                self.assertAlmostEqual(stat["mean"], float(finite.mean()), delta=1e-9 * max(1, abs(stat["mean"])))
            self.assertIsInstance(stat["ci95"], list, where)  # only the per-prompt values become arrays
        self.assertIsInstance(doc["prompts"]["token_ids"][0], list)
        self.assertIsInstance(doc["layers"][0]["ratio"], dict)

    def test_progress_reaches_the_callback_in_order(self):
        seen = []
        srdd.Scanner().scan(demo_model(), progress=seen.append, scans="gain", prompts="builtin:srdd", max_tokens=8)
        stages = [p["stage"] for p in seen]
        self.assertEqual(stages[:2], ["loading model", "tokenizing prompts"])
        steps = [p["step"] for p in seen if p["total_steps"] > 0]
        self.assertGreater(len(steps), 5)
        self.assertEqual(steps, sorted(steps))
        self.assertEqual(set(seen[-1]), {"stage", "layer", "num_layers", "step", "total_steps", "fraction",
                                         "elapsed_s", "eta_s"})

    def test_scanner_keeps_the_model(self):
        s = srdd.Scanner()
        a = s.scan(demo_model(), scans="gain", prompts="builtin:srdd", max_tokens=8, created_utc=TIMESTAMP)
        b = s.scan(demo_model(), scans="gain", prompts="builtin:srdd", max_tokens=8, created_utc=TIMESTAMP)
        self.assertEqual(s.model_loads, 1)
        self.assertEqual(plain(a), plain(b))

    def test_keyboard_interrupt_cancels_the_scan(self):
        seen = []

        def interrupt_once(p):
            seen.append(p)
            if len(seen) == 3:  # a real SIGINT, as Ctrl-C in Jupyter or a terminal sends
                threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGINT)).start()

        start = time.monotonic()
        with self.assertRaises(KeyboardInterrupt):
            srdd.scan(demo_model(), progress=interrupt_once, prompts="builtin:scanner", max_tokens=64)
        self.assertLess(time.monotonic() - start, 60)
        done = max(p["fraction"] for p in seen)
        self.assertLess(done, 0.5, "the scan ran on after the interrupt")
        # The module stays usable.
        self.assertEqual(len(srdd.scan(demo_model(), scans="gain", prompts="builtin:srdd", max_tokens=4)["layers"]), 6)

    def test_an_exception_in_the_callback_stops_the_scan(self):
        calls = []

        def fail(p):
            calls.append(p)
            raise ValueError("stop here")

        with self.assertRaisesRegex(ValueError, "stop here"):
            srdd.scan(demo_model(), progress=fail, scans="gain", prompts="builtin:srdd", max_tokens=8)
        self.assertEqual(len(calls), 1)

    def test_errors_are_one_line_srdd_errors(self):
        with self.assertRaisesRegex(srdd.Error, "no-such-model.*does not exist"):
            srdd.scan("/tmp/no-such-model")
        with self.assertRaisesRegex(srdd.Error, "unknown field 'bogus'"):
            srdd.scan(demo_model(), bogus=1)
        with self.assertRaisesRegex(srdd.Error, "max_tokens"):
            srdd.scan(demo_model(), max_tokens="many")
        with self.assertRaisesRegex(srdd.Error, "unknown scan"):
            srdd.scan(demo_model(), scans="gain,nope")
        self.assertTrue(issubclass(srdd.Cancelled, srdd.Error))
        self.assertTrue(issubclass(srdd.Error, RuntimeError))


# Hand-derived MXFP4 vectors (shared/reference/mxfp4-formats.md §2, as in tests/core/test_mx_vectors.cpp):
# input, OCP scale byte and output (floor + rne), the differences for floor + ties away, and the RCEIL byte
# and differences (rceil + rne).
NAN = float("nan")
VECTORS = {
    "V1_grid_ties": (
        [6, -6, 5, -5, 3.5, -3.5, 2.5, -2.5, 1.75, -1.75, 1.25, -1.25, 0.75, -0.75, 0.25, -0.25,
         5.5, 4.875, 0.1875, 0.3125, 2.875, 1.125, 0.125, -0.125, 3, 4, 1.5, 0.5, 0, -0.0, 2.25, 1.875],
        127,
        [6, -6, 4, -4, 4, -4, 2, -2, 2, -2, 1, -1, 1, -1, 0, -0.0, 6, 4, 0, 0.5, 3, 1, 0, -0.0, 3, 4, 1.5, 0.5, 0, -0.0, 2, 2],
        {2: 6, 3: -6, 6: 3, 7: -3, 10: 1.5, 11: -1.5, 14: 0.5, 15: -0.5},
        127, {}),
    "V2_clip_7p5": (
        [7.5, -7, 6.5, 5, 3, 2.5, 1.5, 1, 0.75, 0.5, 0.375, 0.25, 0.125, -3.5, -1.25, 2.25,
         4.5, -5.5, 0.0625, 1.75, -0.625, 3.25, 0.875, -2, 6, -4, 0, 1.125, -0.3125, 2.75, -6.25, 0.1875],
        127,
        [6, -6, 6, 4, 3, 2, 1.5, 1, 1, 0.5, 0.5, 0, 0, -4, -1, 2, 4, -6, 0, 2, -0.5, 3, 1, -2, 6, -4, 0, 1, -0.5, 3, -6, 0],
        {3: 6, 5: 3, 11: 0.5, 14: -1.5},
        128, {0: 8, 1: -8, 6: 2, 9: 0, 10: 0, 20: -1, 28: -0.0}),
    "V3_deadzone": (
        [8, 0.5, -0.5, 0.4375, 0.5625, 0.25, 2.0 ** -10, -0.75, 1, 1.5, -1.5, 2.5, 3, 0.0625, -0.0625, 0.9375,
         0.50390625, -0.49609375, 1.25, 0.125, -0.1875, 0.03125, 6, -7, 5, 0, 2, 0.625, -0.375, 4, -3.5, 1.75],
        128,
        [8, 0, -0.0, 0, 1, 0, 0, -1, 1, 2, -2, 2, 3, 0, -0.0, 1, 1, -0.0, 1, 0, -0.0, 0, 6, -8, 4, 0, 2, 1, -0.0, 4, -4, 2],
        {1: 1, 2: -1, 11: 3, 24: 6},
        128, {}),
    "V5_zeros": ([0.0] * 16 + [-0.0] * 16, 0, [0.0] * 16 + [-0.0] * 16, {}, 0, {}),  # zeros keep their sign
    "V6_outlier": (
        [1000, 31, 32, 33, 50, 100, -40, 20, 1, -1, 0.5, 3, -64, 96, -97, 160,
         -192, 224, -300, 384, 448, -512, 640, 768, -896, 16, -8, 2, 0.25, -0.125, 7, 12],
        134,
        [768, 0, 0, 64, 64, 128, -64, 0, 0, -0.0, 0, 0, -64, 128, -128, 128,
         -192, 256, -256, 384, 512, -512, 512, 768, -768, 0, -0.0, 0, 0, -0.0, 0, 0],
        {2: 64, 15: 192, 22: 768},
        135, {0: 1024, 3: 0, 4: 0, 6: -0.0, 12: -0.0, 16: -256, 24: -1024}),
    "V9a_nan": ([NAN, 1, 2, -3] + [0.5] * 28, 255, [NAN] * 32, {}, 255, {}),
}


def bits(a):
    """float32 bit patterns, with every NaN as one pattern (NaN payloads are not specified)."""
    a = np.asarray(a, dtype=np.float32)
    return np.where(np.isnan(a), np.uint32(0x7FC00000), a.view(np.uint32))


def with_diffs(base, diffs):
    out = list(base)
    for i, v in diffs.items():
        out[i] = v
    return out


class QuantizeTest(unittest.TestCase):
    def assertBits(self, got, want, what):
        np.testing.assert_array_equal(bits(got), bits(want), err_msg=what)

    def test_hand_derived_mxfp4_vectors(self):
        for name, (x, ocp_byte, ocp, away, rceil_byte, rceil) in VECTORS.items():
            x32 = np.array(x, dtype=np.float32)
            for row, options, want, byte in (("floor+rne", {}, ocp, ocp_byte),
                                             ("floor+away", {"rounding": "away"}, with_diffs(ocp, away), ocp_byte),
                                             ("rceil+rne", {"scale": "rceil"}, with_diffs(ocp, rceil), rceil_byte)):
                got = srdd.quantize(x32, "mxfp4", **options)
                self.assertEqual(got.dtype, np.float32)
                self.assertEqual(got.shape, (32,))
                self.assertBits(got, want, f"{name} {row}")
                self.assertBits(srdd.quantize(x32.astype(np.float64), **options), want, f"{name} {row} float64")
                detail = srdd.quantize_detail(x32, **options)
                self.assertEqual(detail["scale_bytes"].tolist(), [[byte]], f"{name} {row}")  # grid: 1 row, 1 block
                self.assertBits(detail["dequantized"], want, f"{name} {row} detail")
        self.assertFalse(np.signbit(srdd.quantize(np.float32([0.25] * 31 + [6]))[0]))
        self.assertTrue(np.signbit(srdd.quantize(np.float32([-0.25] * 31 + [6]))[0]))  # -0.25 -> -0

    def test_element_codes(self):
        d = srdd.quantize_detail(np.array(VECTORS["V1_grid_ties"][0], dtype=np.float32))
        # E2M1 codes: 0..7 = 0, 0.5, 1, 1.5, 2, 3, 4, 6; bit 3 = sign.
        self.assertEqual(d["codes"].tolist(), [7, 15, 6, 14, 6, 14, 4, 12, 4, 12, 2, 10, 2, 10, 0, 8,
                                               7, 6, 0, 1, 5, 2, 0, 8, 5, 6, 3, 1, 0, 8, 4, 4])
        self.assertEqual(d["codes"].dtype, np.uint8)
        self.assertEqual(d["scale_values"].tolist(), [[1.0]])
        self.assertEqual(d["scale_encoding"], "e8m0")

    def test_same_bits_as_the_cli(self):
        rng = np.random.default_rng(7)
        x = (rng.standard_normal((4, 64)) * np.exp(rng.uniform(-4, 4, (4, 64)))).astype(np.float32)
        x[1, 3] = 300.0
        values = " ".join(repr(float(v)) for v in x.ravel())
        for options in ({"format": "mxfp4"}, {"format": "nvfp4"}, {"format": "mxfp8-e4m3", "scale": "rceil"},
                        {"format": "mxfp6-e3m2", "block": "32x32"}, {"format": "mxfp4", "rounding": "stochastic", "seed": 5},
                        {"format": "mxfp4", "reference": True}):
            args = ["quantize", "--values", values, "--shape", "4 64", "--json"]
            for k, v in options.items():
                args += [f"--{k}"] if v is True else [f"--{k}", str(v)]
            want = json.loads(cli(*args))
            got = srdd.quantize(x, **options)
            self.assertEqual(got.shape, (4, 64))
            cli_out = np.array([float(v) for v in want["dequantized"]], dtype=np.float32).reshape(4, 64)
            self.assertBits(got, cli_out, str(options))
            detail = srdd.quantize_detail(x, **options)
            self.assertEqual(detail["codes"].ravel().tolist(), want["codes"], str(options))
            self.assertEqual(detail["scale_bytes"].ravel().tolist(), [s["byte"] for s in want["scales"]], str(options))
            self.assertEqual(list(detail["scale_bytes"].shape), want["scaleGrid"], str(options))
            self.assertEqual(detail["spec"], want["spec"], str(options))

    def test_dtypes_shapes_and_errors(self):
        x = np.linspace(-3, 3, 96, dtype=np.float32).reshape(3, 32)
        self.assertEqual(srdd.quantize(x.astype(np.float16)).dtype, np.float16)
        self.assertBits(srdd.quantize(x.astype(np.float16)).astype(np.float32), srdd.quantize(x), "float16")
        self.assertBits(srdd.quantize(x.T.copy().T), srdd.quantize(x), "non-contiguous input")  # Fortran order
        self.assertBits(srdd.quantize(np.asfortranarray(x)), srdd.quantize(x), "Fortran order")
        with self.assertRaisesRegex(TypeError, "float16, float32 or float64"):
            srdd.quantize(np.arange(32))
        with self.assertRaisesRegex(srdd.Error, "mxfp5"):
            srdd.quantize(x, "mxfp5")


class AqnRunTest(unittest.TestCase):
    def test_read_aqn_run_equals_the_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            run_dir = tiny_aqn_run(os.path.join(tmp, "run"))
            got = srdd.read_aqn_run(run_dir)
            self.assertEqual(got["dir"], run_dir)
            self.assertEqual(plain(got["config"]), read_json(os.path.join(run_dir, "config.json")))
            self.assertEqual(plain(got["comparison"]), read_json(os.path.join(run_dir, "comparison.json")))
            names = sorted(os.listdir(os.path.join(run_dir, "runs")))
            self.assertEqual(list(got["runs"]), ["baseline-seed0", "baseline-seed1", "targeted-seed0", "targeted-seed1"])
            self.assertEqual(sorted(got["runs"]), names)
            for name, run in got["runs"].items():
                path = os.path.join(run_dir, "runs", name)
                self.assertEqual(plain(run["result"]), read_json(os.path.join(path, "result.json")), name)
                self.assertEqual(run["metrics"], read_jsonl(os.path.join(path, "metrics.jsonl")), name)
                self.assertEqual(run["result"]["train_loss"].dtype, np.float64)
                self.assertEqual(run["result"]["train_loss"].shape, (2,))
            self.assertIsInstance(got["comparison"]["schedule"]["sigma_per_step"], np.ndarray)
            self.assertIsInstance(got["comparison"]["configs"][0]["eval_loss_quantized"]["values"], np.ndarray)

            # An unfinished run: metrics but no result.json; no comparison yet.
            os.remove(os.path.join(run_dir, "comparison.json"))
            os.remove(os.path.join(run_dir, "runs", "targeted-seed1", "result.json"))
            partial = srdd.read_aqn_run(run_dir)
            self.assertIsNone(partial["comparison"])
            self.assertIsNone(partial["runs"]["targeted-seed1"]["result"])
            self.assertEqual(len(partial["runs"]["targeted-seed1"]["metrics"]), 2)

            with open(os.path.join(run_dir, "runs", "baseline-seed0", "result.json"), "w", encoding="utf-8") as f:
                f.write("{ no")
            with self.assertRaisesRegex(srdd.Error, "baseline-seed0/result.json"):
                srdd.read_aqn_run(run_dir)
        with self.assertRaisesRegex(srdd.Error, "no such AQN run directory"):
            srdd.read_aqn_run("/tmp/no-such-run-dir")


if __name__ == "__main__":
    unittest.main(verbosity=2)
