"""Whole training steps, ember vs PyTorch in one process (float32, CPU).

Each step is forward + loss + backward + optimizer step, written once against
the torch API and run with ``lib`` = ember or torch:

- MLP 784-512-512-10, ReLU, batch 256, cross-entropy, SGD with momentum;
- GPT: 4 layers, 4 heads, width 128, context 64, vocabulary 65, batch 32,
  GELU, LayerNorm, dropout 0.1, AdamW;
- small-tensor loop: 2-layer MLP of width 32 on batch 8 (overhead-bound).

``--memory`` instead measures the resident-set growth of GPT steps, each
library in a fresh process of its own (peaks are per process).

Run: ``python benchmarks/training.py [--json out.json] [--memory]``
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _harness import compare, print_table, write_json  # noqa: E402


def _batch(lib, shape, classes, seed):
    r = np.random.default_rng(seed)
    x = lib.tensor(r.standard_normal(shape, dtype=np.float32))
    y = lib.tensor(r.integers(0, classes, shape[0]))
    return x, y


def mlp_step(lib, sizes=(784, 512, 512, 10), batch=256):
    nn = lib.nn
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = _batch(lib, (batch, sizes[0]), sizes[-1], 0)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return step


def make_gpt(lib, vocab=65, width=128, heads=4, layers=4, context=64, dropout=0.1):
    """A GPT as one writes it in PyTorch: pre-norm blocks, causal softmax attention."""
    nn, F = lib.nn, lib.nn.functional

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(width, 3 * width)
            self.proj = nn.Linear(width, width)
            self.drop = nn.Dropout(dropout)
            self.register_buffer("mask", lib.tril(lib.ones(context, context, dtype=lib.bool)))

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.qkv(x).split(C, dim=2)
            q, k, v = (t.view(B, T, heads, C // heads).transpose(1, 2) for t in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / (C // heads) ** 0.5)
            att = att.masked_fill(~self.mask[:T, :T], float("-inf"))
            att = self.drop(F.softmax(att, dim=-1))
            y = (att @ v).transpose(1, 2).reshape(B, T, C)
            return self.drop(self.proj(y))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.attn = nn.LayerNorm(width), Attention()
            self.ln2 = nn.LayerNorm(width)
            self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width),
                                     nn.Dropout(dropout))

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, width)
            self.pos = nn.Embedding(context, width)
            self.drop = nn.Dropout(dropout)
            self.blocks = nn.Sequential(*[Block() for _ in range(layers)])
            self.ln = nn.LayerNorm(width)
            self.head = nn.Linear(width, vocab, bias=False)

        def forward(self, idx, targets):
            T = idx.shape[1]
            x = self.drop(self.tok(idx) + self.pos(lib.arange(T)))
            logits = self.head(self.ln(self.blocks(x)))
            return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))

    return GPT()


def gpt_step(lib, batch=32, context=64, vocab=65):
    model = make_gpt(lib, vocab=vocab, context=context)
    opt = lib.optim.AdamW(model.parameters(), lr=3e-4)
    r = np.random.default_rng(0)
    idx = lib.tensor(r.integers(0, vocab, (batch, context)))
    tgt = lib.tensor(r.integers(0, vocab, (batch, context)))

    def step():
        opt.zero_grad()
        model(idx, tgt).backward()
        opt.step()
    return step


def small_step(lib):
    return mlp_step(lib, sizes=(32, 32, 32), batch=8)


def _import(name):
    import importlib
    return importlib.import_module(name)


def memory_child(libname, steps=3):
    """In a fresh process: resident-set growth (MB) over warm-up + GPT steps."""
    import resource
    lib = _import(libname)
    if libname == "torch":
        lib.set_num_threads(1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    step = gpt_step(lib)
    for _ in range(steps):
        step()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (after - before) / 1024


def memory_rows():
    out = {}
    for libname in ("ember", "torch"):
        res = subprocess.run([sys.executable, __file__, "--memory-child", libname], capture_output=True, text=True,
                             check=True)
        out[libname] = float(res.stdout.strip().splitlines()[-1])
    return {"case": "GPT step peak RSS growth (MB)", "ember_MB": out["ember"], "torch_MB": out["torch"],
            "ratio": out["ember"] / out["torch"]}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", help="write raw figures here")
    p.add_argument("--memory", action="store_true", help="measure peak memory of the GPT step only")
    p.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.memory_child:
        print(memory_child(args.memory_child))
        return
    if args.memory:
        row = memory_rows()
        print(f"\n{row['case']}: ember {row['ember_MB']:.1f}, torch {row['torch_MB']:.1f}, "
              f"ember/torch {row['ratio']:.2f}")
        if args.json:
            with open(args.json, "w") as f:
                json.dump([row], f, indent=2)
        return
    import ember
    import torch
    cases = [(name, (lambda f=f: f(ember)), (lambda f=f: f(torch))) for name, f in [
        ("small-tensor loop: MLP 32-32-32, batch 8", small_step),
        ("MLP 784-512-512-10 step, batch 256, SGD", mlp_step),
        ("GPT 4x128, ctx 64, batch 32 step, AdamW", gpt_step),
    ]]
    rows = compare(cases, repeats=5, min_time=0.3)
    print_table(rows, "training steps (median time per step, float32)")
    if args.json:
        write_json(rows, args.json)


if __name__ == "__main__":
    main()
