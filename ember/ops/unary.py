"""Elementwise functions of one tensor: forward (a NumPy ufunc) beside derivative.

Rows read ``name: (numpy function, what the derivative needs, derivative,
dtype rule, node name)``. "x" saves the input, "out" the result, "" nothing.
Dtype rules: "f" integer/bool inputs compute in the default float dtype;
"fr" the same, and complex inputs are rejected (real-only functions); "s"
the result keeps the input's dtype.
"""
import functools
import math

import numpy as np

from .. import _parallel as par, dtypes
from ..autograd.formulas import _ember, array_ns, define, tensor_ns
from ..autograd.node import SavedOutput
from ..tensor import Tensor, attach, make_tensor
from ._broadcast import broadcasting
from ._common import HOT_FLOATS, _gstate, check_inplace, node_class, record, to_tensor_arg, write_out

_BOOL, _INT, _FLOAT, _COMPLEX = dtypes._BOOL, dtypes._INT, dtypes._FLOAT, dtypes._COMPLEX
_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0


def _torch_name(dt):
    from .arithmetic import _TORCH_NAMES
    return _TORCH_NAMES[dt.name]


_CHUNK = 1 << 16   # elements per block of a multi-pass kernel: its passes then stay in cache (sigmoid on 4M
                   # at one thread, ms: blocks of 8k 5.6, 16k 4.8, 32k 4.3, 64k 4.1, 128k 4.1-4.5)

try:        # NumPy's AVX512 build computes expm1 with Intel's SVML: ~2x faster than its own float32 exp
    from numpy._core._multiarray_umath import __cpu_features__ as _cpu
    _FAST_EXPM1 = bool(_cpu.get("AVX512_SKX"))
except ImportError:
    _FAST_EXPM1 = False


def _sigmoid(x, out=None):
    if x.dtype in (np.float32, np.float64) and (out is None or out.flags.c_contiguous):
        # 1 / (1 + exp(-x)), PyTorch's formula (exp(-x) = inf for very negative x gives the limit 0),
        # four in-place passes per cache-sized block instead of four full-size temporaries (scipy's
        # one-pass expit is a scalar loop, about 3x slower than these four SIMD passes). Where expm1 is
        # the faster one, 1 / (2 + expm1(-x)): the same value (expm1(-x) + 2 rounds as exp(-x) + 1 does,
        # to within its last bit; measured over 4M values it is as close to float64's as torch's). The
        # passes' cost, 4M in cache at one thread: negative 0.45, expm1 1.24, + 2 0.43, divide 0.92 ms,
        # so ~4.1 ms all told against torch's one fused loop, ~2-2.6 ms (NumPy's own float32 exp: 1.86)
        if out is None:
            out = np.empty(x.shape, x.dtype)
        xf, of = x.reshape(-1), out.reshape(-1)
        with np.errstate(over="ignore"):
            for i in range(0, xf.size, _CHUNK):
                o = of[i:i + _CHUNK]
                np.negative(xf[i:i + _CHUNK], out=o)
                if _FAST_EXPM1:
                    np.expm1(o, out=o)
                    o += 2
                else:
                    np.exp(o, out=o)
                    o += 1
                np.divide(1, o, out=o)
        return out
    if x.dtype.kind == "c":
        res = 1 / (1 + np.exp(-x))
    else:   # split by sign so exp never overflows
        e = np.exp(-np.abs(x))
        res = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
    return _into(res, out)


def _sigmoid_formula(F, g, out):
    return g * F.conj(out * (1 - out))


def _tanh_formula(F, g, out):
    return g * F.conj(1 - out * out)


def _sigmoid_grad_block(r, o, g):
    """r = g * (o * (1 - o)) in place, bitwise the formula's (the same three roundings)."""
    np.subtract(1, o, out=r)
    r *= o
    r *= g


def _tanh_grad_block(r, o, g):
    """r = g * (1 - o * o) in place, bitwise the formula's."""
    np.multiply(o, o, out=r)
    np.subtract(1, r, out=r)
    r *= g


def _blocked_grad(formula, block):
    """The array side of a backward ``formula(F, g, out)`` of three elementwise passes: on large real
    float arrays, ``block`` runs in place per cache-sized block, on the intra-op threads (the formula's
    own NumPy operators would make three full-size temporaries on one thread: ~1.7x slower)."""
    def piece(g, o, out=None):           # a ufunc's shape, for par.ufunc; its pieces may be strided
        if out is None:
            out = np.empty(o.shape, o.dtype)
        if not (g.flags.c_contiguous and o.flags.c_contiguous and out.flags.c_contiguous):
            out[...] = formula(array_ns, g, o)
            return out
        gf, of, rf = g.reshape(-1), o.reshape(-1), out.reshape(-1)
        for i in range(0, rf.size, _CHUNK):
            block(rf[i:i + _CHUNK], of[i:i + _CHUNK], gf[i:i + _CHUNK])
        return out

    def grad(g, out):
        if g.size >= par.MIN_PER_THREAD << 1 and g.shape == out.shape and g.dtype == out.dtype and \
                g.dtype.kind == "f" and g.__class__ is np.ndarray and out.__class__ is np.ndarray:
            return par.ufunc(piece, g, out)
        return formula(array_ns, g, out)
    return grad


def _into(res, out):
    """``res``, or ``res`` written into ``out``: the functions below take a ufunc's ``out=``, so that
    ``_parallel.ufunc`` can split them over threads."""
    if out is None:
        return res
    out[...] = res
    return out


def _rsqrt(x, out=None):
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.sqrt(x, out=out)
        return np.divide(1, r, out=out)


def _sign(x, out=None):
    """NumPy has no sign for bool; PyTorch's is the identity there."""
    return _into(x.copy(), out) if x.dtype == np.bool_ else np.sign(x, out=out)


def _sgn(x, out=None):
    """sign for real arrays; z/|z| (0 at 0) for complex ones."""
    if x.dtype.kind != "c":
        return _sign(x, out)
    a = np.abs(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _into(np.where(a == 0, np.zeros((), x.dtype), x / a), out)


def _special(name):
    """A scipy.special function (a ufunc), imported on first use so ``import ember`` stays fast."""
    def fn(x, out=None):
        from scipy import special
        return getattr(special, name)(x, out=out)
    fn.__name__ = name
    return fn


def _lgamma(x, out=None):
    """log|gamma(x)|, with lgamma(-inf) = +inf as PyTorch (and C's lgamma); SciPy's gammaln gives -inf."""
    res = np.asarray(_special("gammaln")(x, out=out))     # 0-d input: a 0-d array, not a NumPy scalar
    np.copyto(res, np.inf, where=np.isneginf(x))
    return res


def _np_polygamma(n, x):
    from scipy import special
    if n == 0:
        return special.digamma(x)
    return special.polygamma(n, x).astype(x.dtype, copy=False)


def _sgn_formula(F, g, x, out):
    if not F.is_complex(x):
        return F.zeros_like(g)
    a = F.abs(x)
    safe = F.where(a == 0, 1, a)
    return F.where(a == 0, 0, (g - out * F.real(g * F.conj(out))) / safe)


UNARY = {
    #  name        numpy fn        needs  derivative (F, g, saved) -> grad                       rule  node name
    "neg": (np.negative, "", lambda F, g: -g, "s", "NegBackward0"),
    "exp": (np.exp, "out", lambda F, g, out: g * F.conj(out), "f", "ExpBackward0"),
    "exp2": (np.exp2, "out", lambda F, g, out: g * F.conj(out * _LN2), "f", "Exp2Backward0"),
    "expm1": (np.expm1, "out", lambda F, g, out: g * F.conj(out + 1), "f", "Expm1Backward0"),
    "log": (np.log, "x", lambda F, g, x: g / F.conj(x), "f", "LogBackward0"),
    "log2": (np.log2, "x", lambda F, g, x: g / F.conj(x * _LN2), "f", "Log2Backward0"),
    "log10": (np.log10, "x", lambda F, g, x: g / F.conj(x * _LN10), "f", "Log10Backward0"),
    "log1p": (np.log1p, "x", lambda F, g, x: g / F.conj(x + 1), "f", "Log1PBackward0"),
    "sin": (np.sin, "x", lambda F, g, x: g * F.conj(F.cos(x)), "f", "SinBackward0"),
    "cos": (np.cos, "x", lambda F, g, x: -g * F.conj(F.sin(x)), "f", "CosBackward0"),
    "tan": (np.tan, "out", lambda F, g, out: g * F.conj(out * out + 1), "f", "TanBackward0"),
    "asin": (np.arcsin, "x", lambda F, g, x: g * F.conj(F.rsqrt(1 - x * x)), "f", "AsinBackward0"),
    "acos": (np.arccos, "x", lambda F, g, x: -g * F.conj(F.rsqrt(1 - x * x)), "f", "AcosBackward0"),
    "atan": (np.arctan, "x", lambda F, g, x: g / F.conj(x * x + 1), "f", "AtanBackward0"),
    "sinh": (np.sinh, "x", lambda F, g, x: g * F.conj(F.cosh(x)), "f", "SinhBackward0"),
    "cosh": (np.cosh, "x", lambda F, g, x: g * F.conj(F.sinh(x)), "f", "CoshBackward0"),
    "tanh": (np.tanh, "out", lambda F, g, out: F.tanh_backward(g, out), "f", "TanhBackward0"),
    "asinh": (np.arcsinh, "x", lambda F, g, x: g * F.conj(F.rsqrt(x * x + 1)), "f", "AsinhBackward0"),
    "acosh": (np.arccosh, "x", lambda F, g, x: g * F.conj(F.rsqrt(x * x - 1)), "f", "AcoshBackward0"),
    "atanh": (np.arctanh, "x", lambda F, g, x: g / F.conj(1 - x * x), "f", "AtanhBackward0"),
    "sigmoid": (_sigmoid, "out", lambda F, g, out: F.sigmoid_backward(g, out), "f", "SigmoidBackward0"),
    "sqrt": (np.sqrt, "out", lambda F, g, out: g / F.conj(out * 2), "f", "SqrtBackward0"),
    "rsqrt": (_rsqrt, "out", lambda F, g, out: g * F.conj(out * out * out) * -0.5, "f", "RsqrtBackward0"),
    "reciprocal": (np.reciprocal, "out", lambda F, g, out: -g * F.conj(out * out), "f", "ReciprocalBackward0"),
    "abs": (np.abs, "x", lambda F, g, x: g * F.sgn(x), "s", "AbsBackward0"),
    "sign": (_sign, "", lambda F, g: F.zeros_like(g), "s", "SignBackward0"),
    "sgn": (_sgn, "x,out", _sgn_formula, "s", "SgnBackward0"),
    "erf": (_special("erf"), "x", lambda F, g, x: g * F.exp(-x * x) * _TWO_OVER_SQRT_PI, "fr", "ErfBackward0"),
    "erfc": (_special("erfc"), "x", lambda F, g, x: g * F.exp(-x * x) * -_TWO_OVER_SQRT_PI, "fr",
             "ErfcBackward0"),
    # erfinv saves its input, as PyTorch (the result may then change in place; the input may not)
    "erfinv": (_special("erfinv"), "x", lambda F, g, x: g * F.exp(F.erfinv(x) ** 2) * _SQRT_PI_OVER_2, "fr",
               "ErfinvBackward0"),
    "lgamma": (_lgamma, "x", lambda F, g, x: g * F.digamma(x), "fr", "LgammaBackward0"),
    "digamma": (_special("digamma"), "x", lambda F, g, x: g * F.polygamma(1, x), "fr", "DigammaBackward0"),
}

_NODES = {name: node_class(spec[4], spec[2]) for name, spec in UNARY.items()}


def _check_dtype(name, dt):
    """PyTorch's refusals for a dtype, before any work."""
    cat = dt.category
    if cat == _BOOL and name in ("neg", "positive"):
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead." if name == "neg" else
                           "The `+` operator, on a bool tensor is not supported.")
    if cat == _BOOL and name == "abs":
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    if cat == _COMPLEX:
        if name == "sign":
            raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex numbers. "
                                      "Please use torch.sgn instead.")
        if UNARY[name][3] == "fr":
            raise NotImplementedError(f"\"{name}_vml_cpu\" not implemented for '{_torch_name(dt)}'")


# Real ops that never raise a floating-point warning, whatever the input (inf and nan included).
_NEVER_WARN = frozenset(("tanh", "abs", "neg", "positive", "sign", "atan", "asinh"))


def _unary(name, input, out=None):
    np_fn, needs, _, rule, _ = UNARY[name]
    if input.__class__ is not Tensor:
        input = to_tensor_arg(input, "input", name)
    dt = input._dtype
    x = input._data
    out_dt = dt
    if dt.category != _FLOAT:       # PyTorch's refusals, int -> float, complex abs: never for float input
        if dt.category <= _BOOL or dt.category == _COMPLEX:
            _check_dtype(name, dt)
        if rule != "s" and dt.category < _FLOAT:
            dt = out_dt = dtypes.get_default_dtype()
            x = x.astype(dt.np)
        elif name == "abs" and dt.category == _COMPLEX:
            out_dt = dt.to_real()
    if x.size >= par.MIN_PER_THREAD << 1:       # the size test first: par.ufunc's call costs ~0.3 us
        np_fn = functools.partial(par.ufunc, np_fn)
    if name in _NEVER_WARN and dt.category == _FLOAT:
        res = np_fn(x)               # np.errstate costs ~2 us a call: skipped where NumPy cannot warn
    else:
        with np.errstate(all="ignore"):
            res = np_fn(x)
    if res.__class__ is not np.ndarray or res.dtype != out_dt.np:
        res = np.asarray(res).astype(out_dt.np, copy=False)
    if out is not None:
        return write_out(out, res, out_dt, (input,), name)
    if input._rg and _gstate.enabled:      # (the input is float or complex, so the result is as well)
        r = make_tensor(res, out_dt, True)
        saved = (input,) if needs == "x" else (SavedOutput(r),) if needs == "out" else \
            (input, SavedOutput(r)) if needs else ()
        # exact (no conform in backward) for float32/float64: the formula keeps their shape and dtype
        r._grad_fn = _NODES[name]((input,), saved, (), out_dt is input._dtype and out_dt in HOT_FLOATS)
        return r
    return make_tensor(res, out_dt)


def _make(name):
    def fn(input, *, out=None):
        return _unary(name, input, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {name}, as torch.{name}."

    def inplace(self):
        check_inplace(self, name + "_")
        from .inplace import apply_inplace
        if name == "abs" and self._dtype.category == _COMPLEX:   # |z| is real: it cannot overwrite z
            raise RuntimeError("In-place abs is not supported for complex tensors.")
        if UNARY[name][3] != "s" and self._dtype.category < _FLOAT:
            raise RuntimeError(f"result type {dtypes.get_default_dtype().name.capitalize()} can't be cast to the "
                               f"desired output type {_torch_name(self._dtype)}")
        return apply_inplace(self, lambda t: _unary(name, t))
    inplace.__name__ = name + "_"
    return fn, inplace


_functions = {}
for _name in UNARY:
    _functions[_name], _ip = _make(_name)
    attach(**{_name: _functions[_name], _name + "_": _ip})
globals().update(_functions)

_ALIASES = {"negative": "neg", "absolute": "abs", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
            "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh"}
for _alias, _name in _ALIASES.items():
    globals()[_alias] = _functions[_name]
    attach(**{_alias: _functions[_name], _alias + "_": getattr(Tensor, _name + "_")})
attach(__neg__=_functions["neg"], __abs__=_functions["abs"])


def positive(input):
    """``+x``: the tensor itself (bool tensors are refused)."""
    input = to_tensor_arg(input, "input", "positive")
    if input._dtype is dtypes.bool:
        _check_dtype("positive", input._dtype)
    return input


def square(input, *, out=None):
    """input ** 2 (bool and integer inputs give integers, as torch.square)."""
    from .arithmetic import pow
    return pow(to_tensor_arg(input, "input", "square"), 2, out=out)


def _square_(self):
    return self.pow_(2)


# ------------------------------------------------------------------ logit and polygamma
def _logit_formula(F, g, x, eps):
    if eps is None:
        grad = g / (x * (1 - x))
        return F.where((x < 0) | (x > 1), float("nan"), grad)
    return F.where((x < eps) | (x > 1 - eps), 0, g / (x * (1 - x)))


LogitBackward0 = node_class("LogitBackward0", _logit_formula)


def logit(input, eps=None, *, out=None):
    input = to_tensor_arg(input, "input", "logit")
    dt = input._dtype
    if dt.category == _COMPLEX:
        raise NotImplementedError(f"\"logit_cpu\" not implemented for '{_torch_name(dt)}'")
    dt = dt if dt.category == _FLOAT else dtypes.get_default_dtype()
    x = input._data.astype(dt.np, copy=False)
    if isinstance(eps, Tensor):     # a one-element tensor stands for its number, as in PyTorch's float argument
        eps = eps.item()
    if eps is not None:     # PyTorch's kernel tests the lower bound first (it wins when eps > 0.5)
        x = np.where(x < eps, eps, np.where(x > 1 - eps, 1 - eps, x)).astype(x.dtype, copy=False)
    with np.errstate(all="ignore"):
        res = np.log(x / (1 - x))
    return _finish1(res, dt, out, input, "logit", LogitBackward0, (input,), (eps,))


PolygammaBackward0 = node_class("PolygammaBackward0", lambda F, g, x, n: g * F.polygamma(n + 1, x))


def polygamma(n, input, *, out=None):
    input = to_tensor_arg(input, "input", "polygamma")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    dt = input._dtype
    if dt.category == _COMPLEX:
        raise NotImplementedError(f"\"polygamma\" not implemented for '{_torch_name(dt)}'")
    dt = dt if dt.category == _FLOAT else dtypes.get_default_dtype()
    x = input._data.astype(dt.np, copy=False)
    with np.errstate(all="ignore"):
        res = _np_polygamma(n, x)
    return _finish1(res, dt, out, input, "polygamma", PolygammaBackward0, (input,), (n,))


def _finish1(res, dt, out, input, op, node, saved=(), args=()):
    if res.__class__ is not np.ndarray or res.dtype != dt.np:
        res = np.asarray(res).astype(dt.np, copy=False)
    if out is not None:
        return write_out(out, res, dt, (input,), op)
    r = make_tensor(res, dt)
    if input._rg and _gstate.enabled:
        record(node, r, (input,), tuple(r if s == "out" else s for s in saved), args)
    return r


# ------------------------------------------------------------------ clamp
ClampBackward1 = node_class("ClampBackward1", lambda F, g, x, lo, hi: F.where(_in_range(x, lo, hi), g, 0))


def _in_range(x, lo, hi):
    if lo is None:
        return x <= hi
    if hi is None:
        return x >= lo
    return (x >= lo) & (x <= hi)


def _clamp_tensor_formula(F, g, x, lo, hi):
    gx = F.where(_in_range(x, lo, hi), g, 0)
    if lo is None:
        return gx, None, F.where(x > hi, g, 0)
    if hi is None:
        return gx, F.where(x < lo, g, 0), None
    return gx, F.where((x < lo) & (lo <= hi), g, 0), F.where((x > hi) | (lo > hi), g, 0)


ClampBackward0 = node_class("ClampBackward0", _clamp_tensor_formula)
# clamp_min / clamp_max are overloads of their own in PyTorch: the same formulas under their names
_CLAMP_NODES = {None: (ClampBackward1, ClampBackward0)}
for _side in ("Min", "Max"):
    _CLAMP_NODES[_side.lower()] = (node_class(f"Clamp{_side}Backward0", ClampBackward1.formula),
                                   node_class(f"Clamp{_side}Backward1", _clamp_tensor_formula))


@broadcasting("clamp")
def clamp(input, min=None, max=None, *, out=None):
    """Limit input to [min, max]; either bound may be None, a number or a tensor."""
    return _clamp(input, min, max, out, None)


@broadcasting("clamp_min")
def clamp_min(input, min, *, out=None):
    return _clamp(input, min, None, out, "min")


@broadcasting("clamp_max")
def clamp_max(input, max, *, out=None):
    return _clamp(input, None, max, out, "max")


def _clamp(input, min, max, out, side):
    from .arithmetic import _as
    input = to_tensor_arg(input, "input", "clamp")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    bounds = [b for b in (min, max) if b is not None]
    kinds = [dtypes.operand_kind(input)] + [dtypes.operand_kind(b) for b in bounds]
    dt = dtypes.result_type_of(tuple(kinds))
    if dt.category == _COMPLEX:
        raise NotImplementedError("clamp is not supported for complex types")
    if dt is dtypes.bool:
        which = "clamp" if min is not None and max is not None else "clamp_min" if max is None else "clamp_max"
        raise NotImplementedError(f"\"{which}_scalar_cpu\" not implemented for 'Bool'")
    x = _as(input, dt)
    res = x
    lo = None if min is None else _as(min, dt)
    hi = None if max is None else _as(max, dt)
    if lo is not None:
        res = np.maximum(res, lo)
    if hi is not None:
        res = np.minimum(res, hi)
    if lo is None and hi is None or res is x:
        res = x.copy()
    if res.__class__ is not np.ndarray or res.dtype != dt.np:
        res = np.asarray(res).astype(dt.np, copy=False)
    tensors = (input, min if isinstance(min, Tensor) else None, max if isinstance(max, Tensor) else None)
    if out is not None:
        return write_out(out, res, dt, tensors, "clamp")
    r = make_tensor(res, dt)
    if _gstate.enabled and any(t is not None and t._rg for t in tensors):
        by_numbers, by_tensors = _CLAMP_NODES[side]
        if tensors[1] is None and tensors[2] is None:
            record(by_numbers, r, (input,), (input,), (min, max))
        else:
            lo_t = min if isinstance(min, Tensor) or min is None else make_tensor(lo, dt)
            hi_t = max if isinstance(max, Tensor) or max is None else make_tensor(hi, dt)
            record(by_tensors, r, tensors, (input, lo_t, hi_t))
    return r


clip = clamp


# ------------------------------------------------------------------ nan_to_num
NanToNumBackward0 = node_class("NanToNumBackward0", lambda F, g, x: g * F.isfinite(x))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    input = to_tensor_arg(input, "input", "nan_to_num")
    dt = input._dtype
    x = input._data
    if dt.category < _FLOAT:
        res = x.copy()
    else:
        if dt is dtypes.bfloat16:
            info = dtypes.finfo(dt)
            res = np.where(np.isnan(x), nan, x)
            res = np.where(np.isposinf(res), info.max if posinf is None else posinf, res)
            res = np.where(np.isneginf(res), info.min if neginf is None else neginf, res).astype(dt.np)
        else:
            res = np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)
    return _finish1(res, dt, out, input, "nan_to_num", NanToNumBackward0, (input,))


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
    input = to_tensor_arg(input, "input", "conj")
    if not input._dtype.is_complex:
        return input
    r = make_tensor(np.conj(input._data), input._dtype)
    if input._rg and _gstate.enabled:
        record(ConjBackward0, r, (input,))
    return r


def conj_physical(input, *, out=None):
    input = to_tensor_arg(input, "input", "conj_physical")
    if out is not None:
        return write_out(out, np.conj(input._data), input._dtype, (input,), "conj_physical")
    r = conj(input)
    return clone(r) if r is input else r


def _conj_physical_(self):
    from .inplace import apply_inplace
    check_inplace(self, "conj_physical_")
    if not self._dtype.is_complex:
        return self
    return apply_inplace(self, conj)


def resolve_conj(input):
    return input


def resolve_neg(input):
    return input


def is_conj(input):
    return False


def is_neg(input):
    return False


def _inplace_of(fn, name):
    def method(self, *args, **kwargs):
        check_inplace(self, name)
        from .inplace import apply_inplace
        self_dt = self._dtype

        def compute(t):
            r = fn(t, *args, **kwargs)
            if r._dtype is not self_dt and not dtypes.can_cast(r._dtype, self_dt):
                raise RuntimeError(f"result type {_torch_name(r._dtype)} can't be cast to the desired output type "
                                   f"{_torch_name(self_dt)}")
            return r
        return apply_inplace(self, compute, [a for a in list(args) + list(kwargs.values()) if isinstance(a, Tensor)])
    method.__name__ = name
    return method


def _isfinite_any(x):
    return np.isfinite(x)


define("cosh", np.cosh, _ember("cosh"))
define("sinh", np.sinh, _ember("sinh"))
define("rsqrt", _rsqrt, _ember("rsqrt"))
define("sgn", _sgn, _ember("sgn"))
define("digamma", _special("digamma"), _ember("digamma"))
define("erfinv", _special("erfinv"), _ember("erfinv"))
define("polygamma", _np_polygamma, _ember("polygamma"))
define("isfinite", _isfinite_any, _ember("isfinite"))
define("is_complex", lambda a: a.dtype.kind == "c", lambda t: t._dtype.is_complex)
define("sigmoid_backward", _blocked_grad(_sigmoid_formula, _sigmoid_grad_block),
       lambda g, out: _sigmoid_formula(tensor_ns, g, out))
define("tanh_backward", _blocked_grad(_tanh_formula, _tanh_grad_block), lambda g, out: _tanh_formula(tensor_ns, g, out))

attach(positive=positive, __pos__=positive, square=square, square_=_square_, logit=logit,
       logit_=_inplace_of(logit, "logit_"), polygamma=lambda self, n: polygamma(n, self),
       polygamma_=lambda self, n: _inplace_of(lambda t: polygamma(n, t), "polygamma_")(self),
       clamp=clamp, clip=clamp, clamp_min=clamp_min, clamp_max=clamp_max, clamp_=_inplace_of(clamp, "clamp_"),
       clip_=_inplace_of(clamp, "clip_"), clamp_min_=_inplace_of(clamp_min, "clamp_min_"),
       clamp_max_=_inplace_of(clamp_max, "clamp_max_"), nan_to_num=nan_to_num,
       nan_to_num_=_inplace_of(nan_to_num, "nan_to_num_"),
       clone=clone, conj=conj, conj_physical=conj_physical, conj_physical_=_conj_physical_,
       resolve_conj=resolve_conj, resolve_neg=resolve_neg, is_conj=is_conj, is_neg=is_neg)

__all__ = list(UNARY) + list(_ALIASES) + [
    "positive", "square", "logit", "polygamma", "clamp", "clip", "clamp_min", "clamp_max", "nan_to_num", "clone",
    "conj", "conj_physical", "resolve_conj", "resolve_neg", "is_conj", "is_neg"]
