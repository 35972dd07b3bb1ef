#!/usr/bin/env python3
"""Times Hugging Face transformers' eager forward of a checkpoint, as the baseline that `srdd bench forward`
is compared with on the same GPU. Usage: hf_forward_bench.py MODEL_DIR [--batches 1,8,32] [--seqs 16,128,512]"""
import argparse
import json
import time

import torch
from transformers import AutoModelForCausalLM


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--batches", default="1,8,32")
    ap.add_argument("--seqs", default="16,128,512")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.bfloat16, attn_implementation="sdpa").cuda().eval()
    rows = []
    g = torch.Generator().manual_seed(0)
    for b in map(int, args.batches.split(",")):
        for t in map(int, args.seqs.split(",")):
            ids = torch.randint(0, model.config.vocab_size, (b, t), generator=g).cuda()
            times = []
            with torch.no_grad():
                for r in range(2 + args.repeats):
                    torch.cuda.synchronize()
                    start = time.perf_counter()
                    out = model(input_ids=ids, use_cache=False, logits_to_keep=1)
                    out.logits.sum().item()
                    if r >= 2:
                        times.append((time.perf_counter() - start) * 1000)
            ms = sorted(times)[len(times) // 2]
            rows.append({"batch": b, "seq": t, "ms_per_forward": ms, "tokens_per_s": b * t / ms * 1000})
            print(f"HF eager sdpa  batch {b:3d} seq {t:4d}  {ms:8.2f} ms  {b * t / ms * 1000:10.0f} tok/s", flush=True)
    print(json.dumps({"benchmark": "hf_forward", "gpu": torch.cuda.get_device_name(), "torch": torch.__version__, "results": rows}))


if __name__ == "__main__":
    main()
