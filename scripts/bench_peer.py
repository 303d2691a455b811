#!/usr/bin/python3
"""The PyTorch peer of scripts/bench: the same edits as surgeon's commands, with the same semantics
and defaults, written as a PyTorch engineer would write them for speed on CPU: the inputs
memory-mapped, tensor by tensor (elementwise ops in chunks), vectorised torch ops on all CPUs, BF16
through int16 views, the output streamed into one safetensors file and fsynced. Benchmark only.

  bench_peer.py inspect MODEL
  bench_peer.py convert MODEL OUT --dtype f16
  bench_peer.py scale BASE FT OUT --alpha A [--beta B]          LiNeS, beta default 1 - alpha
  bench_peer.py average PRE POST OUT [--weight W]               MA, W = POST weight, default 0.8
  bench_peer.py merge-ties BASE FT... OUT [--density D] [--lambda L]
  bench_peer.py prune-magnitude MODEL OUT [--ratio S]           per matrix
  bench_peer.py prune-wanda MODEL OUT --stats STATS [--ratio S] per output row, one-shot from STATS
"""
import argparse
import math
import os
import re
import shutil
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_safetensors import FLOATS, Writer, open_model  # noqa: E402

BLOCK = re.compile(r"^model\.layers\.(\d+)\.")


def block_of(name):
    m = BLOCK.match(name)
    return int(m.group(1)) if m else -1


def block_count(tensors):
    blocks = {block_of(n) for n in tensors} - {-1}
    return max(blocks) + 1 if blocks else 0


def inspect(model):
    """Headers only: what a Python user gets from safetensors' metadata, without torch."""
    tensors = open_model(model)
    dtypes = {}
    params = 0
    for t in tensors.values():
        dtypes[t.dtype] = dtypes.get(t.dtype, 0) + 1
        params += t.numel
    print("tensors %d params %d dtypes %s blocks %d" % (len(tensors), params,
          ",".join("%s:%d" % kv for kv in sorted(dtypes.items())), block_count(tensors)))


if __name__ == "__main__" and sys.argv[1:2] == ["inspect"] and len(sys.argv) == 3:
    inspect(sys.argv[2])  # before importing torch, whose start (about 1 s) would be all of the time
    sys.exit(0)

import torch  # noqa: E402

warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
torch.set_num_threads(os.cpu_count())
torch.set_grad_enabled(False)

CHUNK = 1 << 19  # elements per elementwise step: the temporaries stay in cache (1.7x faster than 4M here)
PRUNABLE = re.compile(r"^model\.layers\.\d+\.(self_attn\.(q|k|v|o)_proj|mlp\.(gate|up|down)_proj)\.weight$")
TORCH = {"BF16": torch.bfloat16, "F16": torch.float16, "F32": torch.float32, "F64": torch.float64}
INT_VIEW = {"BF16": torch.int16, "F16": torch.int16, "F32": torch.int32, "F64": torch.int64}


def as_torch(t, lo=0, hi=None):
    """Elements [lo, hi) of a stored tensor as a torch tensor of its own dtype (no copy)."""
    flat = t.data.reshape(-1)[lo:hi]
    x = torch.from_numpy(flat)
    return x.view(torch.bfloat16) if t.dtype == "BF16" else x


def to_f32(t, lo=0, hi=None):
    return as_torch(t, lo, hi).float()


def encode(x, dtype):
    """A float tensor rounded (to nearest even) to dtype, as a numpy array of the stored bits."""
    y = x.to(TORCH[dtype])
    return y.view(INT_VIEW[dtype]).numpy() if dtype == "BF16" else y.numpy()


def chunks(n):
    for lo in range(0, n, CHUNK):
        yield lo, min(n, lo + CHUNK)


def output(out, base_path, specs, metadata=None):
    """The output folder (config.json copied from the base) and its writer."""
    os.makedirs(out, exist_ok=True)
    cfg = os.path.join(base_path, "config.json") if os.path.isdir(base_path) else None
    if cfg and os.path.exists(cfg):
        shutil.copyfile(cfg, os.path.join(out, "config.json"))
    return Writer(os.path.join(out, "model.safetensors"), specs, metadata)


def specs_of(tensors, dtype=None):
    return [(t.name, dtype if (dtype and t.dtype in FLOATS) else t.dtype, t.shape) for t in tensors.values()]


def copy(w, t, lo=0, hi=None):
    w.write(t.data.reshape(-1)[lo:hi])


# ---- inspect, convert ---------------------------------------------------------------------------

def convert(a):
    dtype = a.dtype.upper()
    tensors = open_model(a.model)
    w = output(a.out, a.model, specs_of(tensors, dtype))
    for t in tensors.values():
        if t.dtype not in FLOATS or t.dtype == dtype:
            copy(w, t)
            continue
        for lo, hi in chunks(t.numel):
            w.write(encode(to_f32(t, lo, hi), dtype))
    w.close()


# ---- elementwise two-model edits ----------------------------------------------------------------

def elementwise(base_path, other_path, out, kernel_of):
    """out = kernel(base, other) in F32 per chunk, rounded once to each tensor's dtype;
    kernel_of(name) gives the tensor's kernel, or None to copy the base."""
    base, other = open_model(base_path), open_model(other_path)
    w = output(out, base_path, specs_of(base))
    for t in base.values():
        k = kernel_of(t.name) if t.dtype in FLOATS else None
        o = other[t.name]
        for lo, hi in chunks(t.numel):
            if k is None:
                copy(w, t, lo, hi)
            else:
                r = k(to_f32(t, lo, hi), to_f32(o, lo, hi), t, o, lo, hi)
                w.write(r if isinstance(r, np.ndarray) else encode(r, t.dtype))
    w.close()


def scale(a):
    """LiNeS: lambda(l) = alpha + beta * l / (L - 1) in block l, alpha outside blocks;
    out = base + lambda * (ft - base) in F32; lambda 0 or 1 copies an input exactly."""
    beta = 1 - a.alpha if a.beta is None else a.beta
    L = block_count(open_model(a.base))

    def lam(name):
        b = block_of(name)
        if b < 0:
            return a.alpha
        return a.alpha + beta if L == 1 else a.alpha + beta * b / (L - 1)

    def kernel_of(name):
        lf = lam(name)
        if lf == 0:
            return lambda b, f, tb, tf, lo, hi: tb.data.reshape(-1)[lo:hi]
        if lf == 1:
            return lambda b, f, tb, tf, lo, hi: tf.data.reshape(-1)[lo:hi]
        l32 = torch.tensor(lf, dtype=torch.float32)
        return lambda b, f, *_: f.sub_(b).mul_(l32).add_(b)  # b + l * (f - b), in place on the decoded copies

    elementwise(a.base, a.ft, a.out, kernel_of)


def average(a):
    """MA: out = (1 - W) * PRE + W * POST in F32, W the weight of POST."""
    wf = torch.tensor(a.weight, dtype=torch.float32)
    v = torch.tensor(1 - a.weight, dtype=torch.float32)
    elementwise(a.pre, a.post, a.out, lambda name: (lambda p, q, *_: p.mul_(v).add_(q.mul_(wf))))


# ---- TIES ---------------------------------------------------------------------------------------

def merge_ties(a):
    """TIES: trim each tau_t = ft_t - base to its top density by |tau| over every float tensor of
    the model (exact k-th largest, ties kept; a 2-pass radix count on the float bits), elect each
    coordinate's sign by the sign of sum_t tau_t (0: the model's majority sign, one counting pass),
    disjoint mean of the agreeing non-zero entries, out = base + lambda * tau_m (in F64)."""
    base = open_model(a.base)
    fts = [open_model(p) for p in a.fts]
    T = len(fts)
    floats = [t for t in base.values() if t.dtype in FLOATS]
    n = sum(t.numel for t in floats)
    k = min(n, math.floor(a.density * n))

    def taus(t, lo, hi):
        b = to_f32(t, lo, hi)
        return [to_f32(f[t.name], lo, hi) - b for f in fts], b

    def each_chunk():
        for t in floats:
            for lo, hi in chunks(t.numel):
                yield t, lo, hi

    # thresholds as keys: the bits of |tau| as int32 order like the values
    if k == 0:
        keys = [None] * T  # keep nothing
    elif k == n:
        keys = [0] * T
    else:
        high = torch.zeros(T, 1 << 15, dtype=torch.int64)
        for t, lo, hi in each_chunk():
            tau, _ = taus(t, lo, hi)
            for i in range(T):
                high[i] += torch.bincount(tau[i].abs_().view(torch.int32) >> 16, minlength=1 << 15)
        bucket, need = [], []
        for i in range(T):
            above = torch.flip(torch.cumsum(torch.flip(high[i], [0]), 0), [0])  # count with high bits >= h
            h = int((above >= k).nonzero().max())
            bucket.append(h)
            need.append(k - (int(above[h + 1]) if h + 1 < (1 << 15) else 0))
        low = torch.zeros(T, (1 << 16) + 1, dtype=torch.int64)
        for t, lo, hi in each_chunk():
            tau, _ = taus(t, lo, hi)
            for i in range(T):
                key = tau[i].abs_().view(torch.int32)
                # the low 16 bits of the keys in the threshold's bucket; the others counted in a spare bin
                sel = torch.where((key >> 16) == bucket[i], key & 0xFFFF, 1 << 16)
                low[i] += torch.bincount(sel, minlength=(1 << 16) + 1)
        keys = []
        for i in range(T):
            above = torch.flip(torch.cumsum(torch.flip(low[i, :1 << 16], [0]), 0), [0])
            l = int((above >= need[i]).nonzero().max())
            keys.append((bucket[i] << 16) | l)

    def trimmed(t, lo, hi):
        tau, b = taus(t, lo, hi)
        for i in range(T):
            if keys[i] is None:
                tau[i].zero_()
            else:
                tau[i].masked_fill_(tau[i].abs().view(torch.int32) < keys[i], 0)
        return tau, b

    # surgeon sums, averages and scales in F64; F32 gives the same signs and the same rounded
    # results for two tasks and lambda 1 (sums of two F32 values round to the right sign, the mean
    # of two is a halving, base + mean rounds once), so the peer takes the faster F32 path there
    acc = torch.float32 if T <= 2 and a.lam == 1 else torch.float64

    def total(tau):
        s = tau[0].to(acc, copy=True)
        for x in tau[1:]:
            s += x
        return s

    # majority sign over the model (only coordinates whose trimmed sum cancels exactly use it)
    pos = neg = 0
    for t, lo, hi in each_chunk():
        s = total(trimmed(t, lo, hi)[0])
        pos += int((s > 0).sum())
        neg += int((s < 0).sum())
    majority_negative = pos - neg <= 0

    w = output(a.out, a.base, specs_of(base))
    lam = torch.tensor(a.lam, dtype=acc)
    for t in base.values():
        if t.dtype not in FLOATS:
            copy(w, t)
            continue
        for lo, hi in chunks(t.numel):
            tau, b = trimmed(t, lo, hi)
            s = total(tau)
            negative = (s < 0) | ((s == 0) & majority_negative) if majority_negative else s < 0
            agreed = torch.zeros_like(s)
            count = torch.zeros_like(s)
            for x in tau:
                agree = torch.where(negative, x < 0, x > 0)  # zeros never agree
                agreed += x.masked_fill_(~agree, 0)
                count += agree
            merged = agreed.div_(count.clamp_(min=1))  # disjoint mean
            w.write(encode(merged.mul_(lam).add_(b).float(), t.dtype))
    w.close()


# ---- pruning ------------------------------------------------------------------------------------

def lowest_mask(scores, k, dim=None):
    """True at the k lowest scores (of the whole tensor, or per row with dim=1); equal scores go in
    index order (the lower index first)."""
    if k <= 0:
        return torch.zeros_like(scores, dtype=torch.bool)
    if dim is None:
        flat = scores.reshape(-1)
        v = torch.kthvalue(flat, k).values
        return ties_in_order(flat < v, flat == v, k).view(scores.shape)
    v = torch.kthvalue(scores, k, dim=1, keepdim=True).values
    less = scores < v
    eq = scores == v
    need = k - less.sum(1, keepdim=True)
    if bool((eq.sum(1, keepdim=True) == need).all()):
        return less | eq  # no row has more ties at its cut than it needs: no order to apply
    return less | (eq & (torch.cumsum(eq, 1) <= need))


def ties_in_order(less, eq, k):
    """less, plus the first (k - count of less) positions of eq (flat tensors)."""
    need = k - int(less.sum())
    if need > 0:
        less[eq.nonzero()[:need, 0]] = True
    return less


def lowest_keys_mask(key, k):
    """lowest_mask for small non-negative integer keys (the 15 magnitude bits of a 16-bit float):
    the cut from one histogram instead of a selection."""
    flat = key.reshape(-1)
    if k <= 0:
        return torch.zeros_like(flat, dtype=torch.bool).view(key.shape)
    cum = torch.cumsum(torch.bincount(flat.int(), minlength=1 << 15), 0)
    cut = int(torch.searchsorted(cum, k))  # the key of the k-th lowest
    return ties_in_order(flat < cut, flat == cut, k).view(key.shape)


def prune(model_path, out, mask_of):
    """Prunable tensors (2-D q/k/v/o/gate/up/down weights of blocks) zeroed where mask_of says;
    everything else copied."""
    tensors = open_model(model_path)
    w = output(out, model_path, specs_of(tensors))
    for t in tensors.values():
        if not PRUNABLE.match(t.name) or len(t.shape) != 2 or t.dtype not in FLOATS:
            copy(w, t)
            continue
        x = torch.from_numpy(t.data).view(t.shape)
        m = mask_of(t, x)
        w.write(torch.where(m, torch.zeros_like(x), x).numpy())
    w.close()


def prune_magnitude(a):
    """Magnitude per matrix: the floor(n * S) lowest |w| of each matrix."""
    def mask_of(t, x):
        k = math.floor(t.numel * a.ratio)
        if t.dtype in ("BF16", "F16"):
            # sign-magnitude 16-bit floats: |w| orders exactly like the 15 low bits
            key = x.view(torch.int16) & 0x7FFF
            return lowest_keys_mask(key, k) | (key == 0)  # -0 written +0, as surgeon does
        return lowest_mask(x.abs(), k)
    prune(a.model, a.out, mask_of)


def prune_wanda(a):
    """Wanda one-shot from a statistics file: score |W_ij| * sqrt(sq_sum_j) (F64, rounded to F32),
    the floor(cols * S) lowest of each output row."""
    stats = open_model(a.stats)

    def mask_of(t, x):
        sq = stats[t.name[:-len(".weight")] + ".input_sq_sum"]
        norm = torch.from_numpy(np.array(sq.data)).sqrt()
        xv = x.view(torch.bfloat16) if t.dtype == "BF16" else x
        score = (xv.double().abs() * norm).float()
        return lowest_mask(score, math.floor(t.shape[1] * a.ratio), dim=1)
    prune(a.model, a.out, mask_of)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="op", required=True)
    s = sub.add_parser("inspect")
    s.add_argument("model")
    s = sub.add_parser("convert")
    s.add_argument("model")
    s.add_argument("out")
    s.add_argument("--dtype", required=True, choices=["bf16", "f16", "f32"])
    s = sub.add_parser("scale")
    s.add_argument("base")
    s.add_argument("ft")
    s.add_argument("out")
    s.add_argument("--alpha", type=float, required=True)
    s.add_argument("--beta", type=float)
    s = sub.add_parser("average")
    s.add_argument("pre")
    s.add_argument("post")
    s.add_argument("out")
    s.add_argument("--weight", type=float, default=0.8)
    s = sub.add_parser("merge-ties")
    s.add_argument("base")
    s.add_argument("fts", nargs="+")
    s.add_argument("--density", type=float, default=0.2)
    s.add_argument("--lambda", dest="lam", type=float, default=1.0)
    s = sub.add_parser("prune-magnitude")
    s.add_argument("model")
    s.add_argument("out")
    s.add_argument("--ratio", type=float, default=0.5)
    s = sub.add_parser("prune-wanda")
    s.add_argument("model")
    s.add_argument("out")
    s.add_argument("--stats", required=True)
    s.add_argument("--ratio", type=float, default=0.5)
    a = p.parse_args()
    if a.op == "merge-ties":
        a.fts, a.out = a.fts[:-1], a.fts[-1]
        if not a.fts:
            p.error("merge-ties needs BASE FT... OUT")
    {"inspect": lambda a: inspect(a.model), "convert": convert, "scale": scale, "average": average, "merge-ties": merge_ties,
     "prune-magnitude": prune_magnitude, "prune-wanda": prune_wanda}[a.op](a)


if __name__ == "__main__":
    main()
