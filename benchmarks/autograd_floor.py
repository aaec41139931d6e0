"""The floor of a NumPy autograd on issue #3's tiny case, ``(x * x + x).sum()`` forward + backward.

A micrograd-style engine with nothing but what the case needs (no dtypes, version counters, hooks,
grad modes, broadcasting or checks: each op one NumPy call and one node, backward by creation order)
is timed against PyTorch the same way autograd_overhead.py times ember. Its ratio is the best any
pure-Python engine on NumPy can reach here; ember, which does all of PyTorch's bookkeeping, is
compared with it in the same run.

Run: ``python benchmarks/autograd_floor.py``
"""
import heapq
import itertools
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _harness import compare, print_table  # noqa: E402
from autograd_overhead import tiny  # noqa: E402

_seq = itertools.count().__next__


class Value:
    __slots__ = ("data", "grad", "node")

    def __init__(self, data, node=None):
        self.data, self.node, self.grad = data, node, None


class Node:
    """One op: the nodes of its inputs, what its backward needs, and the backward itself."""
    __slots__ = ("inputs", "saved", "backward", "seq")

    def __init__(self, inputs, saved, backward):
        self.inputs, self.saved, self.backward, self.seq = inputs, saved, backward, _seq()


class Leaf:
    __slots__ = ("value", "seq")

    def __init__(self, value):
        self.value, self.seq = value, _seq()


def _edge(v):
    return v.node if v.node is not None else Leaf(v)


def mul(a, b):
    return Value(a.data * b.data, Node((_edge(a), _edge(b)), (a.data, b.data), lambda g, s: (g * s[1], g * s[0])))


def add(a, b):
    return Value(a.data + b.data, Node((_edge(a), _edge(b)), None, lambda g, s: (g, g)))


def total(a):
    shape = a.data.shape
    return Value(np.add.reduce(a.data, None),
                 Node((_edge(a),), shape, lambda g, s: (np.ndarray(s, g.dtype, g, 0, (0,) * len(s)),)))


def backward(y):
    grads = {y.node: np.ones((), y.data.dtype)}
    heap = [(-y.node.seq, y.node)]
    while heap:
        node = heapq.heappop(heap)[1]
        g = grads.pop(node)
        if node.__class__ is Leaf:
            v = node.value
            v.grad = g if v.grad is None else v.grad + g
            continue
        for child, gi in zip(node.inputs, node.backward(g, node.saved)):
            if child in grads:
                grads[child] = grads[child] + gi
            else:
                grads[child] = gi
                heapq.heappush(heap, (-child.seq, child))


def minimal_tiny():
    x = Value(np.random.randn(4).astype(np.float32))
    backward(total(add(mul(x, x), x)))
    assert np.allclose(x.grad, 2 * x.data + 1), "the minimal engine's gradient is wrong"
    x.grad = None

    def step():
        backward(total(add(mul(x, x), x)))
        x.grad = None
    return step


def main():
    import ember
    import torch
    rows = compare([("minimal NumPy engine: (x*x + x).sum() fwd+bwd", minimal_tiny, lambda: tiny(torch)),
                    ("ember: (x*x + x).sum() fwd+bwd", lambda: tiny(ember), lambda: tiny(torch))],
                   repeats=5, min_time=0.2)
    print_table(rows, "the floor of a NumPy autograd (issue #3's target: ember/torch <= 0.5)")


if __name__ == "__main__":
    main()
