"""ember.testing: ``assert_close`` as torch.testing has it (tests written for PyTorch use it).

Pairs are compared recursively: tensors with tensors (and NumPy arrays with NumPy arrays), Python numbers
with numbers, sequences and mappings item by item. Tensors must agree in shape and, unless
``check_dtype=False``, dtype; values must satisfy ``|actual - expected| <= atol + rtol * |expected|`` with
PyTorch's default tolerances per dtype. A failure raises AssertionError with PyTorch's report.
"""
import collections.abc
import numbers

import numpy as np

from .tensor import Tensor

__all__ = ["assert_close"]

# (rtol, atol) by dtype name, PyTorch's defaults; integers and bools compare exactly
_DEFAULTS = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
             "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7)}


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                         f"{'atol' if atol is None else 'rtol'}.")
    _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, [])


def _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, path):
    if isinstance(actual, (Tensor, np.ndarray)) and type(actual) is type(expected) or \
            isinstance(actual, Tensor) and isinstance(expected, Tensor):
        return _tensors(actual, expected, rtol, atol, equal_nan, check_dtype, msg, path)
    if _is_number(actual) and _is_number(expected):
        return _scalars(actual, expected, rtol, atol, equal_nan, msg, path)
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        if set(actual) != set(expected):
            _fail(f"The keys of the mappings do not match:\nactual {sorted(map(repr, actual))}\n"
                  f"expected {sorted(map(repr, expected))}", msg, path)
        for key in expected:
            _compare(actual[key], expected[key], rtol, atol, equal_nan, check_dtype, msg, path + [repr(key)])
        return
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            _fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", msg, path)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, rtol, atol, equal_nan, check_dtype, msg, path + [str(i)])
        return
    raise TypeError(f"No comparison pair was able to handle inputs of type {_type(actual)} and {_type(expected)}.")


def _type(x):
    return "<class 'ember.Tensor'>" if isinstance(x, Tensor) else str(type(x))


def _is_number(x):
    return isinstance(x, numbers.Number) and not isinstance(x, (Tensor, np.ndarray))


def _is_sequence(x):
    return isinstance(x, collections.abc.Sequence) and not isinstance(x, str)


def _tensors(actual, expected, rtol, atol, equal_nan, check_dtype, msg, path):
    a_shape, e_shape = tuple(actual.shape), tuple(expected.shape)
    if a_shape != e_shape:
        _fail(f"The values for attribute 'shape' do not match: {_size(actual)} != {_size(expected)}.", msg, path)
    if check_dtype and actual.dtype != expected.dtype:
        _fail(f"The values for attribute 'dtype' do not match: {actual.dtype} != {expected.dtype}.", msg, path)
    a, e = _array(actual), _array(expected)
    if not check_dtype:
        common = np.promote_types(a.dtype, e.dtype)
        a, e = a.astype(common), e.astype(common)
    name = _dtype_name(expected) if check_dtype else _dtype_name_of(e.dtype)
    r, t = (rtol, atol) if rtol is not None else _DEFAULTS.get(name, (0.0, 0.0))
    exact = rtol is None and name not in _DEFAULTS
    bad = _mismatches(a, e, r, t, equal_nan)
    if not bad.any():
        return
    if a.ndim == 0:                                  # a 0-d tensor reports as a scalar, as torch
        return _report_scalars(a.item(), e.item(), r, t, exact, msg, path)
    work = a.dtype if a.dtype.kind in "fc" and a.dtype.itemsize >= 4 else np.dtype(np.float32)   # torch's
    with np.errstate(divide="ignore", invalid="ignore"):                                          # precision
        diff = np.abs(a.astype(work) - e.astype(work))
        rel = diff / np.abs(e.astype(work))
    n, total = int(bad.sum()), bad.size
    lines = [f"Tensor-likes are not {'equal' if exact else 'close'}!", "",
             f"Mismatched elements: {n} / {total} ({100.0 * n / total:.1f}%)"]
    for label, values, limit in (("absolute", diff, t), ("relative", rel, r)):
        idx = _argmax_nan(values)
        value = values.flat[idx] if values.ndim else values[()]
        where = tuple(int(i) for i in np.unravel_index(idx, values.shape)) if values.ndim else ()
        shown = int(value) if exact and a.dtype.kind in "iub" and label == "absolute" else float(value)
        lines.append(f"Greatest {label} difference: {shown} at index {where}" +
                     ("" if exact else f" (up to {limit} allowed)"))
    _fail("\n".join(lines), msg, path)


def _scalars(actual, expected, rtol, atol, equal_nan, msg, path):
    kind = complex if isinstance(expected, complex) or isinstance(actual, complex) else \
        float if isinstance(expected, float) or isinstance(actual, float) else int
    r, t = (rtol, atol) if rtol is not None else ((1e-7, 1e-7) if kind is not int else (0.0, 0.0))
    a, e = np.asarray(actual, dtype=np.complex128 if kind is complex else np.float64), np.asarray(expected)
    if not _mismatches(a, e, r, t, equal_nan).any():
        return
    _report_scalars(actual, expected, r, t, kind is int and rtol is None, msg, path)


def _report_scalars(actual, expected, r, t, exact, msg, path):
    diff = abs(actual - expected)
    rel = diff / abs(expected) if expected else float("inf")
    limits = ("", "") if exact else (f" (up to {t} allowed)", f" (up to {r} allowed)")
    _fail(f"Scalars are not {'equal' if exact else 'close'}!\n\nExpected {expected} but got {actual}.\n"
          f"Absolute difference: {diff}{limits[0]}\nRelative difference: {rel}{limits[1]}", msg, path)


def _mismatches(a, e, rtol, atol, equal_nan):
    if a.dtype.kind in "iub" and e.dtype.kind in "iub" and rtol == 0 and atol == 0:
        return a != e
    a = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    e = e.astype(np.complex128 if e.dtype.kind == "c" else np.float64)
    with np.errstate(invalid="ignore"):
        close = np.abs(a - e) <= atol + rtol * np.abs(e)
        close |= a == e                                            # equal infinities
    if equal_nan:
        close |= np.isnan(a) & np.isnan(e)
    return ~close


def _argmax_nan(values):
    flat = np.asarray(values, dtype=np.float64).ravel()
    nans = np.flatnonzero(np.isnan(flat))
    return int(nans[0]) if nans.size else int(np.argmax(flat))


def _array(x):
    if isinstance(x, Tensor):
        arr = x.detach()._data
        return arr.astype(np.float32) if arr.dtype.name == "bfloat16" else arr
    return np.asarray(x)


def _dtype_name(x):
    return str(x.dtype).split(".")[-1]


def _dtype_name_of(npdtype):
    return npdtype.name


def _size(x):
    return repr(x.shape) if isinstance(x, Tensor) else repr(tuple(x.shape))


def _fail(text, msg, path):
    if msg is not None:
        raise AssertionError(msg(text) if callable(msg) else msg)
    if path:
        text += "\n\nThe failure occurred for item " + "".join(f"[{p}]" for p in path)
    raise AssertionError(text)


from ._make_tensor import make_tensor  # noqa: E402  (its own file: creation, not comparison)
__all__.append("make_tensor")
