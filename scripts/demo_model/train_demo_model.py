#!/usr/bin/env python3
"""Trains SRDD Studio's bundled demo model: a small Qwen2 on the King James Bible (public domain).

    bash scripts/demo_model/extract_corpus.sh          # any Debian machine: writes the corpus and held-out text
    python3 scripts/demo_model/train_demo_model.py --corpus .gpu/demo-corpus/train.txt \
        --heldout resources/demo-model/heldout.txt --out OUTDIR        # GPU host, ~3 min on one H100

Needs torch 2.x, transformers 5.x, tokenizers, safetensors; no network. Writes into OUTDIR:
  config.json, generation_config.json, model.safetensors (bf16, tied embeddings), tokenizer.json,
  tokenizer_config.json   the model in Hugging Face layout (copy these into resources/demo-model/)
  README.md               the model card, rendered by fill_model_card.py from the report
  training_report.json    every setting and number: steps, tokens, time, losses (BF16, MXFP4 W4A16,
                          MXFP4 residual stream, both) of the fp32 master and of the shipped bf16 weights,
                          the unigram baseline, file hashes, library versions, GPU, date
  hf_reference.json       for the first 8 prompts: token ids, last-token top-10 logits, mean loss and a
                          greedy continuation, from Hugging Face's own forward on the shipped weights

Held-out loss, the definition every number here uses (the C++ engine must use the same one): the whole
held-out file is tokenized in one piece (no BOS), cut into consecutive non-overlapping windows of --seq
tokens (the last one shorter), each window is one forward pass, and the loss is the token-weighted mean
next-token cross-entropy (nats) over all predicted positions (every token of a window but its first).

Training: tokenizer = byte-level BPE (4096 tokens incl. 3 specials) trained on train.txt with Qwen2's
pre-tokenizer; the last --val-verses verses of train.txt are a validation split, never trained on, used
only to keep the best checkpoint (evaluated every --eval-every steps). Windows of --seq+1 tokens are drawn
at offsets from a seeded CPU generator, so the data order is fixed; fp32 master weights, bf16 autocast,
AdamW, linear warmup then cosine decay to --min-lr-ratio × lr, gradient clip 1.0, eager attention, and
torch deterministic algorithms (warn-only). The held-out text is never seen in training or selection.
"""
import os

os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # before CUDA starts: deterministic cuBLAS

import argparse
import contextlib
import copy
import datetime
import hashlib
import json
import math
import platform
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fill_model_card  # noqa: E402
import mxfp4  # noqa: E402

QWEN2_PATTERN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
QUANT_MODES = ("no_quant", "w4a16", "residual", "w4a16_residual")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", required=True, help="train.txt from extract_corpus.sh")
    p.add_argument("--heldout", required=True, help="resources/demo-model/heldout.txt")
    p.add_argument("--prompts", default=None, help="prompts.txt (default: prompts.txt beside --heldout)")
    p.add_argument("--out", required=True, help="output folder (created)")
    p.add_argument("--device", default="cuda")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--vocab", type=int, default=4096)
    p.add_argument("--hidden", type=int, default=192)
    p.add_argument("--intermediate", type=int, default=512)
    p.add_argument("--layers", type=int, default=6)
    p.add_argument("--heads", type=int, default=3)
    p.add_argument("--kv-heads", type=int, default=1)
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=700)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--min-lr-ratio", type=float, default=0.01)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--val-verses", type=int, default=800, help="last N lines of --corpus: validation split")
    p.add_argument("--eval-every", type=int, default=50)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--minutes", type=float, default=7.0,
                   help="wall-clock guard for the training loop; the steps actually run are reported")
    p.add_argument("--stop-at", type=int, default=None,
                   help="stop after this many steps of the --steps schedule (reproduces a guard-stopped run)")
    return p.parse_args(argv)


def log(msg):
    print(msg, flush=True)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------------------------------------- tokenizer
def build_tokenizer(lines, vocab_size):
    """Byte-level BPE with Qwen2's NFC normalizer and pre-tokenizer, trained on `lines` (newlines kept)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=SPECIAL_TOKENS, show_progress=False)
    tok.train_from_iterator(lines, trainer=trainer, length=len(lines))
    return tok


def save_tokenizer(tok, out, max_len):
    tok.save(os.path.join(out, "tokenizer.json"))
    cfg = {"tokenizer_class": "PreTrainedTokenizerFast", "eos_token": SPECIAL_TOKENS[0],
           "pad_token": SPECIAL_TOKENS[0], "bos_token": None, "unk_token": None,
           "add_bos_token": False, "add_prefix_space": False, "clean_up_tokenization_spaces": False,
           "model_max_length": max_len}
    write_json(os.path.join(out, "tokenizer_config.json"), cfg)


# ------------------------------------------------------------------------------------------- evaluation
def windows(ids, seq):
    """Consecutive non-overlapping windows of `seq` tokens (the last may be shorter; 1-token ones dropped)."""
    return [ids[i:i + seq] for i in range(0, len(ids), seq) if len(ids[i:i + seq]) >= 2]


def window_targets(ids, seq):
    """The tokens the held-out loss predicts: every token of each window but the window's first."""
    return [t for w in windows(ids, seq) for t in w[1:]]


@torch.no_grad()
def windowed_loss(model, ids, seq, autocast_bf16, batch=32):
    """Token-weighted mean next-token cross-entropy (nats) over windows(ids, seq); returns (loss, tokens)."""
    device = next(model.parameters()).device
    ws = windows(ids, seq)
    full = [w for w in ws if len(w) == seq]
    groups = [full[i:i + batch] for i in range(0, len(full), batch)] + [[w] for w in ws if len(w) != seq]
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for g in groups:
        x = torch.tensor(g, dtype=torch.long, device=device)
        with autocast(device, autocast_bf16):
            logits = model(input_ids=x, use_cache=False).logits
        logits = logits.float()
        total += F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1),
                                 reduction="sum").item()
        count += x.shape[0] * (x.shape[1] - 1)
    model.train(was_training)
    return total / count, count


def autocast(device, enabled):
    if not enabled:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


def unigram_loss(train_ids, target_ids, vocab_size):
    """Cross-entropy (nats) of target_ids under the add-one-smoothed unigram distribution of train_ids."""
    counts = torch.bincount(torch.tensor(train_ids, dtype=torch.long), minlength=vocab_size).double()
    logp = torch.log((counts + 1.0) / (counts.sum() + vocab_size))
    return -logp[torch.tensor(target_ids, dtype=torch.long)].mean().item()


def quant_losses(model, ids, seq, autocast_bf16):
    """Held-out loss without quantization, with MXFP4 W4A16 (every decoder Linear weight; embeddings,
    norms and the tied lm_head stay), with the MXFP4 residual stream (each decoder layer's output), and both."""
    layers = model.model.layers
    res = {"no_quant": windowed_loss(model, ids, seq, autocast_bf16)[0]}
    handles = mxfp4.add_residual_hooks(layers)
    res["residual"] = windowed_loss(model, ids, seq, autocast_bf16)[0]
    for h in handles:
        h.remove()
    qmodel = copy.deepcopy(model)
    mxfp4.quantize_linear_weights(qmodel.model.layers)
    res["w4a16"] = windowed_loss(qmodel, ids, seq, autocast_bf16)[0]
    handles = mxfp4.add_residual_hooks(qmodel.model.layers)
    res["w4a16_residual"] = windowed_loss(qmodel, ids, seq, autocast_bf16)[0]
    for h in handles:
        h.remove()
    return {k: res[k] for k in QUANT_MODES}


# --------------------------------------------------------------------------------------------- training
def lr_at(step, args):
    """Learning rate of 0-based `step`: linear warmup over args.warmup steps, then cosine to min ratio."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    t = min(1.0, (step - args.warmup) / max(1, args.steps - args.warmup))
    lo = args.lr * args.min_lr_ratio
    return lo + 0.5 * (args.lr - lo) * (1.0 + math.cos(math.pi * t))


def sample_batch(tokens, gen, seq, batch):
    """`batch` windows of seq+1 tokens at offsets drawn from the CPU generator `gen`; returns (x, y)."""
    offs = torch.randint(0, tokens.numel() - seq, (batch,), generator=gen)
    idx = (offs[:, None] + torch.arange(seq + 1)).to(tokens.device)
    chunk = tokens[idx]
    return chunk[:, :-1], chunk[:, 1:]


def make_optimizer(model, args, fused):
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    kw = {"fused": True} if fused else {}
    return torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95), eps=1e-8, **kw)


def train(model, train_tokens, val_ids, heldout_ids, args, device):
    gen = torch.Generator().manual_seed(args.seed)
    opt = make_optimizer(model, args, fused=device.type == "cuda")
    best = {"val_loss": float("inf"), "step": 0, "state": None}
    curve, run_loss, run_n = [], 0.0, 0
    start = time.time()
    step, guard = 0, False
    model.train()
    last = min(args.steps, args.stop_at or args.steps)
    while step < last:
        if time.time() - start > args.minutes * 60:
            log(f"wall-clock guard ({args.minutes} min) reached after {step} steps")
            guard = True
            break
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args)
        x, y = sample_batch(train_tokens, gen, args.seq, args.batch)
        with autocast(device, True):
            logits = model(input_ids=x, use_cache=False).logits
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        run_loss += loss.item()
        run_n += 1
        if step % args.eval_every == 0 or step == args.steps:
            val = windowed_loss(model, val_ids, args.seq, True)[0]
            held = windowed_loss(model, heldout_ids, args.seq, True)[0]
            curve.append({"step": step, "train_loss": run_loss / run_n, "val_loss": val, "heldout_loss": held,
                          "elapsed_s": round(time.time() - start, 2)})
            if val < best["val_loss"]:
                best = {"val_loss": val, "step": step,
                        "state": {k: v.detach().clone() for k, v in model.state_dict().items()}}
        if step % args.log_every == 0 or step == args.steps:
            c = curve[-1] if curve and curve[-1]["step"] == step else None
            extra = f" val {c['val_loss']:.4f} heldout {c['heldout_loss']:.4f}" if c else ""
            log(f"step {step:5d}/{args.steps} train {run_loss / max(run_n, 1):.4f} lr {lr_at(step - 1, args):.2e}"
                f"{extra} {time.time() - start:.1f}s")
            run_loss, run_n = 0.0, 0
    if best["state"] is None or (curve and curve[-1]["step"] != step):  # stopped between evaluations
        val = windowed_loss(model, val_ids, args.seq, True)[0]
        curve.append({"step": step, "train_loss": run_loss / max(run_n, 1), "val_loss": val,
                      "heldout_loss": windowed_loss(model, heldout_ids, args.seq, True)[0],
                      "elapsed_s": round(time.time() - start, 2)})
        if val < best["val_loss"]:
            best = {"val_loss": val, "step": step,
                    "state": {k: v.detach().clone() for k, v in model.state_dict().items()}}
    model.load_state_dict(best["state"])
    return {"steps_run": step, "stopped_by_time_guard": guard, "best_step": best["step"],
            "best_val_loss": best["val_loss"], "train_seconds": round(time.time() - start, 2), "curve": curve}


# ------------------------------------------------------------------------------------------ shipping
def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def check_saved(out):
    """Checks the Hugging Face layout on disk; returns facts for the report. Adds a missing dtype key."""
    from safetensors import safe_open
    st = os.path.join(out, "model.safetensors")
    if not os.path.isfile(st) or any(n.startswith("model-") or n.endswith(".index.json") for n in os.listdir(out)):
        raise RuntimeError(f"{out}: expected one model.safetensors, found {sorted(os.listdir(out))}")
    with safe_open(st, framework="pt") as f:
        names = sorted(f.keys())
        dtypes = sorted({str(f.get_tensor(n).dtype).replace("torch.", "") for n in names})
    cfg_path = os.path.join(out, "config.json")
    cfg = json.loads(read_text(cfg_path))
    if cfg.get("architectures") != ["Qwen2ForCausalLM"]:
        raise RuntimeError(f"{cfg_path}: architectures is {cfg.get('architectures')}")
    if cfg.get("dtype", cfg.get("torch_dtype")) != "bfloat16":
        cfg["dtype"] = "bfloat16"
        write_json(cfg_path, cfg)
    return {"safetensors_bytes": os.path.getsize(st), "safetensors_sha256": sha256(st),
            "tokenizer_json_sha256": sha256(os.path.join(out, "tokenizer.json")),
            "tensor_names": names, "safetensors_dtypes": dtypes,
            "config_dtype_key": "dtype" if "dtype" in cfg else "torch_dtype", "files": sorted(os.listdir(out))}


@torch.no_grad()
def prompt_reference(model, tok, prompts, greedy_tokens=16):
    """Per prompt: ids, last-token top-10 (ids, fp32 values), mean next-token loss, greedy continuation."""
    device = next(model.parameters()).device
    rows = []
    for text in prompts:
        ids = tok.encode(text).ids
        x = torch.tensor([ids], device=device)
        logits = model(input_ids=x, use_cache=False).logits.float()
        top = torch.topk(logits[0, -1], 10)
        loss = F.cross_entropy(logits[0, :-1], x[0, 1:]).item() if len(ids) > 1 else None
        seqs = list(ids)
        for _ in range(greedy_tokens):
            nxt = model(input_ids=torch.tensor([seqs], device=device), use_cache=False).logits[0, -1].argmax()
            seqs.append(int(nxt))
        rows.append({"text": text, "ids": ids, "top10_ids": top.indices.tolist(), "top10_logits": top.values.tolist(),
                     "mean_loss": loss, "greedy_ids": seqs[len(ids):], "greedy_text": tok.decode(seqs[len(ids):])})
    return rows


def hf_tokenizer_check(out, tok, texts):
    """Loads OUTDIR with transformers' AutoTokenizer and compares its ids with tokenizers' own."""
    try:
        from transformers import AutoTokenizer
        hf = AutoTokenizer.from_pretrained(out)
        same = all(hf(t, add_special_tokens=True)["input_ids"] == tok.encode(t).ids for t in texts)
        return {"loaded": True, "class": type(hf).__name__, "ids_match": same}
    except Exception as e:  # reported, not fatal: the engine reads tokenizer.json directly
        return {"loaded": False, "error": f"{type(e).__name__}: {e}"}


def set_eager(model):
    if hasattr(model, "set_attn_implementation"):
        model.set_attn_implementation("eager")
    else:
        model.config._attn_implementation = "eager"


def main(argv=None):
    args = parse_args(argv)
    t0 = time.time()
    import tokenizers
    import transformers
    from transformers import AutoModelForCausalLM, Qwen2Config, Qwen2ForCausalLM

    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("train_demo_model.py: CUDA is not available (pass --device cpu for a slow smoke run)")
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    # fp32-compute references rely on PyTorch's default of no TF32 for matmuls; the flags are left alone
    # because mixing the legacy allow_tf32 setters with torch 2.9+'s fp32_precision API can raise.
    mxfp4.self_check("cpu")
    mxfp4.self_check(args.device)
    log("mxfp4 quantizer: hand-derived check vectors pass")

    os.makedirs(args.out, exist_ok=True)
    prompts_path = args.prompts or os.path.join(os.path.dirname(os.path.abspath(args.heldout)), "prompts.txt")
    corpus_lines = read_text(args.corpus).splitlines(keepends=True)
    heldout_text = read_text(args.heldout)
    prompts = [p for p in read_text(prompts_path).splitlines() if p.strip()]
    if args.val_verses >= len(corpus_lines) // 2:
        raise SystemExit(f"{args.corpus}: only {len(corpus_lines)} lines, too few for --val-verses {args.val_verses}")

    tok = build_tokenizer(corpus_lines, args.vocab)
    save_tokenizer(tok, args.out, args.seq * 2)
    eos = tok.token_to_id(SPECIAL_TOKENS[0])
    train_ids = tok.encode("".join(corpus_lines[:-args.val_verses])).ids
    val_ids = tok.encode("".join(corpus_lines[-args.val_verses:])).ids
    heldout_ids = tok.encode(heldout_text).ids
    log(f"tokenizer: {tok.get_vocab_size()} tokens; train {len(train_ids)}, val {len(val_ids)}, "
        f"held-out {len(heldout_ids)} tokens ({len(heldout_text.encode()) / len(heldout_ids):.2f} bytes/token)")

    config = Qwen2Config(
        vocab_size=tok.get_vocab_size(), hidden_size=args.hidden, intermediate_size=args.intermediate,
        num_hidden_layers=args.layers, num_attention_heads=args.heads, num_key_value_heads=args.kv_heads,
        max_position_embeddings=args.seq * 2, rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
        rms_norm_eps=1e-6, tie_word_embeddings=True, use_sliding_window=False, attention_dropout=0.0,
        bos_token_id=eos, eos_token_id=eos, use_cache=False)
    torch.manual_seed(args.seed)
    model = Qwen2ForCausalLM(config)
    set_eager(model)
    model.to(device=device, dtype=torch.float32)
    n_params = sum(p.numel() for p in model.parameters())  # tied lm_head counted once
    log(f"model: {n_params} parameters ({2 * n_params / 1e6:.2f} MB in bf16)")

    train_tokens = torch.tensor(train_ids, dtype=torch.long, device=device)
    training = train(model, train_tokens, val_ids, heldout_ids, args, device)
    log(f"trained {training['steps_run']} steps in {training['train_seconds']} s; "
        f"best validation {training['best_val_loss']:.4f} at step {training['best_step']}")

    losses = {"master_fp32_autocast_bf16": quant_losses(model, heldout_ids, args.seq, True)}
    # Only the parameters become bf16: Module.to(dtype) would also round the fp32 RoPE inv_freq buffer, which a
    # model loaded from disk recomputes in fp32, and the in-memory/reloaded comparison below would then differ.
    ship = copy.deepcopy(model)
    for p in ship.parameters():
        p.data = p.data.to(torch.bfloat16)
    ship.config.use_cache = True
    ship.save_pretrained(args.out)
    saved = check_saved(args.out)

    loaded = AutoModelForCausalLM.from_pretrained(args.out, dtype=torch.bfloat16, attn_implementation="eager")
    loaded.to(device).eval()
    if next(loaded.parameters()).dtype != torch.bfloat16:
        raise RuntimeError(f"{args.out}: reloaded model is {next(loaded.parameters()).dtype}, not bfloat16")
    losses["shipped_bf16"] = quant_losses(loaded, heldout_ids, args.seq, False)
    loaded32 = copy.deepcopy(loaded).float()
    losses["shipped_fp32_compute"] = quant_losses(loaded32, heldout_ids, args.seq, False)
    in_memory = windowed_loss(ship.to(device), heldout_ids, args.seq, False)[0]
    reload_diff = abs(in_memory - losses["shipped_bf16"]["no_quant"])  # checked after the report is written

    ref_prompts = prompts[:8]
    q32 = copy.deepcopy(loaded32)
    mxfp4.quantize_linear_weights(q32.model.layers)
    hf_ref = {
        "about": "Hugging Face transformers forward of model.safetensors, eager attention, batch 1, no BOS; "
                 "logits in fp32; mean_loss = mean next-token cross-entropy over the prompt; "
                 "greedy = 16 argmax tokens. bf16: bf16 weights and compute; fp32: bf16 weights upcast, fp32 "
                 "compute; w4a16_fp32: MXFP4 (OCP, FLOOR scale, RNE) decoder Linear weights, fp32 compute.",
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor(),
        "prompts": ref_prompts,
        "bf16": prompt_reference(loaded, tok, ref_prompts),
        "fp32": prompt_reference(loaded32, tok, ref_prompts),
        "w4a16_fp32": prompt_reference(q32, tok, ref_prompts),
    }
    write_json(os.path.join(args.out, "hf_reference.json"), hf_ref)

    target_ids = window_targets(heldout_ids, args.seq)
    report = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([os.path.basename(sys.executable)] + sys.argv),
        "settings": {k: v for k, v in vars(args).items() if k not in ("out",)},
        "data": {
            "source": "King James Version of the Bible (1611), Debian packages bible-kjv / bible-kjv-text, "
                      "dumped with `bible -f` by scripts/demo_model/extract_corpus.sh",
            "train_sha256": sha256(args.corpus), "heldout_sha256": sha256(args.heldout),
            "prompts_sha256": sha256(prompts_path),
            "train_lines": len(corpus_lines) - args.val_verses, "val_lines": args.val_verses,
            "train_tokens": len(train_ids), "val_tokens": len(val_ids), "heldout_tokens": len(heldout_ids),
            "heldout_bytes": len(heldout_text.encode()), "heldout_predicted_tokens": len(target_ids),
        },
        "tokenizer": {"vocab_size": tok.get_vocab_size(), "special_tokens": SPECIAL_TOKENS, "eos_id": eos,
                      "pre_tokenizer_pattern": QWEN2_PATTERN, "hf_autotokenizer": hf_tokenizer_check(
                          args.out, tok, prompts + [heldout_text[:2000]])},
        "model": {"architecture": "Qwen2ForCausalLM", "parameters": n_params, **{k: getattr(config, k) for k in (
            "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
            "num_key_value_heads", "max_position_embeddings", "rms_norm_eps", "tie_word_embeddings")},
            "head_dim": args.hidden // args.heads, "rope_theta": 10000.0, **saved},
        "training": {k: v for k, v in training.items()},
        "tokens_seen": training["steps_run"] * args.batch * args.seq,
        "epochs_seen": training["steps_run"] * args.batch * args.seq / len(train_ids),
        "heldout_loss_definition": f"Whole file tokenized at once, consecutive windows of {args.seq} tokens, "
                                   "no BOS, token-weighted mean next-token cross-entropy (nats)",
        "unigram_heldout_loss": unigram_loss(train_ids, target_ids, tok.get_vocab_size()),
        "heldout_loss": losses,
        "reload_loss_difference": reload_diff,
        "mxfp4": "OCP MX v1.0: 32-element blocks along the last dim, scale 2^(floor(log2 amax)-2) from fp32 "
                 "exponent bits, E2M1 round-to-nearest-even, saturating; W4A16 = decoder Linear weights only",
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                     "cuda": torch.version.cuda},
        "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
        "total_seconds": None,
    }
    report["total_seconds"] = round(time.time() - t0, 1)
    write_json(os.path.join(args.out, "training_report.json"), report)
    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8") as f:
        f.write(fill_model_card.render(report))
    printable = {k: v for k, v in report.items() if k not in ("training",)}
    printable["training"] = {k: v for k, v in training.items() if k != "curve"}
    log(json.dumps(printable, indent=2))
    if saved["safetensors_bytes"] > 7.5e6:
        log(f"WARNING: model.safetensors is {saved['safetensors_bytes']} bytes, over the ~7 MB target")
    if reload_diff > 1e-4:
        raise SystemExit(f"{args.out}: the reloaded model's held-out loss differs from the saved one's by {reload_diff}")


if __name__ == "__main__":
    main()
