"""Window functions for spectral analysis (torch.hann_window and the rest), computed by NumPy's
formulas in double precision and rounded to the requested dtype.

``periodic=True`` (the default, as in PyTorch) gives the window for a DFT of that length: the symmetric
window one sample longer, without its last sample.
"""
import numpy as np

from . import dtypes
from .creation import finish_creation


def _window(op, fn, window_length, periodic, dtype, device, requires_grad):
    if isinstance(window_length, bool) or not isinstance(window_length, (int, np.integer)):
        raise TypeError(f"{op}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{op} requires non-negative window_length, got window_length={window_length}")
    dt = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype, "dtype", op)
    if dt.category != dtypes._FLOAT:
        raise RuntimeError(f"{op} expects floating point dtypes, got: {dt.name}")
    if window_length <= 1:
        w = np.ones(window_length)
    else:
        n = window_length + 1 if periodic else window_length
        w = fn(n)[:window_length]
    return finish_creation(w.astype(dt.np), dt, requires_grad, op, device)


def _cosine_sum(*coefficients):
    """a0 - a1 cos(2 pi k / (n - 1)) + a2 cos(4 pi k / (n - 1)) - ...: the Hann/Hamming/Blackman family."""
    def fn(n):
        phase = 2 * np.pi * np.arange(n) / (n - 1)
        return sum((-1) ** i * a * np.cos(i * phase) for i, a in enumerate(coefficients))
    return fn


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
    return _window("hann_window", _cosine_sum(0.5, 0.5), window_length, periodic, dtype, device, requires_grad)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   pin_memory=False, requires_grad=False):
    return _window("hamming_window", _cosine_sum(alpha, beta), window_length, periodic, dtype, device,
                   requires_grad)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    return _window("blackman_window", _cosine_sum(0.42, 0.5, 0.08), window_length, periodic, dtype, device,
                   requires_grad)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    return _window("bartlett_window", np.bartlett, window_length, periodic, dtype, device, requires_grad)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  pin_memory=False, requires_grad=False):
    return _window("kaiser_window", lambda n: np.kaiser(n, beta), window_length, periodic, dtype, device,
                   requires_grad)


__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]
