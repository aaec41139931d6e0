"""Where an ember training step spends its time: cProfile of one of ``training.py``'s steps, by own time.

Run: ``python benchmarks/profile_step.py {mlp,gpt,small} [threads] [steps]``, e.g. ``gpt 1 5``
(prints the step time without the profiler, then the 25 costliest functions).
"""
import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from training import gpt_step, mlp_step, small_step  # noqa: E402


def main():
    import ember
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("step", choices=["mlp", "gpt", "small"])
    p.add_argument("threads", type=int, nargs="?", default=1)
    p.add_argument("steps", type=int, nargs="?", default=10)
    args = p.parse_args()
    ember.set_num_threads(args.threads)
    step = {"mlp": mlp_step, "gpt": gpt_step, "small": small_step}[args.step](ember)
    for _ in range(3):
        step()
    t = time.perf_counter()
    for _ in range(args.steps):
        step()
    print(f"{(time.perf_counter() - t) / args.steps * 1e3:.2f} ms a step ({args.threads} thread(s), no profiler)")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(args.steps):
        step()
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
