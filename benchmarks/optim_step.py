"""Optimizer step time, ember vs PyTorch in one process.

AdamW (PyTorch's defaults, weight_decay=1e-2) stepping a model of
1. 100 parameter tensors of assorted sizes (matrices and vectors, ~5 M numbers),
2. 10 large tensors of the same total,
3. 400 small tensors (~100 numbers each: the biases and norms of a deep model),
each with a fixed gradient; plus SGD with momentum on case 1. The time is per
``optimizer.step()``. PyTorch runs its default CPU path (one kernel per op per
tensor); each library runs at its faster of 1 and 2 threads (ember's optimizers
share the slices of a large update among ``ember.get_num_threads()`` threads).

Run: ``python benchmarks/optim_step.py [--json out.json]``
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _harness import compare, print_table, write_json  # noqa: E402

TOTAL = 5_000_000


def assorted_shapes(n, total, seed=0):
    """n shapes, matrices and vectors alternating, sizes log-uniform, about ``total`` numbers in all."""
    r = np.random.default_rng(seed)
    weights = np.exp(r.uniform(0, np.log(2000), n))
    sizes = np.maximum((weights / weights.sum() * total).astype(int), 4)
    shapes = []
    for i, s in enumerate(sizes):
        if i % 2 == 0:
            rows = max(int(np.sqrt(s)), 1)
            shapes.append((rows, max(int(s) // rows, 1)))
        else:
            shapes.append((int(s),))
    return shapes


def make_step(lib, shapes, make_opt, seed=1):
    r = np.random.default_rng(seed)
    params = []
    for shape in shapes:
        p = lib.nn.Parameter(lib.tensor(r.standard_normal(shape).astype(np.float32)))
        p.grad = lib.tensor(r.standard_normal(shape).astype(np.float32))
        params.append(p)
    opt = make_opt(lib, params)
    opt.step()                     # state created outside the timing
    return opt.step


def adamw(lib, params):
    return lib.optim.AdamW(params, lr=1e-3)


def sgd(lib, params):
    return lib.optim.SGD(params, lr=1e-3, momentum=0.9)


def main():
    import ember
    import torch
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--json", help="write raw figures here")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    shapes100 = assorted_shapes(100, TOTAL)
    shapes10 = [(TOTAL // 10 // 500, 500)] * 10
    shapes400 = assorted_shapes(400, 400 * 100, seed=2)
    n100 = sum(int(np.prod(s)) for s in shapes100)
    cases = [
        (f"AdamW, 100 tensors, {n100 / 1e6:.1f} M numbers",
         lambda: make_step(ember, shapes100, adamw), lambda: make_step(torch, shapes100, adamw)),
        (f"AdamW, 10 tensors, {TOTAL / 1e6:.1f} M numbers",
         lambda: make_step(ember, shapes10, adamw), lambda: make_step(torch, shapes10, adamw)),
        ("AdamW, 400 small tensors, 40 k numbers",
         lambda: make_step(ember, shapes400, adamw), lambda: make_step(torch, shapes400, adamw)),
        (f"SGD momentum, 100 tensors, {n100 / 1e6:.1f} M numbers",
         lambda: make_step(ember, shapes100, sgd), lambda: make_step(torch, shapes100, sgd)),
    ]
    rows = compare(cases, repeats=args.repeats, min_time=0.2)
    print_table(rows, "optimizer.step() (median time per step)")
    if args.json:
        write_json(rows, args.json)


if __name__ == "__main__":
    main()
