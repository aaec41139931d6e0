"""A retained gradient follows its tensor through in-place ops (PyTorch moves the retains_grad hook to
the new grad_fn): z.grad is the gradient of z's current value, not of the overwritten one."""
import pytest
import torch

import ember

CASES = {
    "mul_": lambda L, x: _retained(x * 2, lambda z: z.mul_(3)),
    "setitem": lambda L, x: _retained(x * 2, lambda z: z.__setitem__(0, 5.0)),
    "view of base changed": lambda L, x: _view_case(x),
    "base through a view": lambda L, x: _retained(x * 2, lambda z: z[1:].mul_(3)),
    "twice": lambda L, x: _retained(x * 2, lambda z: (z.add_(1), z.mul_(2))),
}


def _retained(z, change):
    z.retain_grad()
    change(z)
    (z * z).sum().backward()
    return z


def _view_case(x):
    z = x * 2
    v = z[1:]
    v.retain_grad()
    z.mul_(3)
    (v * v).sum().backward()
    return v


@pytest.mark.parametrize("name", CASES)
def test_retained_grad_follows_inplace_as_torch(name):
    got = []
    for lib in (ember, torch):
        x = lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
        t = CASES[name](lib, x)
        got.append((t.grad.tolist(), x.grad.tolist(), t.retains_grad))
    assert got[0] == got[1]
