"""Elementwise functions of one tensor: forward (a NumPy ufunc) beside derivative.

Rows read ``name: (numpy function, what the derivative needs, derivative,
integer inputs give float)``. "x" saves the input, "out" the result, "" nothing.
"""
import numpy as np

from .. import dtypes
from ..tensor import Tensor, attach, make_tensor
from ._common import _gstate, check_inplace, node_class, record, to_tensor_arg, write_out

_FLOAT = dtypes._FLOAT


def _sigmoid(x):
    # Split by sign so exp never overflows; done in place on one temporary.
    out = np.exp(-np.abs(x))
    pos = x >= 0
    return np.where(pos, 1 / (1 + out), out / (1 + out)).astype(x.dtype, copy=False)


UNARY = {
    #  name        numpy fn       needs   derivative (F, g, saved) -> grad               to float  node name
    "neg": (np.negative, "", lambda F, g: -g, False, "NegBackward0"),
    "exp": (np.exp, "out", lambda F, g, out: g * F.conj(out), True, "ExpBackward0"),
    "log": (np.log, "x", lambda F, g, x: g / F.conj(x), True, "LogBackward0"),
    "sin": (np.sin, "x", lambda F, g, x: g * F.conj(F.cos(x)), True, "SinBackward0"),
    "cos": (np.cos, "x", lambda F, g, x: -g * F.conj(F.sin(x)), True, "CosBackward0"),
    "tanh": (np.tanh, "out", lambda F, g, out: g * F.conj(1 - out * out), True, "TanhBackward0"),
    "sigmoid": (_sigmoid, "out", lambda F, g, out: g * F.conj(out * (1 - out)), True, "SigmoidBackward0"),
    "sqrt": (np.sqrt, "out", lambda F, g, out: g / F.conj(2 * out), True, "SqrtBackward0"),
}

_NODES = {name: node_class(spec[4], spec[2]) for name, spec in UNARY.items()}


def _unary(name, input, out=None):
    np_fn, needs, _, to_float, _ = UNARY[name]
    input = to_tensor_arg(input, "input", name)
    dt = input._dtype
    x = input._data
    if to_float and dt.category < _FLOAT:
        dt = dtypes.get_default_dtype()
        x = x.astype(dt.np)
    res = np_fn(x)
    if res.__class__ is not np.ndarray or res.dtype != dt.np:
        res = np.asarray(res).astype(dt.np, copy=False)
    if out is not None:
        return write_out(out, res, dt, (input,), name)
    r = make_tensor(res, dt)
    if input._rg and _gstate.enabled:
        saved = (input,) if needs == "x" else (r,) if needs == "out" else ()
        record(_NODES[name], r, (input,), saved)
    return r


def _make(name):
    def fn(input, *, out=None):
        return _unary(name, input, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {name}, as torch.{name}."

    def inplace(self):
        check_inplace(self, name + "_")
        from .inplace import apply_inplace
        if UNARY[name][3] and self._dtype.category < _FLOAT:
            raise RuntimeError(f"{name}_: result type {dtypes.get_default_dtype().name} can't be cast to the "
                               f"desired output type {self._dtype.name}")
        return apply_inplace(self, lambda t: _unary(name, t))
    inplace.__name__ = name + "_"
    return fn, inplace


_functions = {}
for _name in UNARY:
    _functions[_name], _ip = _make(_name)
    attach(**{_name: _functions[_name], _name + "_": _ip})
globals().update(_functions)
negative = _functions["neg"]
attach(__neg__=_functions["neg"], negative=negative, negative_=Tensor.neg_)

# ------------------------------------------------------------------ cast and clone
ToCopyBackward0 = node_class("ToCopyBackward0", lambda F, g: g)   # the engine casts g back to the input dtype
CloneBackward0 = node_class("CloneBackward0", lambda F, g: g)


def cast(input, dtype):
    """``input`` converted to ``dtype`` (a copy), differentiable between float/complex types."""
    if dtype is input._dtype:
        return input
    if input._dtype.is_complex and not dtype.is_complex:
        import warnings
        warnings.warn("Casting complex values to real discards the imaginary part", UserWarning, stacklevel=3)
        data = input._data.real.astype(dtype.np)
    else:
        data = input._data.astype(dtype.np)
    r = make_tensor(data, dtype)
    if input._rg and _gstate.enabled and dtype.category >= _FLOAT:
        record(ToCopyBackward0, r, (input,))
    return r


def clone(input, *, memory_format=None):
    input = to_tensor_arg(input, "input", "clone")
    r = make_tensor(input._data.copy(), input._dtype)
    if input._rg and _gstate.enabled:
        record(CloneBackward0, r, (input,))
    return r


ConjBackward0 = node_class("ConjBackward0", lambda F, g: F.conj(g))


def conj(input):
    """The complex conjugate; real tensors are returned as they are (as PyTorch does)."""
    if not input._dtype.is_complex:
        return input
    r = make_tensor(np.conj(input._data), input._dtype)
    if input._rg and _gstate.enabled:
        record(ConjBackward0, r, (input,))
    return r


attach(clone=clone, conj=conj, conj_physical=conj)
conj_physical = conj
__all__ = list(UNARY) + ["negative", "clone", "conj", "conj_physical"]
