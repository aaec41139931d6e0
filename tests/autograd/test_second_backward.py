"""A second backward through a graph whose buffers were freed raises exactly where PyTorch's does:
ops that saved something (a tensor or a wrapped Python number) refuse, ops that saved nothing run again."""
import pytest
import torch

import ember

OPS = {
    "x * 2": lambda x: x * 2,
    "2 * x": lambda x: 2 * x,
    "x.mul(2.5)": lambda x: x.mul(2.5),
    "x / 2": lambda x: x / 2,
    "2 / x": lambda x: 2 / x,
    "x + 2": lambda x: x + 2,
    "x - 2": lambda x: x - 2,
    "2 - x": lambda x: 2 - x,
    "-x": lambda x: -x,
    "x ** 2": lambda x: x ** 2,
    "2 ** x": lambda x: 2 ** x,
    "x.exp()": lambda x: x.exp(),
    "x * x": lambda x: x * x,
    "x.sum() * 3": lambda x: x.sum() * 3,
    "x.view(-1)": lambda x: x.view(-1),
    "x.mean()": lambda x: x.mean(),
}


def _second_backward_error(lib, op):
    x = lib.tensor([0.5, 1.5, 2.0], requires_grad=True)
    y = op(x).sum()
    y.backward()
    try:
        y.backward()
    except RuntimeError as e:
        assert "second time" in str(e)
        return RuntimeError
    return None


@pytest.mark.parametrize("name", OPS)
def test_second_backward_raises_as_torch(name):
    assert _second_backward_error(ember, OPS[name]) is _second_backward_error(torch, OPS[name])


@pytest.mark.parametrize("name", ["x * 2", "x - 2", "2 - x"])
def test_retain_graph_backward_twice_accumulates_as_torch(name):
    grads = []
    for lib in (ember, torch):
        x = lib.tensor([0.5, 1.5, 2.0], requires_grad=True)
        y = OPS[name](x).sum()
        y.backward(retain_graph=True)
        y.backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1]
