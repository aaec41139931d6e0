"""Loss functions, ember vs PyTorch in one process: forward + backward of each, on logits that require grad.

Small batches (8 x 10) measure the Python overhead of a loss call; larger ones (256 x 1000 and a language-model
sized 512 x 8192 for cross_entropy) measure the kernels.

Run: ``python benchmarks/losses.py [--json out.json] [--quick]``
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _harness import compare, print_table, write_json  # noqa: E402


def _step(lib, shape, loss, target="probs"):
    """fwd+bwd of ``loss(F, x, t)`` for random logits x of ``shape`` and a target of the given kind."""
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
    N, C = shape[0], shape[1]
    if target == "classes":
        t = lib.tensor(rng.integers(0, C, N))
    elif target == "ctc":
        t = (lib.tensor(rng.integers(1, C, (shape[1], 20))), lib.tensor(np.full(shape[1], shape[0])),
             lib.tensor(rng.integers(10, 21, shape[1])))
    else:
        q = rng.random(shape).astype(np.float32)
        t = lib.tensor(q / q.sum(1, keepdims=True))
    F = lib.nn.functional

    def step():
        loss(F, x, t).backward()
        x.grad = None
    return step


CASES = [
    ("cross_entropy", (8, 10), lambda F, x, t: F.cross_entropy(x, t), "classes"),
    ("cross_entropy", (256, 1000), lambda F, x, t: F.cross_entropy(x, t), "classes"),
    ("cross_entropy", (512, 8192), lambda F, x, t: F.cross_entropy(x, t), "classes"),
    ("cross_entropy label_smoothing=0.1", (256, 1000), lambda F, x, t: F.cross_entropy(x, t, label_smoothing=0.1),
     "classes"),
    ("cross_entropy probabilities", (256, 1000), lambda F, x, t: F.cross_entropy(x, t), "probs"),
    ("nll_loss", (256, 1000), lambda F, x, t: F.nll_loss(x, t), "classes"),
    ("mse_loss", (8, 10), lambda F, x, t: F.mse_loss(x, t), "probs"),
    ("mse_loss", (256, 1000), lambda F, x, t: F.mse_loss(x, t), "probs"),
    ("l1_loss", (256, 1000), lambda F, x, t: F.l1_loss(x, t), "probs"),
    ("smooth_l1_loss", (256, 1000), lambda F, x, t: F.smooth_l1_loss(x, t), "probs"),
    ("huber_loss", (256, 1000), lambda F, x, t: F.huber_loss(x, t), "probs"),
    ("binary_cross_entropy_with_logits", (8, 10), lambda F, x, t: F.binary_cross_entropy_with_logits(x, t), "probs"),
    ("binary_cross_entropy_with_logits", (256, 1000), lambda F, x, t: F.binary_cross_entropy_with_logits(x, t),
     "probs"),
    ("binary_cross_entropy", (256, 1000), lambda F, x, t: F.binary_cross_entropy(x.sigmoid(), t), "probs"),
    ("kl_div batchmean", (256, 1000), lambda F, x, t: F.kl_div(x.log_softmax(1), t, reduction="batchmean"),
     "probs"),
    ("ctc_loss T=100 N=16 C=30 S<=20", (100, 16, 30), lambda F, x, t: F.ctc_loss(x.log_softmax(2), *t), "ctc"),
]


def main():
    import ember
    import torch
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--json", help="write raw figures here")
    p.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    args = p.parse_args()
    cases = [(f"{name} {'x'.join(map(str, shape))}, fwd+bwd",
              (lambda s=shape, f=fn, k=kind: _step(ember, s, f, k)),
              (lambda s=shape, f=fn, k=kind: _step(torch, s, f, k))) for name, shape, fn, kind in CASES]
    rows = compare(cases, repeats=2 if args.quick else 5, min_time=0.05 if args.quick else 0.2)
    print_table(rows, "losses (median time per iteration)")
    if args.json:
        write_json(rows, args.json)


if __name__ == "__main__":
    main()
