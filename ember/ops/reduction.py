"""Reductions: forward beside derivative. A reduction's gradient is the incoming
gradient with the reduced dimensions put back (``_unreduce``) and broadcast."""
import numpy as np

from .. import dtypes
from ..tensor import attach, make_tensor
from ._common import _gstate, node_class, record, to_tensor_arg, write_out

_FLOAT = dtypes._FLOAT


def normalize_dims(dim, ndim, op):
    """``dim`` (None, int, or sequence) as a sorted tuple of non-negative axes; None means all."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return tuple(range(ndim))   # PyTorch: an empty dim list reduces over everything
        dims = [_wrap(d, ndim, op) for d in dim]
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{op}: dim {dims[0]} appears multiple times in the list of dims")
        return tuple(sorted(dims))
    return (_wrap(dim, ndim, op),)


def _wrap(d, ndim, op):
    if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
        raise TypeError(f"{op}(): argument 'dim' must be int or tuple of ints, not {type(d).__name__}")
    n = max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return int(d) % n


def _unreduce(F, g, shape, dims, keepdim):
    """Put reduced dimensions back into g (as size 1), then broadcast to ``shape``."""
    if not keepdim and dims:
        kept = list(g.shape)
        for d in dims:
            kept.insert(d, 1)
        g = g.reshape(tuple(kept))
    return F.expand(g, shape)


def _sum_formula(F, g, shape, dims, keepdim):
    return _unreduce(F, g, shape, dims, keepdim)


def _mean_formula(F, g, shape, dims, keepdim, count):
    return _unreduce(F, g / count, shape, dims, keepdim)


SumBackward1 = node_class("SumBackward1", _sum_formula)
MeanBackward1 = node_class("MeanBackward1", _mean_formula)


def _accumulation_dtype(x_dtype, dtype, op):
    if dtype is not None:
        return dtypes.to_dtype(dtype, "dtype", op)
    if x_dtype.category <= dtypes._INT:
        return dtypes.int64   # PyTorch sums integers and bools as int64
    return x_dtype


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    input = to_tensor_arg(input, "input", "sum")
    x = input._data
    dims = normalize_dims(dim, x.ndim, "sum")
    rt = _accumulation_dtype(input._dtype, dtype, "sum")
    if x.ndim == 0:
        res = x.astype(rt.np)
    elif rt is dtypes.float16 or rt is dtypes.bfloat16:
        res = np.sum(x, axis=dims, keepdims=keepdim, dtype=np.float32).astype(rt.np)  # accumulate in float32
    else:
        res = np.sum(x, axis=dims, keepdims=keepdim, dtype=rt.np)
    if out is not None:
        return write_out(out, np.asarray(res), rt, (input,), "sum")
    r = make_tensor(res, rt)
    if input._rg and _gstate.enabled:
        record(SumBackward1 if dim is not None else SumBackward0, r, (input,), (),
               (x.shape, dims if x.ndim else (), keepdim or not x.ndim))
    return r


SumBackward0 = node_class("SumBackward0", _sum_formula)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    input = to_tensor_arg(input, "input", "mean")
    x = input._data
    dt = input._dtype if dtype is None else dtypes.to_dtype(dtype, "dtype", "mean")
    if dt.category < _FLOAT:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {input._dtype.name.capitalize()}")
    dims = normalize_dims(dim, x.ndim, "mean")
    count = int(np.prod([x.shape[d] for d in dims])) if x.ndim else 1
    acc = np.float32 if dt in (dtypes.float16, dtypes.bfloat16) else dt.np
    res = np.mean(x, axis=dims, keepdims=keepdim, dtype=acc).astype(dt.np, copy=False) if x.ndim else x.astype(dt.np)
    if out is not None:
        return write_out(out, np.asarray(res), dt, (input,), "mean")
    r = make_tensor(res, dt)
    if input._rg and _gstate.enabled:
        record(MeanBackward1 if dim is not None else MeanBackward0, r, (input,), (),
               (x.shape, dims if x.ndim else (), keepdim or not x.ndim, count))
    return r


MeanBackward0 = node_class("MeanBackward0", _mean_formula)


def sum_to_size(input, *size):
    """Sum ``input`` down to ``size``, which it must broadcast from (Tensor.sum_to_size)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = tuple(size)
    xs = input._data.shape
    lead = len(xs) - len(shape)
    if lead < 0 or any(s != 1 and s != x for s, x in zip(shape, xs[lead:])):
        raise RuntimeError(f"sum_to_size: size {list(shape)} is not expandable to size {list(xs)}")
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and xs[i + lead] != 1)
    if not dims:
        return input if xs == shape else input.reshape(shape)
    return sum(input, dims, keepdim=True).reshape(shape)


attach(sum=sum, mean=mean, sum_to_size=sum_to_size)


def _define_namespace():
    from ..autograd.formulas import define, array_sum_to
    define("sum_to", array_sum_to, sum_to_size)


_define_namespace()
__all__ = ["sum", "mean"]
