"""Fractional max pooling (Graham, 2014), as PyTorch's fractional_max_pool2d/3d: windows of ``kernel_size``
start at pseudo-random, increasing offsets drawn from one sample u in [0, 1) per (sample, channel, axis),
so that ``output_size`` windows cover the input. The maximum is gathered at its flat index, so autograd
gives the scatter of the gradient (one differentiable gather)."""
import numpy as np

from ... import dtypes
from ...tensor import Tensor, make_tensor
from ...ops._common import shown_as

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]


def _tuple(v, d):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * d


def _starts(u, n_in, n_out, k, dt):
    """generate_intervals: window starts (N, C, n_out) for samples u (N, C), in the samples' precision."""
    seq = np.empty(u.shape + (n_out,), np.int64)
    if n_out > 1:
        alpha = dt(n_in - k) / dt(n_out - 1)
        i = np.arange(n_out - 1, dtype=dt)
        seq[..., :-1] = ((i + u[..., None]) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)[..., None]
    seq[..., -1] = n_in - k
    return seq


def _fractional(input, d, kernel_size, output_size, output_ratio, return_indices, _random_samples, op):
    import ember
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.dim() not in (d + 1, d + 2):
        raise RuntimeError(f"{op}(): Expected {d + 1}D or {d + 2}D tensor, but got: {list(input.shape)}")
    if input._dtype.category != dtypes._FLOAT:
        raise NotImplementedError(f"\"{op}_out_frame\" not implemented for '{input._dtype.name}'")
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    squeeze = input.dim() == d + 1
    x = input.unsqueeze(0) if squeeze else input
    n, c = x.shape[:2]
    sp = tuple(x.shape[2:])
    k = _tuple(kernel_size, d)
    if output_size is None:
        out = tuple(int(s * r) for s, r in zip(sp, _tuple(output_ratio, d)))
    else:
        out = _tuple(output_size, d)
    for o, kk, s, name in zip(out, k, sp, ("time", "height", "width")[-d:]):
        if o + kk - 1 > s:
            raise RuntimeError(f"{op}(): pool {name} {kk} too large relative to input {name} {s} (output "
                               f"{name} {o}: output + pool - 1 must not exceed the input)")
    samples = ember.rand(n, c, d, dtype=x.dtype) if _random_samples is None else _random_samples
    u = samples._data
    # PyTorch's 2-d kernel takes sample 0 for the width and 1 for the height; its 3-d one 0, 1, 2 for t, h, w
    order = (1, 0) if d == 2 else (0, 1, 2)
    starts = [_starts(u[..., order[a]], sp[a], out[a], k[a], u.dtype.type) for a in range(d)]
    xa = x._data
    flat_x = xa.reshape(n, c, -1)
    best = idx = None
    strides = np.cumprod((1,) + sp[::-1])[:-1][::-1]        # flat plane index of each axis
    for off in np.ndindex(*k):
        pos = 0
        for a in range(d):
            shape = [n, c] + [1] * d
            shape[2 + a] = out[a]
            pos = pos + (starts[a] + off[a]).reshape(shape) * int(strides[a])
        pos = np.broadcast_to(pos, (n, c) + out)
        v = np.take_along_axis(flat_x, pos.reshape(n, c, -1), 2).reshape(pos.shape)
        if best is None:
            best, idx = v.copy(), pos.copy()
        else:
            take = (v > best) | np.isnan(v)          # the first maximum, the last NaN (PyTorch's test)
            best = np.where(take, v, best)
            idx = np.where(take, pos, idx)
    indices = make_tensor(idx.astype(np.int64))
    values = x.reshape(n, c, -1).gather(2, indices.reshape(n, c, -1)).reshape((n, c) + out)
    if squeeze:
        values, indices = values.squeeze(0), indices.squeeze(0)
    values = shown_as(values, f"FractionalMaxPool{d}DBackward0", private_base=True)     # unbatched too
    return (values, indices) if return_indices else values


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=True, _random_samples=None):
    return _fractional(input, 2, kernel_size, output_size, output_ratio, True, _random_samples,
                       "fractional_max_pool2d")


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """(N, C, H, W) or (C, H, W) -> (N, C, *output_size): output_ratio gives int(size * ratio)."""
    return _fractional(input, 2, kernel_size, output_size, output_ratio, return_indices, _random_samples,
                       "fractional_max_pool2d")


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=True, _random_samples=None):
    return _fractional(input, 3, kernel_size, output_size, output_ratio, True, _random_samples,
                       "fractional_max_pool3d")


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """(N, C, T, H, W) or (C, T, H, W) -> (N, C, *output_size)."""
    return _fractional(input, 3, kernel_size, output_size, output_ratio, return_indices, _random_samples,
                       "fractional_max_pool3d")
