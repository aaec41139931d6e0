"""Activation kernels of nn.functional: each op's forward beside its derivative.

Every activation is one autograd Node with its own formula. A formula calls an
``F.act_*`` helper defined here twice: on NumPy arrays (the fast first-order
path, computed with in-place calls) and on ember Tensors (under
``create_graph``, built from differentiable ember ops and the activations of
this file, so higher derivatives follow). Piecewise-constant derivatives enter
the Tensor path as constant masks: the gradient of ``g * mask`` w.r.t. ``x`` is
zero, as PyTorch's.

float16/bfloat16 inputs are computed in float32 and rounded once at the end,
as PyTorch's CPU kernels do.
"""
import math
import warnings

import numpy as np

from ... import dtypes
from ...autograd.formulas import define
from ._gelu_erf import gelu32, gelu_grad32, gelu_grad_from_out, ndtr32
from ._rows import rowwise
from ._softmax import log_softmax_array, log_softmax_grad, softmax_array, softmax_grad
from ...tensor import Tensor, _wrap_dim, make_tensor
from ...ops._common import _gstate, check_inplace, node_class, record, shown_as

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "elu", "elu_", "selu", "selu_",
           "celu", "celu_", "gelu", "silu", "mish", "softplus", "softsign", "tanh", "tanhshrink", "sigmoid",
           "logsigmoid", "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "hardshrink", "softshrink",
           "threshold", "threshold_", "glu", "softmax", "log_softmax", "softmin", "gumbel_softmax", "rrelu", "rrelu_"]

_FLOAT = dtypes._FLOAT
_LOWP = (np.dtype(np.float16), np.dtype(dtypes.bfloat16.np))
_TORCH_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
                "float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
                "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_C = 0.044715


# ------------------------------------------------------------------ shared plumbing
def _c(x):
    """The array in compute precision (float16/bfloat16 -> float32)."""
    return x.astype(np.float32) if x.dtype in _LOWP else x


def _check(input, op, int_ok=False):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    dt = input._dtype
    if dt.category != _FLOAT and not (int_ok and dt.category < _FLOAT):
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_TORCH_NAMES.get(dt.name, dt.name)}'")
    return dt


def _const(t, arr):
    """A constant Tensor (no history) of ``arr`` in t's dtype: masks and coefficients for Tensor formulas."""
    return make_tensor(np.asarray(arr).astype(t._data.dtype, copy=False), t._dtype)


def _pointwise(input, op, fwd, node, args=(), save_out=False, int_ok=False):
    """One elementwise activation: forward ``fwd(array, *args)`` and a ``node`` saving x, or the
    output (save_out=True), or both (save_out="both"), or x with a peek at the output
    (save_out="peek": the output's array, version box and version, passed after ``args``, for a
    backward that may use it while unchanged but must not fail when it was changed in place)."""
    dt = _check(input, op, int_ok)
    res = fwd(_c(input._data), *args)
    if res.__class__ is not np.ndarray or res.dtype != dt.np:
        res = np.asarray(res).astype(dt.np, copy=False)
    r = make_tensor(res, dt)
    if input._rg and _gstate.enabled:
        if save_out == "peek":
            saved, args = (input,), args + ((res, r._vbox, r._vbox[0]),)
        else:
            saved = (input,) if not save_out else (input, r) if save_out == "both" else (r,)
        record(node, r, (input,), saved, args)
    return r


def _inplace(input, op, fn, shown=None):
    """``fn(input)`` written back into input (PyTorch's ``inplace=True`` / ``op_``). shown: the grad_fn name of
    PyTorch's in-place kernel where it is not the out-of-place one's (LeakyReluBackward1: its own formula, on
    the result; ember's snapshot of the input serves the out-of-place formula)."""
    from ...ops.inplace import apply_inplace
    check_inplace(input, op + "_")
    return apply_inplace(input, fn if shown is None else lambda t: shown_as(fn(t), shown))


def _where0(keep, g):
    """g where ``keep``, +0 elsewhere: PyTorch's backward kernels select (a product with a 0/1 mask gives -0 for a
    negative g, which prints as -0., and keeps a NaN g)."""
    return _zero_where(~keep, g)


_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _zero_where(drop, g, res=None):
    """g with +0 where ``drop``, as a bit select: g AND a word of all ones (kept) or all zeros (dropped). On a
    random mask this costs ~1.2x a plain product; np.where and copyto(where=) take 7-10x (measured at 256x784
    float32: 0.19 ms against 1.2 and 1.8 ms)."""
    uint = _UINT.get(g.dtype.itemsize) if g.dtype.kind != "c" else None
    if uint is None or drop.shape != g.shape:
        out = np.where(drop, np.zeros((), g.dtype), g)
        if res is None:
            return out
        res[...] = out
        return res
    if res is None:
        res = np.empty(g.shape, g.dtype)
    word = drop.astype(uint)
    word -= 1                           # dropped 1 -> 0, kept 0 -> all ones
    np.bitwise_and(g.view(uint), word, out=res.view(uint))
    return res


def _t_where0(keep, g, s=None):
    import ember
    return _linked(ember.where(make_tensor(np.asarray(keep)), g, 0.0), s)


# A piecewise-linear op's backward (relu's threshold_backward ...) depends on its saved input or output with a
# zero derivative, as PyTorch's: under create_graph the gradient is then connected to x, and a second grad
# through it is zeros, not "does not require grad".
_ZeroLink = node_class("ThresholdBackwardBackward0", lambda F, g: (g, F.zeros_like(g)))


def _linked(r, s):
    if s is None or not s._rg:
        return r
    out = make_tensor(r._data, r._dtype)
    record(_ZeroLink, out, (r, s))
    return out


def _flat(a):
    """A flat view (or copy) of ``a``: elementwise kernels slice it into rows of one number."""
    return a.reshape(-1)


def _node(name, helper):
    """The Node class whose formula is ``F.<helper>(g, saved, *args)``."""
    return node_class(name, lambda F, g, s, *args: getattr(F, helper)(g, s, *args))


# ------------------------------------------------------------------ relu family (piecewise linear)
def _a_relu_bw(g, out):
    res = np.empty(out.shape, g.dtype)
    rowwise(_relu_bw_rows, (_flat(res), _flat(g), _flat(out)))
    return res


def _relu_bw_rows(res, g, out):
    _zero_where(out <= 0, g, res)       # PyTorch's threshold_backward: 0 where out <= 0 (a NaN out passes g)


def _t_relu_bw(g, out):
    return _t_where0(~(out._data <= 0), g, out)


define("act_relu_bw", _a_relu_bw, _t_relu_bw)
ReluBackward0 = _node("ReluBackward0", "act_relu_bw")


def _relu_fwd(x):
    if x.dtype.kind == "b":                         # max(bool, 0) is an integer
        return np.maximum(x, 0)
    out = np.empty(x.shape, x.dtype)
    rowwise(_relu_rows, (_flat(x), _flat(out)))
    return out


def _relu_rows(x, out):
    np.maximum(x, 0, out=out)


def relu(input, inplace=False):
    if inplace:
        return relu_(input)
    return _pointwise(input, "relu", _relu_fwd, ReluBackward0, save_out=True, int_ok=True)


def relu_(input):
    return _inplace(input, "relu", lambda t: relu(t))


def _hardtanh_keep(x, lo, hi):
    return (x > lo) & (x < hi)      # a NaN input gets 0, as PyTorch's vectorized kernel (all but its tiny tails)


define("act_hardtanh_bw", lambda g, x, lo, hi: _where0(_hardtanh_keep(x, lo, hi), g),
       lambda g, x, lo, hi: _t_where0(_hardtanh_keep(x._data, lo, hi), g, x))
HardtanhBackward0 = _node("HardtanhBackward0", "act_hardtanh_bw")


def _hardtanh_fwd(x, lo, hi):
    return np.clip(x, lo, hi)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return hardtanh_(input, min_val, max_val)
    return _pointwise(input, "hardtanh", _hardtanh_fwd, HardtanhBackward0, (min_val, max_val), int_ok=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return _inplace(input, "hardtanh", lambda t: hardtanh(t, min_val, max_val))


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def _leaky_fwd(x, slope):
    return np.where(x > 0, x, x * np.asarray(slope, x.dtype))


def _leaky_coef(x, slope):
    return np.where(x > 0, np.asarray(1, x.dtype), np.asarray(slope, x.dtype))


define("act_leaky_bw", lambda g, x, slope: g * _leaky_coef(_c(x), slope),
       lambda g, x, slope: _linked(g * _const(g, _leaky_coef(x._data, slope)), x))
LeakyReluBackward0 = _node("LeakyReluBackward0", "act_leaky_bw")


def leaky_relu(input, negative_slope=0.01, inplace=False):
    if inplace:
        return leaky_relu_(input, negative_slope)
    return _pointwise(input, "leaky_relu", _leaky_fwd, LeakyReluBackward0, (negative_slope,))


def leaky_relu_(input, negative_slope=0.01):
    return _inplace(input, "leaky_relu", lambda t: leaky_relu(t, negative_slope), "LeakyReluBackward1")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU; in eval mode (training=False) the slope is (lower + upper) / 2. Shown as
    PyTorch's one kernel (RreluWithNoiseBackward0, or 1 in place)."""
    if training:
        import ember
        slope = ember.empty(tuple(input.shape), dtype=input.dtype).uniform_(lower, upper)
        mask = _const(input, input._data >= 0)
        fn = lambda t: t * (mask + (1 - mask) * slope)      # noqa: E731
    else:
        fn = lambda t: leaky_relu(t, (lower + upper) / 2)   # noqa: E731
    if inplace:
        return _inplace(input, "rrelu", fn, "RreluWithNoiseBackward1")
    return shown_as(fn(input), "RreluWithNoiseBackward0")


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def _thr_fwd(x, th, value):
    return np.where(x > th, x, np.asarray(value, x.dtype))


define("act_threshold_bw", lambda g, x, th, value: _where0(~(x <= th), g),
       lambda g, x, th, value: _t_where0(~(x._data <= th), g, x))
ThresholdBackward0 = _node("ThresholdBackward0", "act_threshold_bw")


def threshold(input, threshold, value, inplace=False):
    if inplace:
        return threshold_(input, threshold, value)
    return _pointwise(input, "threshold", _thr_fwd, ThresholdBackward0, (threshold, value), int_ok=True)


def threshold_(input, threshold, value):
    return _inplace(input, "threshold", lambda t: globals()["threshold"](t, threshold, value), "ThresholdBackward1")


def _hardshrink_fwd(x, lambd):
    return np.where((x >= -lambd) & (x <= lambd), np.asarray(0, x.dtype), x)


def _shrink_keep(x, lambd):
    return (x < -lambd) | (x > lambd)


define("act_shrink_bw", lambda g, x, lambd: _where0(_shrink_keep(x, lambd), g),
       lambda g, x, lambd: _t_where0(_shrink_keep(x._data, lambd), g, x))
HardshrinkBackward0 = _node("HardshrinkBackward0", "act_shrink_bw")
SoftshrinkBackward0 = _node("SoftshrinkBackward0", "act_shrink_bw")


def hardshrink(input, lambd=0.5):
    return _pointwise(input, "hardshrink", _hardshrink_fwd, HardshrinkBackward0, (lambd,))


def _softshrink_fwd(x, lambd):
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    out = np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, np.asarray(0, x.dtype)))
    return np.where(np.isnan(x), x, out)


def softshrink(input, lambd=0.5):
    return _pointwise(input, "softshrink", _softshrink_fwd, SoftshrinkBackward0, (lambd,))


def _hardsigmoid_fwd(x):
    out = x / 6
    out += 0.5
    return np.clip(out, 0, 1, out=out)


_ONE_SIXTH = float(np.float32(1.0 / 6.0))      # PyTorch's kernel uses the float constant for every dtype
define("act_hardsigmoid_bw", lambda g, x: _where0((x > -3) & (x < 3), g * np.asarray(_ONE_SIXTH, _c(x).dtype)),
       lambda g, x: _t_where0((x._data > -3) & (x._data < 3), g * _ONE_SIXTH))
HardsigmoidBackward0 = _node("HardsigmoidBackward0", "act_hardsigmoid_bw")


def hardsigmoid(input, inplace=False):
    if inplace:
        return _inplace(input, "hardsigmoid", lambda t: hardsigmoid(t))
    return _pointwise(input, "hardsigmoid", _hardsigmoid_fwd, HardsigmoidBackward0)


def _hardswish_fwd(x):
    out = x + 3
    np.clip(out, 0, 6, out=out)
    out *= x
    out /= 6
    return out


# PyTorch's kernel: 0 for x <= -3, g (x / 3 + 1/2) for -3 < x < 3 (NaN for a NaN x), g from 3 on
def _a_hardswish_bw(g, x):
    x = _c(x)
    coef = np.where(x >= 3, 1, x / 3 + 0.5).astype(x.dtype, copy=False)
    coef *= g
    return _where0(~(x <= -3), coef)


def _t_hardswish_bw(g, x):
    import ember
    xa = x._data
    return _t_where0(~(xa <= -3), g * ember.where(make_tensor(xa >= 3), 1.0, x / 3 + 0.5))


define("act_hardswish_bw", _a_hardswish_bw, _t_hardswish_bw)
HardswishBackward0 = _node("HardswishBackward0", "act_hardswish_bw")


def hardswish(input, inplace=False):
    if inplace:
        return _inplace(input, "hardswish", lambda t: hardswish(t))
    return _pointwise(input, "hardswish", _hardswish_fwd, HardswishBackward0)


# ------------------------------------------------------------------ PReLU (two inputs)
def _a_prelu_bw(g, x, w):
    pos = x > 0
    gx = g * np.where(pos, np.asarray(1, w.dtype), w)
    gw = g * np.where(pos, np.asarray(0, x.dtype), x)
    return gx, gw


def _t_prelu_bw(g, x, w):
    pos = _const(x, x._data > 0)
    neg = 1 - pos
    return g * (pos + neg * w), g * (x * neg)


define("act_prelu_bw", _a_prelu_bw, _t_prelu_bw)
PreluKernelBackward0 = node_class("PreluKernelBackward0", lambda F, g, x, w: F.act_prelu_bw(g, x, w))


def prelu(input, weight):
    dt = _check(input, "prelu")
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    n = weight._data.size
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}")
    if n != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() >= 2 else 1
        if channels != n:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{n} and channel size = {channels}.")
    if input.dim() >= 2:
        wv = weight.reshape((n,) + (1,) * (input.dim() - 2))
    else:
        wv = weight.reshape(()) if n == 1 and weight.dim() else weight
    x, w = _c(input._data), _c(wv._data)
    res = np.where(x > 0, x, w * x).astype(dt.np, copy=False)
    r = make_tensor(res, dt)
    if _gstate.enabled and (input._rg or wv._rg):
        record(PreluKernelBackward0, r, (input, wv), (input, wv))
    return r


# ------------------------------------------------------------------ ELU family
def _elu_fwd(x, alpha, scale, input_scale):
    neg = np.minimum(x, 0)
    neg *= input_scale
    np.expm1(neg, out=neg)
    neg *= alpha * scale
    out = np.where(x > 0, x * np.asarray(scale, x.dtype), neg)
    return out


def _a_elu_bw(g, x, alpha, scale, input_scale):
    x = _c(x)
    coef = np.minimum(x, 0)
    coef *= input_scale
    np.exp(coef, out=coef)
    coef *= alpha * scale * input_scale
    coef = np.where(x > 0, np.asarray(scale, coef.dtype), coef)
    coef *= g
    return coef


def _t_elu_bw(g, x, alpha, scale, input_scale):
    import ember
    pos = x._data > 0
    xn = x * _const(x, ~pos)
    return g * (_const(x, pos * scale) + ember.exp(xn * input_scale) * _const(x, (~pos) * (alpha * scale *
                                                                                          input_scale)))


define("act_elu_bw", _a_elu_bw, _t_elu_bw)
EluBackward0 = _node("EluBackward0", "act_elu_bw")
CeluBackward0 = _node("CeluBackward0", "act_elu_bw")


def elu(input, alpha=1.0, inplace=False):
    if inplace:
        return elu_(input, alpha)
    return _pointwise(input, "elu", _elu_fwd, EluBackward0, (alpha, 1.0, 1.0))


def elu_(input, alpha=1.0):
    return _inplace(input, "elu", lambda t: elu(t, alpha), "EluBackward1")


def selu(input, inplace=False):
    if inplace:
        return selu_(input)
    return _pointwise(input, "selu", _elu_fwd, EluBackward0, (SELU_ALPHA, SELU_SCALE, 1.0))


def selu_(input):
    return _inplace(input, "selu", lambda t: selu(t), "EluBackward1")


def celu(input, alpha=1.0, inplace=False):
    if inplace:
        return celu_(input, alpha)
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _pointwise(input, "celu", _elu_fwd, CeluBackward0, (alpha, 1.0, 1.0 / alpha))


def celu_(input, alpha=1.0):
    return _inplace(input, "celu", lambda t: celu(t, alpha), "CeluBackward1")


# ------------------------------------------------------------------ GELU
# approximate='none' in float32 (and half precision, computed in float32) follows PyTorch's kernel, the
# Abramowitz-Stegun erf (see _gelu_erf.py); float64 is exact, as torch's. +-inf and NaN give NaN (inf * 0)
# silently, as in torch (rowwise runs every slice under the caller's error state).
_SILENT = dict(over="ignore", invalid="ignore")


def _gelu_fwd(x, approximate):
    out = np.empty(x.shape, x.dtype)
    kernel = _gelu_tanh_rows if approximate == "tanh" else gelu32 if x.dtype == np.float32 else _gelu64_rows
    with np.errstate(**_SILENT):
        rowwise(kernel, (_flat(x), _flat(out)))
    return out


def _gelu64_rows(x, out):
    from scipy.special import erf
    np.multiply(x, 1 / math.sqrt(2.0), out=out)
    erf(out, out=out)
    out += 1
    out *= x
    out *= 0.5


def _gelu_tanh_rows(x, out):
    np.multiply(x, x, out=out)
    out *= _GELU_C
    out += 1
    out *= x
    out *= _SQRT_2_PI
    np.tanh(out, out=out)
    out += 1
    out *= x
    out *= 0.5


def _a_gelu_bw(g, x, approximate, out):
    """``out`` = (the forward's output, its version box, its version then). PyTorch's GELU saves only x, so
    changing the output in place afterwards is allowed: Phi comes from the output (Phi = gelu(x) / x, half
    the passes) while it is unchanged, else from x again."""
    y, vbox, version = out
    lowp = x.dtype in _LOWP
    x = _c(x)
    res = np.empty(x.shape, x.dtype)
    with np.errstate(**_SILENT):
        if approximate == "tanh":
            rowwise(_gelu_tanh_bw_rows, (_flat(res), _flat(g), _flat(x)))
        elif not lowp and vbox[0] == version:        # a half-precision output is too coarse to divide
            rowwise(gelu_grad_from_out, (_flat(g), _flat(x), _flat(y), _flat(res)))
        elif x.dtype == np.float32:
            rowwise(gelu_grad32, (_flat(g), _flat(x), _flat(res)))
        else:
            rowwise(_gelu64_bw_rows, (_flat(res), _flat(g), _flat(x)))
    return res


def _gelu64_bw_rows(res, g, x):
    from scipy.special import ndtr
    ndtr(x, out=res)
    res += _ndtr_bw_array(x, x)                      # Phi(x) + x phi(x)
    res *= g


def _gelu_tanh_bw_rows(res, g, x):
    x2 = x * x
    inner = x2 * _GELU_C
    inner += 1
    inner *= x
    inner *= _SQRT_2_PI
    t = np.tanh(inner, out=inner)                 # tanh(k(x + c x^3))
    dinner = x2
    dinner *= 3 * _GELU_C
    dinner += 1
    dinner *= _SQRT_2_PI                          # k(1 + 3c x^2)
    np.add(t, 1, out=res)
    res *= 0.5                                    # 0.5 (1 + t)
    np.multiply(t, t, out=t)
    np.subtract(1, t, out=t)
    t *= dinner
    t *= x
    t *= 0.5                                      # 0.5 x (1 - t^2) k (1 + 3c x^2)
    res += t
    res *= g


def _ndtr_bw_array(g, x):
    x = _c(x)
    pdf = x * x
    pdf *= -0.5
    np.exp(pdf, out=pdf)
    pdf *= _INV_SQRT_2PI
    pdf *= g
    return pdf


def _ndtr_bw_tensor(g, x):
    import ember
    return g * (ember.exp(x * x * -0.5) * _INV_SQRT_2PI)


define("act_ndtr_bw", _ndtr_bw_array, _ndtr_bw_tensor)
_NdtrBackward = _node("NdtrBackward0", "act_ndtr_bw")


def _ndtr_fwd(x):
    out = np.empty(x.shape, x.dtype)
    if x.dtype == np.float32:
        rowwise(ndtr32, (_flat(x), _flat(out)))
    else:
        from scipy.special import ndtr
        ndtr(x, out=out)
    return out


def _ndtr(x):
    """The standard normal CDF as a differentiable ember op (GELU's Tensor formulas), computed as GELU's kernel."""
    return _pointwise(x, "ndtr", _ndtr_fwd, _NdtrBackward)


def _t_gelu_bw(g, x, approximate, out):
    import ember
    if approximate == "tanh":
        x2 = x * x
        t = ember.tanh((x + x2 * x * _GELU_C) * _SQRT_2_PI)
        return g * ((t + 1) * 0.5 + x * (1 - t * t) * (x2 * (3 * _GELU_C) + 1) * (0.5 * _SQRT_2_PI))
    return g * (_ndtr(x) + x * ember.exp(x * x * -0.5) * _INV_SQRT_2PI)


define("act_gelu_bw", _a_gelu_bw, _t_gelu_bw)
GeluBackward0 = node_class("GeluBackward0", lambda F, g, x, approximate, out: F.act_gelu_bw(g, x, approximate, out))


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh.")
    return _pointwise(input, "gelu", _gelu_fwd, GeluBackward0, (approximate,), save_out="peek")


# ------------------------------------------------------------------ sigmoid-based
def _sigmoid_arr(x):
    """A stable logistic function on a compute-precision array (a new array)."""
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)                # exp(-|x|) in (0, 1]
    out = np.where(x >= 0, 1, e)
    e += 1
    out /= e
    return out


def _a_silu_bw(g, x):
    x = _c(x)
    s = _sigmoid_arr(x)
    r = 1 - s
    r *= x
    r += 1
    r *= s
    r *= g
    return r


def _t_silu_bw(g, x):
    import ember
    s = ember.sigmoid(x)
    return g * (s * (1 + x * (1 - s)))


define("act_silu_bw", _a_silu_bw, _t_silu_bw)
SiluBackward0 = _node("SiluBackward0", "act_silu_bw")


def _silu_fwd(x):
    out = _sigmoid_arr(x)
    out *= x
    return out


def silu(input, inplace=False):
    if inplace:
        return _inplace(input, "silu", lambda t: silu(t))
    return _pointwise(input, "silu", _silu_fwd, SiluBackward0)


def _softplus_arr(x, beta=1.0, threshold=20.0):
    bx = x * beta if beta != 1 else x.copy()
    out = np.logaddexp(0, bx)
    if beta != 1:
        out /= beta
    return np.where(bx > threshold, x, out)


def _a_softplus_bw(g, x, beta, threshold):
    x = _c(x)
    bx = x * beta
    s = _sigmoid_arr(bx)
    s[bx > threshold] = 1
    s *= g
    return s


def _t_softplus_bw(g, x, beta, threshold):
    import ember
    lin = x._data * beta > threshold
    return g * (ember.sigmoid(x * beta) * _const(x, ~lin) + _const(x, lin))


define("act_softplus_bw", _a_softplus_bw, _t_softplus_bw)
SoftplusBackward0 = _node("SoftplusBackward0", "act_softplus_bw")


def softplus(input, beta=1.0, threshold=20.0):
    return _pointwise(input, "softplus", _softplus_arr, SoftplusBackward0, (beta, threshold))


def _mish_fwd(x):
    out = np.tanh(_softplus_arr(x))
    out *= x
    return out


def _a_mish_bw(g, x):
    x = _c(x)
    tsp = np.tanh(_softplus_arr(x))
    r = tsp * tsp
    np.subtract(1, r, out=r)
    r *= x
    r *= _sigmoid_arr(x)
    r += tsp
    r *= g
    return r


def _t_mish_bw(g, x):
    import ember
    tsp = ember.tanh(softplus(x))
    return g * (tsp + x * ember.sigmoid(x) * (1 - tsp * tsp))


define("act_mish_bw", _a_mish_bw, _t_mish_bw)
MishBackward0 = _node("MishBackward0", "act_mish_bw")


def mish(input, inplace=False):
    if inplace:
        return _inplace(input, "mish", lambda t: mish(t))
    return _pointwise(input, "mish", _mish_fwd, MishBackward0)


def _logsigmoid_fwd(x):
    out = np.logaddexp(0, -x)
    np.negative(out, out=out)
    return out


def _a_logsigmoid_bw(g, x):
    s = _sigmoid_arr(-_c(x))
    s *= g
    return s


define("act_logsigmoid_bw", _a_logsigmoid_bw, lambda g, x: g * __import__("ember").sigmoid(-x))
LogSigmoidBackward0 = _node("LogSigmoidBackward0", "act_logsigmoid_bw")


def logsigmoid(input):
    return _pointwise(input, "log_sigmoid_forward", _logsigmoid_fwd, LogSigmoidBackward0)


def sigmoid(input):
    import ember
    return ember.sigmoid(input)


def tanh(input):
    import ember
    return ember.tanh(input)


def tanhshrink(input):
    import ember
    return input - ember.tanh(input)


def softsign(input):
    sign = _const(input, np.sign(input._data))
    return input / (1 + input * sign)


def glu(input, dim=-1):
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input.dim(), "glu")
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    import ember
    h = n // 2
    return shown_as(input.narrow(d, 0, h) * ember.sigmoid(input.narrow(d, h, h)), "GluBackward0")


# ------------------------------------------------------------------ softmax family
def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  f"as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _a_softmax_bw(g, y, dim):
    if y.dtype in _LOWP:
        g, y = g.astype(np.float32), y.astype(np.float32)
    if y.ndim == 0:
        return g * 0
    return softmax_grad(g, y, dim)


def _t_softmax_bw(g, y, dim):
    import ember
    return y * (g - ember.sum(g * y, dim, True))


def _a_log_softmax_bw(g, y, dim):
    if y.dtype in _LOWP:
        g, y = g.astype(np.float32), y.astype(np.float32)
    if y.ndim == 0:
        return g * 0
    return log_softmax_grad(g, y, dim)


def _t_log_softmax_bw(g, y, dim):
    import ember
    return g - ember.exp(y) * ember.sum(g, dim, True)


define("act_softmax_bw", _a_softmax_bw, _t_softmax_bw)
define("act_log_softmax_bw", _a_log_softmax_bw, _t_log_softmax_bw)
SoftmaxBackward0 = _node("SoftmaxBackward0", "act_softmax_bw")
LogSoftmaxBackward0 = _node("LogSoftmaxBackward0", "act_log_softmax_bw")


def _softmax_common(input, dim, dtype, op, kernel, node, stacklevel):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if dim is None:
        dim = _get_softmax_dim(op, input.dim(), stacklevel + 1)
    if dtype is not None:
        from ...ops.unary import cast
        input = cast(input, dtypes.to_dtype(dtype, "dtype", op))
    dt = input._dtype
    if dt.category != _FLOAT:
        raise NotImplementedError(f"\"{op}_lastdim_kernel_impl\" not implemented for '{_TORCH_NAMES.get(dt.name)}'")
    axis = _wrap_dim(dim, input.dim(), op)
    res = kernel(_c(input._data), axis)
    if res.dtype != dt.np:
        res = res.astype(dt.np)
    r = make_tensor(res, dt)
    if input._rg and _gstate.enabled:
        record(node, r, (input,), (r,), (axis,))
    return r


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _softmax_common(input, dim, dtype, "softmax", softmax_array, SoftmaxBackward0, _stacklevel)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _softmax_common(input, dim, dtype, "log_softmax", log_softmax_array, LogSoftmaxBackward0, _stacklevel)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        from ...ops.unary import cast
        input = cast(input, dtypes.to_dtype(dtype, "dtype", "softmin"))
    return softmax(-input, dim)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample of the Gumbel-softmax distribution: softmax((logits + g) / tau) with g ~ Gumbel(0, 1) drawn from
    the default generator (reproducible under manual_seed). hard: the one-hot of the sample's argmax in the
    forward, the soft sample's gradient in the backward (straight through), as PyTorch's composite."""
    import ember
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -ember.empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = ember.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


# Tensor.relu/relu_/softmax/log_softmax/prelu/hardshrink are attached by ember/_functional_aliases.py at
# `import ember` (nn loads lazily), with the NumPy keyword names installed on them.
