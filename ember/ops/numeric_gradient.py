"""torch.gradient: derivatives of sampled values by finite differences (NumPy's np.gradient rule:
second-order central differences inside, first- or second-order one-sided ones at the two ends).

Written with ember's own slicing and arithmetic, so the result is differentiable in the input (and in
coordinate tensors given as spacing) without a Node of its own.
"""
import numbers

from .. import dtypes
from ..tensor import Tensor
from ._common import to_tensor_arg
from .joining import cat
from .reduction import _wrap as wrap_dim
from .shape import narrow


def _piece(x, d, start, stop):
    return narrow(x, d, start, stop - start)


def _uniform(x, d, h, edge_order):
    n = x.shape[d]
    f = lambda a, b: _piece(x, d, a, b)      # noqa: E731  (x[..., a:b, ...] along d)
    inner = (f(2, n) - f(0, n - 2)) / (2 * h)
    if edge_order == 1:
        first, last = (f(1, 2) - f(0, 1)) / h, (f(n - 1, n) - f(n - 2, n - 1)) / h
    else:
        first = (f(0, 1) * -1.5 + f(1, 2) * 2 - f(2, 3) * 0.5) / h
        last = (f(n - 3, n - 2) * 0.5 - f(n - 2, n - 1) * 2 + f(n - 1, n) * 1.5) / h
    return cat([first, inner, last], d)


def _coordinates(x, d, c, edge_order):
    n, nd = x.shape[d], x.ndim
    f = lambda a, b: _piece(x, d, a, b)      # noqa: E731

    def along(v):                             # a 1-d coefficient laid along dimension d
        return v.reshape([-1 if i == d else 1 for i in range(nd)])
    dx = c[1:] - c[:-1]
    h1, h2 = dx[:-1], dx[1:]
    inner = (along(-h2 / (h1 * (h1 + h2))) * f(0, n - 2) + along((h2 - h1) / (h1 * h2)) * f(1, n - 1)
             + along(h1 / (h2 * (h1 + h2))) * f(2, n))
    if edge_order == 1:
        first, last = (f(1, 2) - f(0, 1)) / dx[0], (f(n - 1, n) - f(n - 2, n - 1)) / dx[-1]
    else:
        a, b = dx[0], dx[1]
        first = (f(0, 1) * (-(2 * a + b) / (a * (a + b))) + f(1, 2) * ((a + b) / (a * b))
                 + f(2, 3) * (-a / (b * (a + b))))
        a, b = dx[-2], dx[-1]
        last = (f(n - 3, n - 2) * (b / (a * (a + b))) + f(n - 2, n - 1) * (-(a + b) / (a * b))
                + f(n - 1, n) * ((2 * b + a) / (b * (a + b))))
    return cat([first, inner, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """One tensor per dimension in ``dim`` (all by default): the derivative of input along it. spacing: a
    number (the step of every dimension), a list of numbers (one per dimension), or a list of 1-d
    coordinate tensors (the sample positions along each dimension)."""
    input = to_tensor_arg(input, "input", "gradient")
    if input._dtype is dtypes.uint8:
        raise RuntimeError("torch.gradient does not support uint8 input.")
    if input._dtype is dtypes.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    nd = input.ndim
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = list(range(nd)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    dims = [wrap_dim(d, nd, "gradient") for d in dims]
    for d in dims:
        if dims.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    if isinstance(spacing, (numbers.Number, Tensor)) and not (isinstance(spacing, Tensor) and spacing.ndim):
        spacing = [spacing] * len(dims)
    spacing = list(spacing)
    if len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or a list of length equal "
                           f"to the number of dims ({len(dims)}), but got a list of length {len(spacing)}")
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    x = input if input._dtype.category >= dtypes._FLOAT else input.to(dtypes.get_default_dtype())
    out = []
    for d, s in zip(dims, spacing):
        if isinstance(s, Tensor) and s.ndim > 1:
            raise RuntimeError(f"torch.gradient expected each element of spacing to have one dimension, but got an "
                               f"element with {s.ndim} dimensions!")
        if isinstance(s, Tensor) and s.ndim == 1:
            if s.shape[0] != x.shape[d]:
                raise RuntimeError(f"torch.gradient expected the coordinates along dim {d} to have {x.shape[d]} "
                                   f"entries (the size of that dimension), got {s.shape[0]}")
            out.append(_coordinates(x, d, s, edge_order))
        else:
            out.append(_uniform(x, d, s.item() if isinstance(s, Tensor) else s, edge_order))
    return tuple(out)


__all__ = ["gradient"]
