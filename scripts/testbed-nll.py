#!/usr/bin/env python3
"""testbed-nll: mean NLL (nats/byte) of byte-level LLaMA checkpoints on the testbed's held-out data.

A stop-gap forward pass (python3 + numpy only) until surgeon has its own: it reads safetensors
itself (8-byte little-endian header length, JSON header, raw data; F32, BF16, F16) and runs the
Hugging Face LlamaForCausalLM math: RMSNorm, rotary embeddings (rotate-half, theta from config),
grouped-query causal attention, SwiGLU MLP, untied lm_head.

Usage: scripts/testbed-nll.py MODEL_DIR_OR_FILE [...] [--shared /work/shared] [--check]
                              [--float64] [--batch N] [--seq T]

MODEL is a folder (model.safetensors, or model.safetensors.index.json with shards) or a
.safetensors file. Sizes come from the model's config.json; when it has none (a bare file, or a
folder written without one), from the config.json beside the file, else testbed/base/config.json.

Evaluation convention (fixtures/testbed/README.md): each eval/{prose,code,legal}.bin is cut into
consecutive non-overlapping windows of T+1 bytes (T = 128), each window predicts its last T bytes,
and the figure is the mean NLL over all predicted bytes (a trailing partial window is dropped).

--check runs testbed/base on reference.safetensors' input_ids and asserts
max |logits - reference logits| < 1e-4 (the max error is printed).
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np

DOMAINS = ("prose", "code", "legal")


# ---------------------------------------------------------------------------------------------
# safetensors

def _decode(raw, dtype, shape):
    if dtype == "F32":
        a = np.frombuffer(raw, dtype="<f4")
    elif dtype == "F16":
        a = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    elif dtype == "BF16":
        a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    elif dtype == "F64":
        a = np.frombuffer(raw, dtype="<f8")
    else:
        raise ValueError("unsupported dtype %s" % dtype)
    return a.reshape(shape)


def read_safetensors(path):
    """Returns {name: numpy array} (float32, or float64 for F64) of one .safetensors file."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError("%s: too short for a safetensors header" % path)
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        out[name] = _decode(blob[base + start:base + end], info["dtype"], info["shape"])
    return out


def load_model(path, shared):
    """Returns (tensors, config, display name) for a folder, index file or .safetensors file."""
    path = os.path.normpath(path)
    if os.path.isdir(path):
        folder = path
        index = os.path.join(folder, "model.safetensors.index.json")
        single = os.path.join(folder, "model.safetensors")
        if os.path.isfile(single):
            files = [single]
        elif os.path.isfile(index):
            with open(index) as f:
                files = sorted(set(json.load(f)["weight_map"].values()))
            files = [os.path.join(folder, s) for s in files]
        else:
            files = sorted(os.path.join(folder, s) for s in os.listdir(folder)
                           if s.endswith(".safetensors"))
            if not files:
                raise ValueError("%s: no .safetensors file" % path)
    elif path.endswith(".index.json"):
        folder = os.path.dirname(path)
        with open(path) as f:
            files = [os.path.join(folder, s) for s in sorted(set(json.load(f)["weight_map"].values()))]
    else:
        folder = os.path.dirname(path)
        files = [path]
    tensors = {}
    for p in files:
        tensors.update(read_safetensors(p))
    config = None
    for c in (os.path.join(folder, "config.json"),
              os.path.join(shared, "fixtures", "testbed", "base", "config.json")):
        if os.path.isfile(c):
            with open(c) as f:
                config = json.load(f)
            break
    if config is None:
        raise ValueError("%s: no config.json found" % path)
    return tensors, config, path


# ---------------------------------------------------------------------------------------------
# forward pass (Hugging Face LlamaForCausalLM math)

class Llama:
    def __init__(self, tensors, config, dtype=np.float32):
        self.dt = dtype
        c = config
        self.L = int(c["num_hidden_layers"])
        self.H = int(c["num_attention_heads"])
        self.KV = int(c.get("num_key_value_heads", self.H))
        self.D = int(c["hidden_size"])
        self.hd = int(c.get("head_dim") or self.D // self.H)
        self.eps = float(c.get("rms_norm_eps", 1e-6))
        self.theta = float(c.get("rope_theta", 10000.0))
        tied = bool(c.get("tie_word_embeddings", False))

        def g(name):
            return np.ascontiguousarray(tensors[name], dtype=dtype)

        self.embed = g("model.embed_tokens.weight")
        self.norm = g("model.norm.weight")
        self.lm_head_T = np.ascontiguousarray(
            (self.embed if tied and "lm_head.weight" not in tensors else g("lm_head.weight")).T)
        self.layers = []
        for i in range(self.L):
            p = "model.layers.%d." % i
            # pre-transposed weights: x @ W.T
            self.layers.append(dict(
                ln1=g(p + "input_layernorm.weight"),
                ln2=g(p + "post_attention_layernorm.weight"),
                qkv=np.ascontiguousarray(np.concatenate(
                    [g(p + "self_attn.q_proj.weight"), g(p + "self_attn.k_proj.weight"),
                     g(p + "self_attn.v_proj.weight")], axis=0).T),
                o=np.ascontiguousarray(g(p + "self_attn.o_proj.weight").T),
                gu=np.ascontiguousarray(np.concatenate(
                    [g(p + "mlp.gate_proj.weight"), g(p + "mlp.up_proj.weight")], axis=0).T),
                down=np.ascontiguousarray(g(p + "mlp.down_proj.weight").T),
                inter=tensors[p + "mlp.gate_proj.weight"].shape[0],
            ))
        self._rope = {}

    def rope(self, T):
        if T not in self._rope:
            inv = 1.0 / (self.theta ** (np.arange(0, self.hd, 2, dtype=np.float64) / self.hd))
            freqs = np.outer(np.arange(T, dtype=np.float64), inv)
            emb = np.concatenate([freqs, freqs], axis=-1)
            self._rope[T] = (np.cos(emb).astype(self.dt), np.sin(emb).astype(self.dt))
        return self._rope[T]

    def rmsnorm(self, x, w):
        var = np.mean(x * x, axis=-1, keepdims=True)
        return w * (x / np.sqrt(var + self.eps))

    def logits(self, ids):
        """ids: int array [B, T] -> logits [B, T, vocab] (in self.dt)."""
        B, T = ids.shape
        H, KV, hd = self.H, self.KV, self.hd
        rep = H // KV
        cos, sin = self.rope(T)
        half = hd // 2

        def rot(x):  # x [B, h, T, hd]
            x1, x2 = x[..., :half], x[..., half:]
            return x * cos + np.concatenate([-x2, x1], axis=-1) * sin

        mask = np.triu(np.full((T, T), -np.inf, dtype=self.dt), k=1)
        scale = self.dt(1.0 / np.sqrt(hd))
        x = self.embed[ids]  # [B, T, D]
        for ly in self.layers:
            h = self.rmsnorm(x, ly["ln1"])
            qkv = h @ ly["qkv"]
            q = qkv[..., :H * hd].reshape(B, T, H, hd).transpose(0, 2, 1, 3)
            k = qkv[..., H * hd:(H + KV) * hd].reshape(B, T, KV, hd).transpose(0, 2, 1, 3)
            v = qkv[..., (H + KV) * hd:].reshape(B, T, KV, hd).transpose(0, 2, 1, 3)
            q, k = rot(q), rot(k)
            if rep > 1:
                k = np.repeat(k, rep, axis=1)
                v = np.repeat(v, rep, axis=1)
            s = (q @ k.transpose(0, 1, 3, 2)) * scale + mask  # [B, H, T, T]
            s = s - s.max(axis=-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(axis=-1, keepdims=True)
            a = (s @ v).transpose(0, 2, 1, 3).reshape(B, T, H * hd)
            x = x + a @ ly["o"]
            h = self.rmsnorm(x, ly["ln2"])
            gu = h @ ly["gu"]
            gate, up = gu[..., :ly["inter"]], gu[..., ly["inter"]:]
            x = x + ((gate / (1.0 + np.exp(-gate))) * up) @ ly["down"]
        x = self.rmsnorm(x, self.norm)
        return x @ self.lm_head_T


def mean_nll(model, data, T=128, batch=64):
    """Mean NLL (nats/byte) over consecutive non-overlapping windows of T+1 bytes."""
    n = len(data) // (T + 1)
    if n == 0:
        raise ValueError("data shorter than one window of %d bytes" % (T + 1))
    win = np.frombuffer(data[:n * (T + 1)], dtype=np.uint8).reshape(n, T + 1).astype(np.int64)
    total = 0.0
    for i in range(0, n, batch):
        w = win[i:i + batch]
        lg = model.logits(w[:, :-1]).astype(np.float64)
        m = lg.max(axis=-1, keepdims=True)
        lse = np.log(np.exp(lg - m).sum(axis=-1)) + m[..., 0]
        tgt = np.take_along_axis(lg, w[:, 1:, None], axis=-1)[..., 0]
        total += float((lse - tgt).sum())
    return total / (n * T)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="*", metavar="MODEL_DIR_OR_FILE")
    ap.add_argument("--shared", default="/work/shared", help="shared folder (default /work/shared)")
    ap.add_argument("--check", action="store_true",
                    help="check base's logits on reference.safetensors (max error < 1e-4)")
    ap.add_argument("--float64", action="store_true", help="compute in float64 (default float32)")
    ap.add_argument("--batch", type=int, default=64, help="windows per forward pass (default 64)")
    ap.add_argument("--seq", type=int, default=128, help="T, predicted bytes per window (default 128)")
    args = ap.parse_args()
    if not args.models and not args.check:
        ap.error("give at least one model, or --check")
    dt = np.float64 if args.float64 else np.float32
    tb = os.path.join(args.shared, "fixtures", "testbed")

    if args.check:
        ref = read_safetensors(os.path.join(tb, "reference.safetensors"))
        tensors, config, _ = load_model(os.path.join(tb, "base"), args.shared)
        ids = ref["input_ids"].astype(np.int64)
        assert np.all(ids == ref["input_ids"]) and ids.min() >= 0 and ids.max() <= 255
        lg = Llama(tensors, config, dt).logits(ids).astype(np.float64)
        err = float(np.max(np.abs(lg - ref["logits"].astype(np.float64))))
        print("check: base on reference input_ids %s: max |logits - reference| = %.3e"
              % (list(ids.shape), err))
        if not err < 1e-4:
            print("check FAILED (>= 1e-4)", file=sys.stderr)
            return 1

    if args.models:
        data = {}
        for d in DOMAINS:
            with open(os.path.join(tb, "eval", d + ".bin"), "rb") as f:
                data[d] = f.read()
        width = max(len("model"), max(len(os.path.normpath(m)) for m in args.models))
        print("%-*s  %7s  %7s  %7s  %7s" % (width, "model", *DOMAINS, "time_s"))
        for m in args.models:
            t0 = time.perf_counter()
            tensors, config, name = load_model(m, args.shared)
            model = Llama(tensors, config, dt)
            row = [mean_nll(model, data[d], args.seq, args.batch) for d in DOMAINS]
            dtm = time.perf_counter() - t0
            print("%-*s  %7.4f  %7.4f  %7.4f  %7.1f" % (width, name, *row, dtm), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
