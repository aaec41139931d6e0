"""Every benchmark, ember vs PyTorch, in one command.

Runs each benchmark script of this folder in a process of its own (each prints
its table and writes its raw figures as JSON), then the import-time and
peak-memory measurements, and prints one summary table of ember/PyTorch
ratios. All raw figures go to one JSON file.

Run: ``python benchmarks/run_all.py [--json benchmarks/results.json] [--only NAME ...]``
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# What `import ember` sets for itself when it comes before NumPy (see ember/__init__.py): the scripts import
# NumPy first, so the variable is given here. PyTorch does not use OpenBLAS; its figures are unaffected.
_ENV = dict(os.environ)
_ENV.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
SCRIPTS = ["autograd_overhead", "ops", "losses", "optim_step", "nn_layers", "serialization", "training"]


def run_script(name, extra=()):
    """Run benchmarks/<name>.py, echo its table, return its JSON rows."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    try:
        proc = subprocess.run([sys.executable, os.path.join(HERE, name + ".py"), "--json", path, *extra],
                              capture_output=True, text=True, env=_ENV)
        print(proc.stdout, end="")
        if proc.returncode != 0:
            print(f"[{name} failed with exit code {proc.returncode}]\n{proc.stderr[-2000:]}")
            return []
        with open(path) as fh:
            rows = json.load(fh)
    finally:
        os.unlink(path)
    for r in rows:
        r["benchmark"] = name
    return rows


def import_seconds(module, repeats=7):
    """Median wall time of ``import module`` in fresh interpreters."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def import_row():
    # An installed package has its bytecode compiled (pip does it; torch's wheel ships it); an editable
    # checkout under PYTHONDONTWRITEBYTECODE=1 would recompile every module on every import.
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(os.path.dirname(HERE), "ember")],
                   check=True)
    e, t = [], []
    for _ in range(3):          # alternate, so a busy spell hits both
        e.append(import_seconds("ember", 3))
        t.append(import_seconds("torch", 3))
    e, t = statistics.median(e), statistics.median(t)
    print(f"\nimport time (median of fresh interpreters): ember {e * 1e3:.0f} ms, torch {t * 1e3:.0f} ms, "
          f"ember/torch {e / t:.2f}")
    return {"benchmark": "import", "case": "import time", "ember_s": e, "torch_s": t, "ratio": e / t}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", default=os.path.join(HERE, "results.json"), help="where the raw figures go")
    p.add_argument("--only", nargs="*", help=f"run only these of {SCRIPTS + ['memory', 'import']}")
    args = p.parse_args()
    wanted = set(args.only or SCRIPTS + ["memory", "import"])
    rows = []
    for name in SCRIPTS:
        if name in wanted and os.path.exists(os.path.join(HERE, name + ".py")):
            rows += run_script(name)
    if "memory" in wanted:
        mem = run_script("training", ["--memory"])
        rows += mem
    if "import" in wanted:
        rows.append(import_row())
    print("\nsummary: ember/torch ratios (below 1: ember is faster or smaller)")
    for r in rows:
        print(f"  {r['benchmark']:<18} {r['case']:<52} {r['ratio']:6.2f}")
    with open(args.json, "w") as f:
        json.dump(rows, f, indent=2)
    print(f"\nraw figures: {args.json}")


if __name__ == "__main__":
    main()
