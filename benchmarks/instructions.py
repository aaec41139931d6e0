"""Instructions per training step, counted by valgrind's callgrind: a deterministic measure of per-op
Python cost, for A/B comparisons on a machine too noisy for timings (this VM moves 10-40 % run to run).

The step runs N1 and N2 times in two processes; the difference of the two totals divided by N2 - N1
is the cost of one step, without the import and start-up. Needs ``valgrind`` (Debian: apt install
valgrind); each case takes about a minute.

Run: ``python benchmarks/instructions.py [tiny|forward|chain] ...``
(``PYTHONPATH=/path/to/other/checkout`` measures another version of ember the same way.)
"""
import os
import re
import subprocess
import sys
import tempfile

CASES = {
    # issue #3's tiny case: forward + backward of (x * x + x).sum() on 4 numbers
    "tiny": "x = ember.randn(4, requires_grad=True)\n"
            "def step():\n    (x * x + x).sum().backward()\n    x.grad = None\n",
    "forward": "x = ember.randn(4, requires_grad=True)\n"
               "def step():\n    (x * x + x).sum()\n",
    # 20 ops of the 1,000-op chain benchmark on 1,000 numbers
    "chain": "x = ember.randn(1000, requires_grad=True)\n"
             "ops = [lambda t: t * 1.0001, lambda t: t + 0.5, lambda t: t.tanh(), lambda t: t - 0.25]\n"
             "def step():\n    t = x\n    for i in range(20):\n        t = ops[i % 4](t)\n"
             "    t.sum().backward()\n    x.grad = None\n",
}
N1, N2 = 200, 2200


def _total(script, n):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONHASHSEED="0")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out",
                              sys.executable, "-c", script + f"for _ in range({n}):\n    step()\n"],
                             env=env, capture_output=True, text=True, check=True).stderr
    return int(re.search(r"refs:\s+([\d,]+)", out).group(1).replace(",", ""))


def main():
    names = sys.argv[1:] or ["tiny"]
    for name in names:
        script = "import ember\n" + CASES[name]
        per_step = (_total(script, N2) - _total(script, N1)) / (N2 - N1)
        print(f"{name}: {per_step:,.0f} instructions a step")


if __name__ == "__main__":
    main()
