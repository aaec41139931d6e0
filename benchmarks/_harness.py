"""Side-by-side timing of ember and PyTorch in one process.

Each case is timed alternately for both libraries after a warm-up; the figure
is the median over repeats of the per-iteration time. PyTorch runs at its
faster of 1 and 2 threads (on a busy 2-core machine 2-thread runs can be
much slower), and so does ember (its BLAS threads); the table says which.
"""
import json
import math
import statistics
import time


def time_per_iter(fn, min_time=0.05):
    """Seconds per call of fn, from enough calls to fill about ``min_time``."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time:
            return dt / n
        # enough calls to fill min_time next time, and always more than now: with int() rounding
        # down, a call just under min_time (a GPT step) was retried at n=1 again and again
        n = max(n + 1, math.ceil(n * min_time / max(dt, 1e-9)))


def compare(cases, repeats=7, min_time=0.05):
    """cases: list of (name, make_ember_fn, make_torch_fn). Returns rows of medians (seconds).

    Both libraries run at 1 and at 2 threads (ember's only threads are BLAS's), alternating
    call by call; each library's figure is its faster setting."""
    import ember
    import torch
    rows = []
    for name, make_e, make_t in cases:
        fe = make_e()
        ft = make_t()
        best = {"ember": (None, None), "torch": (None, None)}
        for nthreads in (1, 2):
            torch.set_num_threads(nthreads)
            ember.set_num_threads(nthreads)
            times = {"ember": [], "torch": []}
            for _ in range(repeats):
                times["ember"].append(time_per_iter(fe, min_time))
                times["torch"].append(time_per_iter(ft, min_time))
            for lib, ts in times.items():
                med = statistics.median(ts)
                if best[lib][0] is None or med < best[lib][0]:
                    best[lib] = (med, nthreads)
        (e_med, e_thr), (t_med, t_thr) = best["ember"], best["torch"]
        rows.append({"case": name, "ember_s": e_med, "ember_threads": e_thr, "torch_s": t_med,
                     "torch_threads": t_thr, "ratio": e_med / t_med})
    return rows


def print_table(rows, title):
    print(f"\n{title}")
    print(f"{'case':<48} {'ember':>11} {'thr':>4} {'torch':>11} {'thr':>4} {'ember/torch':>12}")
    for r in rows:
        print(f"{r['case']:<48} {_fmt(r['ember_s']):>11} {r['ember_threads']:>4} {_fmt(r['torch_s']):>11} "
              f"{r['torch_threads']:>4} {r['ratio']:>12.2f}")


def _fmt(s):
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def write_json(rows, path):
    with open(path, "w") as f:
        json.dump(rows, f, indent=2)
