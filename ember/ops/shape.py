"""Shape ops and views: forward beside derivative.

Views (``view``, ``reshape`` when possible, ``transpose``, ``permute``,
``expand``, ``squeeze``/``unsqueeze`` …) share memory and the version counter
with their base, as in PyTorch, and remember how they were cut (``ViewFn``) so
in-place writes through them reach the base's gradient.
"""
import numpy as np

from ..tensor import attach
from ._common import _gstate, node_class, record, to_tensor_arg
from .inplace import ViewFn, make_view
from .reduction import _wrap as wrap_dim


def _shape_arg(shape, op):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        return tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{op}(): shape must be a sequence of ints, got {shape!r}") from None


def infer_shape(shape, numel, op, in_shape):
    """Resolve one -1 in ``shape`` and check the element count, naming both shapes on error."""
    if shape.count(-1) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred (got shape {list(shape)})")
    if any(s < -1 for s in shape):
        raise RuntimeError(f"{op}: invalid shape dimension {min(shape)} in {list(shape)}")
    known = int(np.prod([s for s in shape if s != -1]))
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel} "
                               f"(input shape {list(in_shape)})")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel} "
                           f"(input shape {list(in_shape)})")
    return shape


def _permute_array(a, dims):
    return a.transpose(dims)


def _define_namespace():
    from ..autograd.formulas import define
    define("permute", _permute_array, lambda t, dims: t.permute(*dims))


_define_namespace()

ViewBackward0 = node_class("ViewBackward0", lambda F, g, shape: g.reshape(shape))
UnsafeViewBackward0 = node_class("UnsafeViewBackward0", lambda F, g, shape: g.reshape(shape))
TransposeBackward0 = node_class("TransposeBackward0", lambda F, g, d0, d1: g.swapaxes(d0, d1))
PermuteBackward0 = node_class("PermuteBackward0", lambda F, g, inverse: F.permute(g, inverse))
ExpandBackward0 = node_class("ExpandBackward0", lambda F, g, shape: F.sum_to(g, shape))
SqueezeBackward = node_class("SqueezeBackward1", lambda F, g, shape: g.reshape(shape))
UnsqueezeBackward0 = node_class("UnsqueezeBackward0", lambda F, g, shape: g.reshape(shape))


def _view_result(input, data, node_cls, args, view_fn):
    r = make_view(input, data, view_fn)
    if input._rg and _gstate.enabled:
        record(node_cls, r, (input,), (), args)
    return r


def view(input, *shape):
    shape = infer_shape(_shape_arg(shape, "view"), input._data.size, "view", input._data.shape)
    try:
        data = np.reshape(input._data, shape, copy=False)
    except ValueError:
        raise RuntimeError(f"view size is not compatible with input tensor's size and stride (at least one "
                           f"dimension spans across two contiguous subspaces): cannot view shape "
                           f"{list(input.shape)} as {list(shape)}. Use .reshape(...) instead.") from None
    return _view_result(input, data, ViewBackward0, (input._data.shape,),
                        ViewFn(lambda a: a.reshape(shape), lambda t: t.reshape(shape)))


def reshape(input, *shape):
    """A view when the memory layout allows it (as PyTorch), a copy otherwise."""
    shape = infer_shape(_shape_arg(shape, "reshape"), input._data.size, "reshape", input._data.shape)
    data = input._data.reshape(shape)
    if np.may_share_memory(data, input._data) or data.size == 0:
        return _view_result(input, data, ViewBackward0, (input._data.shape,),
                            ViewFn(lambda a: a.reshape(shape), lambda t: t.reshape(shape)))
    r = _plain(data, input)
    if input._rg and _gstate.enabled:
        record(UnsafeViewBackward0, r, (input,), (), (input._data.shape,))
    return r


def _plain(data, like):
    from ..tensor import make_tensor
    return make_tensor(data, like._dtype)


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    d0, d1 = wrap_dim(dim0, nd, "transpose"), wrap_dim(dim1, nd, "transpose")
    if nd == 0:
        return _view_result(input, input._data.view(), TransposeBackward0, (0, 0),
                            ViewFn(lambda a: a, lambda t: t))
    return _view_result(input, input._data.swapaxes(d0, d1), TransposeBackward0, (d0, d1),
                        ViewFn(lambda a: a.swapaxes(d0, d1), lambda t: t.transpose(d0, d1)))


def permute(input, *dims):
    dims = _shape_arg(dims, "permute")
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
                           f"to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, nd, "permute") for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {list(dims)})")
    inverse = tuple(np.argsort(dims)) if nd else ()
    return _view_result(input, input._data.transpose(dims), PermuteBackward0, (inverse,),
                        ViewFn(lambda a: a.transpose(dims), lambda t: t.permute(*dims)))


def expand(input, *sizes):
    sizes = _shape_arg(sizes, "expand")
    xs = input._data.shape
    if len(sizes) < len(xs):
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
                           f"number of dimensions in the tensor ({len(xs)})")
    lead = len(sizes) - len(xs)
    shape = tuple(xs[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    for i, s in enumerate(shape):
        if s < 0 or i >= lead and xs[i - lead] != 1 and xs[i - lead] != s:
            raise RuntimeError(f"expand: the expanded size of the tensor ({s}) must match the existing size "
                               f"({xs[i - lead] if i >= lead else -1}) at non-singleton dimension {i}. "
                               f"Target sizes: {list(sizes)}. Tensor sizes: {list(xs)}")
    return _view_result(input, np.broadcast_to(input._data, shape), ExpandBackward0, (xs,),
                        ViewFn(lambda a: np.broadcast_to(a, shape), lambda t: t.expand(shape)))


def broadcast_to(input, size):
    return expand(input, tuple(size))


def unsqueeze(input, dim):
    nd = input._data.ndim
    d = wrap_dim(dim, nd + 1, "unsqueeze")
    shape = input._data.shape[:d] + (1,) + input._data.shape[d:]
    return _view_result(input, input._data.reshape(shape), UnsqueezeBackward0, (input._data.shape,),
                        ViewFn(lambda a: a.reshape(shape), lambda t: t.reshape(shape)))


def squeeze(input, dim=None):
    xs = input._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(xs) if s == 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = tuple(wrap_dim(d, len(xs), "squeeze") for d in dims) if xs else ()
    shape = tuple(s for i, s in enumerate(xs) if not (i in dims and s == 1))
    return _view_result(input, input._data.reshape(shape), SqueezeBackward, (xs,),
                        ViewFn(lambda a: a.reshape(shape), lambda t: t.reshape(shape)))


def flatten(input, start_dim=0, end_dim=-1):
    xs = input._data.shape
    if not xs:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, len(xs), "flatten"), wrap_dim(end_dim, len(xs), "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    return reshape(input, xs[:s] + (int(np.prod(xs[s:e + 1])),) + xs[e + 1:])


def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    return transpose(input, 0, 1) if input._data.ndim == 2 else _view_result(
        input, input._data.view(), TransposeBackward0, (0, 0), ViewFn(lambda a: a, lambda x: x))


def contiguous(input, memory_format=None):
    if input._data.flags.c_contiguous:
        return input
    from .unary import clone
    r = clone(input)
    r._data = np.ascontiguousarray(r._data)
    return r


attach(view=view, reshape=reshape, transpose=transpose, permute=permute, expand=expand, unsqueeze=unsqueeze,
       squeeze=squeeze, flatten=flatten, t=t, contiguous=contiguous, swapaxes=transpose, swapdims=transpose,
       broadcast_to=broadcast_to, view_as=lambda self, other: view(self, other.shape),
       reshape_as=lambda self, other: reshape(self, other.shape),
       expand_as=lambda self, other: expand(self, other.shape))
swapaxes = swapdims = transpose
__all__ = ["reshape", "transpose", "permute", "broadcast_to", "unsqueeze", "squeeze", "flatten", "t",
           "swapaxes", "swapdims"]
