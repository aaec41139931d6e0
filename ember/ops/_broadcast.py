"""Broadcasting failures raised as PyTorch raises them (RuntimeError), naming the op,
every shape and the rule broken. NumPy's own ValueError would say neither."""
import functools

import numpy as np

from ..tensor import Tensor


def shape_str(shape):
    """(2x3) for a shape (2, 3); () for a 0-d one."""
    return "(" + "x".join(str(n) for n in shape) + ")"


def broadcast_error(op, *shapes):
    """The RuntimeError for shapes that do not broadcast together."""
    shapes = [tuple(s) for s in shapes]
    ndim = max((len(s) for s in shapes), default=0)
    listed = " and ".join(shape_str(s) for s in shapes)
    for back in range(1, ndim + 1):
        sizes = [(i, s[-back]) for i, s in enumerate(shapes) if len(s) >= back]
        big = [(i, n) for i, n in sizes if n != 1]
        if len({n for _, n in big}) > 1:
            (ia, na), (ib, nb) = big[0], next(b for b in big if b[1] != big[0][1])
            return RuntimeError(
                f"{op}: shapes {listed} do not broadcast: the size of tensor {'abcdef'[ia]} ({na}) must match "
                f"the size of tensor {'abcdef'[ib]} ({nb}) at non-singleton dimension {ndim - back} "
                f"(sizes of a dimension must be equal, or one of them 1)")
    return RuntimeError(f"{op}: shapes {listed} do not broadcast")


def check_broadcast(op, a, b):
    """Raise PyTorch's RuntimeError when Tensors ``a`` and ``b`` do not broadcast (numbers always do)."""
    if a.__class__ is Tensor and b.__class__ is Tensor:
        sa, sb = a._data.shape, b._data.shape
        if sa != sb:
            try:
                np.broadcast_shapes(sa, sb)
            except ValueError:
                raise broadcast_error(op, sa, sb) from None


def broadcasting(op):
    """Decorate an elementwise op so that NumPy's broadcasting ValueError becomes PyTorch's RuntimeError."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except ValueError as e:
                if "broadcast" not in str(e):
                    raise
                tensors = [a for a in args if isinstance(a, Tensor)]
                tensors += [v for k, v in kwargs.items() if isinstance(v, Tensor) and k != "out"]
                raise broadcast_error(op, *(t._data.shape for t in tensors)) from None
        return wrapper
    return decorate
