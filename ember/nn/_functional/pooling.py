"""Pooling kernels of nn.functional: max/avg pooling (1d/2d/3d), adaptive avg/max pooling,
max_unpool and lp_pool.

Max and average pooling loop over the kernel offsets (a handful of strided,
whole-array NumPy calls each), never over pixels. Each is one Node:

* max pooling saves the argmax as flat indices into the input plane; its
  gradient scatters the incoming gradient there (one ``bincount``); the
  Tensor form of that scatter is ``scatter_add``, so higher orders follow;
* average pooling is linear: its gradient is its adjoint (spread the gradient
  over each window), and the adjoint's gradient is the pooling again.

Adaptive average pooling is a product with per-dim averaging matrices
(matmul); adaptive max pooling loops over the output cells, whose windows
differ in size. lp_pool follows PyTorch's formula on avg_pool.
"""
import math

import numpy as np

from ... import dtypes
from ...autograd.formulas import define
from ...tensor import Tensor, make_tensor
from ...ops._common import _gstate, node_class, record, shown_as
from ._rows import rowwise
from .conv import Geometry, _offset_slices, _tuple

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
           "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d", "lp_pool1d",
           "lp_pool2d", "lp_pool3d"]

_LOWP = (np.dtype(np.float16), np.dtype(dtypes.bfloat16.np))


def _c(a):
    return a.astype(np.float32) if a.dtype in _LOWP else a


def _wrap(arr, like):
    dt = like._dtype
    return make_tensor(arr if arr.dtype == dt.np else arr.astype(dt.np), dt)


def _check_input(input, d, op, float_only=True):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.dim() not in (d + 1, d + 2) or any(s == 0 for s in input.shape[-d:]):
        raise RuntimeError(f"{op}: expected {d + 1}D or {d + 2}D input (batch dim optional) with non-zero spatial "
                           f"sizes, but got input of size: {list(input.shape)}")
    if float_only and input._dtype.category != dtypes._FLOAT:
        raise NotImplementedError(f"{op}: \"{op}\" not implemented for '{input._dtype.name}' (this pooling takes "
                                  f"floating-point tensors)")


def _as_batched(input, d):
    """(N, C, *S) view of input: a missing batch dim becomes one of size 1."""
    return (input.unsqueeze(0), True) if input.dim() == d + 1 else (input, False)


def _unbatch(t, squeeze):
    return t.squeeze(0) if squeeze else t


def _out_size(n, k, p, s, dl, ceil_mode):
    """PyTorch's pooling_output_shape: windows starting in the right padding are dropped."""
    num = n + 2 * p - dl * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _pool_geometry(input, d, kernel_size, stride, padding, dilation, ceil_mode, op):
    """Geometry of a pooling window (groups unused); hi padding covers ceil_mode's extra windows."""
    k = _tuple(kernel_size, d, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else \
        _tuple(stride, d, "stride", op)
    p = _tuple(padding, d, "padding", op)
    dl = _tuple(dilation, d, "dilation", op)
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{op}: kernel_size must be greater than zero, but got kernel_size={list(k)}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"{op}: stride should not be zero (got stride={list(s)})")
    if any(v <= 0 for v in dl):
        raise RuntimeError(f"{op}: dilation must be greater than zero, but got dilation={list(dl)}")
    for pp, kk, dd in zip(p, k, dl):
        # PyTorch's 1-d pooling bounds the padding by the dilated kernel, 2-d/3-d by the kernel itself
        if pp < 0 or pp > (((kk - 1) * dd + 1) if d == 1 else kk) // 2:
            raise RuntimeError(f"{op}: pad should be at most half of {'effective ' if d == 1 else ''}kernel size, "
                               f"but got pad={pp}, kernel_size={kk} and dilation={dd}")
    in_sp = tuple(input.shape[-d:])
    out = tuple(_out_size(n, kk, pp, ss, dd, ceil_mode) for n, kk, pp, ss, dd in zip(in_sp, k, p, s, dl))
    if any(o <= 0 for o in out):
        lead = "x".join(map(str, input.shape[-d - 1:-d]))
        raise RuntimeError(f"{op}: given input size: ({lead}x{'x'.join(map(str, in_sp))}). Calculated output size: "
                           f"({lead}x{'x'.join(map(str, out))}). Output size is too small")
    hi = tuple(max(pp, (o - 1) * ss + dd * (kk - 1) + 1 - n - pp)
               for o, ss, dd, kk, n, pp in zip(out, s, dl, k, in_sp, p))
    return Geometry(1, s, dl, p, hi, in_sp, out, k)


def _pad_value(x, geo, value):
    sp = tuple(n + a + b for n, a, b in zip(geo.in_sp, geo.lo, geo.hi))
    out = np.full(x.shape[:2] + sp, value, x.dtype)
    out[(Ellipsis,) + tuple(slice(a, a + n) for a, n in zip(geo.lo, geo.in_sp))] = x
    return out


# ------------------------------------------------------------------ max pooling
def _flat_index(kidx, geo):
    """Flat positions in the input plane of the chosen kernel offsets ``kidx`` (flat over K)."""
    d = len(geo.k_sp)
    ks = np.unravel_index(np.arange(math.prod(geo.k_sp)), geo.k_sp)
    offset = np.zeros(ks[0].shape, np.int64)             # each kernel offset's distance in the flat plane
    start = np.zeros(geo.out_sp, np.int64)                # each output cell's window corner (may be in padding)
    for i in range(d):
        offset = offset * geo.in_sp[i] + ks[i] * geo.dilation[i]
        shape = [1] * d
        shape[i] = geo.out_sp[i]
        start = start * geo.in_sp[i] + (np.arange(geo.out_sp[i]) * geo.stride[i] - geo.lo[i]).reshape(shape)
    return offset[kidx] + start


def _first_valid_offset(geo):
    """Per output cell, the flat kernel offset of the first in-bounds tap (for windows of only -inf)."""
    ks = []
    for i in range(len(geo.k_sp)):
        t = np.arange(geo.out_sp[i])
        start = t * geo.stride[i] - geo.lo[i]
        shape = [1] * len(geo.k_sp)
        shape[i] = geo.out_sp[i]
        ks.append(np.maximum(0, -(start // geo.dilation[i])).reshape(shape))
    return np.ravel_multi_index(tuple(np.broadcast_arrays(*ks)), geo.k_sp)


def _max_pool_arr(x, geo):
    """(values, kernel offset of the max, flat over K): the first maximum; a NaN wins (the last one, as PyTorch).
    The threads take slices of the samples."""
    x = _c(x)
    best = np.empty(x.shape[:2] + geo.out_sp, x.dtype)
    kidx = np.empty(best.shape, np.int8 if math.prod(geo.k_sp) <= 127 else np.int32)
    rowwise(_max_pool_rows, (x, best, kidx), (geo,))
    return best, kidx


def _max_pool_rows(x, best, kidx, geo):
    """Max pooling of samples x into best and kidx: a running maximum over the kernel offsets (two
    whole-array calls each); the offset index is updated arithmetically (kidx += m * (j - kidx)), much
    cheaper than argmax over a stacked axis or a masked copy."""
    padded = any(geo.lo) or any(geo.hi)
    floating = x.dtype.kind == "f"
    xp = _pad_value(x, geo, -np.inf if floating else np.iinfo(x.dtype).min) if padded else x
    offsets = list(np.ndindex(*geo.k_sp))
    np.copyto(best, xp[(Ellipsis,) + _offset_slices(offsets[0], geo)])
    kidx.fill(0)
    step = np.empty_like(kidx)
    for j in range(1, len(offsets)):
        v = xp[(Ellipsis,) + _offset_slices(offsets[j], geo)]
        m = v > best
        np.maximum(best, v, out=best)
        np.subtract(j, kidx, out=step)
        step *= m
        kidx += step
    if not floating:
        return
    nan = np.isnan(best)
    if nan.any():           # PyTorch's loop lets the last NaN of a window win
        for j in range(len(offsets)):
            np.putmask(kidx, nan & np.isnan(xp[(Ellipsis,) + _offset_slices(offsets[j], geo)]), j)
    if padded:
        dead = np.isneginf(best)
        if dead.any():      # every tap -inf: PyTorch reports the first in-bounds tap, never a padding one
            kidx[...] = np.where(dead, _first_valid_offset(geo), kidx)


def _a_max_bw(g, kidx, geo, in_shape):
    """The max-pool gradient: each cell's gradient to its chosen tap (one strided pass per kernel offset,
    the threads taking slices of the samples)."""
    g = _c(g)
    out = np.empty(g.shape[:2] + geo.in_sp, g.dtype)
    rowwise(_max_bw_rows, (out, g, kidx), (geo,))
    return out.reshape(in_shape)


def _max_bw_rows(out, g, kidx, geo):
    """Windows that never overlap (stride >= kernel, no dilation) write their taps straight into the
    result; padding is cropped at the end."""
    padded = any(geo.lo) or any(geo.hi)
    sp = tuple(n + a + b for n, a, b in zip(geo.in_sp, geo.lo, geo.hi))
    disjoint = all(s >= k for s, k in zip(geo.stride, geo.k_sp)) and all(d == 1 for d in geo.dilation)
    tiled = disjoint and all(s == k and o * s == n for s, k, o, n in zip(geo.stride, geo.k_sp, geo.out_sp, sp))
    buf = np.empty(g.shape[:2] + sp, g.dtype) if padded else out
    if not tiled:
        buf.fill(0)
    for j, off in enumerate(np.ndindex(*geo.k_sp)):
        dst = buf[(Ellipsis,) + _offset_slices(off, geo)]
        if disjoint:
            np.multiply(g, kidx == j, out=dst)
        else:
            dst += g * (kidx == j)
    if disjoint:
        buf += 0.0      # the taps not chosen hold g * 0, -0 for a negative g: +0 as PyTorch's scatter leaves them
    if padded:
        out[...] = buf[(Ellipsis,) + tuple(slice(a, a + n) for a, n in zip(geo.lo, geo.in_sp))]


def _t_max_bw(g, kidx, geo, in_shape):
    return _scatter_op(g, _flat_index(kidx, geo), in_shape, _a_scatter_back, MaxPool2DWithIndicesBackwardBackward0)


def _a_scatter_back(g, idx, in_shape):
    """The gradient of a gather at flat plane indices ``idx``: (N, C, *T) -> (N, C, *in_sp)."""
    n, c = g.shape[:2]
    plane = math.prod(in_shape[2:])
    gidx = idx.reshape(n * c, -1) + (np.arange(n * c) * plane)[:, None]
    out = np.bincount(gidx.ravel(), weights=g.reshape(-1), minlength=n * c * plane)
    return out.astype(g.dtype, copy=False).reshape(in_shape)


def _a_assign(g, idx, in_shape):
    """max_unpool: values placed at flat plane indices ``idx`` of zeros (a repeated index keeps one)."""
    n, c = g.shape[:2]
    out = np.zeros((n, c, math.prod(in_shape[2:])), g.dtype)
    np.put_along_axis(out, idx.reshape(n, c, -1), g.reshape(n, c, -1), 2)
    return out.reshape(in_shape)


def _a_gather(g, idx):
    n, c = g.shape[:2]
    return np.take_along_axis(g.reshape(n, c, -1), idx.reshape(n, c, -1), 2).reshape(idx.shape)


def _t_gather(g, idx):
    n, c = g.shape[:2]
    return g.reshape(n, c, -1).gather(2, make_tensor(idx.reshape(n, c, -1))).reshape(idx.shape)


define("pool_scatter_back", _a_scatter_back,
       lambda g, idx, shape: _scatter_op(g, idx, shape, _a_scatter_back, MaxPool2DWithIndicesBackwardBackward0))
define("pool_gather", _a_gather, lambda g, idx: _t_gather(g, idx))
define("pool_max_bw", _a_max_bw, _t_max_bw)


def _max_formula(F, g, idx, in_shape):
    return F.pool_scatter_back(g, idx, in_shape)


def _max_offsets_formula(F, g, kidx, geo, in_shape):
    return F.pool_max_bw(g, kidx, geo, in_shape)


def _scatter_formula(F, g, idx):
    return F.pool_gather(g, idx)


MaxPool2DWithIndicesBackward0 = node_class("MaxPool2DWithIndicesBackward0", _max_offsets_formula)
AdaptiveMaxPool2DBackward0 = node_class("AdaptiveMaxPool2DBackward0", _max_formula)
MaxPool2DWithIndicesBackwardBackward0 = node_class("MaxPool2DWithIndicesBackwardBackward0", _scatter_formula)
MaxUnpool2DBackward0 = node_class("MaxUnpool2DBackward0", _scatter_formula)


def _scatter_op(g, idx, in_shape, kernel, node):
    """A placement of g at flat plane indices as one node (scatter-add or assignment: its gradient is the gather)."""
    r = _wrap(kernel(_c(g._data), idx, in_shape), g)
    if _gstate.enabled and g._rg:
        record(node, r, (g,), (), (idx,))
    return r


def _record_max(x, vals, args, node):
    out = _wrap(vals, x)
    if _gstate.enabled and x._rg:
        record(node, out, (x,), (), args + (tuple(x.shape),))
    return out


def _shown(out, d, kind, squeeze=False):
    """A pooling's result (a batch added for the kernel taken off again where ``squeeze``), with PyTorch's
    grad_fn name for ``d`` spatial dims: its 1-d poolings end in a squeeze of the 2-d kernel, the others
    name their own rank (ember's kernels serve every rank)."""
    return shown_as(_unbatch(out, squeeze), "SqueezeBackward1" if d == 1 else kind.format(d=d), private_base=True)


def _max_pool(input, d, kernel_size, stride, padding, dilation, ceil_mode, return_indices, op):
    # integers too, as PyTorch's kernels (but bool, and 1-d pooling without its indices: a float-only kernel)
    _check_input(input, d, op, float_only=input._dtype is dtypes.bool or d == 1 and not return_indices)
    x, squeeze = _as_batched(input, d)
    geo = _pool_geometry(x, d, kernel_size, stride, padding, dilation, ceil_mode, op)
    vals, kidx = _max_pool_arr(x._data, geo)
    out = _shown(_record_max(x, vals, (kidx, geo), MaxPool2DWithIndicesBackward0), d,
                 "MaxPool{d}DWithIndicesBackward0", squeeze)
    if return_indices:
        return out, _unbatch(make_tensor(_flat_index(kidx, geo)), squeeze)
    return out


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool1d")


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool2d")


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool3d")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """(N, C, L) -> (N, C, L_out) [, indices into L]."""
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """(N, C, H, W) -> (N, C, H_out, W_out) [, indices flat over H*W]."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool2d")


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """(N, C, D, H, W) -> (N, C, D_out, H_out, W_out) [, indices flat over D*H*W]."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool3d")


# ------------------------------------------------------------------ average pooling
def _divisor(geo, count_include_pad, divisor_override):
    """Per output cell, what its window's sum is divided by (PyTorch's rule), shaped (*T)."""
    if divisor_override is not None:
        return np.asarray(float(divisor_override))
    div = np.ones(geo.out_sp)
    for i, (n, k, s, p, o) in enumerate(zip(geo.in_sp, geo.k_sp, geo.stride, geo.lo, geo.out_sp)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        size = end - start if count_include_pad else np.minimum(end, n) - np.maximum(start, 0)
        shape = [1] * len(geo.k_sp)
        shape[i] = o
        div = div * size.reshape(shape)
    return div


def _avg_arr(x, geo, div):
    """Window sums / divisor: (N, C, *S) -> (N, C, *T)."""
    x = _c(x)
    xp = _pad_value(x, geo, 0) if any(geo.lo) or any(geo.hi) else x
    out = np.zeros(x.shape[:2] + geo.out_sp, x.dtype)
    for k in np.ndindex(*geo.k_sp):
        out += xp[(Ellipsis,) + _offset_slices(k, geo)]
    if x.dtype.kind != "f":     # integers: PyTorch's kernel divides in integer arithmetic (toward zero)
        return np.trunc(out / div).astype(x.dtype)
    out /= div.astype(x.dtype)
    return out


def _avg_adj_arr(g, geo, div):
    """The adjoint of _avg_arr: each window gets its cell's gradient / divisor. (N, C, *T) -> (N, C, *S)."""
    g = _c(g) / div.astype(_c(g).dtype)
    sp = tuple(n + a + b for n, a, b in zip(geo.in_sp, geo.lo, geo.hi))
    buf = np.zeros(g.shape[:2] + sp, g.dtype)
    for k in np.ndindex(*geo.k_sp):
        buf[(Ellipsis,) + _offset_slices(k, geo)] += g
    return np.ascontiguousarray(buf[(Ellipsis,) + tuple(slice(a, a + n) for a, n in zip(geo.lo, geo.in_sp))])


def _avg_formula(F, g, kind, geo, div):
    return F.pool_avg_adj(g, geo, div) if kind == "avg" else F.pool_avg(g, geo, div)


AvgPool2DBackward0 = node_class("AvgPool2DBackward0", _avg_formula)
AvgPool2DBackwardBackward0 = node_class("AvgPool2DBackwardBackward0", _avg_formula)


def _avg_t(x, geo, div, kind="avg"):
    fn, node = (_avg_arr, AvgPool2DBackward0) if kind == "avg" else (_avg_adj_arr, AvgPool2DBackwardBackward0)
    r = _wrap(fn(x._data, geo, div), x)
    if _gstate.enabled and x._rg:
        record(node, r, (x,), (), (kind, geo, div))
    return r


define("pool_avg", _avg_arr, _avg_t)
define("pool_avg_adj", _avg_adj_arr, lambda g, geo, div: _avg_t(g, geo, div, "adj"))


def _avg_pool(input, d, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, op):
    _check_input(input, d, op, float_only=input._dtype is not dtypes.int64)   # PyTorch's one integer type here
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(f"{op}: divisor must be not zero")
    x, squeeze = _as_batched(input, d)
    geo = _pool_geometry(x, d, kernel_size, stride, padding, 1, ceil_mode, op)
    return _shown(_avg_t(x, geo, _divisor(geo, count_include_pad, divisor_override)), d, "AvgPool{d}DBackward0",
                  squeeze)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """(N, C, L) -> (N, C, L_out)."""
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """(N, C, H, W) -> (N, C, H_out, W_out)."""
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """(N, C, D, H, W) -> (N, C, D_out, H_out, W_out)."""
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool3d")


# ------------------------------------------------------------------ adaptive pooling
def _adaptive_sizes(input, d, output_size, op):
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * d
    output_size = tuple(output_size)
    if len(output_size) != d:
        raise ValueError(f"{op}: output_size must have {d} elements, got {list(output_size)}")
    in_sp = tuple(input.shape[-d:])
    out = tuple(n if o is None else int(o) for o, n in zip(output_size, in_sp))
    if any(o < 0 for o in out):
        raise RuntimeError(f"{op}: elements of output_size must be non-negative, got {list(out)}")
    return in_sp, out


def _bounds(n, o):
    """PyTorch's adaptive windows: [floor(i*n/o), ceil((i+1)*n/o)) for output cell i."""
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)


def _averaging_matrix(n, o, dtype):
    start, end = _bounds(n, o)
    j = np.arange(n)
    m = (j >= start[:, None]) & (j < end[:, None])
    return m / (end - start)[:, None].astype(dtype)


def _adaptive_avg(input, d, output_size, op):
    _check_input(input, d, op)
    in_sp, out = _adaptive_sizes(input, d, output_size, op)
    x = input
    nd = x.dim()
    for i in range(d):          # pool one spatial dim at a time: a product with its (out, in) averaging matrix
        m = make_tensor(_averaging_matrix(in_sp[i], out[i], np.float64).astype(_c(x._data).dtype))
        if m._dtype is not x._dtype:
            m = m.to(x._dtype)
        x = (x.movedim(nd - d + i, -1) @ m.mT).movedim(-1, nd - d + i)
    return _shown(x, d, "MeanBackward1" if all(o == 1 for o in out) else "AdaptiveAvgPool{d}DBackward0")


def adaptive_avg_pool1d(input, output_size):
    """(N, C, L) -> (N, C, output_size)."""
    return _adaptive_avg(input, 1, output_size, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    """(N, C, H, W) -> (N, C, *output_size); None in output_size keeps that dim."""
    return _adaptive_avg(input, 2, output_size, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(input, 3, output_size, "adaptive_avg_pool3d")


def _adaptive_max_arr(x, in_sp, out):
    """Max and flat argmax over PyTorch's adaptive windows, one output cell at a time (windows differ)."""
    x = _c(x)
    n, c = x.shape[:2]
    vals = np.empty((n, c) + out, x.dtype)
    idx = np.empty((n, c) + out, np.int64)
    bounds = [_bounds(s, o) for s, o in zip(in_sp, out)]
    for cell in np.ndindex(*out):
        lo = [int(bounds[i][0][t]) for i, t in enumerate(cell)]
        hi = [int(bounds[i][1][t]) for i, t in enumerate(cell)]
        win = x[(Ellipsis,) + tuple(slice(a, b) for a, b in zip(lo, hi))].reshape(n, c, -1)
        nan = np.isnan(win)
        a = np.where(nan.any(-1), nan.argmax(-1), win.argmax(-1))
        vals[(Ellipsis,) + cell] = np.take_along_axis(win, a[..., None], -1)[..., 0]
        pos = np.unravel_index(a, tuple(b - e for b, e in zip(hi, lo)))
        flat = 0
        for i in range(len(out)):
            flat = flat * in_sp[i] + pos[i] + lo[i]
        idx[(Ellipsis,) + cell] = flat
    return vals, idx


def _adaptive_max(input, d, output_size, return_indices, op):
    _check_input(input, d, op)
    x, squeeze = _as_batched(input, d)
    in_sp, out = _adaptive_sizes(x, d, output_size, op)
    vals, idx = _adaptive_max_arr(x._data, in_sp, out)
    res = _shown(_record_max(x, vals, (idx,), AdaptiveMaxPool2DBackward0), d, "AdaptiveMaxPool{d}DBackward0",
                 squeeze)
    if return_indices:
        return res, _unbatch(make_tensor(idx), squeeze)
    return res


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(input, 1, output_size, return_indices, "adaptive_max_pool1d")


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(input, 2, output_size, return_indices, "adaptive_max_pool2d")


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(input, 3, output_size, return_indices, "adaptive_max_pool3d")


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max(input, 1, output_size, return_indices, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """(N, C, H, W) -> (N, C, *output_size) [, indices flat over H*W]."""
    return _adaptive_max(input, 2, output_size, return_indices, "adaptive_max_pool2d")


def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max(input, 3, output_size, return_indices, "adaptive_max_pool3d")


# ------------------------------------------------------------------ max_unpool
def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    d = len(kernel_size)
    default = [(input.shape[-d + i] - 1) * stride[i] + kernel_size[i] - 2 * padding[i] for i in range(d)]
    if output_size is None:
        return default
    output_size = list(output_size)
    if len(output_size) == d + 2:
        output_size = output_size[2:]
    if len(output_size) != d:
        raise ValueError(f"output_size should be a sequence containing {d} or {d + 2} elements, but it has a "
                         f"length of '{len(output_size)}'")
    for i in range(d):
        lo, hi = default[i] - stride[i], default[i] + stride[i]
        if not lo < output_size[i] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {i} must be between {lo} and {hi})')
    return output_size


def _max_unpool(input, indices, d, kernel_size, stride, padding, output_size, op):
    _check_input(input, d, op)
    if not isinstance(indices, Tensor) or indices._dtype is not dtypes.int64:
        raise RuntimeError(f"{op}: expected 'indices' to be an int64 Tensor (as returned by max_pool with "
                           f"return_indices=True), got {getattr(indices, 'dtype', type(indices).__name__)}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"{op}: expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}")
    k = _tuple(kernel_size, d, "kernel_size", op)
    s = k if stride is None else _tuple(stride, d, "stride", op)
    p = _tuple(padding, d, "padding", op)
    out_sp = tuple(int(v) for v in _unpool_output_size(input, k, s, p, output_size))
    x, squeeze = _as_batched(input, d)
    idx = indices._data.reshape(x.shape)
    plane = math.prod(out_sp)
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = int(idx.max() if idx.max() >= plane else idx.min())
        raise RuntimeError(f"{op}: found an invalid max index {bad} (output volumes are of size "
                           f"{'x'.join(map(str, out_sp))})")
    out = _scatter_op(x, idx, tuple(x.shape[:2]) + out_sp, _a_assign, MaxUnpool2DBackward0)
    return _shown(out, d, "MaxUnpool{d}DBackward0", squeeze)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, 1, kernel_size, stride, padding, output_size, "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d: values placed at ``indices``, zeros elsewhere."""
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size, "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size, "max_unpool3d")


# ------------------------------------------------------------------ power-average pooling
def _lp_pool(input, d, norm_type, kernel_size, stride, ceil_mode):
    """PyTorch's formula: (sign(avg(x^p)) * relu(|avg(x^p)|) * prod(k)) ^ (1/p)."""
    import ember
    from .activation import relu
    k = _tuple(kernel_size, d, "kernel_size", f"lp_pool{d}d")
    mx = (max_pool1d, max_pool2d, max_pool3d)[d - 1]
    if norm_type == float("inf"):
        return mx(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -mx(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    avg = (avg_pool1d, avg_pool2d, avg_pool3d)[d - 1]
    out = avg(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (ember.sign(out) * relu(ember.abs(out))).mul(math.prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each window of x^p)^(1/p)."""
    return _lp_pool(input, 2, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, 3, norm_type, kernel_size, stride, ceil_mode)
