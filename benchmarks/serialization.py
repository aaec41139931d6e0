"""Checkpoint save/load time, ember vs PyTorch in one process.

1. a 100 MB state_dict (25 float32 matrices of 1024x1024): save, load, load with mmap=True;
2. a "many small tensors" state_dict (2000 tensors of 100 numbers, like the biases and
   optimizer moments of a deep model), where the cost is the pickled structure.
Each library saves its own tensors to a file in a temporary folder and loads what it
saved; ember's load also checks every record's CRC (PyTorch's does not).

Run: ``python benchmarks/serialization.py [--json out.json]``
"""
import argparse
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _harness import compare, print_table, write_json  # noqa: E402


def state(lib, n, shape, seed=0):
    r = np.random.default_rng(seed)
    return {f"layer{i}.weight": lib.tensor(r.standard_normal(shape).astype(np.float32)) for i in range(n)}


def cases(folder):
    import ember
    import torch
    out = []
    for label, n, shape in [("100 MB, 25 tensors", 25, (1024, 1024)), ("2000 tensors of 100", 2000, (100,))]:
        for op in ("save", "load", "load mmap"):
            def make(lib, op=op, n=n, shape=shape):
                path = os.path.join(folder, f"{lib.__name__}-{n}.pt")
                sd = state(lib, n, shape)
                lib.save(sd, path)
                if op == "save":
                    return lambda: lib.save(sd, path)
                return lambda: lib.load(path, mmap=op == "load mmap")
            out.append((f"{op:<9} {label}", lambda make=make: make(ember), lambda make=make: make(torch)))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the raw figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = compare(cases(folder), repeats=5)
    print_table(rows, "checkpoint save/load (seconds per call)")
    if args.json:
        write_json(rows, args.json)


if __name__ == "__main__":
    main()
