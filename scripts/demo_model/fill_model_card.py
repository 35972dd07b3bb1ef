#!/usr/bin/env python3
"""Renders the demo model's card (resources/demo-model/README.md) from training_report.json.

    python3 scripts/demo_model/fill_model_card.py OUTDIR/training_report.json resources/demo-model/README.md

train_demo_model.py calls render() itself and writes OUTDIR/README.md; this entry point re-renders a card
from a saved report. Pure Python (no torch needed).
"""
import json
import os
import sys

MODES = [("no_quant", "BF16 (no quantization)"), ("w4a16", "MXFP4 W4A16 (decoder Linear weights)"),
         ("residual", "MXFP4 residual stream (each decoder layer's output)"),
         ("w4a16_residual", "MXFP4 W4A16 + residual stream")]

COPYRIGHT_QUOTE = """\
> The copyright for the King James Version text of the Bible is expired since
> the  translation was done in 1611 under King James the first of Great
> Britain."""


def _loss_table(report):
    losses = report["heldout_loss"]
    uni = report["unigram_heldout_loss"]
    cols = [("shipped_bf16", "bf16 weights, bf16 compute"), ("shipped_fp32_compute", "bf16 weights, fp32 compute"),
            ("master_fp32_autocast_bf16", "fp32 master, bf16 autocast")]
    head = "| mode | " + " | ".join(c[1] for c in cols) + " |\n|---|" + "---:|" * len(cols) + "\n"
    rows = ""
    for key, name in MODES:
        rows += f"| {name} | " + " | ".join(f"{losses[c][key]:.4f}" for c, _ in cols) + " |\n"
    rows += f"| unigram baseline (add-one smoothed, train counts) | " + " | ".join(f"{uni:.4f}" for _ in cols) + " |\n"
    return head + rows


def _autotok(check):
    if not check.get("loaded"):
        return f"did not load it ({check.get('error')}); the engine reads `tokenizer.json` directly"
    return f"loads it as {check['class']} and {'gives the same ids' if check['ids_match'] else 'gives DIFFERENT ids'}"


def _reproduce_command(report):
    cmd = report["command"]
    tr = report["training"]
    if tr["stopped_by_time_guard"]:
        cmd += f" --stop-at {tr['steps_run']}"
    return cmd


def render(report):
    """Returns the model card as Markdown text."""
    s, m, d, t, tr = report["settings"], report["model"], report["data"], report["tokenizer"], report["training"]
    shipped = report["heldout_loss"]["shipped_bf16"]
    mb = m["safetensors_bytes"] / 1e6
    return f"""# SRDD Studio demo model (Qwen2 architecture, {m['parameters'] / 1e6:.2f} M parameters)

A tiny causal language model bundled with SRDD Studio so that the application, its scans and its MXFP4
fake quantization can be tried without downloading anything and without a GPU. It writes King James
English and nothing else; it is a test object, not a useful language model.

## Data and license

* **Text:** the King James Version of the Bible (1611), from Debian's `bible-kjv` / `bible-kjv-text`
  packages, dumped verse by verse with the package's own `bible -f` tool by
  `scripts/demo_model/extract_corpus.sh` (references stripped, one verse per line).
* **License:** public domain. The package's copyright file (`/usr/share/doc/bible-kjv-text/copyright`) says:

{COPYRIGHT_QUOTE}

  In the United Kingdom the Authorized Version remains under the Crown's perpetual letters patent
  (administered by the King's Printers); everywhere else it is in the public domain. The weights and the
  tokenizer are derived from this text alone, so the data adds no restriction to them.
* **Split:** held-out = the books of Amos, Obadiah, Jonah and Micah (`heldout.txt`, {d['heldout_bytes']} bytes,
  {d['heldout_tokens']} tokens), never used for training, tokenizer fitting or checkpoint selection.
  Validation (checkpoint selection only) = the last {d['val_lines']} verses of the training text
  ({d['val_tokens']} tokens). Training = all other verses ({d['train_lines']} verses, {d['train_tokens']} tokens).
* **Prompts:** `prompts.txt`, the first five words of every 8th held-out verse (40 prompts).
* sha256: train.txt `{d['train_sha256']}`, heldout.txt `{d['heldout_sha256']}`, prompts.txt `{d['prompts_sha256']}`.

## Tokenizer

Byte-level BPE, {t['vocab_size']} tokens including the specials {', '.join('`' + x + '`' for x in t['special_tokens'])}
(`<|endoftext|>` = id {t['eos_id']} is BOS/EOS/pad), trained with Hugging Face `tokenizers` on the training
text with Qwen2's normalizer (NFC) and pre-tokenizer (the Qwen2 split regex, then byte-level without prefix
space). `tokenizer.json` is the complete tokenizer.

## Architecture

`Qwen2ForCausalLM`: {m['num_hidden_layers']} layers, hidden {m['hidden_size']}, MLP {m['intermediate_size']} (SwiGLU),
{m['num_attention_heads']} query heads and {m['num_key_value_heads']} KV head(s) of dimension {m['head_dim']}, RoPE θ = {m['rope_theta']:g},
RMSNorm ε = {m['rms_norm_eps']:g}, context {m['max_position_embeddings']}, tied input/output embeddings,
{m['parameters']} parameters. `model.safetensors`: bf16, {mb:.2f} MB, {len(m['tensor_names'])} tensors
(`lm_head.weight` is tied to `model.embed_tokens.weight`).

## Training

{report['tokens_seen']} tokens seen ({report['epochs_seen']:.1f} passes over the training text):
{tr['steps_run']} steps{' (stopped by the wall-clock guard)' if tr['stopped_by_time_guard'] else ''} of {s['batch']} windows × {s['seq']} tokens drawn at seeded random offsets
(seed {s['seed']}), AdamW (β = 0.9, 0.95, weight decay {s['weight_decay']} on matrices), peak learning rate {s['lr']:g}
with {s['warmup']} warmup steps and cosine decay to {s['min_lr_ratio']:g}× over {s['steps']} steps, gradient clip 1.0,
fp32 master weights with bf16 autocast. The checkpoint shipped is the one with the best validation loss,
evaluated every {s['eval_every']} steps: step {tr['best_step']} (validation loss {tr['best_val_loss']:.4f}).
Trained in {tr['train_seconds']:.0f} s on {report['gpu'] or 'CPU'} on {report['date_utc'][:10]} with torch
{report['versions']['torch']}, transformers {report['versions']['transformers']}, tokenizers
{report['versions']['tokenizers']}.

## Held-out loss

{report['heldout_loss_definition']}, over {d['heldout_predicted_tokens']} predicted tokens of `heldout.txt`.

{_loss_table(report)}
The shipped bf16 model reaches {shipped['no_quant']:.4f} nats/token against {report['unigram_heldout_loss']:.4f}
for the unigram baseline. MXFP4 (OCP MX v1.0: blocks of 32 along the reduction dimension, scale
2^(floor(log2 amax) − 2) from the fp32 exponent bits, E2M1 round-to-nearest-even, saturating) changes it
by {shipped['w4a16'] - shipped['no_quant']:+.4f} with weights only (W4A16: every decoder Linear weight;
embeddings, norms and the tied head kept) and by {shipped['residual'] - shipped['no_quant']:+.4f} when only the
residual stream (each decoder layer's output hidden state) is quantized.

Checks made by the training script: the saved folder loads with transformers'
`AutoModelForCausalLM.from_pretrained` and gives the same held-out loss as the model in memory (difference
{report['reload_loss_difference']:.1e}); `AutoTokenizer` {_autotok(report['tokenizer']['hf_autotokenizer'])}.
`hf_reference.json` (written beside the training report) holds Hugging Face's own logits for the first 8 prompts.

## Reproduce

```
bash scripts/demo_model/extract_corpus.sh
{_reproduce_command(report)}
```

The data order and initialization are fixed by the seed; GPU kernels can still differ in the last bits
between machines, so a rerun matches these losses to about 1e-3, not bit for bit.
"""


def main(argv):
    if len(argv) != 3:
        raise SystemExit("usage: fill_model_card.py training_report.json README.md")
    with open(argv[1], encoding="utf-8") as f:
        text = render(json.load(f))
    tmp = argv[2] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, argv[2])


if __name__ == "__main__":
    main(sys.argv)
