"""The grad_fn an in-place write leaves, named (name() and the printed grad_fn=) as PyTorch's."""
import pytest
import torch

import ember

WRITES = {
    "setitem int": lambda L, y, v: y.__setitem__(0, 100.0),
    "setitem slice": lambda L, y, v: y.__setitem__(slice(1, None), 0),
    "setitem tensor value": lambda L, y, v: y.__setitem__(0, v),
    "setitem index tensor": lambda L, y, v: y.__setitem__(L.tensor([0, 2]), 1.0),
    "setitem mask": lambda L, y, v: y.__setitem__(y > 0, 0.0),
    "view mul_": lambda L, y, v: y[0].mul_(2),
    "slice add_": lambda L, y, v: y[:2].add_(1),
    "slice copy_": lambda L, y, v: y[:2].copy_(L.ones(2)),
    "copy_": lambda L, y, v: y.copy_(L.ones(3)),
    "fill_ number": lambda L, y, v: y.fill_(1),
    "fill_ tensor": lambda L, y, v: y.fill_(v),
    "view fill_": lambda L, y, v: y[0].fill_(2),
    "zero_": lambda L, y, v: y.zero_(),
    "masked_fill_": lambda L, y, v: y.masked_fill_(y > 0, 1.0),
}


def _names(lib, write):
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    v = lib.tensor(3.0, requires_grad=True)
    y = x * 2
    write(lib, y, v)
    y.sum().backward()
    return y.grad_fn.name(), repr(y).split("grad_fn=")[1], x.grad.tolist(), None if v.grad is None else v.grad.item()


@pytest.mark.parametrize("name", WRITES)
def test_inplace_write_node_names_match_torch(name):
    assert _names(ember, WRITES[name]) == _names(torch, WRITES[name])


def test_refusing_node_named_as_torch():
    got = []
    for lib in (ember, torch):
        x = lib.tensor([0.5, -1.0, 0.0], requires_grad=True)
        y = lib.heaviside(x, lib.tensor([0.5]))
        got.append((y.grad_fn.name(), repr(y).split("grad_fn=")[1]))
    assert got[0] == got[1]
