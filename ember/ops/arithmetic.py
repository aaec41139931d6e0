"""Elementwise arithmetic of two (or three) operands: each op's forward beside its derivative.

Every op follows one pattern: promote the operands with PyTorch's rules
(``_operands``), compute on NumPy arrays, then wrap the result or write it into
``out=`` and record a Node (``_finish``). A derivative gets the formula
namespace F, the incoming gradient g, the saved values and the plain
arguments, and returns one gradient per tensor operand; broadcasting and dtype
are undone by the engine, not here. Complex gradients follow PyTorch's
convention (the conjugate Wirtinger derivative), hence the ``F.conj`` calls.

Scalar operands are saved as 0-d tensors so one formula serves ``x * y`` and
``x * 2``. ``mul`` and ``add`` have a short path for two tensors of one dtype:
they are the hot path of every model.
"""
import numpy as np

from .. import _parallel as par, dtypes
from .._scalars import weak
from ..autograd.formulas import _ember, define
from ..tensor import Tensor, attach, make_tensor
from ._broadcast import broadcast_error, broadcasting, check_broadcast
from ._common import HOT_FLOATS, _gstate, check_inplace, node_class, promote, record, write_out

_BOOL, _INT, _FLOAT, _COMPLEX = dtypes._BOOL, dtypes._INT, dtypes._FLOAT, dtypes._COMPLEX
_NUMBERS = (bool, int, float, complex, np.generic)
_default = dtypes.get_default_dtype


# ------------------------------------------------------------------ operand handling
def _as(x, dt):
    """Operand ``x`` (Tensor or Python number) as an array of dtype ``dt``."""
    if isinstance(x, Tensor):
        d = x._data
        return d if x._dtype is dt else d.astype(dt.np)
    if isinstance(x, _NUMBERS):
        try:
            return np.asarray(x, dt.np)
        except (OverflowError, TypeError, ValueError):
            return np.asarray(x).astype(dt.np)
    raise TypeError(f"unsupported operand type for a tensor op: {type(x).__name__} (expected a Tensor or a "
                    f"Python number)")


def _promote(a, b, op):
    try:
        return promote(a, b)
    except TypeError:
        raise TypeError(f"{op}(): expected Tensor or Python number operands, got {type(a).__name__} and "
                        f"{type(b).__name__}") from None


def _need_tensor(x, name, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")


def _no_complex(dt, op):
    _not_for(dt, op, _COMPLEX)


def _not_for(dt, op, *cats):
    if dt.category in cats:
        raise NotImplementedError(f'"{op}_cpu" not implemented for \'{_TORCH_NAMES[dt.name]}\'')


_TORCH_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
                "float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
                "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _to_float(dt):
    """int and bool results of a float-valued op become the default float dtype."""
    return dt if dt.category >= _FLOAT else _default()


def _saved(x, dt):
    """A saved operand in the compute dtype: the tensor itself (converted, differentiably, when its dtype
    differs: NumPy would compute log(uint8) in float16), or a scalar as a 0-d tensor."""
    if isinstance(x, Tensor):
        return x if x._dtype is dt else x.to(dt)
    return make_tensor(_as(x, dt), dt)


def _rg(x):
    """Whether an operand (a Tensor or a Python number) requires grad."""
    return getattr(x, "_rg", False)


def _t(x):
    return x if isinstance(x, Tensor) else None


def _fix(res, dt):
    if res.__class__ is not np.ndarray or res.dtype != dt.np:
        res = np.asarray(res).astype(dt.np, copy=False)
    return res


def _finish(res, dt, out, inputs, op, node=None, saved=(), args=()):
    """Wrap ``res`` (or write it into out=) and record ``node`` when an input requires grad."""
    res = _fix(res, dt)
    if out is not None:
        return write_out(out, res, dt, inputs, op)
    r = make_tensor(res, dt)
    if node is not None and _gstate.enabled:
        for t in inputs:
            if t is not None and t.__class__ is not bool and getattr(t, "_rg", False):
                record(node, r, tuple(_t(i) for i in inputs), saved, args)
                break
    return r


def _check_int_zero(xb, dt):
    if dt.category <= _INT and not np.all(xb):
        raise RuntimeError("ZeroDivisionError")


# ------------------------------------------------------------------ add / sub / mul (hot path)
AddBackward0 = node_class("AddBackward0", lambda F, g, alpha: (g, g if alpha == 1 else g * alpha))
SubBackward0 = node_class("SubBackward0", lambda F, g, alpha: (g, -g if alpha == 1 else g * -alpha))
# x - c, pred - target: the subtrahend needs no gradient, so none is negated for it
SubFirstBackward0 = node_class("SubBackward0", lambda F, g, alpha: (g, None))
RsubBackward1 = node_class("RsubBackward1", lambda F, g, alpha: (-g if alpha == 1 else g * -alpha, g))
RsubBackward0 = node_class("RsubBackward0", RsubBackward1.formula)      # rsub(tensor, tensor): its own overload
# a factor is saved only for the other's gradient (None when that one needs none), as PyTorch saves it:
# changing it in place afterwards is then no error
# (``.conj()`` is a method of arrays and Tensors alike, and returns real ones themselves: cheaper than F.conj)
MulBackward0 = node_class("MulBackward0", lambda F, g, a, b: (None if b is None else g * b.conj(),
                                                              None if a is None else g * a.conj()))
# tensor * real Python number: PyTorch's node is MulBackward0 as well; the number is an argument. PyTorch
# saves it (as a 0-d tensor) and frees it after backward, so a second backward raises; the node saves a
# placeholder to be freed the same way: None in the place of the input, which PyTorch does not save either.
MulScalarBackward0 = node_class("MulBackward0", lambda F, g, a, b: (F.scale(g, b), None))
_SAVES_PLACEHOLDER = (None,)
AddBackward0._arity = SubFirstBackward0._arity = MulScalarBackward0._arity = 2   # tensor op number: see _scalar_fast
_ONE = (1,)


def _check_alpha(alpha, dt, op):
    if alpha.__class__ is bool or not isinstance(alpha, _NUMBERS):
        if isinstance(alpha, Tensor):
            alpha = alpha.item()
        elif alpha.__class__ is not bool:
            raise TypeError(f"{op}(): argument 'alpha' must be Number, not {type(alpha).__name__}")
    if alpha.__class__ is bool and dt is not dtypes.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if dt.category <= _INT and isinstance(alpha, (float, complex)) and not isinstance(alpha, bool):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if dt.category == _FLOAT and isinstance(alpha, complex):
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a complex number.")
    return alpha


# Tensor op Python real number, in float32/float64: the number is weak (the result keeps the
# tensor's dtype, in PyTorch and in NumPy 2 alike), so it goes straight to the ufunc and the
# node keeps it as a plain argument instead of a saved 0-d tensor. Hot in every model.


def _scalar_fast(ufunc, input, other, node_cls, args, saved=()):
    x = input._data
    dt = input._dtype
    # the size test before par.ufunc: its call alone (~0.3 us) would be 5% of a small op
    if x.size < par.MIN_PER_THREAD << 1:
        res = ufunc(x, dt.weak_numbers.get(other) or weak(other, dt))
    else:
        res = par.ufunc(ufunc, x, other)
    if input._rg and _gstate.enabled:
        # exact: g has the input's shape and dtype. Only the tensor's edge is recorded: the formula's
        # second gradient (the number's, None or unused) is dropped by the engine's zip, and
        # next_functions shows the number's (None, 0) from the class's _arity.
        return make_tensor(res, dt, True, node_cls((input,), saved, args, True))
    return make_tensor(res, dt)


def _tensor_fast(ufunc, input, other, node_cls, saved, args, op):
    """Two tensors of one dtype (the other hot case): the ufunc, then the node if needed."""
    x, y = input._data, other._data
    same = x.shape == y.shape       # no broadcasting: the node is exact (no conform in backward)
    try:
        if x.size < par.MIN_PER_THREAD << 1 and (same or y.size < par.MIN_PER_THREAD << 1):   # as in _scalar_fast
            res = ufunc(x, y)
        else:
            res = par.ufunc(ufunc, x, y)
    except ValueError:
        raise broadcast_error(op, x.shape, y.shape) from None
    if (input._rg or other._rg) and _gstate.enabled:
        return make_tensor(res, input._dtype, True, node_cls((input, other), saved, args, same))
    return make_tensor(res, input._dtype)


# The operators (Tensor.__add__ …, and add/sub/mul without alpha or out=) take the two hot cases first:
# a tensor of the same dtype, or a real Python number with a float32/float64 tensor. Anything else goes
# to the op's general path; a type no op takes gives NotImplemented (Python then tries the reflected op).
def _add_op(self, other):
    if self.__class__ is Tensor:
        if other.__class__ is Tensor:
            if self._dtype is other._dtype:
                return _tensor_fast(np.add, self, other, AddBackward0, (), _ONE, "add")
        elif (other.__class__ is float or other.__class__ is int) and self._dtype in HOT_FLOATS:
            return _scalar_fast(np.add, self, other, AddBackward0, _ONE)
    if other.__class__ is Tensor or isinstance(other, _OPERANDS):
        return _add(self, other, 1, None)
    return NotImplemented


def _sub_op(self, other):
    if self.__class__ is Tensor:
        if other.__class__ is Tensor:
            if self._dtype is other._dtype and self._dtype is not dtypes.bool:
                return _tensor_fast(np.subtract, self, other, SubBackward0 if other._rg else SubFirstBackward0, (),
                                    _ONE, "sub")
        elif (other.__class__ is float or other.__class__ is int) and self._dtype in HOT_FLOATS:
            return _scalar_fast(np.subtract, self, other, SubFirstBackward0, _ONE)
    if other.__class__ is Tensor or isinstance(other, _OPERANDS):
        return _sub(self, other, 1, None)
    return NotImplemented


def _mul_op(self, other):
    if self.__class__ is Tensor:
        if other.__class__ is Tensor:
            if self._dtype is other._dtype:
                return _tensor_fast(np.multiply, self, other, MulBackward0,
                                    (self if other._rg else None, other if self._rg else None), (), "mul")
        elif (other.__class__ is float or other.__class__ is int) and self._dtype in HOT_FLOATS:
            return _scalar_fast(np.multiply, self, other, MulScalarBackward0, (other,), _SAVES_PLACEHOLDER)
    if other.__class__ is Tensor or isinstance(other, _OPERANDS):
        return _mul(self, other, None)
    return NotImplemented


def add(input, other, *, alpha=1, out=None):
    if out is None and alpha.__class__ is int and alpha == 1 and input.__class__ is Tensor and \
            (other.__class__ is Tensor or isinstance(other, _OPERANDS)):
        return _add_op(input, other)
    return _add(input, other, alpha, out)


def _add(input, other, alpha, out):
    check_broadcast("add", input, other)
    dt = _promote(input, other, "add")
    if alpha.__class__ is not int or alpha != 1:
        alpha = _check_alpha(alpha, dt, "add")
    xa, xb = _as(input, dt), _as(other, dt)
    if alpha != 1:
        xb = par.ufunc(np.multiply, xb, np.asarray(alpha, dt.np)) if dt is not dtypes.bool else xb & bool(alpha)
    return _finish(par.ufunc(np.add, xa, xb), dt, out, (input, other), "add", AddBackward0, (), (alpha,))


def _bool_sub_check(a, b):
    if getattr(a, "_dtype", None) is dtypes.bool and getattr(b, "_dtype", None) is dtypes.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if getattr(a, "_dtype", None) is dtypes.bool or getattr(b, "_dtype", None) is dtypes.bool \
            or a.__class__ is bool or b.__class__ is bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")


def sub(input, other, *, alpha=1, out=None):
    if out is None and alpha.__class__ is int and alpha == 1 and input.__class__ is Tensor and \
            (other.__class__ is Tensor or isinstance(other, _OPERANDS)):
        return _sub_op(input, other)
    return _sub(input, other, alpha, out)


def _sub(input, other, alpha, out):
    _bool_sub_check(input, other)
    check_broadcast("sub", input, other)
    dt = _promote(input, other, "sub")
    if alpha.__class__ is not int or alpha != 1:
        alpha = _check_alpha(alpha, dt, "sub")
    xa, xb = _as(input, dt), _as(other, dt)
    if alpha != 1:
        xb = par.ufunc(np.multiply, xb, np.asarray(alpha, dt.np))
    node = SubBackward0 if getattr(other, "_rg", False) else SubFirstBackward0
    return _finish(par.ufunc(np.subtract, xa, xb), dt, out, (input, other), "sub", node, (), (alpha,))


@broadcasting("rsub")
def rsub(input, other, *, alpha=1):
    """other - alpha * input (torch.rsub)."""
    _bool_sub_check(input, other)
    dt = _promote(input, other, "rsub")
    alpha = _check_alpha(alpha, dt, "rsub") if alpha != 1 else alpha
    xa, xb = _as(input, dt), _as(other, dt)
    if alpha != 1:
        xa = xa * np.asarray(alpha, dt.np)
    node = RsubBackward0 if isinstance(other, Tensor) else RsubBackward1
    return _finish(np.subtract(xb, xa), dt, None, (input, other), "rsub", node, (), (alpha,))


def mul(input, other, *, out=None):
    if out is None and input.__class__ is Tensor and (other.__class__ is Tensor or isinstance(other, _OPERANDS)):
        return _mul_op(input, other)
    return _mul(input, other, out)


def _mul(input, other, out):
    check_broadcast("mul", input, other)
    dt = _promote(input, other, "mul")
    xa, xb = _as(input, dt), _as(other, dt)
    return _finish(par.ufunc(np.multiply, xa, xb), dt, out, (input, other), "mul", MulBackward0,
                   (_saved(input, dt) if _rg(other) else None, _saved(other, dt) if _rg(input) else None))


# ------------------------------------------------------------------ division
# the dividend is saved only for the divisor's gradient, as in MulBackward0
DivBackward0 = node_class("DivBackward0", lambda F, g, a, b: (g / F.conj(b),
                                                              None if a is None else -g * F.conj(a / b / b)))
DivBackward2 = node_class("DivBackward2", lambda F, g: (F.zeros_like(g), F.zeros_like(g)))


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is not None:
        from .rounding import divide_rounded
        return divide_rounded(input, other, rounding_mode, out)
    if out is None and other.__class__ is input.__class__ is Tensor and input._dtype is other._dtype \
            and input._dtype.category >= _FLOAT:
        dt = input._dtype
        try:
            r = make_tensor(_fix(par.ufunc(np.true_divide, input._data, other._data), dt), dt)
        except ValueError:
            raise broadcast_error("div", input._data.shape, other._data.shape) from None
        if (input._rg or other._rg) and _gstate.enabled:
            record(DivBackward0, r, (input, other), (input if other._rg else None, other))
        return r
    check_broadcast("div", input, other)
    dt = _to_float(_promote(input, other, "div"))
    xa, xb = _as(input, dt), _as(other, dt)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = par.ufunc(np.true_divide, xa, xb)
    return _finish(res, dt, out, (input, other), "div", DivBackward0,
                   (_saved(input, dt) if _rg(other) else None, _saved(other, dt)))


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None):
    from .rounding import divide_rounded
    return divide_rounded(input, other, "floor", out, op="floor_divide")


# ------------------------------------------------------------------ powers
def _pow_self_formula(F, g, a, b):
    return F.where(b == 0, 0, g * F.conj(b * a ** (b - 1)))


def _pow_exponent_grad(F, g, a, b, out):
    # d/db a**b = a**b * log(a), defined as 0 where a == 0 and b >= 0 (PyTorch's convention)
    zero_base = (a == 0) & (F.real(b) >= 0)
    safe = F.where(zero_base, 1, a)
    return F.where(zero_base, 0, g * F.conj(out * F.log(safe)))


def _pow0_formula(F, g, a, exponent):
    if exponent == 0:
        return F.zeros_like(g)
    if exponent == 2:
        return g * F.conj(a * 2)
    return g * F.conj(a ** (exponent - 1) * exponent)


PowBackward0 = node_class("PowBackward0", _pow0_formula)
PowBackward1 = node_class("PowBackward1", lambda F, g, a, exponent, out: (
    _pow_self_formula(F, g, a, exponent), _pow_exponent_grad(F, g, a, exponent, out)))
PowBackward2 = node_class("PowBackward2", lambda F, g, a, exponent, out: (
    None, _pow_exponent_grad(F, g, a, exponent, out)))


def _int_pow(xa, xb, dt):
    """Integer power as PyTorch computes it: negative exponents give 0 except for bases 1 and -1."""
    neg = xb < 0
    if not np.any(neg):
        return np.power(xa, xb)
    res = np.power(xa, np.where(neg, 0, xb))
    odd = (xb % 2) != 0
    special = np.where(xa == 1, 1, np.where(xa == -1, np.where(odd, -1, 1), 0)).astype(dt.np)
    return np.where(neg, special, res)


@broadcasting("pow")
def pow(input, exponent, *, out=None):
    if not isinstance(input, Tensor):
        _need_tensor(exponent, "exponent", "pow")
    dt = _promote(input, exponent, "pow")
    scalar_exp = not isinstance(exponent, Tensor)
    if dt.category <= _INT and scalar_exp and isinstance(input, Tensor):   # a tensor exponent gives 0 instead
        e = exponent
        if isinstance(e, (int, np.integer)) and not isinstance(e, bool) and e < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
    if dt is dtypes.bool and not scalar_exp:
        raise NotImplementedError("\"pow\" not implemented for 'Bool' (a bool tensor exponent)")
    xa, xb = _as(input, dt), _as(exponent, dt)
    if dt.category <= _INT:
        if dt is dtypes.bool:
            res = _int_pow(xa.astype(np.int64), xb.astype(np.int64), dtypes.int64).astype(bool)
        else:
            res = _int_pow(xa, xb, dt)
    else:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            res = par.ufunc(np.power, xa, xb)
    if scalar_exp:
        return _finish(res, dt, out, (input, None), "pow", PowBackward0, (input,), (exponent,))
    if not isinstance(input, Tensor):
        r = _finish(res, dt, out, (None, exponent), "pow")
        if out is None and _gstate.enabled and exponent._rg:
            record(PowBackward2, r, (None, exponent), (_saved(input, dt), exponent, r))
        return r
    r = _finish(res, dt, out, (input, exponent), "pow")
    if out is None and _gstate.enabled and (input._rg or exponent._rg):
        record(PowBackward1, r, (input, exponent), (_saved(input, dt), _saved(exponent, dt), r))
    return r


@broadcasting("float_power")
def float_power(input, exponent, *, out=None):
    """pow computed in double (complex double when an operand is complex)."""
    if not isinstance(input, Tensor):
        _need_tensor(exponent, "exponent", "float_power")
    dt = _promote(input, exponent, "float_power")
    dt = dtypes.complex128 if dt.category == _COMPLEX else dtypes.float64
    a = input.to(dt) if isinstance(input, Tensor) else input
    e = exponent.to(dt) if isinstance(exponent, Tensor) else exponent
    if not isinstance(e, Tensor) and a._dtype is not dt:
        a = a.to(dt)
    if out is not None and out._dtype is not dt:
        raise RuntimeError(f"the output given to float_power has dtype {_TORCH_NAMES[out._dtype.name]} but the "
                           f"operation's result requires dtype {_TORCH_NAMES[dt.name]}")
    return pow(a, e, out=out)


# ------------------------------------------------------------------ two-operand math functions
def _binary_float(input, other, op, np_fn, node, out, allow_int=True, allow_complex=False):
    """An op computed in floating point (ints promote to the default float dtype)."""
    dt = _promote(input, other, op)
    if not allow_complex:
        _no_complex(dt, op)
    if not allow_int and dt.category <= _INT:
        _not_for(dt, op, _BOOL, _INT)
    dt = _to_float(dt)
    xa, xb = _as(input, dt), _as(other, dt)
    with np.errstate(all="ignore"):
        res = par.ufunc(np_fn, xa, xb)
    saved = (_saved(input, dt), _saved(other, dt))
    return _finish(res, dt, out, (input, other), op, node, saved)


def _atan2_formula(F, g, a, b):
    den = a * a + b * b
    return g * b / den, g * -a / den


Atan2Backward0 = node_class("Atan2Backward0", _atan2_formula)


@broadcasting("atan2")
def atan2(input, other, *, out=None):
    _need_tensor(input, "input", "atan2")
    _need_tensor(other, "other", "atan2")
    return _binary_float(input, other, "atan2", np.arctan2, Atan2Backward0, out)


def _hypot_formula(F, g, a, b):
    h = F.hypot(a, b)
    return g * a / h, g * b / h


HypotBackward0 = node_class("HypotBackward0", _hypot_formula)


@broadcasting("hypot")
def hypot(input, other, *, out=None):
    _need_tensor(input, "input", "hypot")
    _need_tensor(other, "other", "hypot")
    return _binary_float(input, other, "hypot", np.hypot, HypotBackward0, out, allow_int=False)


def _np_xlogy(x, y, out=None):
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.asarray(np.multiply(x, np.log(y), out=out))
    np.copyto(r, 0, where=(x == 0) & ~np.isnan(y))
    return r


def _xlogy_formula(F, g, x, y):
    # PyTorch's: xlogy(g, y), 0 where x == 0 and y <= 0 (at x == 0 the slope in x is log(y), not 0)
    return F.where((x == 0) & (y <= 0), 0.0, F.xlogy(g, y)), g * x / y


# xlogy(tensor, tensor), xlogy(number, tensor), xlogy(tensor, number): three overloads, three node names
XlogyBackward0, XlogyBackward1, XlogyBackward2 = (node_class(f"XlogyBackward{i}", _xlogy_formula) for i in range(3))


@broadcasting("xlogy")
def xlogy(input, other, *, out=None):
    if not isinstance(input, Tensor):
        _need_tensor(other, "other", "xlogy")
    node = XlogyBackward1 if not isinstance(input, Tensor) else XlogyBackward0 if isinstance(other, Tensor) else \
        XlogyBackward2
    return _binary_float(input, other, "xlogy", _np_xlogy, node, out)


def _copysign_formula(F, g, a, b, out):
    ratio = F.where(a == 0, 0, out / F.where(a == 0, 1, a))
    return g * ratio, F.zeros_like(g)


CopysignBackward0 = node_class("CopysignBackward0", _copysign_formula)
CopysignBackward1 = node_class("CopysignBackward1", _copysign_formula)     # copysign(tensor, number)


@broadcasting("copysign")
def copysign(input, other, *, out=None):
    dt = _promote(input, other, "copysign")
    _no_complex(dt, "copysign")
    dt = _to_float(dt)
    xa, xb = _as(input, dt), _as(other, dt)
    res = _fix(np.copysign(xa, xb), dt)
    r = _finish(res, dt, out, (input, other), "copysign")
    if out is None and _gstate.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
        node = CopysignBackward0 if isinstance(other, Tensor) else CopysignBackward1
        record(node, r, (_t(input), _t(other)), (_saved(input, dt), _saved(other, dt), r))
    return r


# ------------------------------------------------------------------ maximum / minimum / fmax / fmin
def _max_formula(F, g, a, b):
    half = F.where(a == b, g / 2, g)
    return F.where(a < b, 0, half), F.where(a > b, 0, half)


def _min_formula(F, g, a, b):
    half = F.where(a == b, g / 2, g)
    return F.where(a > b, 0, half), F.where(a < b, 0, half)


def _fmax_formula(F, g, a, b):
    pick = (a >= b) | F.isnan(b)
    return F.where(pick, g, 0), F.where(pick, 0, g)


def _fmin_formula(F, g, a, b):
    pick = (a <= b) | F.isnan(b)
    return F.where(pick, g, 0), F.where(pick, 0, g)


MaximumBackward0 = node_class("MaximumBackward0", _max_formula)
MinimumBackward0 = node_class("MinimumBackward0", _min_formula)
FmaxBackward0 = node_class("FmaxBackward0", _fmax_formula)
FminBackward0 = node_class("FminBackward0", _fmin_formula)


def _extremum(input, other, out, op, np_fn, node):
    _need_tensor(input, "input", op)
    _need_tensor(other, "other", op)
    dt = promote(input, other)
    if dt.category == _COMPLEX:
        raise RuntimeError(f"{op} not implemented for complex tensors.")
    xa, xb = _as(input, dt), _as(other, dt)
    return _finish(par.ufunc(np_fn, xa, xb), dt, out, (input, other), op, node, (input, other))


@broadcasting("maximum")
def maximum(input, other, *, out=None):
    return _extremum(input, other, out, "maximum", np.maximum, MaximumBackward0)


@broadcasting("minimum")
def minimum(input, other, *, out=None):
    return _extremum(input, other, out, "minimum", np.minimum, MinimumBackward0)


@broadcasting("fmax")
def fmax(input, other, *, out=None):
    return _extremum(input, other, out, "fmax", np.fmax, FmaxBackward0)


@broadcasting("fmin")
def fmin(input, other, *, out=None):
    return _extremum(input, other, out, "fmin", np.fmin, FminBackward0)


# ------------------------------------------------------------------ lerp / addcmul / addcdiv
def _lerp_formula(F, g, start, end, w):
    return g * F.conj(1 - w), g * F.conj(w), g * F.conj(end - start)


LerpBackward0 = node_class("LerpBackward0", lambda F, g, w: (g * (1 - w), g * w))
LerpBackward1 = node_class("LerpBackward1", _lerp_formula)


@broadcasting("lerp")
def lerp(input, end, weight, *, out=None):
    _need_tensor(input, "input", "lerp")
    _need_tensor(end, "end", "lerp")
    if input._dtype is not end._dtype:
        raise RuntimeError(f"expected dtype {input._dtype} for `end` but got dtype {end._dtype}")
    dt = input._dtype
    if dt.category <= _INT:
        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for '{_TORCH_NAMES[dt.name]}'")
    xs, xe = input._data, end._data
    scalar_w = not isinstance(weight, Tensor)
    if not scalar_w and weight._dtype is not dt:
        raise RuntimeError(f"expected dtype {dt} for `weight` but got dtype {weight._dtype}")
    xw = _as(weight, dt)
    diff = xe - xs
    res = np.where(np.abs(xw) < 0.5, xs + xw * diff, xe - diff * (1 - xw))
    if scalar_w:
        return _finish(res, dt, out, (input, end), "lerp", LerpBackward0, (), (weight,))
    return _finish(res, dt, out, (input, end, weight), "lerp", LerpBackward1, (input, end, weight))


AddcmulBackward0 = node_class("AddcmulBackward0", lambda F, g, t1, t2, v: (
    g, g * F.conj(t2 * v), g * F.conj(t1 * v)))
AddcdivBackward0 = node_class("AddcdivBackward0", lambda F, g, t1, t2, v: (
    g, g * F.conj(v / t2), -g * F.conj(t1 * v / (t2 * t2))))


def _addc(input, tensor1, tensor2, value, out, op):
    for n, x in (("input", input), ("tensor1", tensor1), ("tensor2", tensor2)):
        _need_tensor(x, n, op)
    dt = dtypes.result_type_of((dtypes.operand_kind(input), dtypes.operand_kind(tensor1),
                                dtypes.operand_kind(tensor2)))
    if op == "addcdiv" and dt.category <= _INT:
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release addcdiv "
                           "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
                           "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                           "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
                           "for all dtypes.")
    if dt is dtypes.bool:
        raise NotImplementedError(f"\"{op}_cpu_out\" not implemented for 'Bool'")
    if isinstance(value, Tensor):
        value = value.item()
    xi, x1, x2 = _as(input, dt), _as(tensor1, dt), _as(tensor2, dt)
    v = np.asarray(value).astype(dt.np)   # a float value on integer tensors truncates, as in PyTorch
    with np.errstate(all="ignore"):
        res = xi + v * (x1 * x2 if op == "addcmul" else x1 / x2)
    node = AddcmulBackward0 if op == "addcmul" else AddcdivBackward0
    return _finish(res, dt, out, (input, tensor1, tensor2), op, node, (tensor1, tensor2), (value,))


@broadcasting("addcmul")
def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    return _addc(input, tensor1, tensor2, value, out, "addcmul")


@broadcasting("addcdiv")
def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    return _addc(input, tensor1, tensor2, value, out, "addcdiv")


# ------------------------------------------------------------------ in-place forms and operators
def _inplace(fn, name):
    """The in-place form of an op: result cast into self, version bumped, history rebased."""
    def method(self, *args, **kwargs):
        check_inplace(self, name)
        from .inplace import apply_inplace
        self_dt = self._dtype

        def compute(t):
            r = fn(t, *args, **kwargs)
            if r._dtype is not self_dt and not dtypes.can_cast(r._dtype, self_dt):
                raise RuntimeError(f"result type {_TORCH_NAMES[r._dtype.name]} can't be cast to the desired "
                                   f"output type {_TORCH_NAMES[self_dt.name]}")
            return r
        return apply_inplace(self, compute, [a for a in args if isinstance(a, Tensor)]
                             + [v for v in kwargs.values() if isinstance(v, Tensor)])
    method.__name__ = name
    return method


def _broadcasts_into(src, dst):
    """src broadcasts to exactly dst (an in-place op keeps self's shape)."""
    try:
        return np.broadcast_shapes(src, dst) == dst
    except ValueError:
        return False     # the general path raises PyTorch's error


def _fast_inplace(np_fn, fn, name):
    """add_/sub_/mul_/div_: write straight into self's memory when no history is recorded."""
    slow = _inplace(fn, name)

    def method(self, other, **kwargs):
        if not kwargs and other.__class__ is Tensor and other._dtype is self._dtype \
                and self._dtype.category >= _FLOAT and not (_gstate.enabled and (self._rg or other._rg)) \
                and _broadcasts_into(other._data.shape, self._data.shape):
            try:
                par.ufunc(np_fn, self._data, other._data, out=self._data)
            except ValueError:      # read-only memory (an expand()ed tensor): the general path says why
                return slow(self, other, **kwargs)
            self._vbox[0] += 1
            return self
        return slow(self, other, **kwargs)
    method.__name__ = name
    return method


def _rsub_method(self, other):
    if not isinstance(other, _NUMBERS):
        return NotImplemented
    return rsub(self, other)


_OPERANDS = (Tensor,) + _NUMBERS


def _forward_op(fn):
    def method(self, other):
        if other.__class__ is Tensor or isinstance(other, _OPERANDS):
            return fn(self, other)
        return NotImplemented
    return method


def _array_wrap(self, array, context=None, return_scalar=False):
    """NumPy hands back what it computed for a Tensor operand (``t - np.arange(3)``, ``np.exp(t)``): as torch,
    a new Tensor of NumPy's result dtype, bools as uint8, outside autograd."""
    from ..creation import from_numpy
    array = np.asarray(array)
    return from_numpy(array.astype(np.uint8) if array.dtype == np.bool_ else array)


def _rpow(self, other):
    if not isinstance(other, _NUMBERS):
        return NotImplemented
    return pow(other, self)


def _rtruediv(self, other):
    if isinstance(other, np.ndarray):         # as torch: array * reciprocal(tensor), computed by NumPy
        from .unary import reciprocal
        return np.multiply(other, reciprocal(self))
    if not isinstance(other, _NUMBERS):
        return NotImplemented
    # PyTorch computes scalar / tensor as scalar * reciprocal(tensor) (a MulBackward0 node)
    if self._dtype.category >= _FLOAT and not isinstance(other, complex):
        from .unary import reciprocal
        return mul(reciprocal(self), other)
    return div(other, self)


def _rfloordiv(self, other):
    if not isinstance(other, _NUMBERS):
        return NotImplemented
    return floor_divide(other, self)


def _rmod(self, other):
    if not isinstance(other, _NUMBERS):
        return NotImplemented
    from .rounding import remainder
    return remainder(other, self)


def _tensor_pow(self, exponent):
    if not isinstance(exponent, (Tensor,) + _NUMBERS):
        return NotImplemented
    return pow(self, exponent)


def _float_power_inplace(self, exponent):
    dt = dtypes.complex128 if self._dtype.is_complex or getattr(exponent, "_dtype", dtypes.float64).is_complex \
        or isinstance(exponent, complex) else dtypes.float64
    if self._dtype is not dt:
        raise RuntimeError(f"the base given to float_power_ has dtype {_TORCH_NAMES[self._dtype.name]} but the "
                           f"operation's result requires dtype {_TORCH_NAMES[dt.name]}")
    return _inplace(float_power, "float_power_")(self, exponent)


subtract, multiply, divide = sub, mul, div

add_, sub_ = _fast_inplace(np.add, add, "add_"), _fast_inplace(np.subtract, sub, "sub_")
mul_, div_ = _fast_inplace(np.multiply, mul, "mul_"), _inplace(div, "div_")
pow_ = _inplace(pow, "pow_")
attach(
    add=add, sub=sub, mul=mul, div=div, pow=pow, subtract=sub, multiply=mul, divide=div, true_divide=true_divide,
    floor_divide=floor_divide, float_power=float_power, atan2=atan2, arctan2=atan2, hypot=hypot, xlogy=xlogy,
    copysign=copysign, maximum=maximum, minimum=minimum, fmax=fmax, fmin=fmin, lerp=lerp, addcmul=addcmul,
    addcdiv=addcdiv,
    __add__=_add_op, __sub__=_sub_op, __mul__=_mul_op, __truediv__=_forward_op(div),
    __pow__=_tensor_pow, __floordiv__=_forward_op(floor_divide),
    __radd__=_add_op, __rsub__=_rsub_method, __rmul__=_mul_op, __rtruediv__=_rtruediv,
    __rpow__=_rpow, __rfloordiv__=_rfloordiv, __rmod__=_rmod, __rdiv__=_rtruediv, __array_wrap__=_array_wrap,
    add_=add_, sub_=sub_, mul_=mul_, div_=div_, pow_=pow_, subtract_=sub_, multiply_=mul_, divide_=div_,
    true_divide_=_inplace(true_divide, "true_divide_"), floor_divide_=_inplace(floor_divide, "floor_divide_"),
    float_power_=_float_power_inplace, atan2_=_inplace(atan2, "atan2_"), arctan2_=_inplace(atan2, "arctan2_"),
    hypot_=_inplace(hypot, "hypot_"), xlogy_=_inplace(xlogy, "xlogy_"), copysign_=_inplace(copysign, "copysign_"),
    lerp_=_inplace(lerp, "lerp_"), addcmul_=_inplace(addcmul, "addcmul_"), addcdiv_=_inplace(addcdiv, "addcdiv_"),
    __iadd__=add_, __isub__=sub_, __imul__=mul_, __itruediv__=div_, __ipow__=pow_,
    __ifloordiv__=_inplace(floor_divide, "floor_divide_"),
)
arctan2 = atan2


def _define_namespace():
    define("hypot", np.hypot, _ember("hypot"))
    define("xlogy", lambda x, y: _np_xlogy(np.asarray(x, np.result_type(y)) if x.dtype == bool else x, y),
           _ember("xlogy"))
    define("real", np.real, _ember("real"))
    define("imag", np.imag, _ember("imag"))
    define("isnan", np.isnan, _ember("isnan"))


_define_namespace()

__all__ = ["add", "sub", "mul", "div", "pow", "subtract", "multiply", "divide", "true_divide", "rsub",
           "floor_divide", "float_power", "atan2", "arctan2", "hypot", "xlogy", "copysign", "maximum", "minimum",
           "fmax", "fmin", "lerp", "addcmul", "addcdiv"]
