"""Joining and splitting: cat/stack and friends, split/chunk/tensor_split/unbind.

``cat`` and ``stack`` copy; their gradient cuts the incoming gradient back into
pieces. ``split``, ``chunk``, ``tensor_split`` and ``unbind`` return views of the
input (sharing memory and the version counter) made by one multi-output Node,
whose gradient joins the pieces' gradients again (``cat``/``stack``).
"""
import numpy as np

from .. import dtypes
from ..autograd.node import node_class as _node_class
from ..tensor import Tensor, attach, make_tensor
from ._broadcast import shape_str
from ._common import _gstate, record, write_out
from .inplace import ViewFn, make_view
from .reduction import _wrap as wrap_dim
from .shape import _index, atleast_1d, atleast_2d, atleast_3d, narrow, reshape


def _cat_formula(F, g, dim, bounds):
    pre = (slice(None),) * dim
    return tuple(g[pre + (slice(a, b),)] for a, b in bounds)


def _stack_formula(F, g, dim, n):
    pre = (slice(None),) * dim
    return tuple(g[pre + (i,)] for i in range(n))


CatBackward0 = _node_class("CatBackward0", _cat_formula)
StackBackward0 = _node_class("StackBackward0", _stack_formula)


def _tensors_arg(tensors, op):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = tuple(tensors)
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument 'tensors' must be tuple of Tensors, but found element of type "
                            f"{type(t).__name__}")
    return tensors


def _result_dtype(tensors):
    dt = tensors[0]._dtype
    for t in tensors[1:]:
        if t._dtype is not dt:
            dt = dtypes.promote_types(dt, t._dtype)
    return dt


def cat(tensors, dim=0, *, out=None):
    tensors = _tensors_arg(tensors, "cat")
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors")
    # PyTorch's legacy rule: 1-d empty tensors are skipped
    parts = [t for t in tensors if t._data.shape != (0,)]
    skipped_all = not parts
    parts = parts or [tensors[0]]
    ref = parts[0]._data
    for i, t in enumerate(tensors):     # before the dim check, as PyTorch
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    d = 0 if skipped_all else wrap_dim(dim, ref.ndim, "cat")   # PyTorch ignores dim when every part is skipped
    for i, t in enumerate(parts):
        s = t._data.shape
        if len(s) != ref.ndim:
            if not s:
                raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
            raise RuntimeError(f"cat: tensors must have same number of dimensions: got {ref.ndim} and {len(s)} "
                               f"({shape_str(ref.shape)} and {shape_str(s)})")
        if s[:d] != ref.shape[:d] or s[d + 1:] != ref.shape[d + 1:]:
            raise RuntimeError(f"cat: tensors must have the same shape except in dim {d}: got {shape_str(ref.shape)} "
                               f"and {shape_str(s)} (Sizes of tensors must match except in dimension {d})")
    dt = _result_dtype(tensors)
    data = np.concatenate([t._data for t in parts], axis=d, dtype=dt.np, casting="unsafe") \
        if len(parts) > 1 else parts[0]._data.astype(dt.np, copy=True)
    if out is not None:
        return write_out(out, data, dt, tensors, "cat")
    r = make_tensor(data, dt)
    if _gstate.enabled and any(t._rg for t in tensors):
        bounds, pos = [], 0
        for t in tensors:
            n = 0 if t._data.shape == (0,) and len(parts) < len(tensors) else t._data.shape[d]
            bounds.append((pos, pos + n))
            pos += n
        # empty skipped tensors get gradient shaped like themselves
        record(CatBackward0, r, tensors, (), (d, bounds)) if len(parts) == len(tensors) else \
            record(_SkipCatBackward, r, tensors, (), (d, bounds, [t._data.shape for t in tensors]))
    return r


def _skip_cat_formula(F, g, dim, bounds, shapes):
    pre = (slice(None),) * dim
    return tuple(g[pre + (slice(a, b),)] if s != (0,) or a != b else F.zeros_like(g).reshape((-1,))[:0]
                 for (a, b), s in zip(bounds, shapes))


_SkipCatBackward = _node_class("CatBackward0", _skip_cat_formula)
concat = cat


def concatenate(tensors, axis=0, out=None, *, dim=None):
    """cat under NumPy's name; PyTorch takes axis= or dim=."""
    return cat(tensors, axis if dim is None else dim, out=out)


def stack(tensors, dim=0, *, out=None):
    tensors = _tensors_arg(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    d = wrap_dim(dim, len(s0) + 1, "stack")
    for i, t in enumerate(tensors):
        if t._data.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} at entry 0 and "
                               f"{list(t._data.shape)} at entry {i}")
    dt = _result_dtype(tensors)
    data = np.stack([t._data for t in tensors], axis=d, dtype=dt.np, casting="unsafe")
    if out is not None:
        return write_out(out, data, dt, tensors, "stack")
    r = make_tensor(data, dt)
    if _gstate.enabled and any(t._rg for t in tensors):
        record(StackBackward0, r, tensors, (), (d, len(tensors)))
    return r


def hstack(tensors, *, out=None):
    ts = atleast_1d(*_tensors_arg(tensors, "hstack"))
    ts = (ts,) if isinstance(ts, Tensor) else ts
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    ts = atleast_2d(*_tensors_arg(tensors, "vstack"))
    return cat((ts,) if isinstance(ts, Tensor) else ts, 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    ts = atleast_3d(*_tensors_arg(tensors, "dstack"))
    return cat((ts,) if isinstance(ts, Tensor) else ts, 2, out=out)


def column_stack(tensors, *, out=None):
    ts = _tensors_arg(tensors, "column_stack")
    ts = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in ts]
    return cat(ts, 1, out=out)


# ------------------------------------------------------------------ splitting: one multi-output node of views
def _split_formula(F, grads, shape, dim):
    return F.cat(list(grads), dim)


def _unbind_formula(F, grads, dim):
    return F.stack(list(grads), dim)


_multi_cache = {}


def _multi(name, formula, n):
    cls = _multi_cache.get((name, n))
    if cls is None:
        if n <= 1:  # a one-output node hands its formula the gradient itself, not a list of them
            formula = (lambda f: lambda F, g, *args: f(F, [g], *args))(formula)
        cls = _multi_cache[(name, n)] = _node_class(name, formula, nout=max(n, 1))
    return cls


def _pieces(input, d, bounds, name):
    x = input._data
    pre = (slice(None),) * d
    outs = []
    for a, b in bounds:
        key = pre + (slice(a, b),)
        outs.append(make_view(input, x[key], ViewFn(lambda arr, k=key: arr[k], lambda t, k=key: t[k])))
    outs = tuple(outs)
    if input._rg and _gstate.enabled and outs:
        record(_multi(name, _split_formula, len(outs)), outs, (input,), (), (x.shape, d))
        _mark_multi(outs, name[:-len("Backward0")])
    return outs


def _mark_multi(outs, fn):
    """PyTorch forbids in-place writes (under grad) to views that one function returned several of."""
    for i, o in enumerate(outs):
        o._multi_view = (i, fn)


def _bounds(sizes):
    out, pos = [], 0
    for s in sizes:
        out.append((pos, pos + s))
        pos += s
    return out


def split(tensor, split_size_or_sections, dim=0):
    x = tensor._data
    if x.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [_index(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                               f"dimension {d}), but got split_sizes={sizes}")
        return _pieces(tensor, d, _bounds(sizes), "SplitWithSizesBackward0")
    size = _index(split_size_or_sections)
    if size < 0 or size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
                           if size == 0 else f"split expects split_size be non-negative, but got split_size={size}")
    count = max((n + size - 1) // size, 1) if size else 1
    sizes = [size] * (count - 1) + [n - size * (count - 1)]
    return _pieces(tensor, d, _bounds(sizes), "SplitBackward0")


def _split_method(self, split_size, dim=0):
    """Tensor.split names its argument split_size (torch.split: split_size_or_sections)."""
    return split(self, split_size, dim)


def split_with_sizes(input, split_sizes, dim=0):
    """split into pieces of the listed sizes (views), which must add up to the size of dim."""
    if not isinstance(split_sizes, (list, tuple)):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' must be tuple of ints, not "
                        f"{type(split_sizes).__name__}")
    return split(input, split_sizes, dim)


def chunk(input, chunks, dim=0):
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    chunks = _index(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, x.ndim, "chunk")
    n = x.shape[d]
    size = (n + chunks - 1) // chunks
    if size == 0:
        return _pieces(input, d, [(0, 0)] * chunks, "SplitBackward0") if n == 0 else ()
    return split(input, size, d)


def _sections_arg(positional, kwargs, op):
    """The second argument of tensor_split/hsplit/vsplit/dsplit, positional or under one of the names of
    PyTorch's overloads (sections=, indices=, tensor_indices_or_sections=)."""
    names = [k for k in kwargs if k in ("sections", "indices", "tensor_indices_or_sections")]
    unknown = [k for k in kwargs if k not in names]
    if unknown:
        raise TypeError(f"{op}() got an unexpected keyword argument '{unknown[0]}'")
    if positional is not None and names or len(names) > 1:
        raise TypeError(f"{op}() got multiple values for its sections or indices")
    if names:
        return kwargs[names[0]]
    if positional is None:
        raise TypeError(f"{op}() missing 1 required positional argument: 'indices_or_sections'")
    return positional


def tensor_split(input, indices_or_sections=None, dim=0, **kwargs):
    indices_or_sections = _sections_arg(indices_or_sections, kwargs, "tensor_split")
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = wrap_dim(dim, x.ndim, "tensor_split")
    n = x.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._dtype is not dtypes.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have long dtype, but got "
                               f"{ios._dtype}")
        if ios._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {ios._data.ndim} dims")
        ios = int(ios._data) if ios._data.ndim == 0 else ios._data.tolist()
    if isinstance(ios, (list, tuple)):
        bounds, prev = [], 0
        for i in list(ios) + [n]:
            i = _index(i)
            i = min(max(i + n if i < 0 else i, 0), n)
            bounds.append((prev, max(prev, i)))
            prev = max(prev, i)
        return _slices(input, d, bounds)
    sections = _index(ios)
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    q, rem = divmod(n, sections)
    return _slices(input, d, _bounds([q + 1] * rem + [q] * (sections - rem)))


def _slices(input, d, bounds):
    """tensor_split's pieces: one narrow() each, as PyTorch's (SliceBackward0 views, which may be written
    in place, unlike split's outputs)."""
    return tuple(narrow(input, d, a, b - a) for a, b in bounds)


def _hvd_split(input, ios, dim, op, min_dim):
    if input._data.ndim < min_dim:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_dim} dimension, but got a tensor with "
                           f"{input._data.ndim} dimensions!")
    if not isinstance(ios, (list, tuple, Tensor)) and (ios == 0 or input._data.shape[dim] % ios):
        raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the size of the dimension "
                           f"{input._data.shape[dim]} is not divisible by the split_size {ios}!")
    return tensor_split(input, ios, dim)


def hsplit(input, indices_or_sections=None, **kwargs):
    return _hvd_split(input, _sections_arg(indices_or_sections, kwargs, "hsplit"),
                      1 if input._data.ndim > 1 else 0, "hsplit", 1)


def vsplit(input, indices_or_sections=None, **kwargs):
    return _hvd_split(input, _sections_arg(indices_or_sections, kwargs, "vsplit"), 0, "vsplit", 2)


def dsplit(input, indices_or_sections=None, **kwargs):
    return _hvd_split(input, _sections_arg(indices_or_sections, kwargs, "dsplit"), 2, "dsplit", 3)


def unbind(input, dim=0):
    x = input._data
    if x.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, x.ndim, "unbind")
    pre = (slice(None),) * d
    outs = tuple(make_view(input, x[pre + (i,)], ViewFn(lambda a, k=pre + (i,): a[k], lambda t, k=pre + (i,): t[k]))
                 for i in range(x.shape[d]))
    if input._rg and _gstate.enabled and outs:
        record(_multi("UnbindBackward0", _unbind_formula, len(outs)), outs, (input,), (), (d,))
        _mark_multi(outs, "Unbind")
    return outs


def _define_namespace():
    from ..autograd.formulas import define
    define("cat", lambda arrays, dim: np.concatenate(arrays, axis=dim), cat)
    define("stack", lambda arrays, dim: np.stack(arrays, axis=dim), stack)


# The unsafe_ forms skip PyTorch's aliasing checks between the pieces; ember's pieces are ordinary views.
unsafe_chunk, unsafe_split_with_sizes = chunk, split_with_sizes


def unsafe_split(input, split_size, dim=0):
    return split(input, split_size, dim)
_define_namespace()
attach(unsafe_split=unsafe_split, unsafe_chunk=chunk, unsafe_split_with_sizes=split_with_sizes,
       split=_split_method, split_with_sizes=split_with_sizes, chunk=chunk, tensor_split=tensor_split, hsplit=hsplit,
       vsplit=vsplit, dsplit=dsplit,
       unbind=unbind)
__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack", "column_stack",
           "split", "split_with_sizes", "unsafe_split", "unsafe_chunk", "unsafe_split_with_sizes", "chunk", "tensor_split", "hsplit", "vsplit", "dsplit", "unbind"]
