"""Inference tensors as PyTorch's: made inside inference_mode (views follow their base), and outside
it they refuse to be saved for backward, written in place, asked their version or set to require grad."""
import pytest
import torch

import ember


def _inside(lib):
    x = lib.ones(3, requires_grad=True)
    n = lib.ones(3)
    with lib.inference_mode():
        y = x * 2
        view_of_normal = n[1:]
        made = lib.ones(2, requires_grad=True)
        n.add_(1)
        chained = y * 3
        with lib.inference_mode(False):
            off = lib.ones(2)
    return x, y, [y.is_inference(), y.requires_grad, view_of_normal.is_inference(), made.is_inference(),
                  made.requires_grad, n.is_inference(), chained.is_inference(), off.is_inference(),
                  x.is_inference(), lib.is_inference(y)]


def test_which_tensors_are_inference_tensors():
    assert _inside(ember)[2] == _inside(torch)[2]


OUTSIDE = {
    "in place": lambda L, x, y: y.add_(1),
    "setitem": lambda L, x, y: y.__setitem__(0, 5.0),
    "saved by mul": lambda L, x, y: x * y,
    "saved by linear": lambda L, x, y: L.nn.functional.linear(y.view(1, 3), x.view(1, 3)),
    "backward through": lambda L, x, y: (x.exp() * y).sum().backward(),
    "version": lambda L, x, y: y._version,
    "requires_grad_": lambda L, x, y: y.requires_grad_(),
    "plain op": lambda L, x, y: (y * 2 + 1).is_inference(),
    "unsaved op with grad": lambda L, x, y: (x + y).is_inference(),
    "clone in place": lambda L, x, y: y.clone().add_(1).is_inference(),
    "view": lambda L, x, y: y.view(-1)[0].is_inference(),
    "detach": lambda L, x, y: y.detach().is_inference(),
    "no_grad in place": lambda L, x, y: _no_grad_add(L, y),
}


def _no_grad_add(lib, y):
    with lib.no_grad():
        y.add_(1)


def _outcome(lib, name):
    x, y, _ = _inside(lib)
    try:
        return OUTSIDE[name](lib, x, y)
    except RuntimeError as e:
        return "RuntimeError: " + str(e)[:40]


@pytest.mark.parametrize("name", OUTSIDE)
def test_inference_tensors_outside_the_mode_as_torch(name):
    assert _outcome(ember, name) == _outcome(torch, name)
