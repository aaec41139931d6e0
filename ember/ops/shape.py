"""Shape ops and views: forward beside derivative.

Views (``view``, ``reshape`` when possible, ``transpose``, ``permute``,
``expand``, ``squeeze``/``unsqueeze``, ``narrow``, ``select``, ``unfold``,
``as_strided`` …) share memory and the version counter with their base, as in
PyTorch, and remember how they were cut (``ViewFn``) so in-place writes through
them reach the base's gradient. Copies (``flip``, ``roll``, ``repeat`` …) are
ordinary ops. Joining and splitting (``cat``, ``split`` …) live in joining.py.
"""
import math

import numpy as np

from .. import dtypes
from ..tensor import Tensor, attach, make_tensor
from ._broadcast import shape_str
from ._common import _gstate, check_leaf_inplace, node_class, record, shown_as, to_tensor_arg
from .indexing import Key
from .inplace import ViewFn, check_multi_view, make_view
from .reduction import _wrap as wrap_dim

_prod = math.prod
_sliding = np.lib.stride_tricks.sliding_window_view


def _shape_arg(shape, op):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    try:
        return tuple([s if s.__class__ is int else _index(s) for s in shape])
    except TypeError:
        raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element of type "
                        f"{type(next(s for s in shape if not isinstance(s, int))).__name__}") from None


def _keyword_shape(positional, keyword, op, name, unexpected=None):
    """The sizes given either positionally (``x.view(2, 3)``, ``x.view((2, 3))``) or by PyTorch's keyword
    (``x.view(size=(2, 3))``), never both."""
    if unexpected:
        raise TypeError(f"{op}() got an unexpected keyword argument '{next(iter(unexpected))}'")
    if keyword is None:
        if not positional:
            raise TypeError(f'{op}() missing 1 required positional arguments: "{name}"')
        return positional
    if positional:
        raise TypeError(f"{op}() got multiple values for argument '{name}'")
    return (keyword,)


def _index(s):
    if isinstance(s, (float, bool)) or isinstance(s, Tensor) and s._dtype.category >= dtypes._FLOAT:
        raise TypeError("not an int")
    return s.__index__()


def infer_shape(shape, numel, op, in_shape):
    """Resolve one -1 in ``shape`` and check the element count, naming both shapes on error."""
    if -1 in shape:
        if shape.count(-1) > 1:
            raise RuntimeError(f"{op}: only one dimension can be inferred (got shape {list(shape)})")
        known = -_prod(shape)
        if known <= 0 or numel % known:
            if min(shape) < -1:
                raise RuntimeError(f"{op}: invalid shape dimension {min(shape)} in {list(shape)}")
            raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel} "
                               f"(input shape {list(in_shape)})")
        return tuple([numel // known if s == -1 else s for s in shape])
    if _prod(shape) != numel or shape and min(shape) < 0:
        if shape and min(shape) < 0:
            raise RuntimeError(f"{op}: invalid shape dimension {min(shape)} in {list(shape)}")
        raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel} "
                           f"(input shape {list(in_shape)})")
    return shape


# ------------------------------------------------------------------ formula helpers
def _permute_array(a, dims):
    return a.transpose(dims)


def _array_unfold_backward(g, shape, dim, size, step):
    z = np.zeros(shape, g.dtype)
    n = g.shape[dim]
    gm = np.moveaxis(g, -1, 0)          # window offset first
    for k in range(size):
        sl = (slice(None),) * dim + (slice(k, k + step * (n - 1) + 1, step),)
        z[sl] += gm[k]
    return z


def unfold_backward(g, shape, dim, size, step):
    """The adjoint of unfold (overlapping windows add up), differentiable."""
    r = make_tensor(_array_unfold_backward(g._data, shape, dim, size, step), g._dtype)
    if g._rg and _gstate.enabled:
        record(UnfoldBackwardBackward0, r, (g,), (), (dim, size, step))
    return r


def _define_namespace():
    from ..autograd.formulas import define
    define("permute", _permute_array, lambda t, dims: permute(t, dims))
    define("unfold_backward", _array_unfold_backward, unfold_backward)
    define("unfold", lambda a, dim, size, step: _unfold_array(a, dim, size, step),
           lambda t, dim, size, step: unfold(t, dim, size, step))
    define("flip", lambda a, dims: np.flip(a, dims), lambda t, dims: flip(t, dims))
    define("roll", lambda a, shifts, dims: np.roll(a, shifts, dims), lambda t, shifts, dims: roll(t, shifts, dims))
    define("rot90", lambda a, k, dims: np.rot90(a, k, dims), lambda t, k, dims: rot90(t, k, dims))


def _repeat_formula(F, g, in_shape, reps):
    # g has shape (r0*s0, r1*s1, ...); view as (r0, s0, r1, s1, ...) and sum the r axes
    lead = len(reps) - len(in_shape)
    full = (1,) * lead + tuple(in_shape)
    split = []
    for r, s in zip(reps, full):
        split += [r, s]
    g = F.sum(g.reshape(tuple(split)), tuple(range(0, 2 * len(reps), 2)))
    return g.reshape(tuple(in_shape))


ViewBackward0 = node_class("ViewBackward0", lambda F, g, shape: g.reshape(shape))
UnsafeViewBackward0 = node_class("UnsafeViewBackward0", lambda F, g, shape: g.reshape(shape))
TransposeBackward0 = node_class("TransposeBackward0", lambda F, g, d0, d1: g.swapaxes(d0, d1) if g.ndim else g)
TBackward0 = node_class("TBackward0", lambda F, g, d0, d1: g.swapaxes(d0, d1))
PermuteBackward0 = node_class("PermuteBackward0", lambda F, g, inverse: F.permute(g, inverse))
ExpandBackward0 = node_class("ExpandBackward0", lambda F, g, shape: F.sum_to(g, shape))
# squeeze(), squeeze(dim) and squeeze(dims) are three overloads in PyTorch, each with its node's name
SqueezeBackward0, SqueezeBackward1, SqueezeBackward2 = (
    node_class(f"SqueezeBackward{i}", lambda F, g, shape: g.reshape(shape)) for i in range(3))
UnsqueezeBackward0 = node_class("UnsqueezeBackward0", lambda F, g, shape: g.reshape(shape))
AliasBackward0 = node_class("AliasBackward0", lambda F, g: g)
NarrowBackward0 = node_class("SliceBackward0", lambda F, g, shape, key: F.put_zeros(g, shape, key))
SelectBackward0 = node_class("SelectBackward0", lambda F, g, shape, key: F.put_zeros(g, shape, key))
UnfoldBackward0 = node_class("UnfoldBackward0", lambda F, g, shape, dim, size, step:
                             F.unfold_backward(g, shape, dim, size, step))
UnfoldBackwardBackward0 = node_class("UnfoldBackwardBackward0", lambda F, g, dim, size, step:
                                     F.unfold(g, dim, size, step))
FlipBackward0 = node_class("FlipBackward0", lambda F, g, dims: F.flip(g, dims))
RollBackward0 = node_class("RollBackward0", lambda F, g, shifts, dims: F.roll(g, tuple(-s for s in shifts), dims))
Rot90Backward0 = node_class("Rot90Backward0", lambda F, g, k, dims: F.rot90(g, -k, dims))
RepeatBackward0 = node_class("RepeatBackward0", _repeat_formula)
AsStridedBackward0 = node_class("AsStridedBackward0", lambda F, g, storage_n, out_idx, in_idx, in_shape:
                                F.index(F.put_zeros(g.reshape((-1,)), (storage_n,), out_idx), in_idx).reshape(in_shape))


def _view_result(input, data, node_cls, args, view_fn):
    r = make_view(input, data, view_fn)
    if input._rg and _gstate.enabled:
        record(node_cls, r, (input,), (), args)
    return r


_vf_cache = {}


def _reshape_vf(shape):
    vf = _vf_cache.get(shape)
    if vf is None:
        if len(_vf_cache) > 4096:
            _vf_cache.clear()
        vf = _vf_cache[shape] = ViewFn(lambda a: a.reshape(shape), lambda t: t.reshape(shape))
    return vf


def _cached_vf(key, make):
    vf = _vf_cache.get(key)
    if vf is None:
        if len(_vf_cache) > 4096:
            _vf_cache.clear()
        vf = _vf_cache[key] = make()
    return vf


# ------------------------------------------------------------------ view / reshape
def view(input, *shape, dtype=None, size=None):
    if dtype is not None and not shape and size is None:      # x.view(dtype=torch.int32)
        return _view_dtype(input, dtype)
    shape = _keyword_shape(shape, size, "view", "size")
    if len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
        return _view_dtype(input, shape[0])
    x = input._data
    shape = infer_shape(_shape_arg(shape, "view"), x.size, "view", x.shape)
    if shape == x.shape:
        data = x.view()
    else:
        data = x.reshape(shape)
        if not x.flags.c_contiguous and data.size and not np.may_share_memory(data, x):
            raise RuntimeError(f"view size is not compatible with input tensor's size and stride (at least one "
                               f"dimension spans across two contiguous subspaces): cannot view shape "
                               f"{list(x.shape)} as {list(shape)}. Use .reshape(...) instead.")
    return _view_result(input, data, ViewBackward0, (x.shape,), _reshape_vf(shape))


def _view_dtype(input, dtype):
    dtype = dtypes.to_dtype(dtype, "dtype", "view")
    x = input._data
    if dtype.itemsize != input._dtype.itemsize:
        if x.ndim == 0:
            raise RuntimeError("self.dim() cannot be 0 to view " f"{input._dtype} as {dtype} (different element sizes)")
        if not x.flags.c_contiguous and x.strides[-1] != x.itemsize:
            raise RuntimeError(f"self.stride(-1) must be 1 to view {input._dtype} as {dtype} (different element sizes)")
        if (x.shape[-1] * input._dtype.itemsize) % dtype.itemsize:
            raise RuntimeError(f"self.size(-1) must be divisible by {dtype.itemsize // input._dtype.itemsize} to "
                               f"view {input._dtype} as {dtype} (different element sizes), but got {x.shape[-1]}")
    npd = dtype.np
    r = make_view(input, x.view(npd), ViewFn(lambda a: a.view(npd), lambda t: t.view(dtype)))
    r._dtype = dtype
    return r


def reshape(input, *shape, **kwargs):
    shape = _keyword_shape(shape, kwargs.pop("shape", None), "reshape", "shape", kwargs)
    """A view when the memory layout allows it (as PyTorch), a copy otherwise."""
    x = input._data
    shape = infer_shape(_shape_arg(shape, "reshape"), x.size, "reshape", x.shape)
    if shape == x.shape:
        return _view_result(input, x.view(), ViewBackward0, (x.shape,), _reshape_vf(shape))
    data = x.reshape(shape)
    if x.flags.c_contiguous or data.size == 0 or np.may_share_memory(data, x):
        return _view_result(input, data, ViewBackward0, (x.shape,), _reshape_vf(shape))
    r = make_tensor(data, input._dtype)
    if input._rg and _gstate.enabled:
        record(UnsafeViewBackward0, r, (input,), (), (x.shape,))
    return r


def view_as(input, other):
    return view(input, other._data.shape)


def reshape_as(input, other):
    return reshape(input, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    xs = input._data.shape
    if not xs:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, len(xs), "flatten"), wrap_dim(end_dim, len(xs), "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return reshape(input, xs[:s] + (_prod(xs[s:e + 1]),) + xs[e + 1:])


def ravel(input):
    return reshape(input, (-1,))


def unflatten(input, dim, sizes):
    xs = input._data.shape
    if not xs:
        wrap_dim(dim, 1, "unflatten")
        raise RuntimeError("unflatten: a 0-d tensor has no dimension to unflatten")
    d = wrap_dim(dim, len(xs), "unflatten")
    sizes = _shape_arg((sizes,), "unflatten")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten: only one dimension can be inferred")
    known = _prod([s for s in sizes if s != -1])
    if -1 in sizes:
        if known == 0 or xs[d] % known:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                               f"({xs[d]}) in the input tensor")
        sizes = tuple(xs[d] // known if s == -1 else s for s in sizes)
    elif known != xs[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({xs[d]}) in the input tensor")
    return view(input, xs[:d] + sizes + xs[d + 1:])


# ------------------------------------------------------------------ axis reordering
def transpose(input, dim0, dim1):
    x = input._data
    nd = x.ndim
    if nd == 0:
        wrap_dim(dim0, 0, "transpose"), wrap_dim(dim1, 0, "transpose")
        return _view_result(input, x.view(), TransposeBackward0, (0, 0), ViewFn(lambda a: a, lambda t: t))
    d0 = dim0 if 0 <= dim0 < nd and dim0.__class__ is int else wrap_dim(dim0, nd, "transpose")
    d1 = dim1 if 0 <= dim1 < nd and dim1.__class__ is int else wrap_dim(dim1, nd, "transpose")
    return _view_result(input, x.swapaxes(d0, d1), TransposeBackward0, (d0, d1), _cached_vf(
        ("T", d0, d1), lambda: ViewFn(lambda a: a.swapaxes(d0, d1), lambda t: t.transpose(d0, d1))))


def permute(input, *dims, **kwargs):
    dims = _keyword_shape(dims, kwargs.pop("dims", None), "permute", "dims", kwargs)
    if len(dims) == 1 and dims[0].__class__ in (tuple, list):
        dims = dims[0]
    x = input._data
    nd = x.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
                           f"to len(dims) = {len(dims)}")
    dims = tuple([d if d.__class__ is int and 0 <= d < nd else wrap_dim(_index(d), nd, "permute") for d in dims])
    inverse = [-1] * nd
    for i, d in enumerate(dims):
        inverse[d] = i
    if -1 in inverse:
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {list(dims)})")
    return _view_result(input, x.transpose(dims), PermuteBackward0, (tuple(inverse),), _cached_vf(
        ("P", dims), lambda: ViewFn(lambda a: a.transpose(dims), lambda t: t.permute(*dims))))


def swapaxes(input, axis0, axis1):
    """transpose under NumPy's argument names (torch.swapaxes)."""
    return transpose(input, axis0, axis1)


def movedim(input, source, destination):
    nd = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
                           f"same number of dims as destination ({dst} dims)")
    src = [wrap_dim(d, max(nd, 1), "movedim") for d in src]    # a 0-d tensor takes dims 0 and -1
    dst = [wrap_dim(d, max(nd, 1), "movedim") for d in dst]
    if not nd:
        return permute(input, ())
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({src})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({dst})")
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


def t(input):
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    if nd == 2:
        return _view_result(input, input._data.T, TBackward0, (0, 1),
                            ViewFn(lambda a: a.swapaxes(0, 1), lambda x: x.transpose(0, 1)))
    return _view_result(input, input._data.view(), _TVectorBackward0, (), ViewFn(lambda a: a, lambda x: x))


_TVectorBackward0 = node_class("TBackward0", lambda F, g: g)     # t() of a vector or a 0-d tensor: itself


def adjoint(input):
    nd = input._data.ndim
    if nd == 0:
        import warnings
        warnings.warn("adjoint() is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, stacklevel=2)
        return input.conj()
    if nd == 1:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(input, -2, -1).conj()


# ------------------------------------------------------------------ broadcasting
def expand(input, *sizes, size=None, implicit=False):
    # implicit: PyTorch's marker for expansions inserted by broadcasting, read only by its tracer
    sizes = _keyword_shape(sizes, size, "expand", "size")
    sizes = _shape_arg(sizes, "expand")
    xs = input._data.shape
    if sizes == xs:
        return _view_result(input, input._data.view(), ExpandBackward0, (xs,), ViewFn(lambda a: a, lambda t: t))
    if len(sizes) < len(xs):
        raise RuntimeError(f"expand(ember.{input._dtype.name}{{{list(xs)}}}, size={list(sizes)}): the number of "
                           f"sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions in "
                           f"the tensor ({len(xs)})")
    lead = len(sizes) - len(xs)
    shape = tuple([xs[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes)])
    for i, s in enumerate(shape):
        if s < 0 or i >= lead and xs[i - lead] != 1 and xs[i - lead] != s:
            raise RuntimeError(f"expand: {shape_str(xs)} to {shape_str(sizes)}: "
                               f"The expanded size of the tensor ({s}) must match the existing size "
                               f"({xs[i - lead] if i >= lead else -1}) at non-singleton dimension {i}.  "
                               f"Target sizes: {list(sizes)}.  Tensor sizes: {list(xs)}")
    return _view_result(input, np.broadcast_to(input._data, shape), ExpandBackward0, (xs,), _cached_vf(
        ("E", shape), lambda: ViewFn(lambda a: np.broadcast_to(a, shape), lambda t: t.expand(shape))))


def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    return expand(input, (size,) if isinstance(size, int) else tuple(size))


def broadcast_shapes(*shapes):
    out = []
    for s in shapes:
        s = (s,) if isinstance(s, int) else tuple(s)
        for s_ in s:
            if s_ < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {s_}: {list(s)}")
        n = max(len(out), len(s))
        a = [1] * (n - len(out)) + out
        b = [1] * (n - len(s)) + list(s)
        res = []
        for i, (p, q) in enumerate(zip(a, b)):
            if p != q and p != 1 and q != 1:
                raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is "
                                   f"between {list(out)} and {list(s)} at dimension {i}")
            res.append(q if p == 1 else p)
        out = res
    from ..size import Size
    return Size(out)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    try:
        shape = tuple(broadcast_shapes(*[t._data.shape for t in tensors]))
    except RuntimeError as e:
        raise RuntimeError("broadcast_tensors: " + str(e) + " (shapes " +
                           ", ".join(str(list(t._data.shape)) for t in tensors) + ")") from None
    return tuple(expand(t, shape) for t in tensors)


def unsqueeze(input, dim):
    xs = input._data.shape
    d = wrap_dim(dim, len(xs) + 1, "unsqueeze")
    shape = xs[:d] + (1,) + xs[d:]
    return _view_result(input, input._data.reshape(shape), UnsqueezeBackward0, (xs,), _reshape_vf(shape))


def squeeze(input, dim=None):
    xs = input._data.shape
    if dim is None:
        shape, node = tuple([s for s in xs if s != 1]), SqueezeBackward0
    else:
        several = isinstance(dim, (tuple, list))
        dims = {wrap_dim(d, len(xs), "squeeze") for d in (dim if several else (dim,))}
        shape = tuple([s for i, s in enumerate(xs) if not (i in dims and s == 1)])
        node = SqueezeBackward2 if several else SqueezeBackward1
    return _view_result(input, input._data.reshape(shape), node, (xs,), _reshape_vf(shape))


def atleast_1d(*tensors):
    return _atleast(tensors, 1)


def atleast_2d(*tensors):
    return _atleast(tensors, 2)


def atleast_3d(*tensors):
    return _atleast(tensors, 3)


def _atleast(tensors, n):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    out = []
    for x in tensors:
        s = x._data.shape
        if len(s) >= n:
            out.append(x)
        elif not s:                   # as PyTorch: a 0-d tensor is reshaped, others unsqueezed
            out.append(reshape(x, (1,) * n))
        elif n == 3 and len(s) == 2:
            out.append(unsqueeze(x, -1))
        elif n == 3:
            out.append(unsqueeze(unsqueeze(x, 0), -1))
        else:
            out.append(unsqueeze(x, 0))
    return out[0] if single else tuple(out)


# ------------------------------------------------------------------ slicing views
def narrow(input, dim, start, length):
    xs = input._data.shape
    if not xs:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(xs), "narrow")
    start, length = _index(start), _index(length)
    size = xs[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if length < 0 or start + length > size:
        raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension size ({size}) of "
                           f"dimension {d} (shape {shape_str(xs)})")
    key = (slice(None),) * d + (slice(start, start + length),)
    return _view_result(input, input._data[key], NarrowBackward0, (xs, Key(key + (Ellipsis,), None)), _key_vf(key))


def _key_vf(key):
    return ViewFn(lambda a: a[key], lambda t: t[key])


def select(input, dim, index):
    xs = input._data.shape
    if not xs:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(xs), "select")
    index = _index(index)
    if not -xs[d] <= index < xs[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(xs)} at dimension {d}")
    key = (slice(None),) * d + (index % xs[d], Ellipsis)
    return _view_result(input, input._data[key], SelectBackward0, (xs, Key(key, None)), _key_vf(key))


def _unfold_array(a, dim, size, step):
    w = _sliding(a, size, axis=dim, writeable=a.flags.writeable)
    return w[(slice(None),) * dim + (slice(None, None, step),)] if step != 1 else w


def unfold(input, dimension, size, step):
    xs = input._data.shape
    d = wrap_dim(dimension, len(xs), "unfold") if xs else 0
    n = xs[d] if xs else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if not xs:
        return narrow(reshape(input, (1,)), 0, 0, size)
    return _view_result(input, _unfold_array(input._data, d, size, step), UnfoldBackward0, (xs, d, size, step),
                        ViewFn(lambda a: _unfold_array(a, d, size, step), lambda t: t.unfold(d, size, step)))


def _storage_root(a):
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    return root


def as_strided(input, size, stride, storage_offset=None):
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape ({len(size)} vs {len(stride)})")
    x = input._data
    item = x.itemsize
    root = _storage_root(x)
    root_ptr = root.__array_interface__["data"][0]
    in_off = (x.__array_interface__["data"][0] - root_ptr) // item
    off = in_off if storage_offset is None else int(storage_offset)
    nstore = root.size
    need = off + sum((s - 1) * st for s, st in zip(size, stride)) + 1 if all(size) else 0
    if need > nstore:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {off}, and "
                           f"itemsize {item} requiring a storage size of {need * item} are out of bounds for "
                           f"storage of size {nstore * item}")
    flat = root.reshape(-1) if root.flags.c_contiguous else root.ravel()
    data = np.lib.stride_tricks.as_strided(flat[off:], size, tuple(s * item for s in stride))

    def idx(shape, strides, offset):
        i = np.full(shape, offset, np.int64)
        for d, (n, st) in enumerate(zip(shape, strides)):
            i += (np.arange(n) * st).reshape((n,) + (1,) * (len(shape) - d - 1))
        return i.reshape(-1)

    out_idx = idx(size, stride, off)
    in_idx = idx(x.shape, tuple(s // item for s in x.strides), in_off)
    strides_b = tuple(s * item for s in stride)
    rel = off - in_off

    def on_array(a):
        # a has the input's shape; read as if it were the input's storage (a view when that is exact)
        if a.flags.c_contiguous and rel >= 0 and x.flags.c_contiguous:
            return np.lib.stride_tricks.as_strided(a.reshape(-1)[rel:], size, strides_b)
        order = np.argsort(in_idx)
        pos = order[np.searchsorted(in_idx, out_idx, sorter=order)]
        return a.reshape(-1)[pos].reshape(size)

    r = make_view(input, data, ViewFn(on_array, lambda t: t.as_strided(size, stride, storage_offset)))
    if input._rg and _gstate.enabled:
        record(AsStridedBackward0, r, (input,), (), (nstore, Key(None, (out_idx,)), Key(None, (in_idx,)), x.shape))
    return r


def contiguous(input, memory_format=None):
    if input._data.flags.c_contiguous:
        return input
    from .unary import clone
    r = clone(input)
    r._data = np.ascontiguousarray(r._data)
    return r


# ------------------------------------------------------------------ copies: flip, roll, rot90, repeat, tile
def _dims_arg(dims, nd, op):
    if isinstance(dims, int):
        dims = (dims,)
    out = tuple(wrap_dim(d, nd, op) for d in dims)
    if len(set(out)) != len(out):
        raise RuntimeError(f"{op}: dims has duplicates, original flip dims size={len(out)}, but unique flip dims "
                           f"size={len(set(out))}")
    return out


def flip(input, *dims, **kwargs):
    if kwargs:                                   # flip(x, dims=[0, 1]): PyTorch's keyword
        if dims or set(kwargs) != {"dims"}:
            raise TypeError(f"flip() got an unexpected keyword argument '{next(k for k in kwargs if k != 'dims')}'"
                            if set(kwargs) - {"dims"} else "flip() got multiple values for argument 'dims'")
        dims = (kwargs["dims"],)
    if not dims:
        raise TypeError('flip() missing 1 required positional arguments: "dims" (the dims to reverse, e.g. '
                        'flip(x, [0]); flip(x, []) reverses none)')
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = dims[0]
    x = input._data
    dims = _dims_arg(dims, max(x.ndim, 1), "flip")   # a 0-d tensor takes dims 0 and -1, as in PyTorch
    if not x.ndim:
        dims = ()
    r = make_tensor(np.flip(x, dims).copy() if dims else x.copy(), input._dtype)
    if input._rg and _gstate.enabled:
        record(FlipBackward0, r, (input,), (), (dims,))
    return r


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def roll(input, shifts, dims=None):
    x = input._data
    shifts = (shifts,) if not isinstance(shifts, (tuple, list)) else tuple(shifts)
    shifts = tuple(_index(s) for s in shifts)
    if dims is None or dims == () or dims == []:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: `shifts` required to be of size 1 when `dims` is not given, got {len(shifts)}")
        flat = reshape(input, (-1,))
        return shown_as(reshape(roll(flat, shifts, 0), x.shape), "RollBackward0", private_base=True)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if x.size == 0:    # PyTorch returns an empty input before looking at dims
        return input.clone()
    dims = tuple(wrap_dim(d, x.ndim, "roll") for d in dims)
    r = make_tensor(np.roll(x, shifts, dims), input._dtype)
    if input._rg and _gstate.enabled:
        record(RollBackward0, r, (input,), (), (shifts, dims))
    return r


def rot90(input, k=1, dims=(0, 1)):
    x = input._data
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if x.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {x.ndim}")
    d = tuple(wrap_dim(a, x.ndim, "rot90") for a in dims)
    if d[0] == d[1]:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d[0]} and dim1 = {d[1]}")
    r = make_tensor(np.ascontiguousarray(np.rot90(x, k, d)), input._dtype)
    if input._rg and _gstate.enabled:
        record(Rot90Backward0, r, (input,), (), (k, d))
    return r


def repeat(input, *sizes, repeats=None):
    sizes = _keyword_shape(sizes, repeats, "repeat", "repeats")
    reps = _shape_arg(sizes, "repeat")
    xs = input._data.shape
    if len(reps) < len(xs):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           f"tensor (repeat dims {list(reps)}, tensor shape {list(xs)})")
    if any(r < 0 for r in reps):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(reps)}: {list(reps)}")
    x = input._data.reshape((1,) * (len(reps) - len(xs)) + xs)
    r = make_tensor(np.tile(x, reps), input._dtype)
    if input._rg and _gstate.enabled:
        record(RepeatBackward0, r, (input,), (), (xs, reps))
    return r


def tile(input, dims):
    dims = _shape_arg((dims,), "tile")
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:                      # torch.repeat_interleave(repeats)
        reps = input
        if reps._data.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return make_tensor(np.repeat(np.arange(reps._data.shape[0]), reps._data), dtypes.int64)
    if dim is None:
        input = reshape(input, (-1,))
        dim = 0
    xs = input._data.shape
    if not xs and dim is not None:
        raise IndexError(f"repeat_interleave: Dimension out of range (expected to be in range of [-1, 0], but got "
                         f"{dim}): a 0-d input takes no dim (PyTorch refuses every dim here); flatten it first")
    d = wrap_dim(dim, len(xs), "repeat_interleave") if xs else 0
    if not xs:
        input = reshape(input, (1,))
        xs = (1,)
    if isinstance(repeats, Tensor):
        if repeats._dtype.category != dtypes._INT:
            raise RuntimeError("repeat_interleave: repeats has to be Long or Int tensor")
        reps = repeats._data.reshape(-1) if repeats._data.ndim == 0 else repeats._data
        if reps.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if reps.size == 1:
            reps = np.full(xs[d], int(reps.reshape(())))
        elif reps.shape[0] != xs[d]:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{reps.shape[0]} and input.size({d}) = {xs[d]}")
        if (reps < 0).any():
            raise RuntimeError("repeats can not be negative")
    else:
        repeats = _index(repeats)
        if repeats < 0:
            raise RuntimeError("repeats can not be negative")
        reps = np.full(xs[d], repeats)
    idx = np.repeat(np.arange(xs[d]), reps)
    from .indexing import index_select
    return index_select(input, d, make_tensor(idx, dtypes.int64))


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t_ in tensors:
        if t_._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t_._data.ndim}D")
    if len({t_._dtype for t_ in tensors}) > 1:
        raise RuntimeError("torch.meshgrid: expects all tensors to have the same dtype")
    flat = [reshape(t_, (-1,)) for t_ in tensors]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = tuple(f._data.shape[0] for f in flat)
    n = len(flat)
    out = [expand(reshape(f, tuple(-1 if i == j else 1 for j in range(n))), shape) for i, f in enumerate(flat)]
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


# ------------------------------------------------------------------ in-place metadata ops
_INPLACE_NODES = {}


def _inplace_node(cls):
    """The node class PyTorch names for the in-place overload of a view op: its out-of-place name with the
    overload number past the out-of-place ones (TBackward0 -> TBackward1, SqueezeBackward1 -> SqueezeBackward4)."""
    named = _INPLACE_NODES.get(cls)
    if named is None:
        stem, number = cls.__name__.rstrip("0123456789"), int(cls.__name__[-1])
        named = _INPLACE_NODES[cls] = node_class(f"{stem}{number + (3 if stem == 'SqueezeBackward' else 1)}",
                                                 cls.formula, cls.nout)
    return named


def _metadata_inplace(name, fn):
    def method(self, *args, **kwargs):
        check_leaf_inplace(self, name)
        check_multi_view(self)
        r = fn(self, *args, **kwargs)
        self._data = r._data
        if self._view_fn is not None:
            self._view_fn = r._view_fn
        if r._grad_fn is not None:
            r._grad_fn.__class__ = _inplace_node(type(r._grad_fn))     # the same slots: only the name differs
            self._grad_fn, self._out_nr = r._grad_fn, 0
        self._vbox[0] += 1  # PyTorch counts a metadata change as a write
        return self
    method.__name__ = name
    return method


attach(view=view, view_as=view_as, reshape=reshape, reshape_as=reshape_as, flatten=flatten, ravel=ravel,
       unflatten=unflatten, transpose=transpose, swapaxes=swapaxes, swapdims=transpose, permute=permute,
       movedim=movedim, moveaxis=movedim, t=t, adjoint=adjoint, expand=expand, expand_as=expand_as,
       broadcast_to=broadcast_to, unsqueeze=unsqueeze, squeeze=squeeze, narrow=narrow, select=select,
       unfold=unfold, as_strided=as_strided, contiguous=contiguous, flip=flip, fliplr=fliplr, flipud=flipud,
       roll=roll, rot90=rot90, repeat=repeat, tile=tile,
       repeat_interleave=repeat_interleave,
       squeeze_=_metadata_inplace("squeeze_", squeeze), unsqueeze_=_metadata_inplace("unsqueeze_", unsqueeze),
       transpose_=_metadata_inplace("transpose_", transpose), t_=_metadata_inplace("t_", t),
       swapaxes_=_metadata_inplace("swapaxes_", swapaxes), swapdims_=_metadata_inplace("swapdims_", transpose),
       as_strided_=_metadata_inplace("as_strided_", as_strided))
swapdims = transpose
moveaxis = movedim
_define_namespace()

__all__ = ["reshape", "flatten", "ravel", "unflatten", "transpose", "swapaxes", "swapdims", "permute",
           "movedim", "moveaxis", "t", "adjoint", "broadcast_to", "broadcast_shapes", "broadcast_tensors", "unsqueeze",
           "squeeze", "atleast_1d", "atleast_2d", "atleast_3d", "narrow", "select", "as_strided",
           "flip", "fliplr", "flipud", "roll", "rot90", "repeat_interleave", "tile", "meshgrid"]

