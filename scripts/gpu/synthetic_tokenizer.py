#!/usr/bin/env python3
"""A synthetic tokenizer.json the size of Qwen2.5's (151,643 tokens, 151,387 merges, byte-level BPE with the Qwen2
pre-tokenizer), for timing tokenizer loads where the real one is not at hand. Usage: synthetic_tokenizer.py OUT"""
import json, os, random, sys
random.seed(0)
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~")+1))+list(range(ord("¡"), ord("¬")+1))+list(range(ord("®"), ord("ÿ")+1))
    cs = bs[:]; n = 0
    for b in range(256):
        if b not in bs: bs.append(b); cs.append(256+n); n += 1
    return [chr(c) for c in cs]
alpha = bytes_to_unicode()
vocab = {c: i for i, c in enumerate(alpha)}
toks = list(alpha)
merges = []
while len(vocab) < 151643 - 256 + 256 and len(merges) < 151387:
    a = random.choice(toks[:min(len(toks), 5000)] if random.random() < 0.5 else toks)
    b = random.choice(toks[:300])
    t = a + b
    if t in vocab or len(t) > 16: continue
    vocab[t] = len(vocab); toks.append(t); merges.append(f"{a} {b}")
doc = {"version": "1.0", "truncation": None, "padding": None,
       "added_tokens": [{"id": len(vocab)+i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
                         "normalized": False, "special": True} for i, c in enumerate(["<|endoftext|>", "<|im_start|>", "<|im_end|>"])],
       "normalizer": {"type": "NFC"},
       "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
           {"type": "Split", "pattern": {"Regex": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""}, "behavior": "Isolated", "invert": False},
           {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
       "post_processor": None, "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
       "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "", "end_of_word_suffix": "",
                 "fuse_unk": False, "byte_fallback": False, "ignore_merges": False, "vocab": vocab, "merges": merges}}
out = sys.argv[1] if len(sys.argv) > 1 else "tokenizer.json"
os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
json.dump(doc, open(out, "w"), ensure_ascii=False)
print(len(vocab), len(merges))
