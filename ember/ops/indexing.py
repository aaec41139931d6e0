"""Indexing: ``t[key]``, ``t[key] = v`` and the gather/scatter/index_*/masked_* family.

Everything here reduces to a ``Key``: a basic part (ints, slices, None,
Ellipsis; applied first, a NumPy view) and an advanced part (integer arrays and
slices) applied to the result. Applying ints first and the arrays second gives
PyTorch's dimension order (NumPy would treat ints beside arrays as advanced).

Four differentiable primitives on a Key carry every gradient, each the adjoint
of another, so second order comes for free:

``index(x, k)``            x[k] (a copy)            adjoint: ``put_zeros``
``put_zeros(g, shape, k)`` zeros with g added at k  adjoint: ``index``
``zero_at(g, k)``          g with k set to zero     self-adjoint
``index_put(x, k, v, acc)`` x with v written/added at k: grads (g or zero_at(g, k), index(g, k))

gather is ``index``, scatter_add is ``index_put(accumulate=True)``, index_select
is ``index`` with one array, masked_scatter is ``index_put`` at the mask's nonzeros…
masked_fill is the exception: one ``where`` pass, cheaper than nonzero + index_put.
"""
import numpy as np

from .. import dtypes
from ..tensor import Tensor, attach, make_tensor
from ._common import (_gstate, _inference_made, check_inplace, has_internal_overlap, node_class, record,
                      refusing_node, write_out)
from .arithmetic import _TORCH_NAMES
from .inplace import ViewFn, apply_inplace, make_view
from .reduction import _wrap as wrap_dim


_INT_KINDS = (int, np.integer)
_ndarray = np.ndarray


class Key:
    """A normalised index: ``basic`` (a NumPy basic key ending in Ellipsis, or None) then ``adv``
    (a tuple of int arrays and slices, or None)."""

    __slots__ = ("basic", "adv")

    def __init__(self, basic, adv):
        self.basic, self.adv = basic, adv

    def get(self, a):
        if self.basic is not None:
            a = a[self.basic]
        return a[self.adv] if self.adv is not None else a

    def region(self, a):
        return a[self.basic] if self.basic is not None else a

    def __repr__(self):
        return f"Key({self.basic!r}, {self.adv!r})"


# ------------------------------------------------------------------ key normalisation
def _as_int(v):
    if v is None or v.__class__ is int:
        return v
    if isinstance(v, Tensor):
        return int(v)
    return v.__index__()


def _slice(k):
    step = k.step
    if step is not None:
        step = _as_int(step)
        if step <= 0:
            raise ValueError("step must be greater than zero")
    start, stop = k.start, k.stop
    if start.__class__ is int and stop.__class__ is int or start is None and stop is None:
        return k if step is k.step else slice(start, stop, step)
    return slice(_as_int(start), _as_int(stop), step)


def _index_array(k):
    """An index item as an array (int64 or bool), or raise as PyTorch."""
    if isinstance(k, Tensor):
        cat = k._dtype.category
        a = k._data
        if cat >= dtypes._FLOAT:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if a.dtype == np.uint8:
            a = a.astype(bool)
        return a
    a = np.asarray(k)
    if a.dtype.kind == "f" or a.dtype.kind not in "biu" and a.size:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if a.dtype.kind not in "biu":
        a = a.astype(np.int64)
    return a


def make_key(key, shape):
    """Normalise a user key for a tensor of ``shape`` into a Key."""
    if key.__class__ is not tuple:
        key = (key,)
    items = []
    consumed = 0
    ell = False
    for k in key:
        kc = k.__class__
        if kc is int or kc is slice or k is None:
            consumed += k is not None
        elif k is Ellipsis:
            if ell:       # PyTorch (unlike NumPy) accepts more: the first one takes the free dims, the rest none
                continue
            ell = True
        elif kc is bool:
            k = np.asarray(k)
        elif isinstance(k, _INT_KINDS):
            k = int(k)
            consumed += 1
        elif isinstance(k, float):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             "valid indices (got float)")
        else:
            k = _index_array(k)
            if k.ndim == 0 and k.dtype.kind != "b":
                k = int(k)
                consumed += 1
            else:
                consumed += k.ndim if k.dtype.kind == "b" else 1
        items.append(k)
    nd = len(shape)
    if consumed > nd:
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    basic, adv = [], []
    has_adv = False
    dim = 0               # dimension of the input the next item indexes
    for k in items:
        if k is None:
            basic.append(None)
            adv.append(slice(None))
        elif k.__class__ is int:
            size = shape[dim]
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {size}")
            basic.append(k)
            dim += 1
        elif k.__class__ is slice:
            basic.append(_slice(k))
            adv.append(slice(None))
            dim += 1
        elif k is Ellipsis:
            n = nd - consumed
            basic.extend([slice(None)] * n)
            adv.extend([slice(None)] * n)
            dim += n
        elif k.dtype.kind == "b":
            if k.ndim == 0:
                basic.append(None)
                if not k:
                    adv.append(np.zeros(0, np.int64))
                    has_adv = True
                else:
                    adv.append(slice(None))
                continue
            for i, (ms, xs) in enumerate(zip(k.shape, shape[dim:dim + k.ndim])):
                if ms != xs:
                    raise IndexError(f"The shape of the mask {list(k.shape)} at index {i} does not match the shape "
                                     f"of the indexed tensor {list(shape)} at index {dim + i}")
            basic.extend([slice(None)] * k.ndim)
            adv.extend(np.nonzero(k))
            has_adv = True
            dim += k.ndim
        else:
            size = shape[dim]
            if k.size and (k.max() >= size or k.min() < -size):
                bad = k.max() if k.max() >= size else k.min()
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
            basic.append(slice(None))
            adv.append(k)
            has_adv = True
            dim += 1
    if not has_adv:
        basic.append(Ellipsis)
        return Key(tuple(basic), None)
    while adv and adv[-1].__class__ is slice and adv[-1] == slice(None):
        adv.pop()
    trivial = all(b.__class__ is slice and b == slice(None) for b in basic)
    basic.append(Ellipsis)
    return Key(None if trivial else tuple(basic), tuple(adv))


def _bad_index(e, shape):
    msg = str(e).replace("axis", "dimension")
    return IndexError(f"{msg} (indexing a tensor of shape {list(shape)})")


# ------------------------------------------------------------------ the differentiable primitives
def _array_put_zeros(g, shape, k):
    z = np.zeros(shape, g.dtype)
    if k.adv is None:
        z[k.basic] = g
    else:
        np.add.at(k.region(z), k.adv, g)
    return z


def _array_zero_at(g, k):
    g = g.copy()
    if k.adv is None:
        g[k.basic] = 0
    else:
        k.region(g)[k.adv] = 0
    return g


def _array_index_put(x, k, v, accumulate):
    out = x.copy()
    if accumulate:
        np.add.at(k.region(out), k.adv if k.adv is not None else (), v)
    elif k.adv is None:
        out[k.basic] = v
    else:
        k.region(out)[k.adv] = v
    return out


def index(x, k, node=None):
    """x[k] as a copy, differentiable (its gradient: put_zeros)."""
    r = make_tensor(np.array(k.get(x._data)), x._dtype)
    if x._rg and _gstate.enabled:
        record(node or IndexBackward0, r, (x,), (), (x._data.shape, k))
    return r


def put_zeros(g, shape, k):
    """Zeros of ``shape`` with g added at k (the adjoint of ``index``), differentiable."""
    r = make_tensor(_array_put_zeros(g._data, shape, k), g._dtype)
    if g._rg and _gstate.enabled:
        record(PutZerosBackward, r, (g,), (), (k,))
    return r


def zero_at(g, k):
    mask = _array_zero_at(np.ones(g._data.shape, g._data.dtype), k)
    return g * make_tensor(mask, g._dtype)


def index_put_op(x, k, v, accumulate=False, node=None):
    """x with v written (or added) at k; differentiable w.r.t. x and v. v: Tensor or Python number."""
    target_nd = k.get(np.empty(x._data.shape, np.bool_)).ndim if k.adv is not None else \
        x._data[k.basic].ndim
    if isinstance(v, Tensor):
        if v._data.ndim > target_nd:
            extra = v._data.ndim - target_nd
            if any(s != 1 for s in v._data.shape[:extra]):
                raise RuntimeError(f"shape mismatch: value tensor of shape {list(v._data.shape)} cannot be "
                                   f"broadcast to indexing result of shape {list(k.get(x._data).shape)}")
            v = v.reshape(v._data.shape[extra:])
        va = v._data if v._dtype is x._dtype else v._data.astype(x._dtype.np)
    elif x._data.dtype.kind in "iub":
        va = np.asarray(v).astype(x._data.dtype)   # wraps like PyTorch (-1 into uint8 is 255)
    else:
        va = v
    try:
        data = _array_index_put(x._data, k, va, accumulate)
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(va))} cannot be broadcast to "
                           f"indexing result of shape {list(k.get(x._data).shape)}") from None
    r = make_tensor(data, x._dtype)
    vt = v if isinstance(v, Tensor) else None
    if _gstate.enabled and (x._rg or vt is not None and vt._rg):
        record(node or IndexPutBackward0, r, (x, vt), (), (k, accumulate))
    return r


def _index_put_formula(F, g, k, accumulate):
    return (g if accumulate else F.zero_at(g, k)), F.index(g, k)


IndexBackward0 = node_class("IndexBackward0", lambda F, g, shape, k: F.put_zeros(g, shape, k))
SliceBackward0 = node_class("SliceBackward0", lambda F, g, shape, k: F.put_zeros(g, shape, k))
# basic indexing is one node here; PyTorch names it after the last step it applies (select, slice, unsqueeze)
SelectBackward0 = node_class("SelectBackward0", lambda F, g, shape, k: F.put_zeros(g, shape, k))
UnsqueezeBackward0 = node_class("UnsqueezeBackward0", lambda F, g, shape, k: F.put_zeros(g, shape, k))
AliasBackward0 = node_class("AliasBackward0", lambda F, g, shape, k: F.put_zeros(g, shape, k))
GatherBackward0 = node_class("GatherBackward0", lambda F, g, shape, k: F.put_zeros(g, shape, k))
IndexSelectBackward0 = node_class("IndexSelectBackward0", lambda F, g, shape, k: F.put_zeros(g, shape, k))
MaskedSelectBackward0 = node_class("MaskedSelectBackward0", lambda F, g, shape, k: F.put_zeros(g, shape, k))
TakeBackward0 = node_class("TakeBackward0", lambda F, g, shape, k: F.put_zeros(g, shape, k))
PutZerosBackward = node_class("IndexPutBackward0", lambda F, g, k: F.index(g, k))
IndexPutBackward0 = node_class("IndexPutBackward0", _index_put_formula)
ScatterBackward0 = node_class("ScatterBackward0", _index_put_formula)
ScatterBackward1 = node_class("ScatterBackward1", _index_put_formula)     # scatter of a number (value=)
ScatterAddBackward0 = node_class("ScatterAddBackward0", _index_put_formula)
IndexAddBackward0 = node_class("IndexAddBackward0", _index_put_formula)
IndexCopyBackward0 = node_class("IndexCopyBackward0", _index_put_formula)
IndexFillBackward0 = node_class("IndexFillBackward0", _index_put_formula)
MaskedScatterBackward0 = node_class("MaskedScatterBackward0", _index_put_formula)
PutBackward0 = node_class("PutBackward0", _index_put_formula)


def _define_namespace():
    from ..autograd.formulas import define
    define("index", lambda a, k: k.get(a), index)
    define("put_zeros", _array_put_zeros, put_zeros)
    define("zero_at", _array_zero_at, zero_at)
    define("mul_const", lambda g, c: g * c, lambda g, c: g * make_tensor(np.asarray(c, g._data.dtype), g._dtype))
    # kept for callers of the older name
    define("index_put_zeros", lambda g, shape, key: _array_put_zeros(g, shape, _as_key(key)),
           lambda g, shape, key: put_zeros(g, shape, _as_key(key)))


def _as_key(key):
    if isinstance(key, Key):
        return key
    key = key if isinstance(key, tuple) else (key,)
    if all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in key):
        return Key(key + (Ellipsis,), None)
    return Key(None, key)


_define_namespace()


# ------------------------------------------------------------------ t[key]
def getitem(self, key):
    x = self._data
    kc = key.__class__
    if kc is int:                                   # fast path: t[i]
        if not x.ndim:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        size = x.shape[0]
        if not -size <= key < size:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
        k = Key((key, Ellipsis), None)
    elif kc is slice and (key.step is None or key.step.__class__ is int and key.step > 0) and \
            (key.start is None or key.start.__class__ is int) and (key.stop is None or key.stop.__class__ is int):
        if not x.ndim:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        k = Key((key, Ellipsis), None)
    else:
        k = make_key(key, x.shape)
    if k.adv is None:
        basic = k.basic
        r = make_view(self, x[basic], ViewFn(lambda a: a[basic], lambda t: t[basic]))
        if self._rg and _gstate.enabled:
            record(_basic_node(basic), r, (self,), (), (x.shape, k))
        return r
    if k.basic is not None:                         # ints/slices first (a view), then the arrays
        self = getitem(self, k.basic)
        k = Key(None, k.adv)
    try:
        return index(self, k)
    except IndexError as e:
        raise _bad_index(e, self._data.shape) from None


def _basic_node(basic):
    """PyTorch's grad_fn for a basic index: its last int (select), slice other than ``:`` or None (unsqueeze)."""
    for item in reversed(basic):
        if item.__class__ is int:
            return SelectBackward0
        if item is None:
            return UnsqueezeBackward0
        if item.__class__ is slice and (item.start is not None or item.stop is not None or item.step is not None):
            return SliceBackward0
    return AliasBackward0


def setitem(self, key, value):
    x = self._data
    k = make_key(key, x.shape)
    if isinstance(value, Tensor):
        vrg = value._rg
    elif isinstance(value, (bool, int, float, complex, np.generic)):
        vrg = False
    else:
        from ..creation import tensor as _tensor
        value = _tensor(value, dtype=self._dtype)
        vrg = False
    recording = _gstate.enabled and (self._rg or vrg)
    if not x.flags.writeable or 0 in x.strides:      # maybe an expand()ed tensor, whose elements share memory
        if k.adv is None and has_internal_overlap(x):
            # PyTorch copies into the view self[key], which may be written where its own elements are distinct
            sub = getitem(self, key)
            check_inplace(sub, "copy_")
            return setitem(sub, Ellipsis, value)
        x = check_inplace(self, "index_put_", overlap_ok=True)
    elif recording or _inference_made[0]:
        check_inplace(self, "index_put_")
    if recording:
        node = CopySlicesLike if k.adv is None else IndexPutBackward0
        apply_inplace(self, lambda t: index_put_op(t, k, value, False, node), (value,))
        return
    va = value._data if isinstance(value, Tensor) else value
    try:
        if k.adv is None:
            x[k.basic] = va
        else:
            k.region(x)[k.adv] = va
    except ValueError as e:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(va))} cannot be broadcast to "
                           f"indexing result of shape {list(k.get(x).shape)} ({e})") from None
    self._vbox[0] += 1


# y[1:] = v writes a slice: PyTorch's node is then CopySlices (an index_put with tensors keeps IndexPutBackward0)
CopySlicesLike = node_class("CopySlices", IndexPutBackward0.formula)


# ------------------------------------------------------------------ gather / scatter
def _check_index(index, op, dtype_ok=(np.int64, np.int32)):
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._data.dtype.type not in dtype_ok:
        raise RuntimeError(f"{op}(): Expected dtype int64 for index")
    return index._data


def _scatter_key(x_shape, dim, idx, op, src_shape=None):
    nd = max(len(x_shape), 1)
    d = wrap_dim(dim, nd, op)
    if idx.ndim != len(x_shape) and not (idx.ndim <= 1 and len(x_shape) <= 1):
        raise RuntimeError(f"{op}: Index tensor must have the same number of dimensions as input tensor "
                           f"(index {list(idx.shape)}, input {list(x_shape)})")
    if not x_shape:
        x_shape = (1,)
    if idx.ndim == 0:            # a 0-d index addresses one element (an empty key would address them all)
        idx = idx.reshape(-1)
    for i, (a, b) in enumerate(zip(idx.shape, x_shape)):
        if i != d and a > b:
            raise RuntimeError(f"{op}: Size does not match at dimension {i} expected index {list(idx.shape)} to be "
                               f"no larger than self {list(x_shape)} apart from dimension {d}")
        if src_shape is not None and a > src_shape[i]:
            raise RuntimeError(f"{op}: Expected index {list(idx.shape)} to be no larger than self {list(x_shape)} "
                               f"apart from dimension {d} and to be no larger size than src {list(src_shape)}")
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if lo < -x_shape[d] or hi >= x_shape[d] or lo < 0:
            bad = hi if hi >= x_shape[d] else lo
            raise RuntimeError(f"{op}: index {bad} is out of bounds for dimension {d} with size {x_shape[d]}")
    nd = idx.ndim
    adv = tuple(idx if i == d else np.arange(n).reshape((n,) + (1,) * (nd - i - 1)) for i, n in enumerate(idx.shape))
    return Key(None, adv), d


def _zero_d(x):
    return x._data.ndim == 0


def gather(input, dim, index, *, sparse_grad=False, out=None):
    idx = _check_index(index, "gather")
    k, d = _scatter_key(input._data.shape, dim, idx, "gather")
    if idx.ndim == 0 and input._data.ndim:     # a vector and a 0-d index: a 0-d result, as torch
        k = Key(None, (idx,))
    x = input.reshape((1,)) if _zero_d(input) else input
    r = _index_named(x, k, GatherBackward0)
    if _zero_d(input):
        r = r.reshape(idx.shape)
    if out is not None:
        return write_out(out, r._data, r._dtype, (input,), "gather")
    return r


_index_named = index   # index() is shadowed by argument names below


def _src_part(src, idx_shape):
    """src cut to the index's shape (scatter reads only that corner)."""
    if not isinstance(src, Tensor):
        return src
    if src._data.shape == idx_shape:
        return src
    if src._data.ndim == 0:
        return src
    return getitem(src, tuple(slice(0, n) for n in idx_shape))


def _scatter(op, input, dim, index, src, accumulate, node, reduce=None):
    idx = _check_index(index, op)
    src_shape = src._data.shape if isinstance(src, Tensor) and src._data.ndim else None
    k, d = _scatter_key(input._data.shape, dim, idx, op, src_shape)
    if isinstance(src, Tensor) and src._dtype is not input._dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
    zd = _zero_d(input)
    x = input.reshape((1,)) if zd else input
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
        s = _src_part(src, idx.shape)
        data = x._data.copy()
        (np.add if reduce == "add" else np.multiply).at(data, k.adv, s._data if isinstance(s, Tensor) else s)
        r = make_tensor(data, x._dtype)
        if _gstate.enabled and (x._rg or isinstance(s, Tensor) and s._rg):
            # scatter(..., reduce=) has no derivative in PyTorch
            record(refusing_node("scatter"), r, (x, s if isinstance(s, Tensor) else None))
        return r.reshape(()) if zd else r
    r = index_put_op(x, k, _src_part(src, idx.shape if idx.ndim else (1,)), accumulate, node)
    return r.reshape(()) if zd else r


def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    if src is None:
        src = value
    node = ScatterBackward0 if isinstance(src, Tensor) else ScatterBackward1
    r = _scatter("scatter", input, dim, index, src, False, node, reduce)
    if out is not None:
        return write_out(out, r._data, r._dtype, (input,), "scatter")
    return r


def scatter_add(input, dim, index, src, *, out=None):
    r = _scatter("scatter_add", input, dim, index, src, True, ScatterAddBackward0)
    if out is not None:
        return write_out(out, r._data, r._dtype, (input,), "scatter_add")
    return r


_REDUCE_INIT = {"sum": 0, "prod": 1, "mean": 0}


def _scatter_reduce_formula(F, g, x, src, out, k, reduce, include_self, counts, mx, ms, nties):
    if reduce == "sum":
        return (g if include_self else F.zero_at(g, k)), F.index(g, k)
    if reduce == "mean":
        gs = F.mul_const(g, 1.0 / counts)
        return (gs if include_self else F.zero_at(g, k)), F.index(gs, k)
    if reduce == "prod":
        go = g * out
        gx = go / x if include_self else F.zero_at(g, k)
        return gx, F.index(go, k) / src
    gt = F.mul_const(g, 1.0 / nties)
    return F.mul_const(gt, mx), F.mul_const(F.index(gt, k), ms)


ScatterReduceBackward0 = node_class("ScatterReduceBackward0", _scatter_reduce_formula)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    idx = _check_index(index, "scatter_reduce")
    k, d = _scatter_key(input._data.shape, dim, idx, "scatter_reduce", src._data.shape)
    if src._dtype is not input._dtype:
        raise RuntimeError("scatter_reduce(): Expected self.dtype to be equal to src.dtype")
    x = input._data
    zd = x.ndim == 0
    if zd:
        input, src = input.reshape((1,)), src.reshape((1,))
        x = input._data
    s = _src_part(src, idx.shape if idx.ndim else (1,))
    sa = s._data
    hit = np.zeros(x.shape, bool)
    hit[k.adv] = True
    data = x.copy()
    if not include_self:
        if reduce in _REDUCE_INIT:
            init = _REDUCE_INIT[reduce]
        elif x.dtype.kind in "fc":
            init = -np.inf if reduce == "amax" else np.inf
        else:
            info = np.iinfo(x.dtype) if x.dtype.kind != "b" else None
            init = (info.min if reduce == "amax" else info.max) if info else reduce == "amin"
        data[hit] = init
    ufunc = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}[reduce]
    ufunc.at(data, k.adv, sa)
    counts = mx = ms = nties = None
    if reduce == "mean":
        counts = np.zeros(x.shape, np.int64)
        np.add.at(counts, k.adv, 1)
        counts = counts + (1 if include_self else 0)
        counts = np.maximum(counts, 1)
        if x.dtype.kind in "fc":
            data = data / counts.astype(x.dtype)
        else:
            data = data // counts
        data = data.astype(x.dtype)
    elif reduce in ("amax", "amin"):
        mx = (x == data) & (True if include_self else ~hit)
        ms = sa == data[k.adv]
        nt = np.zeros(x.shape, np.int64)
        np.add.at(nt, k.adv, ms.astype(np.int64))
        nties = np.maximum(nt + mx, 1)
    r = make_tensor(data, input._dtype)
    if _gstate.enabled and (input._rg or s._rg):
        record(ScatterReduceBackward0, r, (input, s), (input, s, r),
               (k, reduce, include_self, counts, mx, ms, nties))
    if zd:
        r = r.reshape(())
    if out is not None:
        return write_out(out, r._data, r._dtype, (input, src), "scatter_reduce")
    return r


class IndexOutOfRange(IndexError, RuntimeError):
    """An index out of range where PyTorch's class depends on its kernel's choice (index_select and
    index_add on 2-d+ tensors raise IndexError or RuntimeError by dim and layout): catchable as either."""


def _dim_key(x_shape, dim, idx, op):
    nd = len(x_shape)
    d = wrap_dim(dim, max(nd, 1), op)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    idx = idx.reshape(-1)
    size = x_shape[d] if nd else 1
    if op in ("index_select", "index_fill") and size == 0 and idx.size:
        raise IndexOutOfRange(f"{op}(): self indexing axis dim should be positive (dimension {d} has size 0, "
                           f"index has {idx.size} entries)")
    low = -size if op == "index_fill" else 0     # only index_fill reads negative indices from the end
    unchecked = op == "index_fill" and 0 in x_shape   # PyTorch fills an empty tensor without looking
    if idx.size and not unchecked and (idx.max() >= size or idx.min() < low):
        bad = idx.max() if idx.max() >= size else idx.min()
        cls = IndexOutOfRange if op in ("index_select", "index_add") and nd >= 2 else IndexError
        raise cls(f"{op}(): index {bad} is out of bounds for dimension {d} with size {size}")
    return Key(None, (slice(None),) * d + (idx,)), d


def _idx_arr(index, op):
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._data.dtype.type not in (np.int64, np.int32):
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")
    return index._data


def index_select(input, dim, index, *, out=None):
    idx = _idx_arr(index, "index_select")
    if _zero_d(input) and wrap_dim(dim, 1, "index_select") == 0 and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
    x = input.reshape((1,)) if _zero_d(input) else input
    k, d = _dim_key(input._data.shape, dim, idx, "index_select")
    r = _index_named(x, k, IndexSelectBackward0)
    if _zero_d(input):
        r = r.reshape(())
    if out is not None:
        return write_out(out, r._data, r._dtype, (input,), "index_select")
    return r


def _index_op(op, input, dim, index, src, accumulate, node):
    idx = _idx_arr(index, op)
    zd = _zero_d(input)
    x = input.reshape((1,)) if zd else input
    k, d = _dim_key(input._data.shape, dim, idx, op)
    if isinstance(src, Tensor) and src._data.ndim and op != "index_fill":
        want = list(x._data.shape)
        want[d] = idx.size
        if list(src._data.shape) != want and not (zd and src._data.size == 1):
            raise RuntimeError(f"{op}(): Source/destination tensor must have same slice shapes "
                               f"(source {list(src._data.shape)}, destination {list(x._data.shape)}, dim {d}, "
                               f"index of length {idx.size})")
    if isinstance(src, Tensor) and op == "index_fill" and src._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{src._data.ndim} dimension(s).")
    if zd and isinstance(src, Tensor):
        src = src.reshape((1,))
    if op == "index_fill" and x._data.size == 0:
        return input.clone()          # nothing to fill (the indices went unchecked, as in PyTorch)
    r = index_put_op(x, k, src, accumulate, node)
    return r.reshape(()) if zd else r


def index_add(input, dim, index, source, *, alpha=1, out=None):
    if alpha != 1:
        source = source * alpha
    r = _index_op("index_add", input, dim, index, source, True, IndexAddBackward0)
    return r if out is None else write_out(out, r._data, r._dtype, (input, source), "index_add")


def index_copy(input, dim, index, source, *, out=None):
    r = _index_op("index_copy", input, dim, index, source, False, IndexCopyBackward0)
    return r if out is None else write_out(out, r._data, r._dtype, (input, source), "index_copy")


def index_fill(input, dim, index, value):
    return _index_op("index_fill", input, dim, index, value, False, IndexFillBackward0)


def index_put(input, indices, values, accumulate=False):
    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put(): argument 'indices' must be tuple of Tensors")
    k = make_key(tuple(indices), input._data.shape)
    if k.basic is not None or k.adv is None:
        # slices/None in the indices: do it through a view of a clone-free path
        raise RuntimeError("index_put(): indices must be tensors (or None)")
    if isinstance(values, Tensor) and values._dtype is not input._dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{input._dtype.name.capitalize()} for the destination and "
                           f"{values._dtype.name.capitalize()} for the source.")
    return index_put_op(input, k, values, accumulate, IndexPutBackward0)


# ------------------------------------------------------------------ masked ops
def _mask_arr(mask, op):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{op}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._dtype is not dtypes.bool:
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype {mask._dtype.name}")
    return mask._data


def _broadcast_mask(input, mask, op, inplace=False):
    m = _mask_arr(mask, op)
    xs = input._data.shape
    try:
        shape = np.broadcast_shapes(xs, m.shape)
    except ValueError:
        raise RuntimeError(f"{op}: The size of tensor a ({list(xs)}) must match the size of tensor b "
                           f"({list(m.shape)}) (shapes {list(xs)} and {list(m.shape)} cannot be broadcast)") \
            from None
    if shape != xs:
        if inplace:
            raise RuntimeError(f"{op}: output with shape {list(xs)} doesn't match the broadcast shape {list(shape)}")
        input = input.expand(shape)
    return input, np.broadcast_to(m, shape)


def _masked_fill_formula(F, g, mask, value_needs_grad):
    gx = F.where(mask, 0.0, g)
    return gx, (F.sum(F.where(mask, g, 0.0)) if value_needs_grad else None)


MaskedFillBackward0 = node_class("MaskedFillBackward0", _masked_fill_formula)


def masked_fill(input, mask, value):
    """input with value where mask is True. One np.where pass (an attention mask runs this on
    every step); the mask broadcasts, and input's gradient is undone by the engine."""
    _, m = _broadcast_mask(input, mask, "masked_fill")
    vt = value if isinstance(value, Tensor) else None
    if vt is not None and vt._data.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{vt._data.ndim} dimension(s).")
    dt = input._dtype
    v = vt._data.astype(dt.np) if vt is not None else _fill_value(value, dt)
    data = np.where(m, v, input._data)
    if data.dtype != dt.np:
        data = data.astype(dt.np)
    r = make_tensor(data, dt)
    if _gstate.enabled and (input._rg or vt is not None and vt._rg):
        record(MaskedFillBackward0, r, (input, vt), (make_tensor(m, dtypes.bool),),
               (vt is not None and vt._rg,))
    return r


def _fill_value(value, dt):
    """A Python fill value as a 0-d array of dtype dt (out-of-range values wrap or overflow as in a cast)."""
    with np.errstate(all="ignore"):
        try:
            return np.asarray(value, dt.np)
        except (OverflowError, TypeError, ValueError):
            return np.asarray(value).astype(dt.np)


def masked_scatter(input, mask, source):
    x, m = _broadcast_mask(input, mask, "masked_scatter")
    if source._dtype is not input._dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but got "
                           f"{input._dtype.name.capitalize()} and {source._dtype.name.capitalize()}")
    count = int(m.sum())
    if source._data.size < count:
        raise RuntimeError(f"masked_scatter: Number of elements of source ({source._data.size}) < number of ones in "
                           f"mask ({count})")
    src = getitem(source.reshape((-1,)), slice(0, count))
    return index_put_op(x, Key(None, np.nonzero(m)), src, False, MaskedScatterBackward0)


def masked_select(input, mask, *, out=None):
    x, m = _broadcast_mask(input, mask, "masked_select")
    if m.ndim == 0:  # NumPy's nonzero refuses 0-d arrays
        x, m = x.reshape((1,)), m.reshape(1)
    r = _index_named(x, Key(None, np.nonzero(m)), MaskedSelectBackward0)
    return r if out is None else write_out(out, r._data, r._dtype, (input,), "masked_select")


# ------------------------------------------------------------------ take / put
def _flat_key(input, idx, op):
    n = input._data.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"{op}(): out of range: tried to access index {bad} on a tensor of {n} elements.")
    return Key(None, (idx,))


def take(input, index, *, out=None):
    if isinstance(index, Tensor) and index._dtype is not dtypes.int64:     # gather/index_select take int32 too
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_TORCH_NAMES[index._dtype.name]}")
    idx = _check_index(index, "take")
    r = _index_named(input.reshape((-1,)), _flat_key(input, idx, "take"), TakeBackward0)
    return r if out is None else write_out(out, r._data, r._dtype, (input,), "take")


def take_along_dim(input, indices, dim=None, *, out=None):
    idx = _check_index(indices, "take_along_dim")
    if dim is None:
        r = gather(input.reshape((-1,)), 0, indices.reshape((-1,)))       # PyTorch's composition
    else:
        if indices._dtype is not dtypes.int64:      # checked with a dim only, as PyTorch
            raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                               f"{_TORCH_NAMES[indices._dtype.name]}")
        xs, ish = input._data.shape, idx.shape
        if len(xs) != len(ish):
            raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                               f"dimensions, but got {len(xs)} dimensions for input, and {len(ish)} dimensions for "
                               f"indices")
        if not xs:
            raise IndexError(f"take_along_dim: Dimension specified as {dim} but tensor has no dimensions")
        d = wrap_dim(dim, len(xs), "take_along_dim")
        try:
            bs = list(np.broadcast_shapes(xs[:d] + (1,) + xs[d + 1:], ish[:d] + (1,) + ish[d + 1:]))
        except ValueError:
            raise RuntimeError(f"take_along_dim: shapes {list(xs)} and {list(ish)} cannot be broadcast") from None
        xb, ib = list(bs), list(bs)
        if xs:
            xb[d], ib[d] = xs[d], ish[d]
        x = input.expand(tuple(xb)) if tuple(xb) != xs else input
        i = indices.expand(tuple(ib)) if tuple(ib) != ish else indices
        r = gather(x, d, i)
    return r if out is None else write_out(out, r._data, r._dtype, (input,), "take_along_dim")


def put(input, index, source, accumulate=False):
    idx = _check_index(index, "put").reshape(-1)
    if source._data.size != idx.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                           f"source.numel() = {source._data.size}, index.numel() = {idx.size}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {input._dtype} and source.dtype = {source._dtype}")
    k = _flat_key(input, idx, "put_")
    r = index_put_op(input.reshape((-1,)), k, source.reshape((-1,)), accumulate, PutBackward0)
    return r.reshape(input._data.shape)


# ------------------------------------------------------------------ nonzero, searchsorted
def nonzero(input, *, out=None, as_tuple=False):
    x = input._data
    if as_tuple:
        if x.ndim == 0:
            return (make_tensor(np.zeros(int(bool(x)), np.int64), dtypes.int64),)
        return tuple(make_tensor(a.astype(np.int64), dtypes.int64) for a in np.nonzero(x))
    data = np.argwhere(x).astype(np.int64) if x.ndim else np.zeros((int(bool(x)), 0), np.int64)
    if out is not None:
        return write_out(out, data, dtypes.int64, (), "nonzero", exact=(dtypes.int64,))
    return make_tensor(data, dtypes.int64)


def argwhere(input):
    return nonzero(input)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    side = "right" if right else "left"
    seq = sorted_sequence._data
    complex_in = sorted_sequence._dtype.is_complex or getattr(input, "_dtype", sorted_sequence._dtype).is_complex
    if complex_in and np.size(input._data if isinstance(input, Tensor) else input):  # torch's kernel checks
        raise NotImplementedError("\"searchsorted_out_cpu\" not implemented for complex tensors (they have no "
                                  "order)")
    scalar = not isinstance(input, Tensor)
    vals = np.asarray(input) if scalar else input._data
    srt = sorter._data if sorter is not None else None
    if sorter is not None and sorter._data.shape != seq.shape:
        raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the same size, but got boundary "
                           f"tensor {list(seq.shape)} and got sorter tensor {list(sorter._data.shape)}")
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if seq.ndim == 1:
        res = np.searchsorted(seq, vals, side=side, sorter=srt)
    else:
        if scalar or vals.ndim != seq.ndim or vals.shape[:-1] != seq.shape[:-1]:
            raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               f"dimensions of boundaries tensor and input value tensor must match, but we got "
                               f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}")
        s2 = seq.reshape(-1, seq.shape[-1])
        v2 = vals.reshape(-1, vals.shape[-1])
        o2 = srt.reshape(-1, seq.shape[-1]) if srt is not None else None
        res = np.stack([np.searchsorted(s2[i], v2[i], side=side, sorter=None if o2 is None else o2[i])
                        for i in range(s2.shape[0])]).reshape(vals.shape) if s2.shape[0] else \
            np.zeros(vals.shape, np.int64)
    dt = dtypes.int32 if out_int32 else dtypes.int64
    res = np.asarray(res).astype(dt.np)
    if out is not None:
        return write_out(out, res, dt, (), "searchsorted", exact=(dt,))
    return make_tensor(res, dt)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# ------------------------------------------------------------------ in-place forms and methods
def _inplace(name, fn):
    def method(self, *args, **kwargs):
        check_inplace(self, name, overlap_ok=name == "index_fill_")
        others = [a for a in list(args) + list(kwargs.values()) if isinstance(a, Tensor)]
        return apply_inplace(self, lambda t: fn(t, *args, **kwargs), others)
    method.__name__ = name
    return method


def _masked_inplace(name, fn):
    def method(self, mask, value):
        _broadcast_mask(self, mask, name, inplace=True)
        check_inplace(self, name, overlap_ok=name == "masked_fill_")
        return apply_inplace(self, lambda t: fn(t, mask, value), (value,) if isinstance(value, Tensor) else ())
    method.__name__ = name
    return method


_masked_scatter_inplace = _masked_inplace("masked_scatter_", masked_scatter)


def _masked_scatter_(self, mask, source):     # PyTorch's name for the second argument: source
    return _masked_scatter_inplace(self, mask, source)


def _put_inplace(self, index, source, accumulate=False):
    check_inplace(self, "put_")
    return apply_inplace(self, lambda t: put(t, index, source, accumulate), (source,))


def _index_put_inplace(self, indices, values, accumulate=False):
    check_inplace(self, "index_put_", overlap_ok=True)
    return apply_inplace(self, lambda t: index_put(t, indices, values, accumulate),
                         (values,) if isinstance(values, Tensor) else ())


attach(__getitem__=getitem, __setitem__=setitem, gather=gather, scatter=scatter, scatter_add=scatter_add,
       scatter_reduce=scatter_reduce, index_select=index_select, index_add=index_add, index_copy=index_copy,
       index_fill=index_fill, index_put=index_put, masked_fill=masked_fill, masked_scatter=masked_scatter,
       masked_select=masked_select, take=take, take_along_dim=take_along_dim, put=put, nonzero=nonzero,
       argwhere=argwhere,
       scatter_=_inplace("scatter_", scatter), scatter_add_=_inplace("scatter_add_", scatter_add),
       scatter_reduce_=_inplace("scatter_reduce_", scatter_reduce), index_add_=_inplace("index_add_", index_add),
       index_copy_=_inplace("index_copy_", index_copy), index_fill_=_inplace("index_fill_", index_fill),
       index_put_=_index_put_inplace, masked_fill_=_masked_inplace("masked_fill_", masked_fill),
       masked_scatter_=_masked_scatter_, put_=_put_inplace)
__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_copy",
           "index_fill", "index_put", "index_put_", "masked_fill", "masked_scatter", "masked_select", "take",
           "take_along_dim", "put", "nonzero", "argwhere", "searchsorted", "bucketize"]
index_put_ = _index_put_inplace


# ------------------------------------------------------------------ index_reduce, nonzero_static
def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """Reduce rows of source into input at ``index`` along dim: scatter_reduce with the 1-d index
    broadcast over source's other dimensions (so the gradient is scatter_reduce's)."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    idx = _check_index(index, "index_reduce")
    if idx.ndim > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    sd = source._data.ndim
    d = wrap_dim(dim, max(sd, 1), "index_reduce") if sd else 0
    if sd and idx.shape[0] != source._data.shape[d]:
        raise RuntimeError(f"index_reduce(): Number of indices ({idx.shape[0]}) should be equal to "
                           f"source.size(dim) ({source._data.shape[d]}), for dim {d}")
    shape = [1] * sd
    if sd:
        shape[d] = idx.shape[0]
    full = make_tensor(np.ascontiguousarray(np.broadcast_to(idx.reshape(shape), source._data.shape)), dtypes.int64)
    return scatter_reduce(input, d, full, source, reduce, include_self=include_self, out=out)


def nonzero_static(input, *, size, fill_value=-1, out=None):
    """nonzero's (n, ndim) indices cut or padded with fill_value to exactly ``size`` rows."""
    rows = nonzero(input)._data[:size]
    pad = np.full((size - rows.shape[0], rows.shape[1]), fill_value, np.int64)
    res = np.concatenate([rows, pad])
    return make_tensor(res, dtypes.int64) if out is None else write_out(out, res, dtypes.int64, (), "nonzero_static")


attach(index_reduce=index_reduce, index_reduce_=_inplace("index_reduce_", index_reduce),
       nonzero_static=nonzero_static)
__all__ += ["index_reduce", "nonzero_static"]
