"""Convolution kernels of nn.functional: conv1d/2d/3d, conv_transpose1d/2d/3d, unfold, fold.

Every convolution is built from three array kernels that are each other's
derivatives (``x`` is the input, ``w`` the weight, ``y`` the output; ``geo``
the geometry: groups, stride, dilation, zero padding before/after, input and
output spatial sizes):

* ``_fwd(x, w)``      y = conv(x, w)                     (N, C, *S) -> (N, O, *T)
* ``_bwd_input(y, w)``  the adjoint of ``_fwd`` in x: conv_transpose  (N, O, *T) -> (N, C, *S)
* ``_bwd_weight(x, y)`` the adjoint of ``_fwd`` in w                  -> (O, C/groups, *K)

``_fwd`` is im2col through a strided view (one copy) and one batched matrix
product over the groups; ``_bwd_input`` is one matrix product and a col2im
(one strided add per kernel offset, never a loop over pixels). As the three are
linear in each operand and adjoint to each other, the derivative of each is
made of the other two, so one Node per convolution serves first order (on
arrays) and any higher order (the same three ops on Tensors).

float16/bfloat16 compute in float32 and round once, as PyTorch's CPU kernels.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ... import dtypes
from ...autograd.formulas import define, tensor_ns
from ...tensor import Tensor, make_tensor
from ...ops._common import _gstate, node_class, record
from ._rows import add_rows, contiguous, rowwise
from .activation import _TORCH_NAMES

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "unfold", "fold"]

_LOWP = (np.dtype(np.float16), np.dtype(dtypes.bfloat16.np))


# ------------------------------------------------------------------ geometry
class Geometry(tuple):
    """(groups, stride, dilation, pad_lo, pad_hi, in_sp, out_sp, k_sp): one convolution's shape facts."""

    __slots__ = ()

    def __new__(cls, groups, stride, dilation, lo, hi, in_sp, out_sp, k_sp):
        return tuple.__new__(cls, (groups, tuple(stride), tuple(dilation), tuple(lo), tuple(hi),
                                   tuple(in_sp), tuple(out_sp), tuple(k_sp)))

    groups = property(lambda s: s[0])
    stride = property(lambda s: s[1])
    dilation = property(lambda s: s[2])
    lo = property(lambda s: s[3])
    hi = property(lambda s: s[4])
    in_sp = property(lambda s: s[5])
    out_sp = property(lambda s: s[6])
    k_sp = property(lambda s: s[7])


def _natural_out(in_sp, k_sp, stride, dilation, lo, hi):
    return tuple((i + a + b - d * (k - 1) - 1) // s + 1
                 for i, k, s, d, a, b in zip(in_sp, k_sp, stride, dilation, lo, hi))


# ------------------------------------------------------------------ array kernels
def _c(a):
    return a.astype(np.float32) if a.dtype in _LOWP else a


def _padded(x, geo):
    """x with zero padding (lo, hi) on its spatial dims (x itself when there is none)."""
    if not any(geo.lo) and not any(geo.hi):
        return x
    sp = tuple(i + a + b for i, a, b in zip(x.shape[2:], geo.lo, geo.hi))
    out = np.zeros(x.shape[:2] + sp, x.dtype)
    out[(Ellipsis,) + tuple(slice(a, a + i) for a, i in zip(geo.lo, x.shape[2:]))] = x
    return out


def _columns(x, geo):
    """im2col: (groups, C/groups * prod(K), N * prod(T)); the threads take slices of the samples."""
    n, c = x.shape[:2]
    # layout (C, *K, N, *T): the rows of one group are contiguous, columns run over N and T
    cols = np.empty((c,) + geo.k_sp + (n,) + geo.out_sp, x.dtype)
    rowwise(_im2col_rows, (x, _samples_first(cols, geo)), (geo,))
    g = geo.groups
    return cols.reshape(g, (c // g) * math.prod(geo.k_sp), n * math.prod(geo.out_sp))


def _samples_first(cols, geo):
    """A (C, *K, N, *T) column array viewed as (N, C, *K, *T)."""
    return np.moveaxis(cols, 1 + len(geo.k_sp), 0)


def _im2col_rows(x, cols, geo):
    """The columns (n, C, *K, *T) of samples x (n, C, *S): padded here, one strided copy per kernel offset."""
    xp = _padded(x, geo)
    for k in np.ndindex(*geo.k_sp):
        cols[(slice(None), slice(None)) + k] = xp[(slice(None), slice(None)) + _offset_slices(k, geo)]


def _offset_slices(k, geo):
    """The strided positions of the padded input that kernel offset ``k`` meets, one slice per spatial dim."""
    return tuple(slice(kk * dd, kk * dd + ss * (t - 1) + 1, ss)
                 for kk, dd, ss, t in zip(k, geo.dilation, geo.stride, geo.out_sp))


def _per_group(y, g):
    """(N, O, *T) -> (groups, O/groups, N * prod(T)) (a copy, on the threads)."""
    n, o = y.shape[:2]
    return contiguous(y.reshape(n, g, o // g, -1).transpose(1, 2, 0, 3), axis=1).reshape(g, o // g, -1)


def _gmm(a, b):
    """Per-group matrix products (g, m, k) @ (g, k, n); one plain 2-D BLAS call when g == 1 (faster)."""
    if a.shape[0] == 1:
        return (a[0] @ b[0])[None]
    return np.matmul(a, b)


def _fwd(x, w, geo):
    """y = conv(x, w): (N, C, *S), (O, C/g, *K) -> (N, O, *T)."""
    return _fwd_cols(x, w, geo)[0]


def _fwd_cols(x, w, geo):
    """(y, the im2col columns of x) (the columns serve the weight gradient)."""
    x, w = _c(x), _c(w)
    n, g, o = x.shape[0], geo.groups, w.shape[0]
    cols = _columns(x, geo)
    res = _gmm(w.reshape(g, o // g, -1), cols)                 # (g, O/g, N*T)
    res = res.reshape(g, o // g, n, -1).transpose(2, 0, 1, 3)
    return contiguous(res).reshape((n, o) + geo.out_sp), cols


def _col2im(cols, n, c, geo):
    """col2im: the (N, C, *S) sum of the columns (N, C, *K, *T) at their strided positions; the threads
    take slices of the samples."""
    out = np.empty((n, c) + geo.in_sp, cols.dtype)
    rowwise(_col2im_rows, (out, cols), (geo,))
    return out


def _col2im_rows(out, cols, geo):
    """out (n, C, *S) = the columns (n, C, *K, *T), each kernel offset's added at its strided positions
    (into a zero-padded buffer when there is padding, then cropped)."""
    padded = any(geo.lo) or any(geo.hi)
    if padded:
        buf = np.zeros(out.shape[:2] + tuple(i + a + b for i, a, b in zip(geo.in_sp, geo.lo, geo.hi)), out.dtype)
    else:
        buf = out
        buf.fill(0)
    for k in np.ndindex(*geo.k_sp):
        buf[(slice(None), slice(None)) + _offset_slices(k, geo)] += cols[(slice(None), slice(None)) + k]
    if padded:
        out[...] = buf[(Ellipsis,) + tuple(slice(a, a + i) for a, i in zip(geo.lo, geo.in_sp))]


def _bwd_input(y, w, geo):
    """The adjoint of _fwd in x (conv_transpose): (N, O, *T), (O, C/g, *K) -> (N, C, *S)."""
    y, w = _c(y), _c(w)
    n, g, o, cg = y.shape[0], geo.groups, w.shape[0], w.shape[1]
    wt = w.reshape(g, o // g, -1).transpose(0, 2, 1)                 # (g, Cg*K, O/g)
    cols = _gmm(wt, _per_group(y, g))                           # (g, Cg*K, N*T)
    cols = cols.reshape((g * cg,) + geo.k_sp + (n,) + geo.out_sp)    # (C, *K, N, *T)
    return _col2im(_samples_first(cols, geo), n, g * cg, geo)


def _bwd_weight(x, y, geo, cols=None):
    """The adjoint of _fwd in w: (N, C, *S), (N, O, *T) -> (O, C/g, *K); ``cols``: x's columns if known."""
    x, y = _c(x), _c(y)
    g, o, c = geo.groups, y.shape[1], x.shape[1]
    if cols is None:
        cols = _columns(x, geo)
    res = _gmm(_per_group(y, g), cols.transpose(0, 2, 1))      # (g, O/g, Cg*K)
    return res.reshape((o, c // g) + geo.k_sp)


def _bias_grad(g):
    return g.sum(axis=(0,) + tuple(range(2, g.ndim)))


# ------------------------------------------------------------------ Tensor ops and their Node
def _finish(arr, like):
    dt = like._dtype
    return make_tensor(arr if arr.dtype == dt.np else arr.astype(dt.np), dt)


def _conv_formula(F, g, a, b, cols, kind, geo, needs):
    """Gradients of out = op(a, b) [+ bias] for op in (fwd, bwd_input, bwd_weight), from their adjoints.

    cols: a's im2col columns, saved by a first-order fwd that needs the weight gradient (else None)."""
    fwd, bwd_in, bwd_w = F.conv_fwd, F.conv_bwd_input, F.conv_bwd_weight
    if kind == "fwd":          # out = fwd(a=x, b=w)
        ga = bwd_in(g, b, geo) if needs[0] else None
        gb = (bwd_w(a, g, geo) if cols is None or F is tensor_ns else _bwd_weight(a, g, geo, cols)) \
            if needs[1] else None
    elif kind == "bwd_input":  # out = bwd_input(a=y, b=w): a is y-shaped, out x-shaped
        ga = fwd(g, b, geo) if needs[0] else None
        gb = bwd_w(g, a, geo) if needs[1] else None
    else:                      # out = bwd_weight(a=x, b=y): out w-shaped
        ga = bwd_in(b, g, geo) if needs[0] else None
        gb = fwd(a, g, geo) if needs[1] else None
    gbias = F.conv_bias_grad(g) if needs[2] else None
    return ga, gb, gbias


ConvolutionBackward0 = node_class("ConvolutionBackward0", _conv_formula)
ConvolutionBackwardBackward0 = node_class("ConvolutionBackwardBackward0", _conv_formula)

_ARRAY_KERNELS = {"fwd": _fwd, "bwd_input": _bwd_input, "bwd_weight": _bwd_weight}


def _apply(kind, a, b, bias, geo, node=ConvolutionBackward0):
    """One convolution op on Tensors: ``kind`` of (a, b), plus bias on the channel dim, as one Node."""
    grad = _gstate.enabled and (a._rg or b._rg or (bias is not None and bias._rg))
    cols = None
    if kind == "fwd" and grad and b._rg:
        out, cols = _fwd_cols(a._data, b._data, geo)
        cols = make_tensor(cols)
    else:
        out = _ARRAY_KERNELS[kind](a._data, b._data, geo)
    if bias is not None:
        add_rows(out, _c(bias._data).reshape((-1,) + (1,) * len(geo.k_sp)))
    r = _finish(out, a)
    if grad:
        needs = (a._rg, b._rg, bias is not None and bias._rg)
        record(node, r, (a, b, bias), (a, b, cols), (kind, geo, needs))
    return r


def _t_kernel(kind):
    return lambda a, b, geo: _apply(kind, a, b, None, geo, ConvolutionBackwardBackward0)


define("conv_fwd", _fwd, _t_kernel("fwd"))
define("conv_bwd_input", _bwd_input, _t_kernel("bwd_input"))
define("conv_bwd_weight", _bwd_weight, _t_kernel("bwd_weight"))
define("conv_bias_grad", _bias_grad, lambda g: g.sum(dim=(0,) + tuple(range(2, g.dim()))))


# ------------------------------------------------------------------ argument handling
def _tuple(v, d, name, op):
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v),) * d
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return v * d
    if len(v) != d:
        raise RuntimeError(f"{op}: expected {name} to be a single integer value or a list of {d} values to match "
                           f"the convolution dimensions, but got {name}={list(v)}")
    return v


def _only_long_ints(t, kernel):
    """PyTorch's transposed and dilated CPU kernels take int64 but no other integer type."""
    if t._dtype.category != dtypes._FLOAT and t._dtype is not dtypes.int64:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TORCH_NAMES[t._dtype.name]}'")


def _check_inputs(input, weight, bias, d, op):
    for name, t in (("input", input), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"{op}(): argument 'bias' must be Tensor, not {type(bias).__name__}")
    if input.dim() not in (d + 1, d + 2):
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {op}, but got input of "
                           f"size: {list(input.shape)}")
    if weight.dim() != d + 2:
        raise RuntimeError(f"{op}: expected weight to be {d + 2}-dimensional, but got weight of size "
                           f"{list(weight.shape)}")
    for t in (input, weight) + ((bias,) if bias is not None else ()):
        if t._dtype is dtypes.bool or t._dtype.is_complex:     # integers convolve, as PyTorch's CPU kernels
            raise NotImplementedError(f"{op}: \"slow_conv{d}d_cpu\" not implemented for '{t._dtype.name}'")
    if input._dtype is not weight._dtype or (bias is not None and bias._dtype is not input._dtype):
        raise RuntimeError(f"{op}: input type ({input._dtype.name}) and weight type ({weight._dtype.name})"
                           + (f" and bias type ({bias._dtype.name})" if bias is not None else "")
                           + " should be the same")


def _batched(input, d):
    """(input with a batch dim, whether one was added)."""
    if input.dim() == d + 1:
        return input.unsqueeze(0), True
    return input, False


def _check_channels(x, w, bias, groups, op, transposed=False):
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported (got groups={groups})")
    c = x.shape[1]
    if transposed:
        if w.shape[0] != c:
            raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected input"
                               f"{list(x.shape)} to have {w.shape[0]} channels, but got {c} channels instead")
        out_c = w.shape[1] * groups
        if c % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                               f"but got weight of size {list(w.shape)} instead")
    else:
        if w.shape[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                               f"but got weight of size {list(w.shape)} instead")
        if w.shape[1] * groups != c:
            raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected input"
                               f"{list(x.shape)} to have {w.shape[1] * groups} channels, but got {c} channels "
                               f"instead")
        out_c = w.shape[0]
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_c):
        raise RuntimeError(f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with {out_c} "
                           f"elements, but got bias of size {list(bias.shape)} instead")


def _convnd(input, weight, bias, stride, padding, dilation, groups, d):
    op = f"conv{d}d"
    _check_inputs(input, weight, bias, d, op)
    x, squeeze = _batched(input, d)
    _check_channels(x, weight, bias, groups, op)
    stride = _tuple(stride, d, "stride", op)
    dilation = _tuple(dilation, d, "dilation", op)
    if any(v != 1 for v in dilation):
        _only_long_ints(input, "slow_conv_dilated<>")
    k_sp = tuple(weight.shape[2:])
    in_sp = tuple(x.shape[2:])
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: non-positive stride is not supported (got stride={list(stride)})")
    if any(v <= 0 for v in dilation):
        raise RuntimeError(f"{op}: dilation should be greater than zero (got dilation={list(dilation)})")
    if isinstance(padding, str):
        if padding == "valid":
            lo = hi = (0,) * d
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [dd * (k - 1) for dd, k in zip(dilation, k_sp)]
            lo = tuple(t // 2 for t in total)
            hi = tuple(t - t // 2 for t in total)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}' (expected 'same', 'valid' or integers)")
    else:
        lo = hi = _tuple(padding, d, "padding", op)
        if any(p < 0 for p in lo):
            raise RuntimeError(f"{op}: negative padding is not supported (got padding={list(lo)})")
    padded = [i + a + b for i, a, b in zip(in_sp, lo, hi)]
    eff = [dd * (k - 1) + 1 for dd, k in zip(dilation, k_sp)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"{op}: calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than actual "
                           f"input size")
    geo = Geometry(groups, stride, dilation, lo, hi, in_sp, _natural_out(in_sp, k_sp, stride, dilation, lo, hi),
                   k_sp)
    out = _apply("fwd", x, weight, bias, geo)
    return out.squeeze(0) if squeeze else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """(N, C, L) * (O, C/groups, K) -> (N, O, L_out); padding int, tuple, 'same' or 'valid'."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """(N, C, H, W) * (O, C/groups, kH, kW) -> (N, O, H_out, W_out)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """(N, C, D, H, W) * (O, C/groups, kD, kH, kW) -> (N, O, D_out, H_out, W_out)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3)


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, d):
    op = f"conv_transpose{d}d"
    _check_inputs(input, weight, bias, d, op)
    if isinstance(padding, str):
        raise TypeError(f"{op}(): argument 'padding' must be tuple of ints, not str")
    x, squeeze = _batched(input, d)
    _check_channels(x, weight, bias, groups, op, transposed=True)
    _only_long_ints(input, f"slow_conv_transpose{max(d, 2)}d_out_cpu")
    stride = _tuple(stride, d, "stride", op)
    dilation = _tuple(dilation, d, "dilation", op)
    pad = _tuple(padding, d, "padding", op)
    opad = _tuple(output_padding, d, "output_padding", op)
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: non-positive stride is not supported (got stride={list(stride)})")
    if any(v <= 0 for v in dilation):
        raise RuntimeError(f"{op}: dilation should be greater than zero (got dilation={list(dilation)})")
    if any(p < 0 for p in pad):
        raise RuntimeError(f"{op}: negative padding is not supported (got padding={list(pad)})")
    for o, s, dd in zip(opad, stride, dilation):
        if o < 0 or (o >= s and o >= dd):
            raise RuntimeError(f"{op}: output padding must be smaller than either stride or dilation, but got "
                               f"output_padding={list(opad)}, stride={list(stride)}, dilation={list(dilation)}")
    k_sp = tuple(weight.shape[2:])
    t_sp = tuple(x.shape[2:])
    out_sp = tuple((t - 1) * s - 2 * p + dd * (k - 1) + o + 1
                   for t, s, p, dd, k, o in zip(t_sp, stride, pad, dilation, k_sp, opad))
    if any(v <= 0 for v in out_sp):
        raise RuntimeError(f"{op}: given input size per channel {list(t_sp)}, the calculated output size "
                           f"{list(out_sp)} is too small")
    # the transposed conv of x is the input-gradient of the conv that maps out_sp back to x's size
    geo = Geometry(groups, stride, dilation, pad, pad, out_sp, t_sp, k_sp)
    out = _apply("bwd_input", x, weight, bias, geo)
    return out.squeeze(0) if squeeze else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """(N, C, L) * (C, O/groups, K) -> (N, O, L_out), L_out = (L-1)s - 2p + d(K-1) + output_padding + 1."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """(N, C, H, W) * (C, O/groups, kH, kW) -> (N, O, H_out, W_out)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """(N, C, D, H, W) * (C, O/groups, kD, kH, kW) -> (N, O, D_out, H_out, W_out)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 3)


# ------------------------------------------------------------------ unfold / fold (im2col / col2im)
def _unfold_arr(x, geo):
    """(N, C, H, W) -> (N, C*kH*kW, L)."""
    x = _c(x)
    n = x.shape[0]
    cols = _columns(x, geo)[0]                                        # (C*K, N*L), groups = 1
    return contiguous(cols.reshape(cols.shape[0], n, -1).transpose(1, 0, 2))


def _fold_arr(cols, geo):
    """(N, C*kH*kW, L) -> (N, C, H, W): the adjoint of unfold (overlaps add up)."""
    cols = _c(cols)
    n, ck = cols.shape[:2]
    k = math.prod(geo.k_sp)
    return _col2im(cols.reshape((n, ck // k) + geo.k_sp + geo.out_sp), n, ck // k, geo)


def _fold_formula(F, g, kind, geo):
    return F.conv_fold(g, geo) if kind == "unfold" else F.conv_unfold(g, geo)


Im2ColBackward0 = node_class("Im2ColBackward0", _fold_formula)
Col2ImBackward0 = node_class("Col2ImBackward0", _fold_formula)


def _unfold_t(x, geo):
    r = _finish(_unfold_arr(x._data, geo), x)
    if _gstate.enabled and x._rg:
        record(Im2ColBackward0, r, (x,), (), ("unfold", geo))
    return r


def _fold_t(x, geo):
    r = _finish(_fold_arr(x._data, geo), x)
    if _gstate.enabled and x._rg:
        record(Col2ImBackward0, r, (x,), (), ("fold", geo))
    return r


define("conv_unfold", _unfold_arr, _unfold_t)
define("conv_fold", _fold_arr, _fold_t)


def _fold_geometry(in_sp, kernel_size, dilation, padding, stride, op):
    k = _tuple(kernel_size, 2, "kernel_size", op)
    dil = _tuple(dilation, 2, "dilation", op)
    pad = _tuple(padding, 2, "padding", op)
    st = _tuple(stride, 2, "stride", op)
    if any(v <= 0 for v in k + dil + st) or any(p < 0 for p in pad):
        raise RuntimeError(f"{op}: kernel_size, dilation and stride must be positive and padding non-negative "
                           f"(got kernel_size={list(k)}, dilation={list(dil)}, padding={list(pad)}, "
                           f"stride={list(st)})")
    out = _natural_out(in_sp, k, st, dil, pad, pad)
    return Geometry(1, st, dil, pad, pad, in_sp, out, k)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) -> (N, C*prod(kernel_size), L), L the number of sliding blocks."""
    if not isinstance(input, Tensor):
        raise TypeError(f"unfold(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.dim()}D)")
    x, squeeze = _batched(input, 2)
    geo = _fold_geometry(tuple(x.shape[2:]), kernel_size, dilation, padding, stride, "unfold")
    if any(o <= 0 for o in geo.out_sp):
        raise RuntimeError(f"unfold: given input with spatial size {list(geo.in_sp)}, kernel_size={list(geo.k_sp)}, "
                           f"dilation={list(geo.dilation)}, padding={list(geo.lo)}, calculated shape of the array "
                           f"of sliding blocks as {list(geo.out_sp)}, but its components must be at least one.")
    out = _unfold_t(x, geo)
    return out.squeeze(0) if squeeze else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: (N, C*prod(kernel_size), L) -> (N, C, *output_size), summing overlapping values."""
    if not isinstance(input, Tensor):
        raise TypeError(f"fold(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                           f"(got {input.dim()}D)")
    x = input.unsqueeze(0) if input.dim() == 2 else input
    geo = _fold_geometry(_tuple(output_size, 2, "output_size", "fold"), kernel_size, dilation, padding, stride,
                         "fold")
    k = math.prod(geo.k_sp)
    blocks = math.prod(geo.out_sp)
    if x.shape[1] % k:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={x.shape[1]} and kernel_size={geo.k_sp}")
    if x.shape[2] != blocks or any(o <= 0 for o in geo.out_sp):
        raise RuntimeError(f"Given output_size={list(geo.in_sp)}, kernel_size={list(geo.k_sp)}, "
                           f"dilation={list(geo.dilation)}, padding={list(geo.lo)}, stride={list(geo.stride)}, "
                           f"expected size of input's dimension 2 to match the calculated number of sliding "
                           f"blocks {' * '.join(map(str, geo.out_sp))} = {blocks}, but got input.size(2)={x.shape[2]}.")
    out = _fold_t(x, geo)
    return out.squeeze(0) if input.dim() == 2 else out
