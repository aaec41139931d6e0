"""Normalisation by statistics over batch, instance or group: batch_norm, instance_norm,
group_norm, and local_response_norm.

The three statistic norms are one kernel: normalise ``x`` over some ``axes``
with per-channel ``weight``/``bias`` broadcast against it, as one Node. Batch
norm uses the axes (N, *spatial), instance norm (*spatial), group norm views x
as (N, groups, C/groups, -1) and uses the last two. One derivative formula
serves all three: on arrays for a first-order backward, on ember ops
(statistics recomputed from x) under create_graph.

With running statistics in eval mode, batch norm is an affine map of x,
written with ember ops. Running statistics are updated in place (no graph),
with the unbiased variance, as PyTorch.
"""
import math

import numpy as np

from ... import dtypes
from ...autograd.formulas import define
from ...tensor import Tensor, make_tensor
from ...ops._common import _gstate, node_class, record, shown_as
from ._rows import rowwise

__all__ = ["batch_norm", "instance_norm", "group_norm", "local_response_norm"]

_LOWP = (np.dtype(np.float16), np.dtype(dtypes.bfloat16.np))


def _c(a):
    return a.astype(np.float32) if a.dtype in _LOWP else a


def _a_stat_bw(g, x, w, mean, rstd, axes, lead, needs, eps, pshape):
    """Gradients of y = xhat * w + b, xhat = (x - mean over axes) * rstd; w, b summed over ``lead``.
    The threads take slices of a kept axis; gw and gb come back from them as slices or partial sums."""
    g, x = _c(g), _c(x)
    cut = _kept_axis(axes)
    gx = np.empty(x.shape, x.dtype) if needs[0] else None
    wx = None if w is None else np.broadcast_to(_c(w), x.shape)
    parts = rowwise(_stat_bw_rows, (np.broadcast_to(g, x.shape), x, mean, rstd, gx, wx), (axes, lead, needs), cut)

    def whole(i):
        pieces = [p[i] for p in parts]
        return (sum(pieces) if cut in lead else np.concatenate(pieces, cut)).reshape(pshape)
    return gx, whole(0) if needs[1] else None, whole(1) if needs[2] else None


def _kept_axis(axes):
    """The first axis the statistics do not reduce: its slices are independent."""
    return next(i for i in range(len(axes) + 1) if i not in axes)


def _stat_bw_rows(g, x, mean, rstd, gx, w, axes, lead, needs):
    """gx of these slices (in place) and their sums of g * xhat and g over ``lead`` (dims kept)."""
    xhat = x - mean
    xhat *= rstd
    gw = np.multiply(g, xhat).sum(axis=lead, keepdims=True) if needs[1] else None
    gb = g.sum(axis=lead, keepdims=True) if needs[2] else None
    if gx is not None:
        if w is not None:
            np.multiply(g, w, out=gx)
        else:
            np.copyto(gx, g)
        xhat *= np.multiply(gx, xhat).mean(axis=axes, keepdims=True)
        gx -= gx.mean(axis=axes, keepdims=True)
        gx -= xhat
        gx *= rstd
    return gw, gb


def _t_stat_bw(g, x, w, mean, rstd, axes, lead, needs, eps, pshape):
    """The same from differentiable ember ops, the statistics recomputed from x (higher orders follow)."""
    import ember
    xc = x - x.mean(axes, keepdim=True)
    xhat = xc * ember.rsqrt((xc * xc).mean(axes, keepdim=True) + eps)
    gw = ember.sum(g * xhat, lead).reshape(pshape) if needs[1] else None
    gb = ember.sum(g, lead).reshape(pshape) if needs[2] else None
    gx = None
    if needs[0]:
        gy = g * w if w is not None else g
        rstd_t = ember.rsqrt((xc * xc).mean(axes, keepdim=True) + eps)
        gx = (gy - gy.mean(axes, keepdim=True) - xhat * (gy * xhat).mean(axes, keepdim=True)) * rstd_t
    return gx, gw, gb


define("stat_norm_bw", _a_stat_bw, _t_stat_bw)


def _stat_norm_formula(F, g, x, w, *args):
    return F.stat_norm_bw(g, x, w, *args)


NativeBatchNormBackward0 = node_class("NativeBatchNormBackward0", _stat_norm_formula)
NativeGroupNormBackward0 = node_class("NativeGroupNormBackward0", _stat_norm_formula)


def _normalize(x, w, b, axes, eps, node):
    """(x - mean) * rstd * w + b over ``axes``; w, b broadcast against x. Returns (out, mean, biased var).
    The threads take slices of a kept axis (the statistics of each slice are its own)."""
    xs = _c(x._data)
    kshape = tuple(1 if i in axes else n for i, n in enumerate(xs.shape))
    mean, var, rstd = (np.empty(kshape, xs.dtype) for _ in range(3))
    out = np.empty(xs.shape, xs.dtype)
    wx, bx = (None if t is None else np.broadcast_to(_c(t._data), xs.shape) for t in (w, b))
    rowwise(_normalize_rows, (xs, out, mean, var, rstd, wx, bx), (axes, eps), _kept_axis(axes))
    dt = x._dtype
    r = make_tensor(out if out.dtype == dt.np else out.astype(dt.np), dt)
    wrg, brg = w is not None and w._rg, b is not None and b._rg
    if _gstate.enabled and (x._rg or wrg or brg):
        p = w if w is not None else b
        pshape = None if p is None else tuple(p.shape)
        off = x.dim() - (len(pshape) if p is not None else 0)
        lead = tuple(i for i in range(x.dim()) if i < off or pshape[i - off] == 1)    # dims w/b broadcast over
        record(node, r, (x, w, b), (x, w), (mean, rstd, axes, lead, (x._rg, wrg, brg), eps, pshape))
    return r, mean, var


def _normalize_rows(x, out, mean, var, rstd, w, b, axes, eps):
    np.mean(x, axis=axes, keepdims=True, out=mean)
    np.subtract(x, mean, out=out)
    np.mean(np.square(out), axis=axes, keepdims=True, out=var)
    np.add(var, eps, out=rstd)
    np.sqrt(rstd, out=rstd)
    np.reciprocal(rstd, out=rstd)
    out *= rstd
    if w is not None:
        out *= w
    if b is not None:
        out += b


def _check(input, op, min_dim=2):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.dim() < min_dim:
        raise ValueError(f"{op}: expected an input of at least {min_dim} dims (N, C, ...), got input of size "
                         f"{list(input.shape)}")
    if input._dtype.category != dtypes._FLOAT:
        raise RuntimeError(f"{op}: expected a floating-point input, got {input._dtype.name}")


def _check_channel_vector(t, name, c, op):
    if t is not None and (t.dim() != 1 or t.shape[0] != c):
        raise RuntimeError(f"{op}: expected {name} to have {c} elements (one per channel), but got {name} of size "
                           f"{list(t.shape)}")


def _per_channel(t, ndim):
    """A (C,) tensor shaped (C, 1, ..., 1) to broadcast over the channel dim of an ndim-dim input."""
    return None if t is None else t.reshape((t.shape[0],) + (1,) * (ndim - 2))


def _update_running(running, batch_value, momentum):
    """running = (1 - momentum) * running + momentum * batch_value, in place (no graph)."""
    data = running._data
    data *= 1 - momentum
    data += (momentum * batch_value).astype(data.dtype)
    running._vbox[0] += 1


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05):
    """Normalise each channel of (N, C, *) over N and the spatial dims; running stats updated when training."""
    op = "batch_norm"
    _check(input, op)
    c = input.shape[1]
    for t, name in ((running_mean, "running_mean"), (running_var, "running_var"), (weight, "weight"),
                    (bias, "bias")):
        _check_channel_vector(t, name, c, op)
    nd = input.dim()
    axes = (0,) + tuple(range(2, nd))
    if training:
        size = math.prod(input.shape) // c
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{input.shape}")
        out, mean, var = _normalize(input, _per_channel(weight, nd), _per_channel(bias, nd), axes, eps,
                                    NativeBatchNormBackward0)
        if running_mean is not None:
            _update_running(running_mean, mean.reshape(c), momentum)
        if running_var is not None:
            _update_running(running_var, var.reshape(c) * (size / (size - 1)), momentum)
        return out
    if running_mean is None or running_var is None:
        raise RuntimeError("batch_norm: running_mean and running_var must be defined in evaluation mode "
                           "(training=False); pass them or use training=True")
    import ember
    scale = ember.rsqrt(running_var + eps)
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    return shown_as(input * _per_channel(scale, nd) + _per_channel(shift, nd), "NativeBatchNormBackward0")


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    """Normalise each (sample, channel) of (N, C, *) over its spatial dims."""
    op = "instance_norm"
    _check(input, op, 3)
    n, c = input.shape[:2]
    for t, name in ((running_mean, "running_mean"), (running_var, "running_var"), (weight, "weight"),
                    (bias, "bias")):
        _check_channel_vector(t, name, c, op)
    nd = input.dim()
    if not use_input_stats:     # PyTorch: batch norm of the (1, N*C, *) view too, viewed back
        return shown_as(batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps),
                        "ViewBackward0")
    size = math.prod(input.shape[2:])
    if size == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    out, mean, var = _normalize(input, _per_channel(weight, nd), _per_channel(bias, nd), tuple(range(2, nd)), eps,
                                NativeBatchNormBackward0)
    # PyTorch runs batch norm on a (1, N*C, *) view: the running stats move by the mean over the batch
    if running_mean is not None:
        _update_running(running_mean, mean.reshape(n, c).mean(0), momentum)
    if running_var is not None:
        _update_running(running_var, (var.reshape(n, c) * (size / (size - 1))).mean(0), momentum)
    return shown_as(out, "ViewBackward0")     # PyTorch: batch norm of a (1, N*C, *) view, viewed back


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalise (N, C, *) over each group of C/num_groups channels and the spatial dims."""
    op = "group_norm"
    _check(input, op)
    n, c = input.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"group_norm: expected number of channels in input ({c}) to be divisible by "
                           f"num_groups ({num_groups}), but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    for t, name in ((weight, "weight"), (bias, "bias")):
        _check_channel_vector(t, name, c, op)
    cg = c // num_groups
    x = input.reshape(n, num_groups, cg, -1)
    w = None if weight is None else weight.reshape(num_groups, cg, 1)
    b = None if bias is None else bias.reshape(num_groups, cg, 1)
    out, _, _ = _normalize(x, w, b, (2, 3), eps, NativeGroupNormBackward0)
    return shown_as(out.reshape(input.shape), "NativeGroupNormBackward0", private_base=True)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha * mean of x^2 over ``size`` neighbouring channels)^beta (PyTorch's formula)."""
    import ember
    from .pooling import avg_pool2d, avg_pool3d
    if not isinstance(input, Tensor):
        raise TypeError(f"local_response_norm(): argument 'input' must be Tensor, not {type(input).__name__}")
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    sizes = tuple(input.shape)
    div = (input * input).reshape(sizes[0], 1, sizes[1], sizes[2] if dim > 3 else 1, -1)
    # zero-pad the channel dim by (size // 2, (size - 1) // 2), then average windows of ``size`` channels
    lo = ember.zeros(div.shape[:2] + (size // 2,) + div.shape[3:], dtype=input.dtype)
    hi = ember.zeros(div.shape[:2] + ((size - 1) // 2,) + div.shape[3:], dtype=input.dtype)
    div = ember.cat([lo, div, hi], 2)
    div = (avg_pool3d(div, (size, 1, 1), stride=1) if dim > 3 else
           avg_pool2d(div.squeeze(3), (size, 1), stride=1)).reshape(sizes)
    return input / (div * alpha + k).pow(beta)

