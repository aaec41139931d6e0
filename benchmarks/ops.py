"""Op throughput, ember vs PyTorch in one process (float32, CPU).

- large elementwise ops (4M elements): time and GB/s achieved;
- reductions over 4M elements;
- matmul at 256/1024/2048: GFLOP/s, also against NumPy's own matmul (ember's
  target: within 5% of NumPy).

Run: ``python benchmarks/ops.py [--json out.json]``
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _harness import compare, print_table, time_per_iter, write_json  # noqa: E402

N = 1 << 22


def _inputs(lib):
    r = np.random.default_rng(0)
    a = lib.tensor(r.standard_normal(N, dtype=np.float32))
    b = lib.tensor(r.standard_normal(N, dtype=np.float32))
    return a, b


ELEMENTWISE = {          # name -> (fn(lib, a, b), arrays touched per element, for GB/s)
    "a + b": (lambda lib, a, b: a + b, 3),
    "a * b": (lambda lib, a, b: a * b, 3),
    "exp(a)": (lambda lib, a, b: lib.exp(a), 2),
    "tanh(a)": (lambda lib, a, b: lib.tanh(a), 2),
    "sigmoid(a)": (lambda lib, a, b: lib.sigmoid(a), 2),
    "a / b": (lambda lib, a, b: a / b, 3),
    "a * 2.5 + 1": (lambda lib, a, b: a * 2.5 + 1, 4),
    "a.add_(b) in place": (lambda lib, a, b: a.add_(b), 3),
}
REDUCTIONS = {
    "a.sum()": lambda lib, a: a.sum(),
    "a.mean()": lambda lib, a: a.mean(),
    "a.max()": lambda lib, a: a.max(),
    "a.view(2048,-1).sum(1)": lambda lib, a: a.view(2048, -1).sum(1),
    "a.view(2048,-1).amax(0)": lambda lib, a: a.view(2048, -1).amax(0),
    "a.var()": lambda lib, a: a.var(),
    "a.norm()": lambda lib, a: a.norm(),
    "a.cumsum(0)": lambda lib, a: a.cumsum(0),
    "a.argmax()": lambda lib, a: a.argmax(),
}


def _case(fn, lib, kind):
    def make():
        a, b = _inputs(lib)
        if kind == "elementwise":
            return lambda: fn(lib, a, b)
        return lambda: fn(lib, a)
    return make


def main():
    import ember
    import torch
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--json", help="write raw figures here")
    args = p.parse_args()
    all_rows = []

    cases = [(name, _case(fn, ember, "elementwise"), _case(fn, torch, "elementwise"))
             for name, (fn, _) in ELEMENTWISE.items()]
    rows = compare(cases, repeats=5)
    for r, (_, arrays) in zip(rows, ELEMENTWISE.values()):
        r["ember_GBps"] = arrays * 4 * N / r["ember_s"] / 1e9
        r["case"] += f"  [{r['ember_GBps']:.1f} GB/s]"
    print_table(rows, f"elementwise, {N:,} float32 elements")
    all_rows += rows

    cases = [(name, _case(fn, ember, "reduction"), _case(fn, torch, "reduction")) for name, fn in REDUCTIONS.items()]
    rows = compare(cases, repeats=5)
    print_table(rows, f"reductions, {N:,} float32 elements")
    all_rows += rows

    print("\nmatmul, float32 (GFLOP/s; each library at its faster of 1 and 2 threads)")
    print(f"{'n':>6} {'ember':>9} {'numpy':>9} {'torch':>9} {'ember/numpy rate':>17} {'ember/torch rate':>17}")
    for n in (256, 1024, 2048):
        r = np.random.default_rng(0)
        A, B = r.standard_normal((n, n), dtype=np.float32), r.standard_normal((n, n), dtype=np.float32)
        ea, eb, ta, tb = ember.tensor(A), ember.tensor(B), torch.tensor(A), torch.tensor(B)
        best = {}
        for nthreads in (1, 2):
            ember.set_num_threads(nthreads)      # NumPy's BLAS threads: ember's and NumPy's own matmul
            torch.set_num_threads(nthreads)
            for _ in range(7):                   # interleaved, so a busy machine slows all three alike
                for lib, fn in (("numpy", lambda: np.matmul(A, B)), ("ember", lambda: ea @ eb),
                                ("torch", lambda: ta @ tb)):
                    t = time_per_iter(fn)
                    best[lib] = min(best.get(lib, t), t)
        flops = 2 * n ** 3
        t_np, t_e, t_t = best["numpy"], best["ember"], best["torch"]
        print(f"{n:>6} {flops / t_e / 1e9:>9.1f} {flops / t_np / 1e9:>9.1f} {flops / t_t / 1e9:>9.1f} "
              f"{t_np / t_e:>17.3f} {t_t / t_e:>17.3f}")
        all_rows.append({"case": f"matmul {n}", "ember_s": t_e, "numpy_s": t_np, "torch_s": t_t,
                         "ratio": t_e / t_t, "ember_vs_numpy_rate": t_np / t_e})
    if args.json:
        write_json(all_rows, args.json)


if __name__ == "__main__":
    main()
