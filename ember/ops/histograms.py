"""torch.histogram and torch.histogramdd: counts (or weight sums) of samples in bins.

A D-dimensional histogram bins each of its input's innermost coordinates on edges of its own
(given as tensors, or ``bins`` equal steps over ``range`` or the samples' extent), as one
flat bincount over the cells. The rightmost bin of each dimension includes its right edge;
samples outside the edges (or NaN) are left out. PyTorch records a node that refuses the
gradient (named ``NotImplemented``), and so does ember.
"""
import builtins as _b

import numpy as np

from .. import dtypes
from ..tensor import Tensor, make_tensor
from ._common import _gstate, record, refusing_node, to_tensor_arg
from .arithmetic import _TORCH_NAMES
from .reduction import _structseq, write_outs

histogram_result = _structseq("histogram", ("hist", "bin_edges"))
histogramdd_result = _structseq("histogramdd", ("hist", "bin_edges"))

_REAL_FLOATS = (dtypes.float32, dtypes.float64)


def _edges(x, bins, lo_hi, dt, op, which=""):
    """The bin edges of one dimension (x: its samples) as an array of dt."""
    if isinstance(bins, Tensor):
        if bins.ndim != 1:
            raise RuntimeError(f"torch.{op}: bins tensor should have one dimension, but got {bins.ndim} dimensions "
                               f"in the bins tensor{which}")
        if bins._dtype is not dt:
            raise RuntimeError(f"torch.{op}: input tensor and bins tensors should have the same dtype, but got "
                               f"input with dtype {_TORCH_NAMES[dt.name]} and bins{which} with dtype "
                               f"{_TORCH_NAMES[bins._dtype.name]}")
        return bins._data.copy()
    if bins <= 0:
        raise RuntimeError(f"torch.{op}(): bins must be > 0, but got {bins}{which}")
    if lo_hi is not None:
        lo, hi = float(lo_hi[0]), float(lo_hi[1])
    elif x.size:
        lo, hi = float(x.min()), float(x.max())
    else:
        lo, hi = 0.0, 1.0
    if lo > hi:
        raise RuntimeError(f"torch.{op}: min should not exceed max, but got min {lo} max {hi}{which}")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.{op}: range of [{lo}, {hi}] is not finite{which}")
    if lo == hi:           # NumPy's widening of a degenerate range
        lo, hi = lo - 0.5, hi + 0.5
    from .. import linspace
    return linspace(lo, hi, int(bins) + 1, dtype=dt)._data


def _counts(xs, edges, wts, density, dt):
    """The histogram of the rows of xs (N, D) on the D edge arrays."""
    nbins = [e.size - 1 for e in edges]
    keep = np.ones(xs.shape[0], bool)
    cells = []
    for d, e in enumerate(edges):
        col = xs[:, d]
        keep &= (col >= e[0]) & (col <= e[-1]) if nbins[d] > 0 else False
        cells.append(np.minimum(np.searchsorted(e, col, side="right") - 1, nbins[d] - 1))
    shape = tuple(_b.max(n, 0) for n in nbins)
    flat = np.ravel_multi_index([c[keep] for c in cells], shape) if cells and all(shape) else np.zeros(0, np.int64)
    hist = np.bincount(flat, None if wts is None else wts[keep], minlength=int(np.prod(shape))).astype(dt.np)
    hist = hist.reshape(shape)
    if density:
        volume = np.ones((), dt.np)
        for d, e in enumerate(edges):
            volume = np.multiply.outer(volume, np.diff(e)) if d else np.diff(e)
        with np.errstate(all="ignore"):
            hist = hist / hist.sum() / volume
    return hist.astype(dt.np, copy=False)


def _weights(weight, input, shape, dt, op):
    if weight is None:
        return None
    weight = to_tensor_arg(weight, "weight", op)
    if tuple(weight.shape) != tuple(shape):
        raise RuntimeError(f"torch.{op}: if weight tensor is provided it should have the same shape as the "
                           f"input tensor excluding its innermost dimension, but got input with shape "
                           f"{list(input.shape)} and weight with shape {list(weight.shape)}")
    if weight._dtype is not input._dtype:
        raise RuntimeError(f"torch.{op}: if weight tensor is provided, it should have the same dtype as "
                           f"the input tensor, but got {_TORCH_NAMES[weight._dtype.name]} and "
                           f"{_TORCH_NAMES[input._dtype.name]}")
    return weight._data.reshape(-1)


def _check_dtype(input):
    if input._dtype not in _REAL_FLOATS:
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{_TORCH_NAMES[input._dtype.name]}'")


def _finish(result, hist, edges, dt, inputs, node, out, op):
    hist_t, edges_t = make_tensor(hist, dt), [make_tensor(e, dt) for e in edges]
    if _gstate.enabled and any(t is not None and t._rg for t in inputs):
        record(node, (hist_t, *edges_t), inputs)
    if out is None:
        return result(hist_t, edges_t[0] if op == "histogram" else tuple(edges_t))
    return write_outs(result, (hist_t, edges_t[0]), out, inputs, op)


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """Counts (or weight sums) of input's elements in bins: ``(hist, bin_edges)``."""
    input = to_tensor_arg(input, "input", "histogram")
    _check_dtype(input)
    dt = input._dtype
    x = input._data.reshape(-1, 1)
    edges = [_edges(x[:, 0], bins, range, dt, "histogram")]
    wts = _weights(weight, input, input.shape, dt, "histogram")
    hist = _counts(x, edges, wts, density, dt)
    return _finish(histogram_result, hist, edges, dt, (input, weight), refusing_node("histogram"), out, "histogram")


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """The D-dimensional histogram of the rows of input (..., D): ``(hist, bin_edges)``, bin_edges a tuple
    of D tensors; bins an int (every dimension), D ints, or D edge tensors; range D (min, max) pairs, flat."""
    input = to_tensor_arg(input, "input", "histogramdd")
    if input.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    _check_dtype(input)
    dt = input._dtype
    D = input.shape[-1]
    xs = input._data.reshape(int(np.prod(input.shape[:-1])), D)
    per_dim = list(bins) if isinstance(bins, (list, tuple)) else [bins] * D
    if len(per_dim) != D:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost dimension of the input.")
    if range is not None and len(range) != 2 * D:
        raise RuntimeError(f"torch.histogramdd: for a {D}-dimensional histogram range should have {2 * D} elements, "
                           f"but got {len(range)}")
    edges = [_edges(xs[:, d], per_dim[d], None if range is None else range[2 * d:2 * d + 2], dt, "histogramdd",
                    f" for dimension {d}") for d in _b.range(D)]
    wts = _weights(weight, input, input.shape[:-1], dt, "histogramdd")
    hist = _counts(xs, edges, wts, density, dt) if D else np.zeros((), dt.np)
    kernel = "_histogramdd_from_bin_tensors" if per_dim and isinstance(per_dim[0], Tensor) else \
        "_histogramdd_from_bin_cts"
    return _finish(histogramdd_result, hist, edges, dt, (input, weight), refusing_node(kernel), None, "histogramdd")


__all__ = ["histogram", "histogramdd"]
