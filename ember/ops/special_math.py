"""Elementwise math PyTorch has beyond the core families: angle conversion, sinc,
the Bessel function i0, log-add-exp, float decomposition (frexp/ldexp/nextafter),
heaviside and the integer gcd/lcm. Each op's forward stands beside its derivative.

These ops take Tensor operands only (PyTorch refuses Python numbers for all of
them); the result dtype follows PyTorch's promotion, with integer inputs
computing in the default float dtype where the op is float-valued.
"""
import math

import numpy as np

from .. import dtypes
from ..autograd.formulas import define
from ..tensor import attach, make_tensor
from ._broadcast import broadcasting
from ._common import grad_on, node_class, promote, record, refusing_node, to_tensor_arg, write_out
from .arithmetic import _TORCH_NAMES, _as, _inplace, _saved, _to_float
from .reduction import _structseq, return_types, write_outs

_BOOL, _INT, _FLOAT, _COMPLEX = dtypes._BOOL, dtypes._INT, dtypes._FLOAT, dtypes._COMPLEX
_LN2 = math.log(2.0)
_DEG = math.pi / 180.0


def _refuse(dt, op, *cats):
    """PyTorch's NotImplementedError for a dtype its kernel has no loop for."""
    if dt.category in cats:
        raise NotImplementedError(f'"{op}_cpu" not implemented for \'{_TORCH_NAMES[dt.name]}\'')


_OUT = object()     # in a saved list: the op's own result


def _done(res, dt, out, inputs, op, node=None, saved=(), args=()):
    """Wrap ``res`` (or write it into out=); record ``node`` when an input requires grad.
    A saved entry _OUT stands for the result itself."""
    res = np.asarray(res).astype(dt.np, copy=False)
    if out is not None:
        return write_out(out, res, dt, inputs, op)
    r = make_tensor(res, dt)
    if node is not None and grad_on(*inputs):
        record(node, r, inputs, tuple(r if s is _OUT else s for s in saved), args)
    return r


def _low_precision(fn):
    """Run a float32/float64 kernel (scipy's) on half and bfloat16 through float32."""
    def run(x):
        if x.dtype.kind == "f" and x.dtype.itemsize >= 4:
            return fn(x)
        return fn(x.astype(np.float32)).astype(x.dtype)
    return run


def _float_input(input, op):
    """The operand's array in its compute dtype (integers and bools in the default float dtype)."""
    input = to_tensor_arg(input, "input", op)
    dt = _to_float(input._dtype)
    return input, dt, _as(input, dt)


# ------------------------------------------------------------------ deg2rad / rad2deg
Deg2RadBackward0 = node_class("Deg2RadBackward0", lambda F, g: g * _DEG)
Rad2DegBackward0 = node_class("Rad2DegBackward0", lambda F, g: g * (1 / _DEG))


def _angle(input, out, op, factor, node):
    input, dt, x = _float_input(input, op)
    if dt.category == _COMPLEX:
        raise RuntimeError(f"{op} is not supported for complex tensors.")
    return _done(x * factor, dt, out, (input,), op, node)


def deg2rad(input, *, out=None):
    return _angle(input, out, "deg2rad", _DEG, Deg2RadBackward0)


def rad2deg(input, *, out=None):
    return _angle(input, out, "rad2deg", 1 / _DEG, Rad2DegBackward0)


# ------------------------------------------------------------------ sinc
def _sinc_formula(F, g, x):
    # d/dx sin(pi x)/(pi x) = (pi x cos(pi x) - sin(pi x)) / (pi x^2), and 0 at x = 0
    zero = x == 0
    px = F.where(zero, 1, x) * math.pi
    return F.where(zero, 0, g * F.conj((px * F.cos(px) - F.sin(px)) / (px * px) * math.pi))


SincBackward0 = node_class("SincBackward0", _sinc_formula)


def sinc(input, *, out=None):
    input, dt, x = _float_input(input, "sinc")
    with np.errstate(all="ignore"):
        res = np.sinc(x)
    return _done(res, dt, out, (input,), "sinc", SincBackward0, (_saved(input, dt),))


# ------------------------------------------------------------------ i0 (and i1, for its derivative)
def _scipy(name):
    def fn(x):
        from scipy import special
        return getattr(special, name)(x)
    return _low_precision(fn)


_np_i0, _np_i1 = _scipy("i0"), _scipy("i1")
I0Backward0 = node_class("I0Backward0", lambda F, g, x: g * F.i1(x))


def _i1_formula(F, g, x, out):
    # i1'(x) = i0(x) - i1(x) / x, which tends to 1/2 at x = 0
    zero = x == 0
    return g * F.where(zero, 0.5, F.i0(x) - out / F.where(zero, 1, x))


I1Backward0 = node_class("SpecialI1Backward0", _i1_formula)


def i0(input, *, out=None):
    input, dt, x = _float_input(input, "i0")
    if dt.category == _COMPLEX:
        raise NotImplementedError(f"\"i0_vml_cpu\" not implemented for '{_TORCH_NAMES[dt.name]}'")
    return _done(_np_i0(x), dt, out, (input,), "i0", I0Backward0, (_saved(input, dt),))


def _i1(input):
    """The modified Bessel function I1: the derivative of i0, differentiable for higher orders."""
    return _done(_np_i1(input._data), input._dtype, None, (input,), "i1", I1Backward0, (input, _OUT))


# ------------------------------------------------------------------ logaddexp / logaddexp2
def _logaddexp_formula(F, g, a, b):
    return g / F.conj(1 + F.exp(b - a)), g / F.conj(1 + F.exp(a - b))


def _logaddexp2_formula(F, g, a, b):
    return g / (1 + F.exp((b - a) * _LN2)), g / (1 + F.exp((a - b) * _LN2))


LogaddexpBackward0 = node_class("LogaddexpBackward0", _logaddexp_formula)
Logaddexp2Backward0 = node_class("Logaddexp2Backward0", _logaddexp2_formula)


def _complex_logaddexp(a, b):
    """log(exp(a) + exp(b)) factored around the operand of larger real part (NumPy has no complex loop)."""
    big = np.where(a.real >= b.real, a, b)
    small = np.where(a.real >= b.real, b, a)
    return big + np.log1p(np.exp(small - big))


def _binary_float(input, other, op, np_fn, node, out, complex_ok=False):
    """A float-valued op of two Tensors: integers compute in the default float dtype."""
    input = to_tensor_arg(input, "input", op)
    other = to_tensor_arg(other, "other", op)
    dt = promote(input, other)
    _refuse(dt, op, _BOOL, _INT, *(() if complex_ok else (_COMPLEX,)))
    xa, xb = _as(input, dt), _as(other, dt)
    with np.errstate(all="ignore"):
        res = np_fn(xa, xb)
    return _done(res, dt, out, (input, other), op, node, (_saved(input, dt), _saved(other, dt)))


@broadcasting("logaddexp")
def logaddexp(input, other, *, out=None):
    fn = _complex_logaddexp if promote(to_tensor_arg(input, "input", "logaddexp"),
                                       to_tensor_arg(other, "other", "logaddexp")).is_complex else np.logaddexp
    return _binary_float(input, other, "logaddexp", fn, LogaddexpBackward0, out, complex_ok=True)


@broadcasting("logaddexp2")
def logaddexp2(input, other, *, out=None):
    return _binary_float(input, other, "logaddexp2", np.logaddexp2, Logaddexp2Backward0, out)


# ------------------------------------------------------------------ nextafter / ldexp / frexp
# nextafter moves input by one ulp: the derivative is 1 in input and 0 in other (PyTorch's convention)
NextafterBackward0 = node_class("NextafterBackward0", lambda F, g, a, b: (g, F.zeros_like(g)))


@broadcasting("nextafter")
def nextafter(input, other, *, out=None):
    return _binary_float(input, other, "nextafter", np.nextafter, NextafterBackward0, out)


def _ldexp_formula(F, g, b, out):
    return g * F.conj(F.exp(b * _LN2)), g * F.conj(out * _LN2)


LdexpBackward0 = node_class("LdexpBackward0", _ldexp_formula)


@broadcasting("ldexp")
def ldexp(input, other, *, out=None):
    """input * 2**other, in the promoted float dtype."""
    input = to_tensor_arg(input, "input", "ldexp")
    other = to_tensor_arg(other, "other", "ldexp")
    dt = _to_float(promote(input, other))
    xa, xb = _as(input, dt), _as(other, dt)
    with np.errstate(all="ignore"):
        res = xa * np.exp2(xb)
    return _done(res, dt, out, (input, other), "ldexp", LdexpBackward0, (_saved(other, dt), _OUT))


_structseq("frexp", ("mantissa", "exponent"))
FrexpBackward0 = node_class("FrexpBackward0", lambda F, g, scale: g * scale)


def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2**exponent, |mantissa| in [0.5, 1)."""
    input = to_tensor_arg(input, "input", "frexp")
    dt = input._dtype
    if dt.category != _FLOAT:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    x = input._data
    mantissa, exponent = np.frexp(x)
    exponent = exponent.astype(np.int32, copy=False)
    m, e = make_tensor(mantissa, dt), make_tensor(exponent, dtypes.int32)
    if out is not None:
        return write_outs(return_types.frexp, (m, e), out, (input,), "frexp")
    if grad_on(input):
        # the mantissa is input / 2**exponent: a fixed scale, saved in the input's dtype
        record(FrexpBackward0, (m, e), (input,), (make_tensor(np.ldexp(1.0, -exponent).astype(dt.np), dt),))
    return return_types.frexp(m, e)


# ------------------------------------------------------------------ heaviside / gcd / lcm (not differentiable)
HeavisideBackward0 = refusing_node("heaviside")      # no derivative in PyTorch


@broadcasting("heaviside")
def heaviside(input, values, *, out=None):
    """0 where input < 0, values where input == 0, 1 where input > 0."""
    input = to_tensor_arg(input, "input", "heaviside")
    values = to_tensor_arg(values, "values", "heaviside")
    if input._dtype.is_complex or values._dtype.is_complex:
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if input._dtype is not values._dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    x, v = input._data, values._data
    res = np.where(x == 0, v, x > 0)
    return _done(res, input._dtype, out, (input, values), "heaviside", HeavisideBackward0)


def _integer_op(input, other, out, op, np_fn):
    input = to_tensor_arg(input, "input", op)
    other = to_tensor_arg(other, "other", op)
    dt = promote(input, other)
    _refuse(dt, op, _BOOL, _FLOAT, _COMPLEX)
    return _done(np_fn(_as(input, dt), _as(other, dt)), dt, out, (input, other), op)


@broadcasting("gcd")
def gcd(input, other, *, out=None):
    return _integer_op(input, other, out, "gcd", np.gcd)


@broadcasting("lcm")
def lcm(input, other, *, out=None):
    return _integer_op(input, other, out, "lcm", np.lcm)


# ------------------------------------------------------------------ top-level names of torch.special functions
def igamma(input, other, *, out=None):
    """The regularized lower incomplete gamma function (torch.special.gammainc)."""
    from .. import special
    return special.gammainc(input, other, out=out)


def igammac(input, other, *, out=None):
    """The regularized upper incomplete gamma function (torch.special.gammaincc)."""
    from .. import special
    return special.gammaincc(input, other, out=out)


def mvlgamma(input, p, *, out=None):
    """The multivariate log-gamma function of dimension p (torch.special.multigammaln)."""
    from .. import special
    return special.multigammaln(input, p, out=out)


define("i0", _np_i0, i0)
define("i1", _np_i1, _i1)

_OPS = {"deg2rad": deg2rad, "rad2deg": rad2deg, "sinc": sinc, "i0": i0, "logaddexp": logaddexp,
        "logaddexp2": logaddexp2, "nextafter": nextafter, "ldexp": ldexp, "frexp": frexp, "heaviside": heaviside,
        "gcd": gcd, "lcm": lcm, "igamma": igamma, "igammac": igammac, "mvlgamma": mvlgamma}
_WITH_INPLACE = ("deg2rad", "rad2deg", "sinc", "i0", "nextafter", "ldexp", "heaviside", "gcd", "lcm", "igamma",
                 "igammac", "mvlgamma")
attach(**_OPS, **{n + "_": _inplace(_OPS[n], n + "_") for n in _WITH_INPLACE})

__all__ = list(_OPS)
