# The validation table of docs/validation.md from the scans planted_faults.sh wrote.
import json, sys
out = sys.argv[1]
print("| run | options | planted | its held-out Δloss [95% CI] | its KL (1 layer) | rank | flags on it | flagged layers | target set |")
print("|---|---|---|---|---|---|---|---|---|")
for line in open(out + "/runs.txt"):
    name, planted, opts = line.rstrip("\n").split("|")
    d = json.load(open(f"{out}/{name}.json"))
    rank = [e["layer"] for e in d["verdict"]["ranking"]]
    flagged = d["verdict"]["problematic_layers"]
    targets = d["verdict"]["recommendation"]["target_layers"]
    if planted == "-":
        cells = ["-", "-", "-", "-", "-"]
    else:
        p = int(planted)
        l = d["layers"][p]
        dl = l["sensitivity"]["dloss_single"]
        kl = l["sensitivity"]["kl_single"]["mean"]
        flags = ", ".join(f["rule"] + (" (" + f["where"] + ")" if f.get("where") else "") for f in l.get("flags", []) if f["kind"] == "threshold") or "none"
        cells = [str(p), f"{dl['mean']:+.4f} [{dl['ci95'][0]:+.4f}, {dl['ci95'][1]:+.4f}]", f"{kl:.4f}",
                 str(rank.index(p) + 1) + " of " + str(len(rank)), flags]
    print(f"| {name} | `{opts}` | " + " | ".join(cells) + f" | {flagged or 'none'} | {targets or 'none'} |")
