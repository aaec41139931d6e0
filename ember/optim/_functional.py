"""Shared pieces of the update rules: reading a group's parameters and
gradients, hyper-parameter checks, and the 0-d ``step`` counter PyTorch keeps."""
import numpy as np

from .. import dtypes
from ..tensor import Tensor, make_tensor


def params_with_grad(group):
    """(param, grad array) for the parameters of ``group`` that have a gradient."""
    out = []
    for p in group["params"]:
        g = p._grad
        if g is None:
            continue
        if getattr(g, "is_sparse", False):
            raise RuntimeError("ember does not support sparse gradients")
        out.append((p, g._data))
    return out


def as_float(value):
    """A learning rate or other hyper-parameter given as a tensor, as a Python float."""
    return float(value.item()) if isinstance(value, Tensor) else value


def check_non_negative(name, value, index=None):
    v = as_float(value)
    if not 0.0 <= v:
        raise ValueError(f"Invalid {name}: {value}")


def check_betas(betas):
    for i, b in enumerate(betas):
        if not 0.0 <= as_float(b) < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {b}")


def new_step():
    return make_tensor(np.zeros((), np.float32), dtypes.float32)


def bump_step(step):
    step._data += 1
    step._vbox[0] += 1
    return float(step._data)


def bumped(p):
    p._vbox[0] += 1
