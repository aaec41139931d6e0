"""Image kernels of nn.functional: interpolate (and the old upsample* names), grid_sample,
affine_grid, pixel_shuffle / pixel_unshuffle and channel_shuffle.

All are compositions of differentiable ember ops, so forward and backward come from them:

* interpolate resamples one spatial axis at a time. nearest / nearest-exact pick source
  positions (``index_select``, whose backward is ``index_add``); linear, bilinear,
  trilinear and bicubic multiply by a small (out, in) interpolation matrix along each axis
  (a matmul forward, the transposed matmul backward). The matrices follow PyTorch's
  CPU kernels to the letter: ``area_pixel_compute_source_index`` for the source
  positions (with or without align_corners, 1/scale_factor when a scale is given and not
  recomputed), clamped neighbours at the edges, and the cubic convolution with A = -0.75.
  They are computed in float32 (float64 for float64 inputs) as PyTorch's opmath.
* grid_sample unnormalises the grid, applies the padding mode (clip / reflect, with
  ember ops so the grid's gradient follows their derivatives as PyTorch's hand-written
  one does), then gathers the 2**d corner values per output point and blends them with
  the (bi/tri)linear weights; nearest rounds half to even (``nearbyint``); bicubic blends
  4 x 4 taps with the cubic weights (A = -0.75), each tap padded on its own. The gather
  is one node on a channels-last copy of the image (a row gather forward, one bincount
  backward); out-of-bounds taps read an extra zero row.
* affine_grid is one batched matmul of the base grid with theta's transpose.
* pixel_shuffle / pixel_unshuffle / channel_shuffle are reshape + permute.
"""
import functools
import itertools
import math
import operator
import warnings

import numpy as np

from ... import dtypes
from ...autograd.formulas import define
from ...creation import zeros
from ...ops._common import _gstate, node_class, record, shown_as
from ...ops.joining import cat
from ...tensor import Tensor, make_tensor
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "grid_sample", "affine_grid",
           "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle"]

_SPATIAL_MODE = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_AREA = {1: adaptive_avg_pool1d, 2: adaptive_avg_pool2d, 3: adaptive_avg_pool3d}


def _require_tensor(x, name, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")


def _is_integer(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool) or \
        isinstance(x, Tensor) and x.dim() == 0 and x._dtype.category == dtypes._INT


# ================================================================== interpolate
def _per_axis(value, dim, spatial, what, letter):
    """``value`` for each of the ``dim`` spatial axes (a sequence must have one entry per axis)."""
    if not isinstance(value, (list, tuple)):
        return [value] * dim
    if len(value) != dim:
        name, label = ("output", "output size") if what == "size" else (what, what)
        shown = f"output size of {value}" if what == "size" else f"{what} of shape {value}"
        raise ValueError(f"interpolate: Input and {name} must have the same number of spatial dimensions, but got "
                         f"input with spatial dimensions of {spatial} and {shown}. Please provide input tensor in "
                         f"(N, C, d1, d2, ...,dK) format and {label} in ({letter}1, {letter}2, ...,{letter}K) format.")
    return list(value)


def _output_geometry(input, size, scale_factor, recompute_scale_factor, dim):
    """PyTorch's interpolate front end: (output sizes, per-axis scale factors or None)."""
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is not None:
        out = _per_axis(size, dim, spatial, "size", "o")
        if isinstance(size, (list, tuple)) and not all(_is_integer(s) for s in size):
            raise TypeError(f"interpolate: expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                            f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}")
        out = [int(s) for s in out]
        scales = None
    elif scale_factor is not None:
        scales = [float(s) for s in _per_axis(scale_factor, dim, spatial, "scale_factor", "s")]
        out = [int(n * s) for n, s in zip(spatial, scales)]     # floor of the double product, as PyTorch
        if recompute_scale_factor:
            scales = None                                       # the kernels then use in/out
    else:
        raise ValueError("interpolate: either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size.")
    return out, scales


def _check_sizes(spatial, out):
    if any(n <= 0 for n in spatial) or any(o <= 0 for o in out):
        names = "DHW"[3 - len(out):] if len(out) > 1 else "W"
        shown = [", ".join(f"{k}: {v}" for k, v in zip(names, s)) for s in (spatial, out)]
        raise RuntimeError(f"interpolate: Input and output sizes should be greater than 0, but got input "
                           f"({shown[0]}) output ({shown[1]})")


def _compute_dtype(dt):
    """PyTorch's opmath type for the indices and weights: float64 for float64, else float32."""
    return np.float64 if dt is dtypes.float64 else np.float32


def _scale_value(n_in, n_out, scale, cdt):
    """compute_scales_value: 1/scale_factor when one was given, else in/out (in the compute type)."""
    if scale is not None and scale > 0:
        return cdt(1.0 / scale)
    return cdt(n_in) / cdt(n_out)


def _source_positions(n_in, n_out, scale, align_corners, cubic, cdt):
    """area_pixel_compute_source_index for every output position (float array of the compute type)."""
    dst = np.arange(n_out, dtype=cdt)
    if align_corners:
        step = cdt(n_in - 1) / cdt(n_out - 1) if n_out > 1 else cdt(0)
        return step * dst
    src = _scale_value(n_in, n_out, scale, cdt) * (dst + cdt(0.5)) - cdt(0.5)
    return src if cubic else np.maximum(src, cdt(0))


def _floor_and_fraction(src, n_in):
    """guard_index_and_lambda: the floor index (at most n_in - 1) and the fraction, clamped to [0, 1]."""
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    return i0, np.clip(src - i0, 0, 1).astype(src.dtype)


def _linear_taps(n_in, n_out, scale, align_corners, cdt):
    """Linear interpolation: 1 - lambda at the floor, lambda at the next pixel (the floor again at the edge)."""
    i0, lam = _floor_and_fraction(_source_positions(n_in, n_out, scale, align_corners, False, cdt), n_in)
    return [(i0, 1 - lam), (i0 + (i0 < n_in - 1), lam)]


def _cubic_coefficients(t, a=-0.75):
    """get_cubic_upsample_coefficients: the 4 taps' weights at offsets -1, 0, 1, 2 for fraction t."""
    def near(x):        # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):         # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _cubic_taps(n_in, n_out, scale, align_corners, cdt):
    """Cubic convolution: 4 taps around the floor; taps beyond the edge read the edge pixel."""
    i0, lam = _floor_and_fraction(_source_positions(n_in, n_out, scale, align_corners, True, cdt), n_in)
    return [(np.clip(i0 - 1 + k, 0, n_in - 1), w.astype(cdt)) for k, w in enumerate(_cubic_coefficients(lam))]


def _aa_filter(x, cubic):
    """The antialiasing kernels of PyTorch's _upsample_*_aa: a triangle, or Keys' cubic with a = -0.5."""
    x = np.abs(x)
    if not cubic:
        return np.maximum(0.0, 1.0 - x)
    a = -0.5
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0.0))


def _aa_taps(n_in, n_out, scale, align_corners, cdt, cubic):
    """Antialiased resampling (_compute_weights_aa): when shrinking, the kernel widens by the scale, so each
    output averages every input it covers; the weights of each output sum to 1."""
    if align_corners:
        s = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    else:
        s = float(_scale_value(n_in, n_out, scale, cdt))
    support = (2.0 if cubic else 1.0) * (s if s >= 1.0 else 1.0)
    invscale = 1.0 / s if s >= 1.0 else 1.0
    width = int(math.ceil(support)) * 2 + 1
    center = s * (np.arange(n_out) + 0.5)
    xmin = np.maximum(np.trunc(center - support + 0.5).astype(np.int64), 0)       # C++ casts truncate
    xsize = np.clip(np.minimum(np.trunc(center + support + 0.5).astype(np.int64), n_in) - xmin, 0, width)
    j = np.arange(width)[:, None]
    w = np.where(j < xsize, _aa_filter((j + xmin - center + 0.5) * invscale, cubic), 0.0)
    total = w.sum(0)
    w = np.where(total != 0, w / np.where(total != 0, total, 1), w).astype(cdt)
    return [(np.clip(xmin + k, 0, n_in - 1), w[k]) for k in range(width)]


def _nearest_taps(n_in, n_out, scale, exact, shortcut):
    """nearest_idx / nearest_exact_idx: floor(dst * scale) or floor((dst + 0.5) * scale), in float32 as PyTorch.
    One tap of weight 1. ``shortcut``: PyTorch's 2-D nearest kernel copies when out == in and takes dst // 2
    when out == 2 * in, whatever the scale_factor (its 1-D and 3-D kernels use the formula)."""
    if shortcut and n_out in (n_in, 2 * n_in):
        return [(np.arange(n_out) // (n_out // n_in), None)]
    s = _scale_value(n_in, n_out, scale, np.float32)
    dst = np.arange(n_out, dtype=np.float32)
    if exact:
        dst = dst + np.float32(0.5)
    return [(np.minimum(np.floor(dst * s).astype(np.int64), n_in - 1), None)]


def _along(x, axis, m):
    """Apply the (out, in) matrix ``m`` along ``axis`` of x (a matmul, so autograd gives the transposed one)."""
    nd = x.dim()
    if axis == nd - 1:
        return x @ m.mT
    if axis == nd - 2:
        return m @ x
    return (m @ x.movedim(axis, -2)).movedim(-2, axis)


def _along_taps(x, axis, taps):
    """The same resampling tap by tap (index_select): slower, but a NaN or inf reaches only the outputs it feeds."""
    total = None
    for idx, w in taps:
        term = x.index_select(axis, make_tensor(idx))
        if w is not None:
            term = term * make_tensor(w.astype(x._dtype.np), x._dtype).reshape(-1, *(1,) * (x.dim() - 1 - axis))
        total = term if total is None else total + term
    return total


def _resample(input, out, scales, mode, align_corners, antialias=False):
    """Resample each spatial axis of (N, C, *S) input to ``out``, the last axis first.

    Finite float input: one product with the (out, in) matrix of the taps per axis (fast both ways).
    Otherwise (integers, NaN or inf, where 0 * inf would spread NaN over a whole row) tap by tap.
    """
    x = input
    cdt = _compute_dtype(input._dtype)
    by_matrix = input._dtype.category == dtypes._FLOAT and bool(np.isfinite(input._data).all())
    for k in reversed(range(len(out))):
        axis, n_in, n_out, s = 2 + k, input.shape[2 + k], out[k], None if scales is None else scales[k]
        if mode in ("nearest", "nearest-exact"):
            taps = _nearest_taps(n_in, n_out, s, mode == "nearest-exact", mode == "nearest" and len(out) == 2)
            if np.array_equal(taps[0][0], np.arange(n_in)):
                continue
        elif n_in == n_out and (antialias or mode != "bicubic"):
            continue            # PyTorch's separable linear (and antialiased) kernels leave such an axis alone
        elif antialias:
            taps = _aa_taps(n_in, n_out, s, align_corners, cdt, mode == "bicubic")
        elif mode == "bicubic":
            taps = _cubic_taps(n_in, n_out, s, align_corners, cdt)
        else:
            taps = _linear_taps(n_in, n_out, s, align_corners, cdt)
        if not by_matrix:
            x = _along_taps(x, axis, taps)
            continue
        m = np.zeros((n_out, n_in), cdt)
        for idx, w in taps:
            np.add.at(m, (np.arange(n_out), idx), 1 if w is None else w)
        x = _along(x, axis, make_tensor(m.astype(input._dtype.np, copy=False), input._dtype))
    return x


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    """Resize (N, C, *S) input (S of 1, 2 or 3 dims) to ``size`` or ``S * scale_factor``.

    mode: nearest | nearest-exact | area (any spatial rank), linear (3-D input),
    bilinear / bicubic (4-D, also antialiased), trilinear (5-D).
    """
    _require_tensor(input, "input", "interpolate")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("interpolate: align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    out, scales = _output_geometry(input, size, scale_factor, recompute_scale_factor, dim)
    if antialias:
        if not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
            raise ValueError("interpolate: Anti-alias option is restricted to bilinear, bicubic, and lanczos modes "
                             "and requires a 4-D tensor as input")
        if mode == "lanczos":
            raise NotImplementedError("interpolate: mode='lanczos' is not implemented in ember; use 'bicubic' or "
                                      "'bilinear' with antialias=True")
    if dim not in (1, 2, 3) or mode not in ("nearest", "nearest-exact", "area", *_SPATIAL_MODE):
        raise NotImplementedError(f"interpolate: Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear "
                                  f"| area | nearest-exact (got {mode})")
    if mode in _SPATIAL_MODE and _SPATIAL_MODE[mode] != dim:
        need = _SPATIAL_MODE[mode] + 2
        raise NotImplementedError(f"interpolate: Got {input.dim()}D input, but {mode} mode needs {need}D input")
    if mode == "area":
        return _AREA[dim](input, out)
    if input._dtype.category != dtypes._FLOAT and not (input._dtype is dtypes.uint8 and mode.startswith("nearest")):
        raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented for '{input._dtype.name}' input "
                                  f"(use a floating-point tensor)")
    _check_sizes(input.shape[2:], out)
    r = _resample(input, out, scales, mode, align_corners, antialias)
    if r is input:          # no axis changed: PyTorch's kernels still return a new tensor
        r = input.clone()
    # r may view the last resampled axis's product (a movedim back), which only this call can reach
    name = _UPSAMPLE_NAME[mode].format(d=dim)
    return shown_as(r, name.replace("2DBackward0", "2DAaBackward0") if antialias else name, private_base=True)


# PyTorch's grad_fn of each mode: its kernels are one per mode and rank (UpsampleBilinear2DBackward0)
_UPSAMPLE_NAME = {"nearest": "UpsampleNearest{d}DBackward0", "nearest-exact": "UpsampleNearestExact{d}DBackward0",
                  "linear": "UpsampleLinear1DBackward0", "bilinear": "UpsampleBilinear2DBackward0",
                  "bicubic": "UpsampleBicubic2DBackward0", "trilinear": "UpsampleTrilinear3DBackward0"}


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate (warns as PyTorch)."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='nearest')."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True)."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ================================================================== grid_sample / affine_grid
def _warn_align_corners():
    warnings.warn("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.", stacklevel=3)


# PyTorch has two CPU kernels: a vectorized one for 4-D input and a scalar one for 5-D. Their maths is the
# same but their float rounding is not, and a rounding in a coordinate moves the output by up to
# (image size) x ulp; each step below follows the kernel it stands for (``vec``: the 4-D one).
def _unnormalize(coord, size, align_corners, vec):
    """grid_sampler_unnormalize: [-1, 1] -> pixel coordinates (corner pixels' centres, or their outer edges)."""
    if not vec:
        return (coord + 1) / 2 * (size - 1) if align_corners else ((coord + 1) * size - 1) / 2
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    shifted = coord + 1
    if shifted._dtype is dtypes.float32:        # one rounding for (x + 1) * size/2 - 1/2: a fused multiply-add
        return (shifted.to(dtypes.float64) * (size / 2) - 0.5).to(dtypes.float32)
    return shifted * (size / 2) - 0.5


def _reflect(coord, twice_low, twice_high, vec):
    """reflect_coordinates: mirror coord into [twice_low/2, twice_high/2] (ember ops: the gradient flips sign)."""
    if twice_low == twice_high:
        return coord * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    dist = (coord - low).abs()
    if vec:                 # fold into one period (2 * span), then mirror the upper half
        period = 2 * span
        extra = dist - make_tensor(np.trunc(dist._data / coord._dtype.np.type(period)) * period, coord._dtype)
        return extra.minimum(period - extra) + low
    extra = dist.fmod(span)
    flips = np.floor(dist.detach()._data / span)
    return extra.where(make_tensor(flips % 2 == 0), span - extra) + low


def _padded(coord, size, padding_mode, align_corners, vec):
    """compute_coordinates: the padding mode applied to pixel coordinates."""
    if padding_mode == "reflection":
        coord = _reflect(coord, 0, 2 * (size - 1), vec) if align_corners else \
            _reflect(coord, -1, 2 * size - 1, vec)
    if padding_mode in ("border", "reflection"):
        coord = coord.clamp(0, size - 1)
    return coord


def _check_grid_sample(input, grid, mode):
    _require_tensor(input, "input", "grid_sample")
    _require_tensor(grid, "grid", "grid_sample")
    ishape, gshape = list(input.shape), list(grid.shape)
    if input.dim() not in (4, 5) or input.dim() != grid.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but "
                           f"got input with sizes {ishape} and grid with sizes {gshape}")
    if ishape[0] != gshape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {ishape} and grid with sizes {gshape}")
    d = input.dim() - 2
    if gshape[-1] != d:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {d} in last dimension, but got grid with "
                           f"sizes {gshape}")
    for i, n in enumerate(ishape[2:]):
        if n == 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {ishape} with dimension {i + 2} being empty")
    if input._dtype.category != dtypes._FLOAT:
        raise NotImplementedError(f"grid_sampler(): not implemented for '{input._dtype.name}' input (use a "
                                  f"floating-point tensor)")
    if grid._dtype is not input._dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have the same dtype, but input is "
                           f"{input._dtype.name} and grid is {grid._dtype.name}")
    if mode == "bicubic" and d != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")


def _taps(coord, size, mode, padding_mode, align_corners, vec):
    """The taps along one axis for each point: [(pixel index, in-bounds mask, weight Tensor or None)].

    bilinear: the floor pixel and the next, weights 1 - t and t (t the fraction, a Tensor, so
    the grid's gradient flows through it); nearest: the pixel nearbyint picks (half to even),
    weight 1; bicubic: the 4 pixels around the floor with the cubic weights of t, each
    pixel position passed through the padding mode on its own (as PyTorch's get_value_bounded).
    """
    if mode == "nearest":
        # PyTorch gives the grid an all-zero gradient here (not None): a weight of 1 tied to it by a factor 0
        at, weights = [np.rint(coord._data)], [coord * 0 + 1 if coord.requires_grad else None]
    else:
        low = np.floor(coord._data)
        t = coord - make_tensor(low, coord._dtype)
        if mode == "bilinear":
            at = [low, low + 1]
            weights = [1 - t, t] if vec else [make_tensor(low + 1, coord._dtype) - coord, t]
        else:
            at = [_padded(make_tensor(low + k - 1), size, padding_mode, align_corners, vec)._data for k in range(4)]
            weights = _cubic_coefficients(t)
    taps = []
    for pos, w in zip(at, weights):
        i = np.trunc(pos)
        valid = (i >= 0) & (i <= size - 1)
        taps.append((np.where(valid, i, 0).astype(np.int64), valid, w))
    return taps


def _rows(idx, plane):
    """(N, P) pixel indices -> row numbers in the (N * plane, C) image."""
    return (idx + (np.arange(idx.shape[0]) * plane)[:, None]).ravel()


def _a_gather_back(g, idx, plane):
    """The gradient of _gather: the rows of g (N, P, C) summed into (N, plane, C) at their pixels (one bincount)."""
    n, p, c = g.shape
    bins = _rows(idx, plane)[:, None] * c + np.arange(c)
    out = np.bincount(bins.ravel(), weights=g.ravel(), minlength=n * plane * c)
    return out.astype(g.dtype, copy=False).reshape(n, plane, c)


def _t_gather_back(g, idx, plane):
    n, p, c = g.shape
    index = make_tensor(np.broadcast_to(idx[:, :, None], (n, p, c)))
    return zeros((n, plane, c), dtype=g.dtype).scatter_add(1, index, g)


define("grid_gather_back", _a_gather_back, _t_gather_back)
GatherBackward0 = node_class("GatherBackward0", lambda F, g, idx, plane: F.grid_gather_back(g, idx, plane))


def _gather(flat, idx, valid):
    """Rows of the (N, plane + 1, C) channels-last image ``flat`` (its last row zeros) at the (N, P) pixel
    indices ``idx``, the zero row where not ``valid`` (so a NaN or inf in the image stays where it is).
    -> (N, P, C), one node: a row gather forward, a bincount backward."""
    n, plane, c = flat.shape
    idx = np.where(valid, idx, plane - 1)
    r = make_tensor(flat._data.reshape(-1, c)[_rows(idx, plane)].reshape(n, -1, c), flat._dtype)
    if _gstate.enabled and flat._rg:
        record(GatherBackward0, r, (flat,), (), (idx, plane))
    return r


def _blend_separable(flat, taps, strides, axis=0, idx=0, valid=True):
    """bicubic as PyTorch sums it: the 4 taps along x for each of the 4 rows, then the rows along y."""
    if axis == len(taps):
        return _gather(flat, idx, valid)
    total = None
    for i, v, w in taps[axis]:
        term = _blend_separable(flat, taps, strides, axis + 1, idx + i * strides[axis], valid & v)
        term = term * w.reshape(w.shape[0], -1, 1)
        total = term if total is None else total + term
    return total


def _blend_corners(flat, taps, strides, vec):
    """bilinear / nearest: the corners in PyTorch's order (nw, ne, sw, se; tnw ... bse), each value times the
    product of its weights (y * x in the 4-D kernel, x * y * z in the 5-D one)."""
    total = None
    for combo in itertools.product(*taps):
        term = _gather(flat, sum(i * s for (i, _, _), s in zip(combo, strides)),
                       np.logical_and.reduce([v for _, v, _ in combo]))
        weights = [w for _, _, w in combo if w is not None]
        if weights:
            weight = functools.reduce(operator.mul, weights if vec else weights[::-1])
            term = term * weight.reshape(weight.shape[0], -1, 1)
        total = term if total is None else total + term
    return total


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample (N, C, *S_in) input at the points of grid (N, *S_out, d) (x, y[, z] in [-1, 1]) -> (N, C, *S_out).

    d = 2 for 4-D input (bilinear, nearest, bicubic), 3 for 5-D (trilinear as 'bilinear', nearest).
    Points outside the image read zeros, the border, or the image mirrored (padding_mode).
    With mode='nearest' the grid's gradient is all zeros, as PyTorch's.
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but "
                         f"got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        _warn_align_corners()
        align_corners = False
    _check_grid_sample(input, grid, mode)
    n, c, sizes = input.shape[0], input.shape[1], list(input.shape[2:])
    d, out_shape = len(sizes), tuple(grid.shape[1:-1])
    vec = d == 2
    pts = grid.reshape(n, -1, d)
    taps = []
    for a in range(d):          # axes in D, H, W order; the grid lists them as x (W), y (H), z (D)
        coord = _unnormalize(pts[..., d - 1 - a], sizes[a], align_corners, vec)
        if mode != "bicubic":   # bicubic pads each of its taps instead
            coord = _padded(coord, sizes[a], padding_mode, align_corners, vec)
        taps.append(_taps(coord, sizes[a], mode, padding_mode, align_corners, vec))
    # channels last (a pixel's channels are one row to gather), plus the zero row out-of-bounds taps read
    flat = cat([input.reshape(n, c, -1), zeros((n, c, 1), dtype=input.dtype)], 2).transpose(1, 2).contiguous()
    strides = [int(np.prod(sizes[a + 1:])) for a in range(d)]
    out = _blend_separable(flat, taps, strides) if mode == "bicubic" else _blend_corners(flat, taps, strides, vec)
    return shown_as(out.transpose(1, 2).reshape(n, c, *out_shape), f"GridSampler{len(out_shape)}DBackward0",
                    private_base=True)


def _base_coords(num, align_corners, dt):
    """linspace_from_neg_one: pixel centres in [-1, 1] (shrunk by (num - 1)/num without align_corners)."""
    if num <= 1:
        return np.zeros(1, dt)
    r = np.linspace(-1, 1, num, dtype=dt)
    return r if align_corners else r * dt(num - 1) / dt(num)


def affine_grid(theta, size, align_corners=None):
    """Sampling grid of affine maps: theta (N, 2, 3) and size (N, C, H, W) -> (N, H, W, 2);
    theta (N, 3, 4) and size (N, C, D, H, W) -> (N, D, H, W, 3)."""
    if align_corners is None:
        _warn_align_corners()
        align_corners = False
    _require_tensor(theta, "theta", "affine_grid")
    if theta._dtype.category != dtypes._FLOAT:
        raise ValueError(f"affine_grid: Expected theta to have floating point type, but got ember.{theta._dtype.name}")
    size = [int(s) for s in size]
    if len(size) not in (4, 5):
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {tuple(size)}.")
    d = len(size) - 2
    if theta.dim() != 3 or tuple(theta.shape[-2:]) != (d, d + 1):
        raise ValueError(f"affine_grid: Expected a batch of {d}D affine matrices of shape Nx{d}x{d + 1} for size "
                         f"{tuple(size)}. Got {list(theta.shape)}.")
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"affine_grid: Expected non-zero, positive output size. Got {tuple(size)}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"affine_grid: theta has batch size {theta.shape[0]} but size asks for {size[0]}")
    dt = theta._dtype.np.type
    axes = [_base_coords(m, align_corners, dt) for m in spatial]             # D, H, W order
    mesh = np.meshgrid(*axes, indexing="ij")
    base = np.stack([*mesh[::-1], np.ones_like(mesh[0])], axis=-1)          # x, y[, z], 1
    base = make_tensor(np.ascontiguousarray(base.reshape(1, -1, d + 1)), theta._dtype)
    return shown_as((base @ theta.mT).reshape(size[0], *spatial, d), "AffineGridGeneratorBackward0",
                    private_base=True)


# ================================================================== pixel and channel shuffles
def _check_factor(input, factor, op, what):
    _require_tensor(input, "input", op)
    if input.dim() < 3:
        raise RuntimeError(f"{op} expects input to have at least 3 dimensions, but got input with {input.dim()} "
                           f"dimension(s)")
    if not _is_integer(factor) or int(factor) <= 0:
        raise RuntimeError(f"{op} expects a positive {what}, but got {factor}")
    return int(factor)


def pixel_shuffle(input, upscale_factor):
    """(*, C * r**2, H, W) -> (*, C, H * r, W * r)."""
    r = _check_factor(input, upscale_factor, "pixel_shuffle", "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return shown_as(x.reshape(*lead, c // (r * r), h * r, w * r), "PixelShuffleBackward0")


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H * r, W * r) -> (*, C * r**2, H, W)."""
    r = _check_factor(input, downscale_factor, "pixel_unshuffle", "downscale_factor")
    *lead, c, h, w = input.shape
    for name, n, pos in (("height", h, -2), ("width", w, -1)):
        if n % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({pos})={n} is not divisible by {r}")
    k = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return shown_as(x.reshape(*lead, c * r * r, h // r, w // r), "PixelUnshuffleBackward0")


def channel_shuffle(input, groups):
    """(N, C, *) -> (N, C, *) with channels regrouped: channel g * (C // groups) + i goes to i * groups + g."""
    _require_tensor(input, "input", "channel_shuffle")
    if not _is_integer(groups) or int(groups) <= 0:
        raise RuntimeError(f"channel_shuffle: Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    g = int(groups)
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes "
                           f"{list(input.shape)}")
    n, c, *rest = input.shape
    if c % g:
        raise RuntimeError(f"channel_shuffle: Number of channels must be divisible by groups. Got {c} channels and "
                           f"{g} groups.")
    out = input.reshape(n, g, c // g, *rest).transpose(1, 2).reshape(n, c, *rest)
    if out._base is not None:       # one group, or one channel a group: a view of input, PyTorch's a new tensor
        out = out.clone()
    return shown_as(out, "ChannelShuffleBackward0")


native_channel_shuffle = channel_shuffle
