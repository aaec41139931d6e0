"""Gradient clipping, computed on the gradients' arrays in place (no autograd, one pass per gradient).

The total norm follows PyTorch's definition: the ``norm_type``-norm of the
per-gradient norms. Clipping multiplies every gradient by
min(1, max_norm / (total_norm + 1e-6)), in the total norm's dtype.
"""
import warnings

import numpy as np

from ... import dtypes
from ...tensor import Tensor, make_tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]


def _as_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _vector_norm(a, p):
    """torch.linalg.vector_norm of an array, in the array's dtype (float16/bfloat16 accumulate in float32)."""
    x = (a.astype(np.float32) if a.dtype.itemsize < 4 else a).reshape(-1)
    if p == 2.0:
        r = np.sqrt(np.vdot(x, x).real)
    elif p == float("inf"):
        r = np.abs(x).max() if x.size else 0.0
    elif p == float("-inf"):
        r = np.abs(x).min()
    elif p == 0:
        r = np.count_nonzero(x)
    elif p == 1:
        r = np.abs(x).sum()
    else:
        r = np.sum(np.abs(x) ** p) ** (1.0 / p)
    return np.asarray(r).astype(a.dtype if a.dtype.kind != "c" else a.real.dtype)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of the norms of ``tensors`` (a 0-d tensor; 0.0 when there are none)."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return make_tensor(np.zeros((), np.float32), dtypes.float32)
    norms = [np.asarray(_vector_norm(t._data, norm_type)) for t in tensors]
    dt = tensors[0]._dtype
    for t in tensors[1:]:
        dt = dtypes.promote_types(dt, t._dtype)
    total = np.asarray(_vector_norm(np.array(norms, dtype=dt.np), norm_type))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           f"it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           f"norm anyway, set `error_if_nonfinite=False`")
    return make_tensor(total.astype(dt.np), dt)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients of ``parameters`` by min(1, max_norm / (total_norm + 1e-6)) in place."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    tn = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm, np.float32)
    coef = np.minimum(np.asarray(max_norm, tn.dtype) / (tn + np.asarray(1e-6, tn.dtype)), np.asarray(1.0, tn.dtype))
    with np.errstate(invalid="ignore"):            # a non-finite norm scales by NaN/0, as PyTorch (no warning)
        for g in grads:
            g._data *= coef.astype(g._data.dtype)
            g._vbox[0] += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clip the gradients of ``parameters`` so that their total ``norm_type``-norm is at most ``max_norm``.

    Returns the total norm before clipping (a 0-d tensor).
    """
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated spelling of clip_grad_norm_."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient of ``parameters`` to [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        g = p.grad
        if g is not None:
            np.clip(g._data, -clip_value, clip_value, out=g._data)
            g._vbox[0] += 1
