"""Under create_graph the gradient of a piecewise-linear activation stays connected to its input (with a
zero derivative), as PyTorch's: a second grad gives zeros instead of raising."""
import pytest
import torch

import ember

ACTS = {
    "relu": lambda L, x: L.nn.functional.relu(x),
    "relu_": lambda L, x: (x * 1).relu_(),
    "ReLU module": lambda L, x: L.nn.ReLU()(x),
    "leaky_relu": lambda L, x: L.nn.functional.leaky_relu(x, 0.2),
    "leaky_relu inplace": lambda L, x: L.nn.functional.leaky_relu(x * 1, inplace=True),
    "hardtanh": lambda L, x: L.nn.functional.hardtanh(x, -0.5, 0.5),
    "relu6": lambda L, x: L.nn.functional.relu6(x * 4),
    "threshold": lambda L, x: L.nn.functional.threshold(x, 0.1, 0.0),
    "softshrink": lambda L, x: L.nn.functional.softshrink(x, 0.4),
    "hardshrink": lambda L, x: L.nn.functional.hardshrink(x, 0.4),
    "relu after matmul": lambda L, x: L.relu(x.view(2, 2) @ L.ones(2, 2)),
}


def _second(lib, act):
    x = lib.tensor([-1.0, 0.5, 2.0, -0.3], requires_grad=True)
    g, = lib.autograd.grad(act(lib, x).pow(2).sum(), x, create_graph=True)
    g2, = lib.autograd.grad(g.sum(), x)
    return g.requires_grad, [round(v, 5) for v in g.tolist()], [round(v, 5) for v in g2.tolist()]


@pytest.mark.parametrize("name", ACTS)
def test_second_grad_matches_torch(name):
    assert _second(ember, ACTS[name]) == _second(torch, ACTS[name])
