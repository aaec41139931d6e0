"""Autograd overhead, ember vs PyTorch in one process.

1. forward + backward of ``y = (x * x + x).sum()`` on a 4-element tensor
   (pure per-op overhead: Python on our side, dispatcher on PyTorch's);
2. a 1,000-op elementwise chain on 1,000 elements, forward + backward.

Run: ``python benchmarks/autograd_overhead.py [--json out.json]``
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _harness import compare, print_table, write_json  # noqa: E402


def tiny(lib):
    x = lib.randn(4, requires_grad=True)

    def step():
        y = (x * x + x).sum()
        y.backward()
        x.grad = None
    return step


def chain(lib, n_ops=1000, size=1000):
    x = lib.randn(size, requires_grad=True)
    ops = [lambda t: t * 1.0001, lambda t: t + 0.5, lambda t: t.tanh(), lambda t: t - 0.25]

    def step():
        t = x
        for i in range(n_ops):
            t = ops[i % 4](t)
        t.sum().backward()
        x.grad = None
    return step


def main():
    import ember
    import torch
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--json", help="write raw figures here")
    args = p.parse_args()
    cases = [
        ("(x*x + x).sum() fwd+bwd, 4 elements", lambda: tiny(ember), lambda: tiny(torch)),
        ("1,000-op elementwise chain, 1,000 elements", lambda: chain(ember), lambda: chain(torch)),
    ]
    rows = compare(cases, repeats=5, min_time=0.2)
    print_table(rows, "autograd overhead (median time per iteration)")
    if args.json:
        write_json(rows, args.json)


if __name__ == "__main__":
    main()
