"""Tensor.grad / .data setters refuse what PyTorch refuses; _is_view() as PyTorch's."""
import pytest
import torch

import ember

ASSIGNMENTS = {
    "grad = itself": lambda L, x: setattr(x, "grad", x),
    "grad = detached alias": lambda L, x: setattr(x, "grad", x.detach()),
    "grad = other size": lambda L, x: setattr(x, "grad", L.ones(2)),
    "grad = float64": lambda L, x: setattr(x, "grad", L.ones(3, dtype=L.float64)),
    "grad = number": lambda L, x: setattr(x, "grad", 3),
    "data = int64": lambda L, x: setattr(x, "data", L.ones(3, dtype=L.int64)),
    "data = other size": lambda L, x: setattr(x, "data", L.ones(2)),
    "data = float64": lambda L, x: setattr(x, "data", L.ones(3, dtype=L.float64)),
}


def _outcome(lib, assign):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    try:
        assign(lib, x)
    except Exception as e:      # noqa: BLE001 - the class is what is compared
        return type(e).__name__
    return list(x.shape), str(x.dtype).split(".")[-1]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_setters_refuse_as_torch(name):
    assert _outcome(ember, ASSIGNMENTS[name]) == _outcome(torch, ASSIGNMENTS[name])


def test_is_view_as_torch():
    for lib in (ember, torch):
        x = lib.ones(4, 2, requires_grad=True)
        y = x * 1
        got = [x._is_view(), x[1:]._is_view(), x.detach()._is_view(), y.view(-1)._is_view(), y.t()._is_view(),
               y.clone()._is_view(), y[y > 0]._is_view(), x[1:].detach()._is_view()]
        assert got == [False, True, False, True, True, False, False, False], lib.__name__
