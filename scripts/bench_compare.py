#!/usr/bin/python3
"""bench_compare.py MODE A B: compares two models tensor by tensor (names, shapes, dtypes, values)
and prints `PASS|FAIL <detail>`; exit 0 on PASS. Modes:
  close  values within 2 units in the last place of the stored dtype (the max |difference| and
         ulps are printed);
  prune  the zero positions are the same and every other value is equal (mismatches printed).
Proves the benchmark's PyTorch peer does the same work as surgeon. Benchmark only."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_safetensors import FLOATS, open_model  # noqa: E402

MAX_ULPS = 2


def values(t):
    x = torch.from_numpy(np.array(t.data))
    return (x.view(torch.bfloat16) if t.dtype == "BF16" else x).double()


def ordered_bits(t):
    """Integers whose differences count representable values between floats (sign-magnitude)."""
    a = np.array(t.data).view({2: np.int16, 4: np.int32, 8: np.int64}[t.data.itemsize]).astype(np.int64)
    mag = a & ((1 << (8 * t.data.itemsize - 1)) - 1)
    return np.where(a < 0, -mag, mag)


def main():
    mode, pa, pb = sys.argv[1:4]
    a, b = open_model(pa), open_model(pb)
    if set(a) != set(b):
        print("FAIL tensor names differ: %s" % sorted(set(a) ^ set(b))[:5])
        return 1
    worst_abs, worst_ulps, mismatched, zeros = 0.0, 0, 0, 0
    for name, ta in a.items():
        tb = b[name]
        if ta.shape != tb.shape or ta.dtype != tb.dtype:
            print("FAIL %s: %s %s vs %s %s" % (name, ta.dtype, ta.shape, tb.dtype, tb.shape))
            return 1
        if ta.dtype not in FLOATS:
            mismatched += int((np.array(ta.data) != np.array(tb.data)).sum())
            continue
        va, vb = values(ta), values(tb)
        if mode == "prune":
            za, zb = va == 0, vb == 0
            zeros += int(za.sum())
            mismatched += int((za != zb).sum()) + int(((va != vb) & ~za & ~zb).sum())
        else:
            d = (va - vb).abs()
            worst_abs = max(worst_abs, float(d.max()) if d.numel() else 0.0)
            u = np.abs(ordered_bits(ta) - ordered_bits(tb))
            worst_ulps = max(worst_ulps, int(u.max()) if u.size else 0)
    if mode == "prune":
        ok = mismatched == 0
        print("%s zeros %d, mismatched positions/values %d" % ("PASS" if ok else "FAIL", zeros, mismatched))
    else:
        ok = worst_ulps <= MAX_ULPS and mismatched == 0
        print("%s max |diff| %.3g (%d ulps)" % ("PASS" if ok else "FAIL", worst_abs, worst_ulps))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
