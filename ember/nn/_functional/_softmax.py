"""softmax and log_softmax of arrays, forward beside backward (nn.functional, attention, the losses).

    softmax(x)     = exp(x - max) * (1 / sum exp(x - max))     (torch's kernel multiplies by the reciprocal too)
    log_softmax(x) = x - max - log(sum exp(x - max))
    softmax backward      gx = y (g - sum(g y))
    log_softmax backward  gx = g - exp(y) sum(g)

Along the last axis of a C-contiguous array (attention rows, class logits), the usual
case, the rows run in L2-sized blocks with the row statistics of ``_rowstats`` (a
pairwise max tree, einsum sums), cut over the intra-op threads. Along another axis
NumPy's reductions already run across the rows (the reduced axis is not their inner
loop); those arrays are sliced over the threads along another axis.

A +inf or NaN in a row gives NaN throughout the row, an all -inf row NaN, as in torch.
The arrays are in compute precision (float16/bfloat16 come as float32).
"""
import numpy as np

from ._rows import other_axis, rowwise
from ._rowstats import by_blocks, rowdot, rowmax, rowsum


_SMALL = 1 << 14       # numbers below which the blocks and the threads cost more Python than they save


def _by_rows(last, other, arrays, axis):
    """``last(*blocks)`` over blocks of (rows, last axis) views when ``axis`` is the last axis of the first
    array and that array is C-contiguous (rowmax needs it), else ``other(*slices, axis)`` over slices
    along another axis. The arrays share one shape."""
    a = arrays[0]
    if a.size < _SMALL:             # a few rows (a small batch's logits): one NumPy call a step costs least
        other(*arrays, axis)
    elif axis == a.ndim - 1 and a.flags.c_contiguous:
        by_blocks(last, tuple(None if b is None else b.reshape(-1, a.shape[-1]) for b in arrays))
    else:
        rowwise(other, arrays, (axis,), other_axis(a.ndim, axis))


# ------------------------------------------------------------------ softmax
def softmax_array(x, axis):
    """softmax of a compute-precision array along ``axis`` (a new array)."""
    if x.ndim == 0:
        return softmax_array(x.reshape(1), 0).reshape(())
    out = np.empty(x.shape, x.dtype)
    if x.size:
        _by_rows(_softmax_rows, _softmax_axis, (x, out), axis)
    return out


def _softmax_rows(x, out):
    np.subtract(x, rowmax(x)[:, None], out=out)
    np.exp(out, out=out)
    s = rowsum(out)
    np.reciprocal(s, out=s)
    out *= s[:, None]


def _softmax_axis(x, out, axis):
    np.subtract(x, x.max(axis=axis, keepdims=True), out=out)
    np.exp(out, out=out)
    out *= 1 / out.sum(axis=axis, keepdims=True)


def _grad(rows, other, g, y, axis):
    """A backward through ``_by_rows``: the kernels write the gradient into a new array."""
    out = np.empty(y.shape, np.result_type(g, y))
    if y.size:
        _by_rows(rows, other, (y, g, out), axis)
    return out


def softmax_grad(g, y, axis):
    """y (g - sum(g y)) along ``axis`` for y = softmax(x) (a new array)."""
    return _grad(_softmax_grad_rows, _softmax_grad_axis, g, y, axis)


def _softmax_grad_rows(y, g, out):
    np.subtract(g, rowdot(g, y)[:, None], out=out)
    out *= y


def _softmax_grad_axis(y, g, out, axis):
    np.multiply(g, y, out=out)
    np.subtract(g, out.sum(axis=axis, keepdims=True), out=out)
    out *= y


# ------------------------------------------------------------------ log_softmax
def log_softmax_array(x, axis, probs=False):
    """log_softmax of a compute-precision array along ``axis`` (a new array); with ``probs``, also the softmax."""
    if x.ndim == 0:
        r = log_softmax_array(x.reshape(1), 0, probs)
        return (r[0].reshape(()), r[1].reshape(())) if probs else r.reshape(())
    out = np.empty(x.shape, x.dtype)
    e = np.empty(x.shape, x.dtype) if probs else None
    if x.size:
        _by_rows(_log_softmax_rows, _log_softmax_axis, (x, out, e), axis)
    return (out, e) if probs else out


def _log_softmax_rows(x, out, e):
    """out = log_softmax(x); e = softmax(x) unless None."""
    np.subtract(x, rowmax(x)[:, None], out=out)
    p = np.exp(out) if e is None else np.exp(out, out=e)
    s = rowsum(p)
    if e is not None:
        e *= (1 / s)[:, None]
    np.log(s, out=s)
    out -= s[:, None]


def _log_softmax_axis(x, out, e, axis):
    np.subtract(x, x.max(axis=axis, keepdims=True), out=out)
    p = np.exp(out) if e is None else np.exp(out, out=e)
    s = p.sum(axis=axis, keepdims=True)
    if e is not None:
        e *= 1 / s
    np.log(s, out=s)
    out -= s


def log_softmax_grad(g, y, axis):
    """g - exp(y) sum(g) along ``axis`` for y = log_softmax(x) (a new array)."""
    return _grad(_log_softmax_grad_rows, _log_softmax_grad_axis, g, y, axis)


def _log_softmax_grad_rows(y, g, out):
    np.exp(y, out=out)
    out *= rowsum(g)[:, None]
    np.subtract(g, out, out=out)


def _log_softmax_grad_axis(y, g, out, axis):
    np.exp(y, out=out)
    out *= g.sum(axis=axis, keepdims=True)
    np.subtract(g, out, out=out)
