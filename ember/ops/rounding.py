"""Rounding: division with a rounding mode, remainder, fmod, floor, ceil, trunc, round, frac.

Integer operands keep their dtype (``floor`` of an int tensor is the int
tensor); integer division or remainder by zero raises, as PyTorch does.
Rounding functions have zero derivative; ``frac``, ``remainder`` and ``fmod``
pass the gradient through to their first operand.
"""
import numpy as np

from .. import dtypes
from ..autograd.formulas import define
from ..tensor import Tensor, attach, make_tensor
from ._broadcast import broadcasting
from ._common import _gstate, node_class, record, refusing_node, to_tensor_arg, write_out
from .arithmetic import (_BOOL, _COMPLEX, _FLOAT, _INT, _TORCH_NAMES, _as, _check_int_zero, _finish, _inplace,
                         _need_tensor, _not_for, _promote, _saved, _t)

_NUMBERS = (bool, int, float, complex, np.generic)


# ------------------------------------------------------------------ array kernels (PyTorch's semantics)
def _trunc_div(xa, xb):
    if xa.dtype.kind in "fc":
        with np.errstate(all="ignore"):
            return np.trunc(np.true_divide(xa, xb))
    q = np.floor_divide(xa, xb)
    fix = (np.remainder(xa, xb) != 0) & ((xa < 0) != (xb < 0))
    return q + fix.astype(q.dtype) if np.any(fix) else q


def _floor_div(xa, xb):
    with np.errstate(all="ignore"):
        return np.floor_divide(xa, xb)


def _tensor_div_floor(a, b):
    return divide_rounded(a, b, "floor")


def _tensor_div_trunc(a, b):
    return divide_rounded(a, b, "trunc")


define("div_floor", _floor_div, _tensor_div_floor)
define("div_trunc", _trunc_div, _tensor_div_trunc)

DivBackward2 = node_class("DivBackward2", lambda F, g: (F.zeros_like(g), F.zeros_like(g)))
FloorDivideBackward = node_class("NotImplemented", lambda F, g: _raise_not_implemented("floor_divide"))


def _raise_not_implemented(name):
    raise RuntimeError(f"the derivative for '{name}' is not implemented.")


@broadcasting("divide_rounded")
def divide_rounded(input, other, rounding_mode, out=None, op="div"):
    """div(input, other, rounding_mode='floor'|'trunc'): the quotient rounded, in the promoted dtype."""
    if rounding_mode not in ("floor", "trunc"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    if not isinstance(input, Tensor):
        _need_tensor(other, "other", op)
    dt = _promote(input, other, op)
    _not_for(dt, f"div_{rounding_mode}", _BOOL, _COMPLEX)
    xa, xb = _as(input, dt), _as(other, dt)
    if np.broadcast(xa, xb).size:     # an empty result divides nothing (PyTorch does not raise)
        _check_int_zero(xb, dt)
    res = _floor_div(xa, xb) if rounding_mode == "floor" else _trunc_div(xa, xb)
    node = FloorDivideBackward if op == "floor_divide" else DivBackward2
    return _finish(res, dt, out, (input, other), op, node)


# ------------------------------------------------------------------ remainder / fmod
RemainderBackward0 = node_class("RemainderBackward0", lambda F, g: (g, None))
RemainderBackward1 = node_class("RemainderBackward1", lambda F, g, a, b: (g, -g * F.div_floor(a, b)))
FmodBackward0 = node_class("FmodBackward0", lambda F, g: (g, None))
FmodBackward1 = node_class("FmodBackward1", lambda F, g, a, b: (g, -g * F.div_trunc(a, b)))


def _mod(input, other, out, op, np_fn, node0, node1):
    if not isinstance(input, Tensor):
        _need_tensor(other, "other", op)
    dt = _promote(input, other, op)
    _not_for(dt, op, _BOOL, _COMPLEX)
    xa, xb = _as(input, dt), _as(other, dt)
    if np.broadcast(xa, xb).size:     # an empty result divides nothing (PyTorch does not raise)
        _check_int_zero(xb, dt)
    with np.errstate(all="ignore"):
        res = np_fn(xa, xb)
    if isinstance(other, Tensor):
        if not isinstance(input, Tensor):      # number % tensor (remainder's Scalar_Tensor): no derivative
            return _finish(res, dt, out, (None, other), op, refusing_node(op))
        return _finish(res, dt, out, (input, other), op, node1, (_saved(input, dt), other))
    return _finish(res, dt, out, (input, None), op, node0)


@broadcasting("remainder")
def remainder(input, other, *, out=None):
    """Python-style modulus: the result has the sign of the divisor."""
    return _mod(input, other, out, "remainder", np.remainder, RemainderBackward0, RemainderBackward1)


@broadcasting("fmod")
def fmod(input, other, *, out=None):
    """C-style modulus: the result has the sign of the dividend."""
    return _mod(input, other, out, "fmod", np.fmod, FmodBackward0, FmodBackward1)


# ------------------------------------------------------------------ floor / ceil / trunc / round / frac
FloorBackward0 = node_class("FloorBackward0", lambda F, g: F.zeros_like(g))
CeilBackward0 = node_class("CeilBackward0", lambda F, g: F.zeros_like(g))
TruncBackward0 = node_class("TruncBackward0", lambda F, g: F.zeros_like(g))
RoundBackward0 = node_class("RoundBackward0", lambda F, g: F.zeros_like(g))
RoundBackward1 = node_class("RoundBackward1", lambda F, g: F.zeros_like(g))
FracBackward0 = node_class("FracBackward0", lambda F, g: g)


def _rounding(input, out, op, np_fn, node):
    input = to_tensor_arg(input, "input", op)
    dt = input._dtype
    if dt.category == _COMPLEX:
        raise NotImplementedError(f"{op} is not supported for complex inputs")
    _not_for(dt, f"{op}_vml", _BOOL)
    if dt.category <= _INT:
        res = input._data.copy()
        if out is not None:
            return write_out(out, res, dt, (input,), op)
        return make_tensor(res, dt)
    return _finish(np_fn(input._data), dt, out, (input,), op, node)


def floor(input, *, out=None):
    return _rounding(input, out, "floor", np.floor, FloorBackward0)


def ceil(input, *, out=None):
    return _rounding(input, out, "ceil", np.ceil, CeilBackward0)


def trunc(input, *, out=None):
    return _rounding(input, out, "trunc", np.trunc, TruncBackward0)


fix = trunc


def round(input, *, decimals=None, out=None):
    """Round half to even; with ``decimals`` (PyTorch's kernel: scale, round, unscale). Given decimals, even 0,
    is PyTorch's round.decimals overload: RoundBackward1, floating point inputs only."""
    if decimals is None:
        return _rounding(input, out, "round", np.rint, RoundBackward0)
    input = to_tensor_arg(input, "input", "round")
    dt = input._dtype
    if dt.category != _FLOAT:
        _not_for(dt, "round_vml" if decimals == 0 else "round", _BOOL, _INT, _COMPLEX)
    x = input._data
    if decimals == 0:
        res = np.rint(x)
    elif decimals > 0:
        ten = np.asarray(10.0 ** decimals, dt.np)
        with np.errstate(all="ignore"):
            res = np.rint(x * ten) / ten
    else:
        ten = np.asarray(10.0 ** -decimals, dt.np)
        with np.errstate(all="ignore"):
            res = np.rint(x / ten) * ten
    return _finish(res, dt, out, (input,), "round", RoundBackward1)


def frac(input, *, out=None):
    input = to_tensor_arg(input, "input", "frac")
    dt = input._dtype
    if dt.category != _FLOAT:
        _not_for(dt, "frac", _BOOL, _INT, _COMPLEX)
    x = input._data
    return _finish(x - np.trunc(x), dt, out, (input,), "frac", FracBackward0)


def _unary_inplace(fn, name):
    def method(self, **kwargs):
        return _inplace(fn, name)(self, **kwargs)
    method.__name__ = name
    return method


def _mod_op(fn):
    def method(self, other):
        if not isinstance(other, (Tensor,) + _NUMBERS):
            return NotImplemented
        return fn(self, other)
    return method


attach(
    remainder=remainder, fmod=fmod, floor=floor, ceil=ceil, trunc=trunc, fix=fix, round=round, frac=frac,
    remainder_=_inplace(remainder, "remainder_"), fmod_=_inplace(fmod, "fmod_"),
    floor_=_unary_inplace(floor, "floor_"), ceil_=_unary_inplace(ceil, "ceil_"),
    trunc_=_unary_inplace(trunc, "trunc_"), fix_=_unary_inplace(trunc, "fix_"),
    round_=_unary_inplace(round, "round_"), frac_=_unary_inplace(frac, "frac_"),
    __mod__=_mod_op(remainder), __imod__=_inplace(remainder, "remainder_"),
)

__all__ = ["remainder", "fmod", "floor", "ceil", "trunc", "fix", "round", "frac"]
