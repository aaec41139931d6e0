"""Index arithmetic and membership: unravel_index, tril_indices/triu_indices, isin.
None of them is differentiable (their results are integers or bools)."""
import numpy as np

from .. import dtypes
from ..devices import to_device
from ..tensor import Tensor, make_tensor
from ._common import to_tensor_arg, write_out
from .arithmetic import _TORCH_NAMES


def unravel_index(indices, shape):
    """The coordinates, one int64 tensor per dimension of ``shape``, of each flat index (negative ones count
    from the end, as in PyTorch)."""
    indices = to_tensor_arg(indices, "indices", "unravel_index")
    if indices._dtype.category > dtypes._INT or indices._dtype is dtypes.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices._dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    flat = indices._data.astype(np.int64)
    coords = []
    for size in reversed(shape):      # least significant dimension first; PyTorch wraps out-of-range values
        coords.append(np.remainder(flat, size) if size else np.zeros_like(flat))
        flat = np.floor_divide(flat, size) if size else flat
    return tuple(make_tensor(c, dtypes.int64) for c in reversed(coords))


def _triangle_indices(op, np_fn, row, col, offset, dtype, device, requires_grad):
    for name, v in (("row", row), ("col", col)):
        if v < 0:
            raise RuntimeError(f"{name} must be non-negative, got{v}")
    dt = dtypes.int64 if dtype is None else dtypes.to_dtype(dtype, "dtype", op)
    if dt.category != dtypes._INT:
        raise NotImplementedError(f"\"{op}\" not implemented for '{_TORCH_NAMES[dt.name]}'")
    to_device(device)
    t = make_tensor(np.stack(np_fn(row, offset, col)).astype(dt.np).reshape(2, -1), dt)
    return t.requires_grad_(True) if requires_grad else t


def tril_indices(row, col, offset=0, *, dtype=None, layout=None, device=None, pin_memory=False,
                 requires_grad=False):
    """The (row, column) coordinates of the lower triangle of a row x col matrix, as a 2 x N tensor."""
    return _triangle_indices("tril_indices", np.tril_indices, row, col, offset, dtype, device, requires_grad)


def triu_indices(row, col, offset=0, *, dtype=None, layout=None, device=None, pin_memory=False,
                 requires_grad=False):
    """The (row, column) coordinates of the upper triangle of a row x col matrix, as a 2 x N tensor."""
    return _triangle_indices("triu_indices", np.triu_indices, row, col, offset, dtype, device, requires_grad)


def isin(elements, test_elements, *, assume_unique=False, invert=False, out=None):
    """For each of ``elements``, whether it occurs in ``test_elements`` (either may be a number)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(f"isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}): at least one of "
                        f"elements and test_elements must be a Tensor")
    for x in (elements, test_elements):    # PyTorch's kernel has no loop for bool or complex
        dt = x._dtype if isinstance(x, Tensor) else dtypes.bool if isinstance(x, bool) else \
            dtypes.complex128 if isinstance(x, complex) else None
        if dt is not None and (dt is dtypes.bool or dt.is_complex):
            raise RuntimeError(f"Unsupported input type encountered for isin(): {_TORCH_NAMES[dt.name]}")
    a = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    res = np.isin(a, b, assume_unique=assume_unique, invert=invert)
    if out is not None:
        return write_out(out, res, dtypes.bool, (), "isin", exact=(dtypes.bool,))
    return make_tensor(np.asarray(res), dtypes.bool)


__all__ = ["unravel_index", "tril_indices", "triu_indices", "isin"]
