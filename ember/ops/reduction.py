"""Reductions and scans: forward beside derivative.

A reduction's gradient is the incoming gradient with the reduced dimensions put
back (``_unreduce``) and broadcast. Value-selecting reductions (max with dim,
sort, topk, cummax...) send the gradient to the selected indices
(``F.scatter_dim``, whose own derivative is a gather); ``amax``/``max()`` split
it evenly among ties (``F.even_mask``), as PyTorch does.

Derivative helpers offered to formulas here (``F.<name>``): scatter_dim,
gather_dim, even_mask, nan_keep, prod_others, prod_others_vjp, cumsum,
rev_cumsum, cumprod_grad, mean_keep, zero_mask.
"""
import builtins as _b
import collections
import sys
import types

import numpy as np

from .. import _parallel as par, dtypes
from .._numpy_aliases import numpy_names
from ..tensor import Tensor, attach, make_tensor
from ._common import HOT_FLOATS, _gstate, node_class, record, to_tensor_arg, write_out
from .arithmetic import _TORCH_NAMES

_FLOAT = dtypes._FLOAT
_LOW = (dtypes.float16, dtypes.bfloat16)


# ---------------------------------------------------------------- return types (torch.return_types)
return_types = types.ModuleType("ember.return_types")
sys.modules.setdefault("ember.return_types", return_types)


def _structseq(name, fields):
    """A tuple subclass with named fields, printed like ``torch.return_types.max``."""
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"ember.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__module__": "ember.return_types"})
    setattr(return_types, name, cls)
    if not name.endswith("_out"):       # what the op returns when given out=: PyTorch's <name>_out type
        cls.out = _structseq(name + "_out", fields)
    return cls


def write_outs(result_type, results, out, inputs, op):
    """Write the tensors ``results`` into the tuple ``out`` (one each): the op's ``<name>_out`` result."""
    if not isinstance(out, (tuple, list)) or len(out) != len(results):
        raise TypeError(f"{op}(): argument 'out' must be tuple of {len(results)} Tensors")
    return result_type.out(*(write_out(o, r._data, r._dtype, inputs, op) for o, r in zip(out, results)))


for _name in ("max", "min", "median", "nanmedian", "mode", "kthvalue", "topk", "sort", "cummax", "cummin"):
    _structseq(_name, ("values", "indices"))
_structseq("aminmax", ("min", "max"))


def _results(name, values, indices, out):
    """Build a (values, indices) result, or write it into ``out=(values, indices)`` (then the result's type is
    PyTorch's ``<name>_out``)."""
    if out is None:
        return getattr(return_types, name)(values, indices)
    cls = getattr(return_types, name).out
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors")
    a = write_out(out[0], values._data, values._dtype, (values,), name)
    b = write_out(out[1], indices._data, indices._dtype, (), name, exact=(dtypes.int64,))
    return cls(a, b)


# ---------------------------------------------------------------- dims
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
    if isinstance(d, Tensor) and d._data.ndim == 0 and d._dtype.category == dtypes._INT:
        d = int(d._data)
    if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
        raise TypeError(f"{op}(): argument 'dim' must be int or tuple of ints, not {type(d).__name__}")
    n = _b.max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return int(d) % n


def _rdims(x, dim, op):
    """Reduced axes of array x (a 0-d array reduces over nothing)."""
    dims = normalize_dims(dim, x.ndim, op)
    return dims if x.ndim else ()


def _kept(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _restore(t, shape, dims, keepdim):
    """A reduced result (array or Tensor) reshaped with its reduced dims as size 1."""
    if keepdim or not dims or len(dims) == len(shape):     # a full reduction's 0-d result broadcasts as it is
        return t
    return t.reshape(_kept(shape, dims))


def _unreduce(F, g, shape, dims, keepdim):
    """Put reduced dimensions back into g (as size 1), then broadcast to ``shape``."""
    return F.expand(_restore(g, shape, dims, keepdim), shape)


def _count(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _check_nonempty(x, dims, op, full):
    """PyTorch's errors for max-like reductions over nothing."""
    if x.size:
        return
    if full:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           f"reduction dim with the 'dim' argument.")
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


# ---------------------------------------------------------------- derivative helpers
def _np_scatter_dim(g, idx, dim, shape, accumulate=False):
    """Zeros of ``shape`` with g placed at ``idx`` along ``dim`` (added when accumulate)."""
    z = np.zeros(shape, g.dtype)
    if not z.size:
        return z
    if z.ndim == 0:
        z[...] = g
        return z
    if accumulate:
        grids = list(np.ix_(*[np.arange(s) for s in idx.shape]))
        grids[dim] = idx
        np.add.at(z, tuple(grids), np.broadcast_to(g, idx.shape))
    else:
        np.put_along_axis(z, idx, np.broadcast_to(g, idx.shape), dim)
    return z


def _np_gather_dim(g, idx, dim):
    if g.ndim == 0:
        return g.reshape(idx.shape)
    return np.take_along_axis(g, idx, dim)


def _scatter_formula(F, g, idx, dim):
    return F.gather_dim(g, idx, dim)


def _gather_formula(F, g, idx, dim, shape):
    return F.scatter_dim(g, idx, dim, shape, True)


ScatterDimBackward = node_class("ScatterAddBackward0", _scatter_formula)
GatherDimBackward = node_class("GatherBackward0", _gather_formula)


def scatter_dim(g, idx, dim, shape, accumulate=False):
    """Differentiable ``_np_scatter_dim`` on Tensors (its derivative is a gather)."""
    r = make_tensor(_np_scatter_dim(g._data, idx, dim, shape, accumulate), g._dtype)
    if g._rg and _gstate.enabled:
        record(ScatterDimBackward, r, (g,), (), (idx, dim))
    return r


def gather_dim(g, idx, dim):
    """Differentiable take-along-dim on Tensors (its derivative is a scatter-add)."""
    r = make_tensor(np.ascontiguousarray(_np_gather_dim(g._data, idx, dim)), g._dtype)
    if g._rg and _gstate.enabled:
        record(GatherDimBackward, r, (g,), (), (idx, dim, g._data.shape))
    return r


def _np_even_mask(x, out, dims, nan_matches=False):
    """1/count where x equals the reduced value (``out`` kept-dims), else 0: the even split among ties."""
    m = x == out
    if nan_matches:
        m |= np.isnan(x) & np.isnan(out) if x.dtype.kind in "fc" or x.dtype.name == "bfloat16" else False
    m = m.astype(x.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        return m / np.sum(m, axis=dims, keepdims=True)


def _np_nan_keep(x):
    return (~np.isnan(x)).astype(x.dtype)


def _np_zero_mask(t):
    return (t == 0).astype(t.dtype)


def _group_last(x, dims):
    """x with ``dims`` moved last and flattened: (array of shape lead + (n,), inverse function)."""
    nd = x.ndim
    rest = [d for d in range(nd) if d not in dims]
    perm = rest + list(dims)
    xt = np.transpose(x, perm)
    lead = xt.shape[:len(rest)]
    n = 1
    for d in dims:
        n *= x.shape[d]
    tshape = xt.shape
    inv = np.argsort(perm)

    def back(a):
        return np.ascontiguousarray(a.reshape(tshape).transpose(inv))
    return xt.reshape(lead + (n,)), back


def _np_prod_others(x, dims):
    """For each element, the product of the other elements of its reduced group (exact with zeros)."""
    if x.ndim == 0:
        return np.ones_like(x)
    flat, back = _group_last(x, dims)
    pre = np.ones_like(flat)
    suf = np.ones_like(flat)
    if flat.shape[-1] > 1:
        np.cumprod(flat[..., :-1], axis=-1, out=pre[..., 1:])
        suf[..., :-1] = np.cumprod(flat[..., :0:-1], axis=-1)[..., ::-1]
    return back(pre * suf)


def _np_prod_others_vjp(g, x, dims):
    """d/dx of sum(g * prod_others(x)): sum over i != j of g_i * prod of the group without i and j."""
    if x.ndim == 0:
        return np.zeros_like(x)
    fx, back = _group_last(x, dims)
    fg, _ = _group_last(np.broadcast_to(g, x.shape), dims)
    zero = fx == 0
    nz = zero.sum(-1, keepdims=True)
    xs = np.where(zero, 1, fx)
    p = np.prod(xs, -1, keepdims=True)
    gx = fg / xs
    t = gx.sum(-1, keepdims=True)
    gz = np.where(zero, fg, 0).sum(-1, keepdims=True)        # g at the zero(s)
    r0 = p / xs * (t - gx)
    r1 = np.where(zero, p * (t - gz), gz * p / xs)
    r2 = np.where(zero, (gz - fg) * p, 0)
    res = np.where(nz == 0, r0, np.where(nz == 1, r1, np.where(nz == 2, r2, 0)))
    return back(res.astype(x.dtype, copy=False))


def _prod_others_formula(F, g, x, dims):
    return F.prod_others_vjp(g, x, dims)


ProdOthersBackward = node_class("ProdBackward1", _prod_others_formula)


def _prod_others(x, dims):
    r = make_tensor(_np_prod_others(x._data, dims), x._dtype)
    if x._rg and _gstate.enabled:
        record(ProdOthersBackward, r, (x,), (x,), (dims,))
    return r


def _np_rev_cumsum(g, dim):
    if g.ndim == 0:
        return g
    return np.flip(_np_cumsum(np.flip(g, dim), dim), dim)


def _np_cumsum(g, dim):
    """cumsum of a gradient, accumulated as the forward's (in double for float32, as PyTorch)."""
    if g.ndim == 0:
        return g
    if g.dtype == np.float32 and (res := _long_cumsum_f32(g, dim)) is not None:
        return res
    return par.accumulate(np.add, g, dim, _scan_acc(dtypes.from_numpy_dtype(g.dtype))).astype(g.dtype, copy=False)


RevCumsumBackward = node_class("FlipBackward0", lambda F, g, dim: F.cumsum(g, dim))


def _rev_cumsum(g, dim):
    r = make_tensor(np.ascontiguousarray(_np_rev_cumsum(g._data, dim)), g._dtype)
    if g._rg and _gstate.enabled:
        record(RevCumsumBackward, r, (g,), (), (dim,))
    return r


def _np_cumprod_grad(g, x, out, dim):
    """Gradient of cumprod along ``dim``, exact when x holds zeros (PyTorch's cumprod_backward)."""
    if x.ndim == 0 or x.size == 0:
        return np.broadcast_to(g, x.shape).copy()
    zero = x == 0
    if not zero.any():
        return _np_rev_cumsum(g * out, dim) / x
    n = x.shape[dim]
    shp = [1] * x.ndim
    shp[dim] = n
    pos = np.arange(n).reshape(shp)
    nzeros_before = np.cumsum(zero, dim) - zero          # zeros strictly before each position
    first_zero = zero & (nzeros_before == 0)
    before = nzeros_before == 0
    xs = np.where(zero, 1, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        part1 = np.where(before & ~zero, _np_rev_cumsum(g * out, dim) / xs, 0)
    # at the first zero z: prod_{i<z} x_i * sum_{k>=z} g_k prod_{z<i<=k} x_i
    zpos = np.where(first_zero.any(dim, keepdims=True), np.argmax(first_zero, dim).reshape(
        [s if i != dim else 1 for i, s in enumerate(x.shape)]), n)
    after = np.where(pos > zpos, x, 1)
    c = np.cumprod(after, dim)
    s = np.sum(np.where(pos >= zpos, g * c, 0), dim, keepdims=True)
    excl = np.cumprod(np.where(pos < zpos, x, 1), dim)      # prod_{i<z} x_i at position z
    part2 = np.where(first_zero, excl * s, 0)
    return (part1 + part2).astype(x.dtype, copy=False)


def _cumprod_grad_tensor(g, x, out, dim):
    if not (x._data == 0).any() and x._data.ndim:
        return _rev_cumsum(g * out, dim) / x
    return make_tensor(_np_cumprod_grad(g._data, x._data, out._data, dim), g._dtype)


def _np_mean_keep(x, dims):
    return np.true_divide(_add_reduce(x, dims, True), _count(x.shape, dims)) if dims else x


def _define_namespace():
    from ..autograd.formulas import define, array_sum_to

    def const(fn):
        def tensor_impl(*args):
            arrays = [a._data if isinstance(a, Tensor) else a for a in args]
            res = fn(*arrays)
            return make_tensor(res, dtypes.from_numpy_dtype(res.dtype))
        return tensor_impl

    define("sum_to", array_sum_to, sum_to_size)
    define("scatter_dim", _np_scatter_dim, scatter_dim)
    define("gather_dim", _np_gather_dim, gather_dim)
    define("even_mask", _np_even_mask, const(_np_even_mask))
    define("nan_keep", _np_nan_keep, const(_np_nan_keep))
    define("zero_mask", _np_zero_mask, const(_np_zero_mask))
    define("prod_others", _np_prod_others, _prod_others)
    define("prod_others_vjp", _np_prod_others_vjp, const(_np_prod_others_vjp))
    define("cumsum", _np_cumsum, lambda g, dim: cumsum(g, dim))
    define("rev_cumsum", _np_rev_cumsum, _rev_cumsum)
    define("cumprod_grad", _np_cumprod_grad, _cumprod_grad_tensor)
    define("mean_keep", _np_mean_keep, lambda x, dims: mean(x, dims, keepdim=True) if dims else x)


# ---------------------------------------------------------------- sum, nansum, mean, nanmean
def _sum_formula(F, g, shape, dims, keepdim):
    return _unreduce(F, g, shape, dims, keepdim)


def _mean_formula(F, g, shape, dims, keepdim, count):
    return _unreduce(F, g / count, shape, dims, keepdim)


# SumBackward0 is a reduction over every dim: its gradient (0-d, or all dims 1 with keepdim) broadcasts as it is
SumBackward0 = node_class("SumBackward0", lambda F, g, shape, dims, keepdim: F.expand(g, shape))
SumBackward1 = node_class("SumBackward1", _sum_formula)
MeanBackward0 = node_class("MeanBackward0", _mean_formula)
MeanBackward1 = node_class("MeanBackward1", _mean_formula)
NansumBackward0 = node_class("NansumBackward0",
                             lambda F, g, x, dims, keepdim: _unreduce(F, g, x.shape, dims, keepdim) * F.nan_keep(x))


def _accumulation_dtype(x_dtype, dtype, op):
    if dtype is not None:
        return dtypes.to_dtype(dtype, "dtype", op)
    if x_dtype.category <= dtypes._INT:
        return dtypes.int64   # PyTorch sums integers and bools as int64
    return x_dtype


_ONES_DTYPES = (np.float32, np.float64)
_ONES_MIN = 1 << 18    # numbers from which a sum is a gemv (its own threshold: not the intra-op split's)
_ONES_ROW = 512        # rows (of a full sum, or cut from longer rows) that one gemv output sums
_MAX_ROW = 1 << 16     # longer rows not cut into _ONES_ROW pieces keep NumPy's pairwise sum (a BLAS lane: > 4096 adds)
_ones = {}             # NumPy dtype -> a read-only vector of ones, grown to the longest row asked for


def _ones_vector(n, dtype):
    v = _ones.get(dtype)
    if v is None or len(v) < n:
        v = np.ones(_b.max(n, _ONES_ROW), dtype)
        v.flags.writeable = False
        _ones[dtype] = v
    return v[:n]


def _ones_sum(x, dims):
    """The sum of a large C-contiguous float32/float64 array over trailing ``dims`` (all of them, or the
    last ones), or None for other dims and for long rows that do not cut into ``_ONES_ROW`` pieces.

    NumPy's add.reduce along a contiguous axis is its pairwise loop, not SIMD: about 1.6x PyTorch's time.
    A matrix-vector product of the rows with a vector of ones is OpenBLAS's gemv instead: SIMD, threaded
    over rows by BLAS (ember.set_num_threads). Rows that cut into pieces of ``_ONES_ROW`` (and a full
    sum) are summed piece by piece, then the pieces' sums pairwise: each SIMD lane of gemv (16 float32
    with AVX512) adds only 512/16 numbers one after another, where whole rows of 2048 gave each lane 128
    and ~3x torch's error. Measured (4M float32, one thread, ad hoc on a loaded host): rows of 2048 0.68
    ms (NumPy's pairwise 1.06, torch 0.66), full sum 0.68 (the 64-lane vector adds this replaces 0.82,
    torch 0.67). Error against a float64 reference / (eps * the row's sum of |x|), max of 5 draws:
    normal rows of 2048 0.15 (torch 0.13), of 256 (one gemv each) 0.46 (0.37); positive rows
    (1 + U(0, 1e-3)) of 2048 1.8 (1.7; rounding the float64 sum once reaches ~1 alone); full sums of 4M
    0.0013 (0.0014). Other rows up to ``_MAX_ROW`` go through one gemv each (worst case ~n/16 roundings
    of sum |x|; measured 0.01 on normal rows of 65543, 1.2 on positive, torch 0.016 and 0.76). x * 1 is
    exact, so inf and nan propagate as in any order of additions, and a row of -0.0 sums to +0.0 as in
    torch (NumPy's reduce keeps -0.0)."""
    nd = x.ndim
    lead = nd - len(dims)
    if dims != _all_dims(nd)[lead:]:
        return None
    n = x.size // _count(x.shape, range(lead))        # the row length
    with np.errstate(invalid="ignore", over="ignore"):     # inf - inf and overflow: silent, as in torch
        if n % _ONES_ROW == 0:
            part = x.reshape(-1, _ONES_ROW) @ _ones_vector(_ONES_ROW, x.dtype)
            return np.add.reduce(part.reshape(x.shape[:lead] + (-1,)), -1)
        if not lead:
            flat = x.reshape(-1)
            n0 = flat.size - flat.size % _ONES_ROW
            return _ones_sum(flat[:n0], (0,)) + np.add.reduce(flat[n0:])
        if n > _MAX_ROW:
            return None
        return (x.reshape(-1, n) @ _ones_vector(n, x.dtype)).reshape(x.shape[:lead])


def _add_reduce(x, dims, keepdim=False, dtype=None):
    """``np.add.reduce`` over ``dims`` (a tuple of axes), through ``_ones_sum`` where it applies."""
    if x.size >= _ONES_MIN and x.dtype in _ONES_DTYPES and dtype in (None, x.dtype) and \
            x.flags.c_contiguous and (res := _ones_sum(x, dims)) is not None:
        return res.reshape(_kept(x.shape, dims)) if keepdim else res
    return par.reduce(np.add, x, dims, keepdim, dtype)


def _sum_array(x, dims, keepdim, rt):
    if x.ndim == 0:
        return x.astype(rt.np)
    if rt in _LOW:   # accumulate in float32
        return np.asarray(par.reduce(np.add, x, dims, keepdim, np.float32)).astype(rt.np)
    return _add_reduce(x, dims, keepdim, None if x.dtype == rt.np and x.dtype.kind == "f" else rt.np)


# _ALL_DIMS[ndim]: the dims a full reduction records (NumPy arrays have at most 64)
_ALL_DIMS = tuple(tuple(range(n)) for n in range(65))


def _all_dims(ndim):
    return _ALL_DIMS[ndim]


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:    # NumPy's names, here rather than in a wrapper: sum is hot
        dim, keepdim = numpy_names("sum", dim, keepdim, axis, keepdims)
    if dim is None and input.__class__ is Tensor and input._dtype in HOT_FLOATS and dtype is None and out is None:
        # hot path: a loss's full sum of float32/float64 (same result as the general path below)
        x = input._data
        dims = _ALL_DIMS[x.ndim]
        r = make_tensor(np.add.reduce(x, None) if x.size < par.MIN_PER_THREAD << 1 else _add_reduce(x, dims),
                        input._dtype)   # the size test first: ~0.4 us
        if input._rg and _gstate.enabled:
            r._grad_fn = SumBackward0((input,), (), (x.shape, dims, False), True)   # exact
            r._rg = True
        return r
    input = to_tensor_arg(input, "input", "sum")
    x = input._data
    dims = _rdims(x, dim, "sum")
    rt = _accumulation_dtype(input._dtype, dtype, "sum")
    res = _sum_array(x, dims, keepdim, rt)
    if out is not None:
        return write_out(out, np.asarray(res), rt, (input,), "sum")
    r = make_tensor(res, rt)
    if input._rg and _gstate.enabled:
        record(SumBackward1 if dim is not None else SumBackward0, r, (input,), (), (x.shape, dims, keepdim))
    return r


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    input = to_tensor_arg(input, "input", "nansum")
    x = input._data
    dims = _rdims(x, dim, "nansum")
    real_only(input, RuntimeError, "nansum does not support complex inputs")
    rt = _accumulation_dtype(input._dtype, dtype, "nansum")
    xz = np.where(np.isnan(x), 0, x).astype(x.dtype, copy=False) if input._dtype.category >= _FLOAT else x
    res = _sum_array(xz, dims, keepdim, rt)
    if out is not None:
        return write_out(out, np.asarray(res), rt, (input,), "nansum")
    r = make_tensor(res, rt)
    if input._rg and _gstate.enabled:
        record(NansumBackward0, r, (input,), (input,), (dims, keepdim))
    return r


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    input = to_tensor_arg(input, "input", "mean")
    x = input._data
    dt = input._dtype if dtype is None else dtypes.to_dtype(dtype, "dtype", "mean")
    if dt.category < _FLOAT or input._dtype.category < _FLOAT and dtype is None:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {input._dtype.name.capitalize()}")
    dims = _rdims(x, dim, "mean")
    count = _count(x.shape, dims)
    if x.ndim == 0:
        res = x.astype(dt.np)
    else:
        acc = np.float32 if dt in _LOW else dt.np
        s = _add_reduce(x, dims, keepdim, acc)
        if count == 0:      # an empty mean is nan, as torch's, without NumPy's warning
            with np.errstate(invalid="ignore", divide="ignore"):
                res = np.true_divide(s, count, dtype=acc)
        else:               # (a sum divided by a positive count cannot warn: np.errstate costs ~2 us a call)
            res = np.true_divide(s, count, dtype=acc) if count != 1 else s
        res = np.asarray(res).astype(dt.np, copy=False)
    if out is not None:
        return write_out(out, np.asarray(res), dt, (input,), "mean")
    r = make_tensor(res, dt)
    if input._rg and _gstate.enabled:
        record(MeanBackward1 if dim is not None else MeanBackward0, r, (input,), (), (x.shape, dims, keepdim, count))
    return r


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    input = to_tensor_arg(input, "input", "nanmean")
    if input._dtype.category < _FLOAT:
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{input._dtype.name.capitalize()}")
    x = input._data
    dims = _rdims(x, dim, "nanmean")
    cnt = np.sum(~np.isnan(x), axis=dims, keepdims=keepdim) if x.ndim else np.asarray(int(not np.isnan(x)))
    from .arithmetic import div
    res = div(nansum(input, dim, keepdim, dtype=dtype), make_tensor(np.asarray(cnt, np.int64), dtypes.int64))
    if out is not None:
        return write_out(out, res._data, res._dtype, (input,), "nanmean")
    return res


def sum_to_size(input, *size, **kwargs):
    """Sum ``input`` down to ``size``, which it must broadcast from (Tensor.sum_to_size)."""
    from ..creation import _kw_size
    size = _kw_size(size, kwargs, "sum_to_size")       # x.sum_to_size(size=(1, 3))
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = tuple(size)
    xs = input._data.shape
    lead = len(xs) - len(shape)
    if lead < 0 or _b.any(s != 1 and s != x for s, x in zip(shape, xs[lead:])):
        raise RuntimeError(f"sum_to_size: size {list(shape)} is not expandable to size {list(xs)}")
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and xs[i + lead] != 1)
    if not dims:
        return input if xs == shape else input.reshape(shape)
    return sum(input, dims, keepdim=True).reshape(shape)


# ---------------------------------------------------------------- prod
def _prod_formula(F, g, x, dims, keepdim):
    return _unreduce(F, g, x.shape, dims, keepdim) * F.prod_others(x, dims)


ProdBackward0 = node_class("ProdBackward0", _prod_formula)
ProdBackward1 = node_class("ProdBackward1", _prod_formula)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    input = to_tensor_arg(input, "input", "prod")
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    x = input._data
    dims = _rdims(x, dim, "prod")
    rt = _accumulation_dtype(input._dtype, dtype, "prod")
    if x.ndim == 0:
        res = x.astype(rt.np)
    else:
        acc = np.float32 if rt in _LOW else rt.np
        res = np.asarray(par.reduce(np.multiply, x, dims, keepdim, acc)).astype(rt.np, copy=False)
    if out is not None:
        return write_out(out, res, rt, (input,), "prod")
    r = make_tensor(res, rt)
    if input._rg and _gstate.enabled:
        record(ProdBackward1 if dim is not None else ProdBackward0, r, (input,), (input,), (dims, keepdim))
    return r


# ---------------------------------------------------------------- max, min, amax, amin, argmax, argmin
def _even_formula(F, g, x, out, dims, keepdim):
    return _unreduce(F, g, x.shape, dims, keepdim) * F.even_mask(x, _restore(out, x.shape, dims, keepdim), dims)


def _even_nan_formula(F, g, x, out, dims, keepdim):
    return _unreduce(F, g, x.shape, dims, keepdim) * F.even_mask(
        x, _restore(out, x.shape, dims, keepdim), dims, True)


def _select_formula(F, g, shape, idx, dim, keepdim):
    """Value-selecting reductions: g goes to the selected index (``idx`` kept-dim)."""
    return F.scatter_dim(_restore(g, shape, (dim,), keepdim), idx, dim, shape)


AmaxBackward0 = node_class("AmaxBackward0", _even_formula)
AminBackward0 = node_class("AminBackward0", _even_formula)
MaxBackward1 = node_class("MaxBackward1", _even_nan_formula)
MinBackward1 = node_class("MinBackward1", _even_nan_formula)
MaxBackward0 = node_class("MaxBackward0", _select_formula)
MinBackward0 = node_class("MinBackward0", _select_formula)


def real_only(input, cls, message):
    """Orderings do not exist for complex numbers; PyTorch's exception class varies by kernel."""
    if input._dtype.category == dtypes._COMPLEX:
        raise cls(message.format(dtype=_TORCH_NAMES[input._dtype.name]))


def _extreme_full(input, op, np_fn, node):
    real_only(input, NotImplementedError, f"\"{op}_all\" not implemented for '{{dtype}}'")
    x = input._data
    if x.size == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           f"reduction dim with the 'dim' argument.")
    r = make_tensor(np.asarray(par.reduce(np_fn, x)), input._dtype)
    if input._rg and _gstate.enabled:
        record(node, r, (input,), (input, r), (tuple(range(x.ndim)), False))
    return r


def _extreme_dim(input, dim, keepdim, op, arg_fn, node, out):
    x = input._data
    d = _wrap(dim, x.ndim, op)
    if x.ndim:
        _check_nonempty(x, (d,), op, False)
    real_only(input, RuntimeError, f"{op}(): does not support complex input")  # after the dim checks, as torch
    if x.ndim == 0:
        values = make_tensor(x.copy(), input._dtype)
        indices = make_tensor(np.zeros((), np.int64), dtypes.int64)
        idx = np.zeros((), np.int64)
    else:
        idx = arg_fn(x, axis=d, keepdims=True)
        v = np.take_along_axis(x, idx, d)
        if not keepdim:
            v = v.squeeze(d)
        values = make_tensor(v, input._dtype)
        indices = make_tensor(idx if keepdim else idx.squeeze(d), dtypes.int64)
    if input._rg and _gstate.enabled and out is None:
        record(node, values, (input,), (), (x.shape, idx, d if x.ndim else 0, keepdim or not x.ndim))
    return _results(op, values, indices, out)


def _np_argmax(x, axis=None, keepdims=False):
    return np.argmax(x, axis=axis, keepdims=keepdims).astype(np.int64, copy=False)


def _np_argmin(x, axis=None, keepdims=False):
    return np.argmin(x, axis=axis, keepdims=keepdims).astype(np.int64, copy=False)


def max(input, dim=None, keepdim=False, *, other=None, out=None):
    """max(input) -> value; max(input, dim, keepdim) -> (values, indices); max(input, other) -> maximum."""
    input = to_tensor_arg(input, "input", "max")
    dim = other if other is not None else dim                # max(x, other=y): the maximum overload
    if isinstance(dim, Tensor):
        import ember
        return ember.maximum(input, dim, out=out) if out is not None else ember.maximum(input, dim)
    if dim is None:
        r = _extreme_full(input, "max", np.maximum, MaxBackward1)
        return r if out is None else write_out(out, r._data, r._dtype, (input,), "max")
    return _extreme_dim(input, dim, keepdim, "max", _np_argmax, MaxBackward0, out)


def min(input, dim=None, keepdim=False, *, other=None, out=None):
    """min(input) -> value; min(input, dim, keepdim) -> (values, indices); min(input, other) -> minimum."""
    input = to_tensor_arg(input, "input", "min")
    dim = other if other is not None else dim                # min(x, other=y): the minimum overload
    if isinstance(dim, Tensor):
        import ember
        return ember.minimum(input, dim, out=out) if out is not None else ember.minimum(input, dim)
    if dim is None:
        r = _extreme_full(input, "min", np.minimum, MinBackward1)
        return r if out is None else write_out(out, r._data, r._dtype, (input,), "min")
    return _extreme_dim(input, dim, keepdim, "min", _np_argmin, MinBackward0, out)


def _amaxmin(input, dim, keepdim, out, op, np_fn, node):
    input = to_tensor_arg(input, "input", op)
    x = input._data
    dims = _rdims(x, dim, op)
    _check_nonempty(x, dims, op, dim is None or dim == () or dim == [])
    if x.size:      # PyTorch's kernel returns an empty result before its dtype check
        real_only(input, NotImplementedError, f"\"{op[1:]}_values_cpu\" not implemented for '{{dtype}}'")
    res = par.reduce(np_fn, x, dims, keepdim) if x.ndim else x.copy()
    res = np.asarray(res)
    if out is not None:
        return write_out(out, res, input._dtype, (input,), op)
    r = make_tensor(res, input._dtype)
    if input._rg and _gstate.enabled:
        record(node, r, (input,), (input, r), (dims, keepdim))
    return r


def amax(input, dim=(), keepdim=False, *, out=None):
    return _amaxmin(input, dim, keepdim, out, "amax", np.maximum, AmaxBackward0)


def amin(input, dim=(), keepdim=False, *, out=None):
    return _amaxmin(input, dim, keepdim, out, "amin", np.minimum, AminBackward0)


def aminmax(input, *, dim=None, keepdim=False, out=None):
    input = to_tensor_arg(input, "input", "aminmax")
    real_only(input, NotImplementedError, "\"aminmax_cpu\" not implemented for '{dtype}'")
    x = input._data
    if x.size == 0 and dim is None:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    if dim is not None and x.ndim and x.shape[_wrap(dim, x.ndim, "aminmax")] == 0:
        raise IndexError(f"aminmax: Expected reduction dim {_wrap(dim, x.ndim, 'aminmax')} to have non-zero size.")
    d = () if dim is None else dim
    lo, hi = amin(input, d, keepdim), amax(input, d, keepdim)
    if out is not None:
        return write_outs(return_types.aminmax, (lo, hi), out, (), "aminmax")
    return return_types.aminmax(lo, hi)


def _arg_extreme(input, dim, keepdim, out, op, fn):
    input = to_tensor_arg(input, "input", op)
    real_only(input, RuntimeError, f"{op}(): does not support complex input")
    x = input._data
    if input._dtype is dtypes.bool:
        raise RuntimeError(f"\"{op}_cpu\" not implemented for 'Bool'")
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
        res = np.asarray(fn(x.reshape(-1)))
        if keepdim:
            res = res.reshape((1,) * x.ndim)
    else:
        d = _wrap(dim, x.ndim, op)
        if x.ndim == 0:
            res = np.zeros((), np.int64)
        else:
            _check_nonempty(x, (d,), op, False)
            res = fn(x, axis=d, keepdims=keepdim)
    res = np.asarray(res, np.int64)
    if out is not None:
        return write_out(out, res, dtypes.int64, (), op, exact=(dtypes.int64,))
    return make_tensor(res, dtypes.int64)


def argmax(input, dim=None, keepdim=False, *, out=None):
    return _arg_extreme(input, dim, keepdim, out, "argmax", _np_argmax)


def argmin(input, dim=None, keepdim=False, *, out=None):
    return _arg_extreme(input, dim, keepdim, out, "argmin", _np_argmin)


# ---------------------------------------------------------------- var, std
def _rdof(dof):
    return 1.0 / dof if dof else float("inf")


def _var_formula(F, g, x, dims, keepdim, dof):
    return _unreduce(F, g, x.shape, dims, keepdim) * (2.0 * _rdof(dof)) * (x - F.mean_keep(x, dims))


def _std_formula(F, g, x, out, dims, keepdim, dof):
    o = _restore(out, x.shape, dims, keepdim)
    return _unreduce(F, g, x.shape, dims, keepdim) * (x - F.mean_keep(x, dims)) * _rdof(dof) / (o + F.zero_mask(o))


def _var_mean_formula(F, grads, x, dims, keepdim, dof, count):
    gv, gm = grads
    return _var_formula(F, gv, x, dims, keepdim, dof) + _unreduce(F, gm / count, x.shape, dims, keepdim)


def _std_mean_formula(F, grads, x, out, dims, keepdim, dof, count):
    gs, gm = grads
    return _std_formula(F, gs, x, out, dims, keepdim, dof) + _unreduce(F, gm / count, x.shape, dims, keepdim)


VarBackward0 = node_class("VarBackward0", _var_formula)
StdBackward0 = node_class("StdBackward0", _std_formula)
VarMeanBackward0 = node_class("VarMeanBackward0", _var_mean_formula, nout=2)
StdMeanBackward0 = node_class("StdMeanBackward0", _std_mean_formula, nout=2)


def _var_args(op, dim, unbiased, correction):
    if isinstance(dim, bool):          # var(input, unbiased)
        if unbiased is not None:
            raise TypeError(f"{op}() received an invalid combination of arguments")
        unbiased, dim = dim, None
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{op}: Can't pass both correction and unbiased arguments")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def _var_core(input, dim, correction, keepdim, op):
    """(var array with keepdim, mean array with keepdim, dims, result dtype, dof, count)."""
    if input._dtype.category < _FLOAT:
        raise RuntimeError(f"{op}(): std and var only support floating point and complex dtypes")
    x = input._data
    dims = _rdims(x, dim, op)
    count = _count(x.shape, dims)
    dof = _b.max(count - correction, 0)
    if dof == 0:
        import warnings
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      f"reduction factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    dt = input._dtype.to_real()
    xf = x.astype(np.float32) if input._dtype in _LOW else x
    with np.errstate(invalid="ignore", divide="ignore"):
        m = _np_mean_keep(xf, dims) if x.size else np.full(_kept(x.shape, dims), np.nan, xf.dtype)
        d = np.asarray(par.ufunc(np.subtract, xf, m))
        sq = (d.real * d.real + d.imag * d.imag) if d.dtype.kind == "c" else par.ufunc(np.multiply, d, d, out=d)
        v = _add_reduce(sq, dims, True) / dof if dims else sq * (count / dof if dof else np.nan)
    return v, m, dims, dt, count - correction, count   # backward divides by the raw N - correction


def _squeeze(a, dims, keepdim):
    return a if keepdim or not dims else a.reshape(tuple(s for i, s in enumerate(a.shape) if i not in dims))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    input = to_tensor_arg(input, "input", "var")
    dim, correction = _var_args("var", dim, unbiased, correction)
    v, _, dims, dt, dof, _ = _var_core(input, dim, correction, keepdim, "var")
    res = _squeeze(v, dims, keepdim).astype(dt.np, copy=False)
    if out is not None:
        return write_out(out, res, dt, (input,), "var")
    r = make_tensor(res, dt)
    if input._rg and _gstate.enabled:
        record(VarBackward0, r, (input,), (input,), (dims, keepdim, dof))
    return r


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    input = to_tensor_arg(input, "input", "std")
    dim, correction = _var_args("std", dim, unbiased, correction)
    v, _, dims, dt, dof, _ = _var_core(input, dim, correction, keepdim, "std")
    res = np.sqrt(_squeeze(v, dims, keepdim)).astype(dt.np, copy=False)
    if out is not None:
        return write_out(out, res, dt, (input,), "std")
    r = make_tensor(res, dt)
    if input._rg and _gstate.enabled:
        record(StdBackward0, r, (input,), (input, r), (dims, keepdim, dof))
    return r


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    input = to_tensor_arg(input, "input", "var_mean")
    dim, correction = _var_args("var_mean", dim, unbiased, correction)
    v, m, dims, dt, dof, count = _var_core(input, dim, correction, keepdim, "var_mean")
    rv = make_tensor(_squeeze(v, dims, keepdim).astype(dt.np, copy=False), dt)
    rm = make_tensor(_squeeze(m, dims, keepdim).astype(input._dtype.np, copy=False), input._dtype)
    if out is not None:
        return (write_out(out[0], rv._data, dt, (input,), "var_mean"),
                write_out(out[1], rm._data, rm._dtype, (input,), "var_mean"))
    if input._rg and _gstate.enabled:
        record(VarMeanBackward0, (rv, rm), (input,), (input,), (dims, keepdim, dof, count))
    return rv, rm


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    input = to_tensor_arg(input, "input", "std_mean")
    dim, correction = _var_args("std_mean", dim, unbiased, correction)
    v, m, dims, dt, dof, count = _var_core(input, dim, correction, keepdim, "std_mean")
    rs = make_tensor(np.sqrt(_squeeze(v, dims, keepdim)).astype(dt.np, copy=False), dt)
    rm = make_tensor(_squeeze(m, dims, keepdim).astype(input._dtype.np, copy=False), input._dtype)
    if out is not None:
        return (write_out(out[0], rs._data, dt, (input,), "std_mean"),
                write_out(out[1], rm._data, rm._dtype, (input,), "std_mean"))
    if input._rg and _gstate.enabled:
        record(StdMeanBackward0, (rs, rm), (input,), (input, rs), (dims, keepdim, dof, count))
    return rs, rm


# ---------------------------------------------------------------- norms
def _norm_formula(F, g, x, out, p, dims, keepdim):
    """PyTorch's norm_backward: the derivative of ||x||_p over ``dims``."""
    g = _unreduce(F, g, x.shape, dims, keepdim)
    n = _restore(out, x.shape, dims, keepdim)
    if p == 0:
        return g * 0
    if p == 1:
        return g * F.sign(x)
    safe = n + F.zero_mask(n)      # where the norm is 0 the numerator is 0 too
    if p == 2:
        return x * g / safe
    if p == float("inf") or p == float("-inf"):
        return F.sign(x) * g * F.even_mask(F.abs(x), n, dims)
    if p < 2:
        a = F.abs(x)
        return F.sign(x) * (a + F.zero_mask(a)) ** (p - 1) * (1 - F.zero_mask(a)) * g / safe ** (p - 1)
    return x * F.abs(x) ** (p - 2) * g / safe ** (p - 1)


NormBackward1 = node_class("LinalgVectorNormBackward0", _norm_formula)


def _p_norm(ab, p, dims, keepdim):
    """The p-norm reduction of ``ab`` = |x| over ``dims``."""
    if p == 2:
        return np.sqrt(par.reduce(np.add, par.ufunc(np.multiply, ab, ab, out=ab), dims, keepdim))
    if p == 1:
        return par.reduce(np.add, ab, dims, keepdim)
    if p == float("inf"):
        return par.reduce(np.maximum, ab, dims, keepdim)
    if p == float("-inf"):
        return par.reduce(np.minimum, ab, dims, keepdim)
    if p == 0:
        return np.add.reduce((ab != 0).astype(ab.dtype), dims, keepdims=keepdim)
    return np.add.reduce(ab ** p, dims, keepdims=keepdim) ** (1.0 / p)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """ember.linalg.vector_norm: the ord-norm of x over ``dim`` (all elements when None)."""
    input = to_tensor_arg(x, "input", "linalg.vector_norm")
    if input._dtype.category < _FLOAT:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{input._dtype.name.capitalize()}")
    if dtype is not None:
        dtype = dtypes.to_dtype(dtype, "dtype", "linalg.vector_norm")
        from .unary import cast
        input = cast(input, dtype)
    a = input._data
    dims = _rdims(a, dim, "linalg.vector_norm")
    p = float(ord)
    rt = input._dtype.to_real()
    if a.size == 0 and p < 0 or (a.size == 0 and np.isinf(p) and (dim is None or _b.any(a.shape[d] == 0
                                                                                         for d in dims))):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because the "
                           f"operation does not have an identity")
    xa = a.astype(np.float32) if input._dtype in _LOW else a
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if p == 2 and a.ndim and len(dims) == a.ndim and xa.dtype.kind == "f" and xa.flags.c_contiguous:
            # the 2-norm of every element: one BLAS dot, one pass (NumPy's linalg.norm does the same)
            flat = xa.reshape(-1)
            res = np.sqrt(np.dot(flat, flat)).reshape((1,) * a.ndim if keepdim else ())
        elif not dims and a.ndim == 0:
            ab = np.abs(xa)
            res = ab.copy() if p != 0 else (ab != 0).astype(ab.dtype)
        else:
            res = _p_norm(par.ufunc(np.abs, xa), p, dims, keepdim)
    res = np.asarray(res).astype(rt.np, copy=False)
    if out is not None:
        return write_out(out, res, rt, (input,), "linalg.vector_norm")
    r = make_tensor(res, rt)
    if input._rg and _gstate.enabled:
        record(NormBackward1, r, (input,), (input, r), (p, dims, keepdim or not a.ndim))
    return r


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """ember.linalg.matrix_norm: 'fro', 'nuc', inf, -inf, 1, -1, 2, -2 over the two dims ``dim``."""
    A = to_tensor_arg(A, "A", "linalg.matrix_norm")
    if A._data.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got " + str(dim))
    d0, d1 = (_wrap(d, A._data.ndim, "linalg.matrix_norm") for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    if dtype is not None:
        from .unary import cast
        A = cast(A, dtypes.to_dtype(dtype, "dtype", "linalg.matrix_norm"))
    if A._dtype.category < _FLOAT:
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as input. Got "
                           f"{A._dtype.name.capitalize()}")
    import ember
    if ord == "fro":
        r = vector_norm(A, 2, (d0, d1), keepdim)
    elif ord in ("nuc", 2, -2):
        s = ember.linalg.svdvals(ember.movedim(A, (d0, d1), (-2, -1)))
        r = sum(s, -1) if ord == "nuc" else amax(s, -1) if ord == 2 else amin(s, -1)
        if keepdim:
            for d in sorted((d0, d1)):
                r = r.unsqueeze(d)
    elif ord in (1, -1, float("inf"), float("-inf")):
        inner, outer = (d0, d1) if ord in (1, -1) else (d1, d0)
        s = sum(ember.abs(A), inner, keepdim=True)
        r = (amax if ord > 0 else amin)(s, outer, keepdim=True)
        if not keepdim:
            r = r.squeeze((d0, d1))
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if out is not None:
        return write_out(out, r._data, r._dtype, (A,), "linalg.matrix_norm")
    return r


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """torch.norm: vector p-norms, 'fro' (2-norm over dims) and 'nuc'."""
    input = to_tensor_arg(input, "input", "norm")
    if isinstance(dim, (int, np.integer)):
        dim = (dim,)
    if p is None or p == "fro":
        if dim is not None and len(dim) > 2:
            raise RuntimeError(f"linalg.vector_norm: 'fro' norm needs dim of length <= 2, got {dim}")
        return vector_norm(input, 2, dim, keepdim, dtype=dtype, out=out)
    if p == "nuc":
        return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim, dtype=dtype, out=out)
    if isinstance(p, str):
        raise RuntimeError(f"norm(): invalid norm type {p!r}")
    if not isinstance(p, (int, float, np.number)) or isinstance(p, bool):
        raise TypeError(f"norm(): argument 'p' must be a number or 'fro'/'nuc', not {type(p).__name__} (did you "
                        f"mean dim={p!r}?)")
    return vector_norm(input, p, dim, keepdim, dtype=dtype, out=out)


# ---------------------------------------------------------------- logsumexp
def _logsumexp_formula(F, g, x, out, dims, keepdim):
    return _unreduce(F, g, x.shape, dims, keepdim) * F.exp(x - _restore(out, x.shape, dims, keepdim))


LogsumexpBackward0 = node_class("LogsumexpBackward0", _logsumexp_formula)


def logsumexp(input, dim, keepdim=False, *, out=None):
    input = to_tensor_arg(input, "input", "logsumexp")
    dt = input._dtype if input._dtype.category >= _FLOAT else dtypes.get_default_dtype()
    x = input._data.astype(dt.np, copy=False)
    dims = _rdims(x, dim, "logsumexp")
    xf = x.astype(np.float32) if dt in _LOW else x
    if x.ndim == 0:
        res = xf.copy()
    else:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            m = par.reduce(np.maximum, xf, dims, True) if x.size else np.zeros(_kept(x.shape, dims), xf.dtype)
            m = np.where(np.isinf(m), 0, m)
            e = par.ufunc(np.subtract, xf, m)
            res = np.log(par.reduce(np.add, par.ufunc(np.exp, e, out=e), dims, True)) + m
        res = _squeeze(res, dims, keepdim)
    res = res.astype(dt.np, copy=False)
    if out is not None:
        return write_out(out, res, dt, (input,), "logsumexp")
    r = make_tensor(res, dt)
    if input._rg and _gstate.enabled:
        record(LogsumexpBackward0, r, (input,), (input, r), (dims, keepdim or not x.ndim))
    return r


# ---------------------------------------------------------------- cumulative ops
CumsumBackward0 = node_class("CumsumBackward0", lambda F, g, dim: F.rev_cumsum(g, dim))
CumprodBackward0 = node_class("CumprodBackward0", lambda F, g, x, out, dim: F.cumprod_grad(g, x, out, dim))


def _scan_acc(rt):
    """PyTorch's CPU scans accumulate in double for float (a float32 running sum of 4M elements is
    off by tens where double is off by a rounding), and in float for half and bfloat16."""
    if rt in _LOW:
        return np.float32
    return {np.float32: np.float64, np.complex64: np.complex128}.get(rt.np.type, rt.np)


_SCAN_CHUNK = 1 << 16     # values per step of a long float32 scan: the float64 copy (512 KiB) stays in L2


def _scan_piece(src, dst, lo, hi):
    """dst[lo:hi] = the double running sum of src (1-D float32) up to each of those positions, rounded once
    to float32, as PyTorch's serial double scan. A piece that does not start at 0 first sums src[:lo] in
    double (pairwise: a few ulps of double from the serial order, far below float32's rounding, unless
    the running sum cancels values ~1e16 times larger than what is left). inf - inf
    and totals beyond float32 give nan and inf without a warning, as in PyTorch."""
    with np.errstate(invalid="ignore", over="ignore"):
        carry = np.add.reduce(src[:lo], dtype=np.float64) if lo else 0.0
        buf = np.empty(_b.min(_SCAN_CHUNK, hi - lo))
        for i in range(lo, hi, _SCAN_CHUNK):
            b = buf[:_b.min(hi - i, _SCAN_CHUNK)]
            np.copyto(b, src[i:i + len(b)])
            b[0] += carry
            np.add.accumulate(b, out=b)
            carry = b[-1]
            np.copyto(dst[i:i + len(b)], b)


def _long_cumsum_f32(x, axis):
    """float32 cumsum with a double running total along a long last axis, or None for other shapes.

    The general path casts the whole array to float64 (a 2x larger temporary: page faults cost as much as
    the cast), scans it and casts back. Here each line is scanned in cache-sized float64 steps, written
    straight to float32; with several threads a line is cut in pieces, each starting from the double sum
    of the values before it. (NumPy's scan itself, one dependent add per element at ~3.5 ns, stays the
    cost: PyTorch's loop is ~1 ns. Breaking the chain by re-laying the line out does not pay in NumPy,
    measured on 4M at one thread against this kernel's 19-20 ms: the line as (m, n) blocks transposed
    and np.add.accumulate along axis 0 runs one dependent chain per column, 36-43 ms for m = 64..1024;
    blocks transposed into (K, B/K) double buffers, K - 1 row adds, the row totals' scan and a transposed
    write back, 17-25 ms (the transposed copies cost as much as the chain saved); one running row of m
    sums stepped down strided sub-blocks, 58-92 ms.)"""
    m = x.shape[axis]
    if axis % x.ndim != x.ndim - 1 or m < _SCAN_CHUNK:
        return None
    src = np.ascontiguousarray(x).reshape(-1, m)
    out = np.empty(x.shape, np.float32)
    dst = out.reshape(-1, m)
    threads = par.thread_count(x.size)
    per_line = 1 if len(src) >= threads else threads
    par.run_tasks(_scan_piece, [(src[i], dst[i], lo, hi) for i in range(len(src))
                                for lo, hi in par.chunks(m, per_line)], threads)
    return out


def _scan_dtype(input, dtype, op):
    if dtype is not None:
        return dtypes.to_dtype(dtype, "dtype", op)
    return dtypes.int64 if input._dtype.category <= dtypes._INT else input._dtype


def cumsum(input, dim, *, dtype=None, out=None):
    input = to_tensor_arg(input, "input", "cumsum")
    x = input._data
    d = _wrap(dim, x.ndim, "cumsum")
    rt = _scan_dtype(input, dtype, "cumsum")
    if x.ndim == 0:
        res = x.astype(rt.np)
    else:
        res = _long_cumsum_f32(x, d) if x.dtype == np.float32 and rt is dtypes.float32 else None
        if res is None:
            acc = _scan_acc(rt)
            if acc == x.dtype:
                res = par.accumulate(np.add, x, d).astype(rt.np, copy=False)
            else:   # cast first, then scan in place: NumPy's casting scan loop is ~25% slower
                res = x.astype(acc)
                par.accumulate(np.add, res, d, out=res)
                res = res.astype(rt.np, copy=False)
    if out is not None:
        return write_out(out, res, rt, (input,), "cumsum")
    r = make_tensor(res, rt)
    if input._rg and _gstate.enabled:
        record(CumsumBackward0, r, (input,), (), (d,))
    return r


def cumprod(input, dim, *, dtype=None, out=None):
    input = to_tensor_arg(input, "input", "cumprod")
    x = input._data
    d = _wrap(dim, x.ndim, "cumprod")
    rt = _scan_dtype(input, dtype, "cumprod")
    if x.ndim == 0:
        res = x.astype(rt.np)
    else:
        res = par.accumulate(np.multiply, x, d, _scan_acc(rt)).astype(rt.np, copy=False)
    if out is not None:
        return write_out(out, res, rt, (input,), "cumprod")
    r = make_tensor(res, rt)
    if input._rg and _gstate.enabled:
        xin = input if rt is input._dtype else input.to(rt)
        record(CumprodBackward0, r, (input,), (xin, r), (d,))
    return r


def _cum_extreme(input, dim, out, op, ufunc, better_or_equal, node):
    input = to_tensor_arg(input, "input", op)
    x = input._data
    d = _wrap(dim, x.ndim, op) if x.size else 0   # PyTorch returns an empty input before checking dim
    real_only(input, NotImplementedError, f"\"{op}_cpu\" not implemented for '{{dtype}}'")
    if x.ndim == 0 or x.size == 0:
        values = make_tensor(x.copy(), input._dtype)
        idx = np.zeros(x.shape, np.int64)
    else:
        v = ufunc.accumulate(x, axis=d)
        shp = [1] * x.ndim
        shp[d] = x.shape[d]
        pos = np.arange(x.shape[d], dtype=np.int64).reshape(shp)
        hit = x == v
        if x.dtype.kind == "f" or x.dtype.name == "bfloat16":
            hit |= np.isnan(x)
        idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=d)
        values = make_tensor(v, input._dtype)
    indices = make_tensor(idx, dtypes.int64)
    if input._rg and _gstate.enabled and out is None:
        record(node, values, (input,), (), (x.shape, idx, d if x.ndim else 0))
    return _results(op, values, indices, out)


def _cum_extreme_formula(F, g, shape, idx, dim):
    return F.scatter_dim(g, idx, dim, shape, True)


CummaxBackward0 = node_class("CummaxBackward0", _cum_extreme_formula)
CumminBackward0 = node_class("CumminBackward0", _cum_extreme_formula)


def cummax(input, dim, *, out=None):
    return _cum_extreme(input, dim, out, "cummax", np.maximum, None, CummaxBackward0)


def cummin(input, dim, *, out=None):
    return _cum_extreme(input, dim, out, "cummin", np.minimum, None, CumminBackward0)


def _scan_inplace(fn, name):
    def method(self, dim, *, dtype=None):
        from ._common import check_inplace
        from .inplace import apply_inplace
        check_inplace(self, name)
        if self._dtype is dtypes.bool:      # the scan's result (int64) has no bool kernel to go back into
            raise NotImplementedError(f"\"{name[:-1]}_out_cpu\" not implemented for 'Bool'")
        return apply_inplace(self, lambda t: fn(t, dim, dtype=dtype if dtype is not None else t._dtype))
    method.__name__ = name
    return method


# ---------------------------------------------------------------- logical reductions and counting
def _logical(input, dim, keepdim, out, op, fn):
    input = to_tensor_arg(input, "input", op)
    x = input._data
    dims = _rdims(x, dim, op)
    rt = dtypes.uint8 if input._dtype is dtypes.uint8 else dtypes.bool
    res = np.asarray(par.reduce(fn, x, dims, keepdim) if x.ndim else x.astype(bool)).astype(rt.np)
    if out is not None:
        return write_out(out, res, rt, (), op, exact=(dtypes.bool, dtypes.uint8))
    return make_tensor(res, rt)


def all(input, dim=None, keepdim=False, *, out=None):
    return _logical(input, dim, keepdim, out, "all", np.logical_and)


def any(input, dim=None, keepdim=False, *, out=None):
    return _logical(input, dim, keepdim, out, "any", np.logical_or)


def count_nonzero(input, dim=None):
    input = to_tensor_arg(input, "input", "count_nonzero")
    x = input._data
    dims = _rdims(x, dim, "count_nonzero")
    res = np.count_nonzero(x, axis=dims) if x.ndim else np.asarray(int(x != 0))
    return make_tensor(np.asarray(res, np.int64), dtypes.int64)


# ---------------------------------------------------------------- methods and exports
def _norm_method(self, p="fro", dim=None, keepdim=False, dtype=None):
    return norm(self, p, dim, keepdim, dtype=dtype)


attach(sum=sum, nansum=nansum, mean=mean, nanmean=nanmean, sum_to_size=sum_to_size, prod=prod, max=max, min=min,
       amax=amax, amin=amin, aminmax=aminmax, argmax=argmax, argmin=argmin, var=var, std=std, norm=_norm_method,
       logsumexp=logsumexp, cumsum=cumsum, cumprod=cumprod, cummax=cummax, cummin=cummin, all=all, any=any,
       count_nonzero=count_nonzero, cumsum_=_scan_inplace(cumsum, "cumsum_"),
       cumprod_=_scan_inplace(cumprod, "cumprod_"))

_define_namespace()

__all__ = ["sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax", "argmax", "argmin",
           "var", "std", "var_mean", "std_mean", "norm", "logsumexp", "cumsum", "cumprod", "cummax", "cummin",
           "all", "any", "count_nonzero", "return_types"]
