#!/usr/bin/python3
"""bench_stats.py MODEL OUT: a synthetic activation-statistics file for `surgeon prune --method wanda
--stats`, in the format README.md documents under "### calibrate": per prunable Linear
`<linear>.input_sq_sum` (F64 [in], positive: tokens x a log-normal per-channel mean square, seeded),
`<linear>.input_tokens` (I64 scalar), `blocks.cosine` (F64 [L]), and the `surgeon-stats` metadata.
Made with numpy rather than `surgeon calibrate` so a 3B model needs neither its F32 weights in memory
(12 GB) nor a forward pass; the benchmark measures pruning from given statistics, not calibration.
Linears that share an input (q/k/v, gate/up) share their sums, as real statistics do."""
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_safetensors import Writer, open_model  # noqa: E402

LINEAR = re.compile(r"^(model\.layers\.(\d+)\.(self_attn\.(q|k|v|o)_proj|mlp\.(gate|up|down)_proj))\.weight$")
SHARED = {"q": "qkv", "k": "qkv", "v": "qkv", "gate": "gu", "up": "gu"}
TOKENS = 128 * 512


def main():
    model, out = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(0)
    arrays, specs, inputs = [], [], {}
    blocks = 0
    for name, t in open_model(model).items():
        m = LINEAR.match(name)
        if not m or len(t.shape) != 2:
            continue
        block, kind = int(m.group(2)), m.group(4) or m.group(5)
        blocks = max(blocks, block + 1)
        key = (block, SHARED.get(kind, kind))
        if key not in inputs:
            inputs[key] = TOKENS * rng.lognormal(0.0, 1.0, t.shape[1])
        arrays += [inputs[key], np.array(TOKENS, dtype=np.int64)]
        specs += [(m.group(1) + ".input_sq_sum", "F64", [t.shape[1]]), (m.group(1) + ".input_tokens", "I64", [])]
    arrays.append(np.linspace(0.9, 0.6, blocks))
    specs.append(("blocks.cosine", "F64", [blocks]))
    meta = {"format": "surgeon-stats", "version": "1", "model": os.path.basename(os.path.normpath(model)),
            "data": "synthetic", "samples": "128", "seq_len": "512", "seed": "0", "tokens": str(TOKENS),
            "gram": "false"}
    tmp = out + ".tmp"
    w = Writer(tmp, specs, meta)
    for a in arrays:
        w.write(a)
    w.close()
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
