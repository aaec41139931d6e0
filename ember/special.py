"""ember.special: torch.special's functions, forward beside derivative.

Names torch.special shares with the top level (erf, expit = sigmoid, gammaln = lgamma,
i0, sinc, logsumexp, softmax...) are those same ember functions. The rest are computed by
scipy.special, imported on first call so that ``import ember`` stays fast. Each
differentiable function records one Node with PyTorch's derivative; where PyTorch's
derivative raises "not implemented" (zeta's in its first argument), the backward
raises the same class; bessel_j0/j1 are not differentiable in PyTorch and record
nothing.
"""
import math

import numpy as np

from . import dtypes
from .autograd.formulas import define
from .ops._broadcast import check_broadcast
from .ops._common import _gstate, make_tensor, node_class, promote, record, shown_as, to_tensor_arg, write_out
from .ops.arithmetic import _TORCH_NAMES, xlogy
from .ops.reduction import logsumexp
from .ops.rounding import round as _round
from .ops.special_math import i0, sinc
from .ops.unary import digamma, erf, erfc, erfinv, exp2, expm1, lgamma as gammaln, log1p, logit, polygamma
from .ops.unary import sigmoid as expit
from .tensor import Tensor

psi = digamma

_SQRT_2PI = math.sqrt(2 * math.pi)
_SQRT1_2 = math.sqrt(0.5)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_LOW = (dtypes.float16, dtypes.bfloat16)


def _scipy(name):
    """scipy.special.<name>, looked up on first call."""
    def fn(*args):
        from scipy import special
        return getattr(special, name)(*args)
    fn.__name__ = name
    return fn


def _compute_dtype(dt, op, low):
    """The result dtype of an elementwise special function on ``dt``, or PyTorch's refusal."""
    if dt.category == dtypes._COMPLEX or (dt in _LOW and not low):
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_TORCH_NAMES[dt.name]}'")
    return dtypes.get_default_dtype() if dt.category < dtypes._FLOAT else dt


def _run(np_fn, dt, *arrays):
    """np_fn on the arrays in dt (half precisions computed in float32, as PyTorch's CPU kernels)."""
    work = np.float32 if dt in _LOW else dt.np
    with np.errstate(all="ignore"):
        res = np_fn(*[np.asarray(a).astype(work, copy=False) for a in arrays])
    return np.asarray(res).astype(dt.np, copy=False)


def _unary(op, np_fn, node, saves, input, out, low=True):
    input = to_tensor_arg(input, "input", op)
    dt = _compute_dtype(input._dtype, op, low)
    res = _run(np_fn, dt, input._data)
    if out is not None:
        return write_out(out, res, dt, (input,), op)
    r = make_tensor(res, dt)
    if node is not None and _gstate.enabled and input._rg:
        record(node, r, (input,), saved=_SAVES[saves](input, r))
    return r


# What a function's node saves, as PyTorch's (its formula takes them in this order after g).
_SAVES = {"x": lambda x, out: (x,), "out": lambda x, out: (out,), "x,out": lambda x, out: (x, out)}


def _elementwise(op, np_fn, formula, node_name, saves="x", low=True):
    """A public one-argument function ``op(input, *, out=None)``; formula(F, g, *saved) or None."""
    node = node_class(node_name, formula) if formula is not None else None

    def fn(input, *, out=None):
        return _unary(op, np_fn, node, saves, input, out, low)
    fn.__name__ = fn.__qualname__ = op
    fn.__doc__ = f"Elementwise {op}, as torch.special.{op}."
    return fn


# ---------------------------------------------------------------- the error function family
erfcx = _elementwise("erfcx", _scipy("erfcx"), lambda F, g, x, out: g * (2 * x * out - _TWO_OVER_SQRT_PI),
                     "SpecialErfcxBackward0", saves="x,out", low=False)
ndtri = _elementwise("ndtri", _scipy("ndtri"), lambda F, g, out: g * F.exp(out * out * 0.5) * _SQRT_2PI,
                     "SpecialNdtriBackward0", saves="out", low=False)


def ndtr(input, *, out=None):
    """The standard normal CDF, composed as PyTorch's: (1 + erf(x / sqrt(2))) * 0.5. So its values (0 below
    about -8.3 in float64, where SciPy's ndtr keeps the tail), grad_fn (MulBackward1) and saved tensors (the
    scaled copy of the input, which may then change in place) are PyTorch's."""
    from .ops.arithmetic import mul
    r = mul(1 + erf(to_tensor_arg(input, "input", "ndtr") * _SQRT1_2), 0.5, out=out)
    return r if out is not None else shown_as(r, "MulBackward1")    # PyTorch's C++ Tensor * Scalar
log_ndtr = _elementwise("log_ndtr", _scipy("log_ndtr"),
                        lambda F, g, x, out: g * F.exp(-(out + x * x * 0.5)) / _SQRT_2PI,
                        "SpecialLogNdtrBackward0", saves="x,out", low=False)


# ---------------------------------------------------------------- modified Bessel functions
def _i1_formula(F, g, x, out):
    # i1' = i0 - i1 / x, whose limit at 0 is 1/2
    at0 = x == 0
    return g * F.where(at0, 0.5, F.i0(x) - out / F.where(at0, 1, x))


def _i1e_formula(F, g, x, out):
    # i1e' = i0e - i1e (sign(x) + 1/x), 1/2 at 0
    at0 = x == 0
    return g * F.where(at0, 0.5, F.special_i0e(x) - out * (F.sign(x) + 1 / F.where(at0, 1, x)))


i0e = _elementwise("i0e", _scipy("i0e"), lambda F, g, x, out: g * (F.special_i1e(x) - F.sign(x) * out),
                   "SpecialI0EBackward0", saves="x,out")
i1 = _elementwise("i1", _scipy("i1"), _i1_formula, "SpecialI1Backward0", saves="x,out")
i1e = _elementwise("i1e", _scipy("i1e"), _i1e_formula, "SpecialI1EBackward0", saves="x,out")
# Not differentiable in PyTorch (their outputs never require grad), and without half-precision kernels.
_NO_GRAD = {"bessel_j0": "j0", "bessel_j1": "j1", "bessel_y0": "y0", "bessel_y1": "y1",
            "modified_bessel_i0": "i0", "modified_bessel_i1": "i1", "modified_bessel_k0": "k0",
            "modified_bessel_k1": "k1", "scaled_modified_bessel_k0": "k0e", "scaled_modified_bessel_k1": "k1e"}
for _name, _sp in _NO_GRAD.items():
    globals()[_name] = _elementwise(_name, _scipy(_sp), None, None, low=False)
spherical_bessel_j0 = _elementwise("spherical_bessel_j0", lambda x: _scipy("spherical_jn")(0, x), None, None,
                                   low=False)
airy_ai = _elementwise("airy_ai", lambda x: _scipy("airy")(x)[0], None, None, low=False)


# ---------------------------------------------------------------- entr
entr = _elementwise("entr", _scipy("entr"), lambda F, g, x: g * -(F.log(x) + 1), "SpecialEntrBackward0")


# ---------------------------------------------------------------- two-argument functions
def _binary_operands(input, other, op, low=True):
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"special_{op}(): expected at least one Tensor argument, got "
                        f"({type(input).__name__}, {type(other).__name__})")
    dt = promote(input, other)
    dt = _compute_dtype(dt, op, low)
    # Python numbers become 0-d tensors of the result dtype (saved for the formula, never differentiated)
    xt = input if isinstance(input, Tensor) else make_tensor(np.asarray(input, dt.np), dt)
    yt = other if isinstance(other, Tensor) else make_tensor(np.asarray(other, dt.np), dt)
    return dt, xt, yt


_OVERLOADS = {}


def _overload(node, number_at):
    """node under the name of PyTorch's overload with a number for input (1) or other (2): ...Backward1/2."""
    if number_at == 0:
        return node
    cls = _OVERLOADS.get((node, number_at))
    if cls is None:
        cls = _OVERLOADS[(node, number_at)] = node_class(node.__name__[:-1] + str(number_at), node.formula)
    return cls


def _binary(op, np_fn, node, input, other, out, node_if_input_grad=None):
    dt, xt, yt = _binary_operands(input, other, op)
    check_broadcast(op, xt, yt)
    res = _run(np_fn, dt, xt._data, yt._data)
    if out is not None:
        return write_out(out, res, dt, (xt, yt), op)
    r = make_tensor(res, dt)
    if _gstate.enabled and (xt._rg or yt._rg):
        if xt._rg and node_if_input_grad is not None:
            node = node_if_input_grad
        number_at = 1 if not isinstance(input, Tensor) else 2 if not isinstance(other, Tensor) else 0
        record(_overload(node, number_at), r, (xt, yt), saved=(xt, yt))
    return r


def _np_xlog1py(x, y):
    r = x * np.log1p(y)
    return np.where((x == 0) & ~np.isnan(y), np.zeros((), r.dtype), r)


def _xlog1py_formula(F, g, x, y):
    # PyTorch's: xlog1py(g, y), 0 where x == 0 and y <= -1 (at x == 0 the slope in x is log1p(y), not 0)
    return F.where((x == 0) & (y <= -1), 0.0, F.xlog1py(g, y)), g * x / (y + 1)


SpecialXlog1PyBackward0 = node_class("SpecialXlog1PyBackward0", _xlog1py_formula)


def xlog1py(input, other, *, out=None):
    """input * log1p(other), 0 where input is 0 (unless other is NaN)."""
    return _binary("xlog1py", _np_xlog1py, SpecialXlog1PyBackward0, input, other, out)


def _zeta_formula(F, g, x, q):
    return F.zeros_like(x), g * -x * F.zeta(x + 1, q)


def _zeta_no_input_grad(F, g, x, q):
    raise NotImplementedError("the derivative for 'zeta' is not implemented.")


SpecialZetaBackward0 = node_class("SpecialZetaBackward0", _zeta_formula)
_SpecialZetaBackwardSelf = node_class("SpecialZetaBackward0", _zeta_no_input_grad)


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function zeta(input, other) = sum_k (k + other) ** -input."""
    return _binary("zeta", _scipy("zeta"), SpecialZetaBackward0, input, other, out, _SpecialZetaBackwardSelf)


def _gammainc_formula(sign):
    def formula(F, g, a, x):
        # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a); Q = 1 - P has the opposite sign. (The derivative in a
        # is not implemented in PyTorch: _gammainc_refuse stands in when a requires grad.)
        return F.zeros_like(a), g * F.exp((a - 1) * F.log(x) - x - F.special_gammaln(a)) * sign
    return formula


def _gammainc_refuse(op):
    def formula(F, g, a, x):
        raise NotImplementedError(f"the derivative for '{op}: input' is not implemented.")
    return formula


def _incomplete_gamma(op, kernel, np_fn, node, refuse, input, other, out):
    for name, t in (("input", input), ("other", other)):
        to_tensor_arg(t, name, f"special_{op}")
    dt = promote(input, other)
    if dt.category < dtypes._FLOAT:
        raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for '{_TORCH_NAMES[dt.name]}'")
    return _binary(op, np_fn, node, input, other, out, refuse)


SpecialGammaincBackward0 = node_class("IgammaBackward0", _gammainc_formula(1.0))
SpecialGammainccBackward0 = node_class("IgammacBackward0", _gammainc_formula(-1.0))
_GammaincRefuse = node_class("IgammaBackward0", _gammainc_refuse("igamma"))
_GammainccRefuse = node_class("IgammacBackward0", _gammainc_refuse("igammac"))


def gammainc(input, other, *, out=None):
    """The regularized lower incomplete gamma function P(input, other)."""
    return _incomplete_gamma("gammainc", "igamma", _scipy("gammainc"), SpecialGammaincBackward0, _GammaincRefuse,
                             input, other, out)


def gammaincc(input, other, *, out=None):
    """The regularized upper incomplete gamma function Q(input, other) = 1 - P(input, other)."""
    return _incomplete_gamma("gammaincc", "igammac", _scipy("gammaincc"), SpecialGammainccBackward0,
                             _GammainccRefuse, input, other, out)


# ---------------------------------------------------------------- orthogonal polynomials
def _np_polynomial(first, step, x, n):
    """P_n(x) by its three-term recurrence: P_0 = 1, P_1 = first(x), P_(k+1) = step(k, x, P_k, P_(k-1)).
    n is truncated to an integer, as PyTorch's kernels cast it; a negative (or NaN) n gives 0."""
    x, n = np.broadcast_arrays(x, n)
    with np.errstate(invalid="ignore"):
        k = np.where(np.isfinite(n), np.trunc(n), -1).astype(np.int64)
    res = np.where(k == 0, np.ones((), x.dtype), np.zeros((), x.dtype))
    prev, cur = np.ones_like(x), first(x)
    res = np.where(k == 1, cur, res)
    for j in range(1, int(k.max(initial=0))):
        prev, cur = cur, step(j, x, cur, prev)
        res = np.where(k == j + 1, cur, res)
    return res


def _polynomial(op, first, step, shifted=False):
    """torch.special.<op>(input, n): not differentiable in PyTorch, no half-precision kernels."""
    def fn(input, n, *, out=None):
        dt, xt, nt = _binary_operands(input, n, op, low=False)
        check_broadcast(op, xt, nt)
        x = xt._data.astype(dt.np)
        with np.errstate(all="ignore"):
            res = _np_polynomial(first, step, 2 * x - 1 if shifted else x, nt._data).astype(dt.np)
        return write_out(out, res, dt, (xt, nt), op) if out is not None else make_tensor(res, dt)
    fn.__name__ = fn.__qualname__ = op
    return fn


_CHEBYSHEV_STEP = lambda k, x, p, q: 2 * x * p - q     # noqa: E731  (every kind; they differ in P_1)
_FIRST = {"t": lambda x: x, "u": lambda x: 2 * x, "v": lambda x: 2 * x - 1, "w": lambda x: 2 * x + 1}
for _kind, _first in _FIRST.items():
    for _prefix, _shifted in (("", False), ("shifted_", True)):
        _op = f"{_prefix}chebyshev_polynomial_{_kind}"
        globals()[_op] = _polynomial(_op, _first, _CHEBYSHEV_STEP, _shifted)
hermite_polynomial_h = _polynomial("hermite_polynomial_h", lambda x: 2 * x, lambda k, x, p, q: 2 * x * p - 2 * k * q)
hermite_polynomial_he = _polynomial("hermite_polynomial_he", lambda x: x, lambda k, x, p, q: x * p - k * q)
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l", lambda x: 1 - x,
                                    lambda k, x, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1))
legendre_polynomial_p = _polynomial("legendre_polynomial_p", lambda x: x,
                                    lambda k, x, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1))
_POLYNOMIALS = [f"{p}chebyshev_polynomial_{k}" for k in _FIRST for p in ("", "shifted_")] + [
    "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"]


# ---------------------------------------------------------------- multigammaln, softmax family
def round(input, *, decimals=0, out=None):
    """torch.special.round: always the round.decimals overload (RoundBackward1; floating point only)."""
    return _round(input, decimals=decimals, out=out)


def multigammaln(input, p, *, out=None):
    """The log multivariate gamma function of dimension p: sum_i lgamma(x - i/2) + p(p-1)/4 log(pi)."""
    input = to_tensor_arg(input, "input", "multigammaln")
    if input._dtype is dtypes.bool:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    if p < 1:
        raise RuntimeError(f"p has to be greater than or equal to 1 (got {p})")
    dt = _compute_dtype(input._dtype, "mvlgamma", True)
    offsets = make_tensor(np.arange(p, dtype=dt.np) * -0.5, dt)
    r = (input.unsqueeze(-1) + offsets).lgamma().sum(-1) + p * (p - 1) / 4 * math.log(math.pi)
    if out is not None:
        return write_out(out, r._data, r._dtype, (input,), "mvlgamma")
    return shown_as(r, "MvlgammaBackward0")


def softmax(input, dim, *, dtype=None):
    import ember
    return ember.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    import ember
    return ember.log_softmax(input, dim, dtype=dtype)


# ---------------------------------------------------------------- formula namespace
define("special_i0e", _scipy("i0e"), i0e)
define("special_i1e", _scipy("i1e"), i1e)
define("zeta", _scipy("zeta"), zeta)
define("special_gammaln", _scipy("gammaln"), gammaln)
define("xlog1py", lambda x, y: _np_xlog1py(x.astype(y.dtype) if x.dtype == bool else x, y), xlog1py)

__all__ = ["erf", "erfc", "erfcx", "erfinv", "expit", "logit", "exp2", "expm1", "log1p", "logsumexp",
           "log_softmax", "softmax", "gammaln", "digamma", "psi", "polygamma", "multigammaln", "i0", "i0e", "i1",
           "i1e", "ndtr", "ndtri", "log_ndtr", "sinc", "round", "xlogy", "xlog1py", "zeta", "entr", "gammainc",
           "gammaincc", "spherical_bessel_j0", "airy_ai", *_NO_GRAD, *_POLYNOMIALS]
