#!/usr/bin/python3
"""bench_eval_torch: the PyTorch (CPU) peer of `surgeon eval`, for scripts/bench-eval.

Reads a LLaMA checkpoint's safetensors itself (as scripts/testbed-nll.py does: F32, BF16, F16;
a folder with model.safetensors or an index of shards, config.json beside it), runs the Hugging
Face LlamaForCausalLM math in torch (RMSNorm, rotate-half RoPE, grouped-query causal attention,
SwiGLU MLP, untied or tied lm_head) in float32, and times the mean next-token NLL over the same
windows surgeon eval uses: consecutive non-overlapping windows of T+1 tokens, the remainder
dropped; each window predicts its last T tokens.

Usage: /usr/bin/python3 scripts/bench_eval_torch.py MODEL DATA --seq T --threads N [--batch B]
DATA: .bin (raw bytes as ids) or .jsonl (one JSON list of ids per line, concatenated).
Prints one JSON line: mean_nll, tokens, windows, seconds, tokens_per_second (the timing covers
the forward passes and the NLL, not the loading, like surgeon eval's).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "testbed_nll", os.path.join(os.path.dirname(os.path.abspath(__file__)), "testbed-nll.py"))
_tn = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tn)


def load_ids(path):
    if path.endswith(".bin"):
        with open(path, "rb") as f:
            return np.frombuffer(f.read(), dtype=np.uint8).astype(np.int64)
    if path.endswith(".jsonl"):
        ids = []
        with open(path) as f:
            for line in f:
                if line.strip():
                    v = json.loads(line)
                    if isinstance(v, dict):
                        v = v["input_ids"]
                    ids.extend(np.asarray(v, dtype=np.int64).ravel().tolist())
        return np.asarray(ids, dtype=np.int64)
    raise SystemExit("bench_eval_torch: unsupported data %s (use .bin or .jsonl)" % path)


class TorchLlama:
    def __init__(self, tensors, c):
        self.L = int(c["num_hidden_layers"])
        self.H = int(c["num_attention_heads"])
        self.KV = int(c.get("num_key_value_heads", self.H))
        self.D = int(c["hidden_size"])
        self.hd = int(c.get("head_dim") or self.D // self.H)
        self.eps = float(c.get("rms_norm_eps", 1e-6))
        self.theta = float(c.get("rope_theta", 10000.0))
        tied = bool(c.get("tie_word_embeddings", False))

        def g(name):
            return torch.from_numpy(np.array(tensors[name], dtype=np.float32))  # a writable copy

        self.embed = g("model.embed_tokens.weight")
        self.norm = g("model.norm.weight")
        self.head = self.embed if tied and "lm_head.weight" not in tensors else g("lm_head.weight")
        self.layers = []
        for i in range(self.L):
            p = "model.layers.%d." % i
            self.layers.append(dict(
                ln1=g(p + "input_layernorm.weight"), ln2=g(p + "post_attention_layernorm.weight"),
                q=g(p + "self_attn.q_proj.weight"), k=g(p + "self_attn.k_proj.weight"),
                v=g(p + "self_attn.v_proj.weight"), o=g(p + "self_attn.o_proj.weight"),
                gate=g(p + "mlp.gate_proj.weight"), up=g(p + "mlp.up_proj.weight"),
                down=g(p + "mlp.down_proj.weight")))

    def rms(self, x, w):
        return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))

    def logits(self, ids):
        B, T = ids.shape
        H, KV, hd = self.H, self.KV, self.hd
        inv = 1.0 / (self.theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
        freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv)
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos().float(), emb.sin().float()
        half = hd // 2

        def rot(x):
            return x * cos + torch.cat([-x[..., half:], x[..., :half]], -1) * sin

        mask = torch.triu(torch.full((T, T), float("-inf")), 1)
        x = self.embed[ids]
        F = torch.nn.functional
        for ly in self.layers:
            h = self.rms(x, ly["ln1"])
            q = F.linear(h, ly["q"]).view(B, T, H, hd).transpose(1, 2)
            k = F.linear(h, ly["k"]).view(B, T, KV, hd).transpose(1, 2)
            v = F.linear(h, ly["v"]).view(B, T, KV, hd).transpose(1, 2)
            q, k = rot(q), rot(k)
            if H != KV:
                k = k.repeat_interleave(H // KV, 1)
                v = v.repeat_interleave(H // KV, 1)
            s = torch.softmax(q @ k.transpose(-1, -2) / (hd ** 0.5) + mask, -1)
            a = (s @ v).transpose(1, 2).reshape(B, T, H * hd)
            x = x + F.linear(a, ly["o"])
            h = self.rms(x, ly["ln2"])
            x = x + F.linear(F.silu(F.linear(h, ly["gate"])) * F.linear(h, ly["up"]), ly["down"])
        return F.linear(self.rms(x, self.norm), self.head)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("data")
    ap.add_argument("--seq", type=int, required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--batch", type=int, default=8)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    tensors, config, _ = _tn.load_model(a.model, "/work/shared")
    model = TorchLlama(tensors, config)
    del tensors
    ids = load_ids(a.data)
    w = a.seq + 1
    n = len(ids) // w
    if n == 0:
        raise SystemExit("bench_eval_torch: fewer tokens than one window")
    windows = torch.from_numpy(ids[:n * w].reshape(n, w).copy())
    total = 0.0
    start = time.perf_counter()
    with torch.inference_mode():
        for b0 in range(0, n, a.batch):
            chunk = windows[b0:b0 + a.batch]
            logits = model.logits(chunk[:, :-1])
            nll = torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), chunk[:, 1:].reshape(-1), reduction="sum")
            total += float(nll)
    seconds = time.perf_counter() - start
    tokens = n * a.seq
    print(json.dumps(dict(mean_nll=total / tokens, tokens=tokens, windows=n, seconds=seconds,
                          tokens_per_second=tokens / seconds, threads=torch.get_num_threads(),
                          torch=torch.__version__)))


if __name__ == "__main__":
    main()
