"""Comparison and logic: eq/ne/lt/le/gt/ge, closeness, value tests (isnan …),
logical and bitwise ops, shifts, and ``where``.

Comparisons promote their operands with PyTorch's rules and return bool
tensors; none of them is differentiable. ``where`` is, in its two value
operands.
"""
import numpy as np

from .. import _parallel as par, dtypes
from ..autograd.formulas import _ember, define
from ..tensor import Tensor, attach, make_tensor
from ._broadcast import broadcasting
from ._common import _gstate, node_class, promote, record, to_tensor_arg, write_out
from .arithmetic import _BOOL, _COMPLEX, _FLOAT, _INT, _TORCH_NAMES, _as, _finish, _inplace, _need_tensor, _promote

_NUMBERS = (bool, int, float, complex, np.generic)
_bool = dtypes.bool
_BOOL_ONLY = (_bool,)      # the out= dtypes of the value tests PyTorch allows no other for


def _bool_result(res, out, inputs, op, exact=None):
    if res.__class__ is not np.ndarray:
        res = np.asarray(res)
    if out is not None:
        return write_out(out, res, _bool, inputs, op, exact)
    return make_tensor(res, _bool)


# ------------------------------------------------------------------ eq / ne / lt / le / gt / ge
def _comparison(name, np_fn, ordered):
    def fn(input, other, *, out=None):
        if other.__class__ is input.__class__ is Tensor and input._dtype is other._dtype:
            dt = input._dtype
            xa, xb = input._data, other._data
        else:
            if not isinstance(input, Tensor):
                _need_tensor(other, "other", name)
            dt = _promote(input, other, name)
            xa, xb = _as(input, dt), _as(other, dt)
        if ordered and dt.category == _COMPLEX:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_TORCH_NAMES[dt.name]}'")
        return _bool_result(par.ufunc(np_fn, xa, xb), out, (), name)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` with PyTorch's promotion; a bool tensor."
    return broadcasting(name)(fn)


eq = _comparison("eq", np.equal, False)
ne = _comparison("ne", np.not_equal, False)
lt = _comparison("lt", np.less, True)
le = _comparison("le", np.less_equal, True)
gt = _comparison("gt", np.greater, True)
ge = _comparison("ge", np.greater_equal, True)
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _operator(fn, arrays=False):
    """arrays: read a NumPy array operand as a tensor (torch's == does; for <, > NumPy raises TypeError)."""
    def method(self, other):
        if arrays and isinstance(other, np.ndarray):
            from ..creation import tensor
            other = tensor(other)
        if not isinstance(other, (Tensor,) + _NUMBERS):
            return NotImplemented
        return fn(self, other)
    return method


# ------------------------------------------------------------------ closeness and equality
@broadcasting("isclose")
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _need_tensor(input, "input", "isclose")
    _need_tensor(other, "other", "isclose")
    if input._dtype is not other._dtype:
        raise RuntimeError(f"{_TORCH_NAMES[input._dtype.name]} did not match {_TORCH_NAMES[other._dtype.name]}")
    a, b = input._data, other._data
    close = a == b
    if input._dtype is _bool:
        return make_tensor(np.asarray(close), _bool)
    if equal_nan and input._dtype.category >= _FLOAT:
        close = close | (np.isnan(a) & np.isnan(b))
    if input._dtype.category <= _INT:
        a, b = a.astype(np.float64), b.astype(np.float64)
    with np.errstate(all="ignore"):
        diff = np.abs(a - b)
        allowed = atol + rtol * np.abs(b)
        close = close | (np.isfinite(diff) & (diff <= allowed))
    return make_tensor(np.asarray(close), _bool)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True when both tensors have the same shape and values."""
    _need_tensor(input, "input", "equal")
    _need_tensor(other, "other", "equal")
    if input._data.shape != other._data.shape:
        return False
    return bool(np.array_equal(input._data, other._data))


# ------------------------------------------------------------------ value tests
def _value_test(name, np_fn, real_default, complex_ok=True, out_dtypes=None):
    def fn(input, *, out=None):
        input = to_tensor_arg(input, "input", name)
        dt = input._dtype
        if dt.category == _COMPLEX and not complex_ok:
            raise RuntimeError(f"{name} does not support complex inputs.")
        if dt.category < _FLOAT:
            res = np.full(input._data.shape, real_default)
        else:
            res = par.ufunc(np_fn, input._data)
        return _bool_result(res, out, (), name, out_dtypes)
    fn.__name__ = fn.__qualname__ = name
    return broadcasting(name)(fn)


isnan = _value_test("isnan", np.isnan, False)
isinf = _value_test("isinf", np.isinf, False)
isfinite = _value_test("isfinite", np.isfinite, True)
isposinf = _value_test("isposinf", np.isposinf, False, complex_ok=False, out_dtypes=_BOOL_ONLY)
isneginf = _value_test("isneginf", np.isneginf, False, complex_ok=False, out_dtypes=_BOOL_ONLY)


def isreal(input):
    input = to_tensor_arg(input, "input", "isreal")
    if input._dtype.is_complex:
        return make_tensor(np.asarray(input._data.imag == 0), _bool)
    return make_tensor(np.ones(input._data.shape, bool), _bool)


def signbit(input, *, out=None):
    input = to_tensor_arg(input, "input", "signbit")
    if input._dtype.is_complex:
        raise RuntimeError("signbit is not implemented for complex tensors.")
    x = input._data
    return _bool_result(np.signbit(x) if x.dtype.kind == "f" or x.dtype.name == "bfloat16" else x < 0,
                        out, (), "signbit", _BOOL_ONLY)


# ------------------------------------------------------------------ logical ops
def _logical(name, np_fn):
    def fn(input, other, *, out=None):
        _need_tensor(input, "input", name)
        _need_tensor(other, "other", name)
        return _bool_result(par.ufunc(np_fn, input._data, other._data), out, (), name)
    fn.__name__ = fn.__qualname__ = name
    return broadcasting(name)(fn)


logical_and = _logical("logical_and", np.logical_and)
logical_or = _logical("logical_or", np.logical_or)
logical_xor = _logical("logical_xor", np.logical_xor)


def logical_not(input, *, out=None):
    input = to_tensor_arg(input, "input", "logical_not")
    return _bool_result(par.ufunc(np.logical_not, input._data), out, (), "logical_not")


# ------------------------------------------------------------------ bitwise ops and shifts
def _int_operands(input, other, name):
    if not isinstance(input, Tensor):
        _need_tensor(other, "other", name)
    dt = _promote(input, other, name)
    if dt.category >= _FLOAT:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_TORCH_NAMES[dt.name]}'")
    return dt, _as(input, dt), _as(other, dt)


def _bitwise(name, np_fn):
    def fn(input, other, *, out=None):
        dt, xa, xb = _int_operands(input, other, name)
        return _finish(par.ufunc(np_fn, xa, xb), dt, out, (), name)
    fn.__name__ = fn.__qualname__ = name
    return broadcasting(name)(fn)


bitwise_and = _bitwise("bitwise_and", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", np.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor)


def bitwise_not(input, *, out=None):
    input = to_tensor_arg(input, "input", "bitwise_not")
    dt = input._dtype
    if dt.category >= _FLOAT:
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{_TORCH_NAMES[dt.name]}'")
    return _finish(par.ufunc(np.invert, input._data), dt, out, (), "bitwise_not")


def _shift(xa, xb, left):
    """PyTorch's shifts: amounts outside [0, bits) shift everything out (0, or -1 for negative >>)."""
    bits = xa.dtype.itemsize * 8
    over = (xb < 0) | (xb >= bits)
    amount = np.where(over, 0, xb).astype(xa.dtype) if np.any(over) else xb
    res = np.left_shift(xa, amount) if left else np.right_shift(xa, amount)
    if np.any(over):
        fill = np.zeros((), xa.dtype) if left else np.where(xa < 0, np.asarray(-1).astype(xa.dtype), 0)
        res = np.where(over, fill, res)
    return res


def _shift_op(name, left):
    def fn(input, other, *, out=None):
        dt, xa, xb = _int_operands(input, other, name)
        if dt is _bool:
            raise NotImplementedError(f"\"{'l' if left else 'r'}shift_cpu\" not implemented for 'Bool'")
        res = _shift(xa, xb, left)
        return _finish(res, dt, out, (), name)
    fn.__name__ = fn.__qualname__ = name
    return broadcasting(name)(fn)


bitwise_left_shift = _shift_op("bitwise_left_shift", True)
bitwise_right_shift = _shift_op("bitwise_right_shift", False)


def _invert(self):
    if self._dtype.category >= _FLOAT:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(self)


def _reflected(fn):
    def method(self, other):
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return fn(other, self)
    return method


# ------------------------------------------------------------------ where
WhereBackward0 = node_class("WhereBackward0", lambda F, g, cond: (F.where(cond, g, 0), F.where(cond, 0, g)))


@broadcasting("where")
def where(condition, input=None, other=None, *, out=None):
    """where(cond, x, y): x where cond else y (broadcast); where(cond): the indices of nonzeros as a tuple."""
    condition = to_tensor_arg(condition, "condition", "where")
    if input is None and other is None:
        import ember
        return ember.nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() missing a required argument: 'input' and 'other' go together")
    if condition._dtype is not _bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_TORCH_NAMES[condition._dtype.name]}")
    if input.__class__ is other.__class__ is Tensor and input._dtype is other._dtype:
        dt = input._dtype
        xa, xb = input._data, other._data
    else:
        dt = promote(input, other)
        xa, xb = _as(input, dt), _as(other, dt)
    res = par.where(condition._data, xa, xb)
    if res.dtype != dt.np:
        res = res.astype(dt.np)
    if out is not None:
        return write_out(out, res, dt, (input, other), "where")
    r = make_tensor(res, dt)
    if _gstate.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
        record(WhereBackward0, r, (input if isinstance(input, Tensor) else None,
                                   other if isinstance(other, Tensor) else None), (condition,))
    return r


def _tensor_where(self, condition, other):
    return where(condition, self, other)


def _zero_grads(F, g):
    return F.zeros_like(g), F.zeros_like(g)


def _comparison_inplace(fn, name):
    """x.lt_(y): x becomes (x < y) in x's dtype; its history is cut (the gradient is 0), as in PyTorch."""
    title = name[:-1].capitalize()
    nodes = (node_class(f"{title}Backward0", _zero_grads), node_class(f"{title}Backward1", _zero_grads))

    def method(self, other):
        from .inplace import apply_inplace

        def compute(t):
            r = fn(t, other).to(self._dtype)
            if _gstate.enabled and (t._rg or getattr(other, "_rg", False)) and r._dtype.category >= _FLOAT:
                record(nodes[isinstance(other, Tensor)], r, (t, other if isinstance(other, Tensor) else None))
            return r
        return apply_inplace(self, compute, [other] if isinstance(other, Tensor) else ())
    method.__name__ = name
    return method


def _define_namespace():
    define("isnan", lambda x: np.isnan(x) if x.dtype.kind in "fc" else np.zeros(x.shape, bool), _ember("isnan"))
    define("isfinite", lambda x: np.isfinite(x) if x.dtype.kind in "fc" else np.ones(x.shape, bool),
           _ember("isfinite"))
    define("logical_not", np.logical_not, _ember("logical_not"))


_define_namespace()

_COMPARISONS = {"eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "greater": gt, "greater_equal": ge,
                "less": lt, "less_equal": le, "not_equal": ne}
for _n, _f in _COMPARISONS.items():
    attach(**{_n: _f, _n + "_": _comparison_inplace(_f, _n + "_")})

_BINARY_LOGIC = {"logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor,
                 "bitwise_and": bitwise_and, "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor,
                 "bitwise_left_shift": bitwise_left_shift, "bitwise_right_shift": bitwise_right_shift}
for _n, _f in _BINARY_LOGIC.items():
    attach(**{_n: _f, _n + "_": _inplace(_f, _n + "_")})

attach(
    __eq__=_operator(eq, True), __ne__=_operator(ne), __lt__=_operator(lt), __le__=_operator(le),
    __gt__=_operator(gt), __ge__=_operator(ge),
    __and__=_operator(bitwise_and), __or__=_operator(bitwise_or), __xor__=_operator(bitwise_xor),
    __lshift__=_operator(bitwise_left_shift), __rshift__=_operator(bitwise_right_shift),
    __rand__=_reflected(bitwise_and), __ror__=_reflected(bitwise_or), __rxor__=_reflected(bitwise_xor),
    __rlshift__=_reflected(bitwise_left_shift), __rrshift__=_reflected(bitwise_right_shift),
    __iand__=_inplace(bitwise_and, "bitwise_and_"), __ior__=_inplace(bitwise_or, "bitwise_or_"),
    __ixor__=_inplace(bitwise_xor, "bitwise_xor_"), __ilshift__=_inplace(bitwise_left_shift, "__ilshift__"),
    __irshift__=_inplace(bitwise_right_shift, "__irshift__"), __invert__=_invert,
    bitwise_not=bitwise_not, bitwise_not_=_inplace(bitwise_not, "bitwise_not_"),
    logical_not=logical_not, logical_not_=_comparison_inplace(lambda t, _: logical_not(t), "logical_not_"),
    isclose=isclose, allclose=allclose, equal=equal, isnan=isnan, isinf=isinf, isfinite=isfinite,
    isposinf=isposinf, isneginf=isneginf, isreal=isreal, signbit=signbit, where=_tensor_where,
)
Tensor.logical_not_ = lambda self: _comparison_inplace(lambda t, _: logical_not(t), "logical_not_")(self, None)

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
           "isclose", "allclose", "equal", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal",
           "signbit", "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
           "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "where"]
