"""Elementwise arithmetic: each op's forward (a NumPy ufunc) beside its derivative.

Table rows read ``name: (numpy function, saved operands, derivative)``. A
derivative gets the formula namespace F, the incoming gradient g, the saved
values and returns one gradient per tensor operand; broadcasting and dtype are
undone by the engine, not here. Complex gradients follow PyTorch's convention
(the conjugate Wirtinger derivative), hence the ``F.conj`` calls.
"""
import numpy as np

from .. import dtypes
from ..tensor import Tensor, attach, make_tensor
from ._common import _gstate, check_inplace, node_class, promote, record, write_out

_FLOAT = dtypes._FLOAT


def _pow_grad_exponent(F, g, a, out):
    # d/db a**b = a**b * log(a), defined as 0 where a == 0 (PyTorch's convention)
    safe = F.where(a == 0, F.ones_like(a), a)
    return F.where(a == 0, F.zeros_like(g), g * F.conj(out * F.log(safe)))


BINARY = {
    #  name          numpy fn        saves        derivative (F, g, *saved, *args) -> (grad a, grad b)
    "add": (np.add, "", lambda F, g, alpha: (g, g if alpha == 1 else g * alpha), "AddBackward0"),
    "sub": (np.subtract, "", lambda F, g, alpha: (g, -g if alpha == 1 else g * -alpha), "SubBackward0"),
    "mul": (np.multiply, "ab", lambda F, g, a, b: (g * F.conj(b), g * F.conj(a)), "MulBackward0"),
    "div": (np.true_divide, "ab", lambda F, g, a, b: (g / F.conj(b), -g * F.conj(a / (b * b))), "DivBackward0"),
    "pow": (np.power, "abo", lambda F, g, a, b, out: (
        g * F.conj(b * F.where(b == 0, F.ones_like(a), a ** (b - 1))), _pow_grad_exponent(F, g, a, out)),
        "PowBackward1"),
}

_NODES = {name: node_class(spec[3], spec[2]) for name, spec in BINARY.items()}


def _binary(name, a, b, out=None, alpha=1):
    """Run the binary op ``name`` with PyTorch's promotion, recording its Node when needed."""
    np_fn, saves, _, _ = BINARY[name]
    rt = promote(a, b)
    if name == "div" and rt.category < _FLOAT:
        rt = dtypes.get_default_dtype()
    xa = a._data if a.__class__ is Tensor and a._dtype is rt else _as(a, rt)
    xb = b._data if b.__class__ is Tensor and b._dtype is rt else _as(b, rt)
    if alpha != 1:
        _check_alpha(alpha, rt, name)
        xb = xb * alpha
    res = np_fn(xa, xb)
    if res.__class__ is not np.ndarray or res.dtype != rt.np:
        res = np.asarray(res).astype(rt.np, copy=False)
    if out is not None:
        return write_out(out, res, rt, (a, b), name)
    r = make_tensor(res, rt)
    if _gstate.enabled and (getattr(a, "_rg", False) or getattr(b, "_rg", False)):
        ta, tb = _tensor_or_none(a), _tensor_or_none(b)
        saved = tuple(_saved_operand(x, rt, r) for x, key in zip((a, b, r), "abo") if key in saves)
        record(_NODES[name], r, (ta, tb), saved, (alpha,) if not saves else ())
    return r


def _as(x, rt):
    if isinstance(x, Tensor):
        return x._data.astype(rt.np)
    if isinstance(x, (bool, int, float, complex, np.generic)):
        return np.asarray(x, rt.np) if rt.category >= dtypes.operand_kind(x)[1].category else np.asarray(x)
    raise TypeError(f"unsupported operand type for a tensor op: {type(x).__name__} (expected a Tensor or a "
                    f"Python number)")


def _tensor_or_none(x):
    return x if isinstance(x, Tensor) else None


def _saved_operand(x, rt, out):
    if x is out or isinstance(x, Tensor):
        return x
    return make_tensor(np.asarray(x, rt.np), rt)


def _check_alpha(alpha, rt, name):
    if rt.category < _FLOAT and isinstance(alpha, float):
        raise RuntimeError(f"For integral input tensors, argument alpha must not be a floating point number "
                           f"({name} got alpha={alpha}).")


def _bool_sub_check(a, b):
    if getattr(a, "_dtype", None) is dtypes.bool and getattr(b, "_dtype", None) is dtypes.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")


# ------------------------------------------------------------------ public functions
def add(input, other, *, alpha=1, out=None):
    return _binary("add", input, other, out, alpha)


def sub(input, other, *, alpha=1, out=None):
    _bool_sub_check(input, other)
    return _binary("sub", input, other, out, alpha)


def mul(input, other, *, out=None):
    return _binary("mul", input, other, out)


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is None:
        return _binary("div", input, other, out)
    from .rounding import divide_rounded
    return divide_rounded(input, other, rounding_mode, out)


def pow(input, exponent, *, out=None):
    return _binary("pow", input, exponent, out)


subtract, multiply, divide, true_divide = sub, mul, div, div


def _inplace(name):
    """The in-place form of a binary op: result cast into self, version bumped, history rebased."""
    def method(self, other, **kwargs):
        check_inplace(self, name + "_")
        rt = promote(self, other)
        if not dtypes.can_cast(rt, self._dtype) or name == "div" and self._dtype.category < _FLOAT \
                and kwargs.get("rounding_mode") is None:
            shown = dtypes.get_default_dtype() if name == "div" and rt.category < _FLOAT else rt
            raise RuntimeError(f"{name}_: result type {shown.name} can't be cast to the desired output type "
                               f"{self._dtype.name}")
        from .inplace import apply_inplace
        fn = FUNCTIONS[name]
        return apply_inplace(self, lambda t: fn(t, other, **kwargs), (other,))
    method.__name__ = name + "_"
    return method


def _reflected(fn):
    def method(self, other):
        if not isinstance(other, (Tensor, bool, int, float, complex, np.generic)):
            return NotImplemented
        return fn(other, self)
    return method


FUNCTIONS = {"add": add, "sub": sub, "mul": mul, "div": div, "pow": pow}

attach(
    add=add, sub=sub, mul=mul, div=div, pow=pow, subtract=sub, multiply=mul, divide=div, true_divide=div,
    __add__=add, __sub__=sub, __mul__=mul, __truediv__=div, __pow__=pow,
    __radd__=_reflected(add), __rsub__=_reflected(sub), __rmul__=_reflected(mul),
    __rtruediv__=_reflected(div), __rpow__=_reflected(pow),
    add_=_inplace("add"), sub_=_inplace("sub"), mul_=_inplace("mul"), div_=_inplace("div"),
    pow_=_inplace("pow"), subtract_=_inplace("sub"), multiply_=_inplace("mul"), divide_=_inplace("div"),
    true_divide_=_inplace("div"),
    __iadd__=_inplace("add"), __isub__=_inplace("sub"), __imul__=_inplace("mul"), __itruediv__=_inplace("div"),
    __ipow__=_inplace("pow"),
)

__all__ = ["add", "sub", "mul", "div", "pow", "subtract", "multiply", "divide", "true_divide"]
