"""Statistics and sample-structure ops: quantiles, covariance, integration, histograms
(histograms.py, exported from here, as stft/istft of spectral.py), pairwise distances, differences
and index-combinations.

Most are written, as PyTorch's own composite kernels are, from differentiable ember
ops (sort, gather, lerp, matmul, cumsum, cat...): their gradients, second-order
gradients included, are those of PyTorch's compositions by construction. Ops with
a kernel of their own (logcumsumexp, cdist) record one Node whose
derivative formula stands beside the forward.
"""
import builtins as _b
import itertools

import numpy as np

from .. import dtypes
from ..autograd.formulas import _ember, define
from ..tensor import Tensor, attach, make_tensor
from ._common import _gstate, node_class, promote, record, shown_as, to_tensor_arg, write_out
from .arithmetic import _TORCH_NAMES
from .histograms import histogram, histogramdd  # noqa: F401  (exported from here)
from .spectral import istft, stft  # noqa: F401  (exported from here: ember/__init__ star-imports this module)
from .reduction import _structseq, _wrap

_REAL_FLOATS = (dtypes.float32, dtypes.float64)


def _ember_ns():
    import ember
    return ember


def _result(res, out, inputs, op):
    """``res``, or ``res`` written into ``out=``."""
    if out is None:
        return res
    return write_out(out, res._data, res._dtype, inputs, op)


def _along(t, d, start=None, stop=None):
    """``t[..., start:stop, ...]`` on axis ``d`` (a view; empty slices allowed)."""
    return t[(slice(None),) * d + (slice(start, stop),)]


# ---------------------------------------------------------------- quantile, nanquantile
_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, out, op, ignore_nan):
    """PyTorch's quantile_compute: sort, turn q into ranks, gather the neighbours, lerp."""
    E = _ember_ns()
    input = to_tensor_arg(input, "input", op)
    dt = input._dtype
    if dt not in _REAL_FLOATS:
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype, got {_TORCH_NAMES[dt.name]}")
    scalar_q = not isinstance(q, Tensor) or q.ndim == 0
    if isinstance(q, Tensor):
        if q._dtype is not dt:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor "
                               f"({_TORCH_NAMES[q._dtype.name]} vs {_TORCH_NAMES[dt.name]})")
        if q.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor, got shape {list(q.shape)}")
        qt = q.reshape(-1)
    else:
        qt = E.tensor([float(q)], dtype=dt)
    if input._data.size == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    qv = qt._data
    if not ((qv >= 0) & (qv <= 1)).all():
        raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {q if scalar_q else qv.tolist()}")
    if interpolation not in _MODES:
        raise RuntimeError(f"{op}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    if dim is None:
        shape = [1] * input.ndim if keepdim else []
        flat = input.reshape(-1)
    else:
        d = _wrap(dim, _b.max(input.ndim, 1), op)
        shape = list(input.shape)
        if shape:
            shape[d] = 1
            if not keepdim:
                del shape[d]
        # the reduced axis last, the others as the output wants them
        flat = input.reshape(1) if input.ndim == 0 else input.unsqueeze(-1).transpose(d, -1)
    n = flat.shape[-1]
    srt = flat.sort().values.reshape(shape + [n])
    nan = srt.isnan()
    if ignore_nan:     # ranks over the non-NaN values; an all-NaN row takes rank 0, a NaN
        ranks = qt * ((~nan).sum(-1, keepdim=True) - 1)
        ranks = ranks.masked_fill(ranks < 0, 0)
    else:              # a row holding NaN takes the last rank, where sort put a NaN
        ranks, has_nan = E.broadcast_tensors(qt * (n - 1), nan.any(-1, keepdim=True))
        ranks = ranks.masked_fill(has_nan, n - 1)
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()
    below = ranks.long()
    res = srt.gather(-1, below)
    if interpolation in ("linear", "midpoint"):
        weights = E.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - below
        res = res.lerp(srt.gather(-1, ranks.ceil().long()), weights)
    res = res.squeeze(-1) if scalar_q else res.unsqueeze(0).transpose(0, -1).squeeze(-1)
    return _result(res, out, (input,), op)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    return _quantile(input, q, dim, keepdim, interpolation, out, "quantile", False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    return _quantile(input, q, dim, keepdim, interpolation, out, "nanquantile", True)


# ---------------------------------------------------------------- logcumsumexp
def _np_logcumsumexp(x, dim):
    with np.errstate(all="ignore"):
        return np.logaddexp.accumulate(x, axis=dim)


def _logcumsumexp_formula(F, g, x, out, dim):
    # PyTorch's: the gradient split by sign, each part summed in log space (reverse logcumsumexp)
    # so that no exp(x) or exp(-out) overflows; `lowest` stands for log(0) without a NaN from -inf - -inf.
    if len(x.shape) == 0:        # a 0-d scan is the identity
        return g
    lowest = float(np.finfo(getattr(g.dtype, "np", g.dtype)).min)

    def reverse_lcse(t):
        return F.flip(F.logcumsumexp(F.flip(t, (dim,)), dim), (dim,))

    with np.errstate(divide="ignore", over="ignore"):     # log(0) and lowest - out: meant as -inf
        log_abs = F.log(F.abs(g))
        pos = reverse_lcse(F.where(g > 0, log_abs, lowest) - out) + x
        neg = reverse_lcse(F.where(g < 0, log_abs, lowest) - out) + x
        return F.exp(pos) - F.exp(neg)


LogcumsumexpBackward0 = node_class("LogcumsumexpBackward0", _logcumsumexp_formula)


def logcumsumexp(input, dim, *, out=None):
    input = to_tensor_arg(input, "input", "logcumsumexp")
    dt = input._dtype
    if dt.category != dtypes._FLOAT:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{_TORCH_NAMES[dt.name]}'")
    d = _wrap(dim, _b.max(input.ndim, 1), "logcumsumexp")
    x = input._data
    # float16/bfloat16 accumulate in float32, as PyTorch's CPU kernel does
    xc = x.astype(np.float32) if dt.itemsize < 4 else x
    res = _np_logcumsumexp(xc.reshape(1) if x.ndim == 0 else xc, d).reshape(x.shape).astype(dt.np, copy=False)
    if out is not None:
        return write_out(out, res, dt, (input,), "logcumsumexp")
    r = make_tensor(res, dt)
    if _gstate.enabled and input._rg:
        record(LogcumsumexpBackward0, r, (input,), saved=(input, r), args=(d if x.ndim else 0,))
    return r


define("logcumsumexp", lambda x, dim: _np_logcumsumexp(x, dim), _ember("logcumsumexp"))


# ---------------------------------------------------------------- renorm
def renorm(input, p, dim, maxnorm, *, out=None):
    """Rescale each slice along ``dim`` whose p-norm exceeds ``maxnorm`` to norm ``maxnorm``."""
    E = _ember_ns()
    input = to_tensor_arg(input, "input", "renorm")
    if input.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions")
    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported (p={p})")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = _wrap(dim, input.ndim, "renorm")
    norm = E.linalg.vector_norm(input, p, tuple(i for i in range(input.ndim) if i != d), keepdim=True)
    # the same 1e-7 guard as PyTorch's kernel (and its renorm_backward, which this composition reproduces)
    factor = E.where(norm > maxnorm, maxnorm / (norm + 1e-7), E.ones_like(norm))
    return _result(input * factor, out, (input,), "renorm")


def _renorm_(self, p, dim, maxnorm):
    from ._common import check_inplace
    from .inplace import apply_inplace
    check_inplace(self, "renorm_")
    return apply_inplace(self, lambda t: renorm(t, p, dim, maxnorm))


# ---------------------------------------------------------------- cov, corrcoef
def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance of the rows (variables) over the columns (observations), as torch.cov."""
    import warnings
    E = _ember_ns()
    input = to_tensor_arg(input, "input", "cov")
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    if input._dtype is dtypes.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    nobs = x.shape[1]
    w = None
    for name, wt, ok, kind in (("fweights", fweights, dtypes._INT, "integral"),
                               ("aweights", aweights, dtypes._FLOAT, "floating point")):
        if wt is None:
            continue
        wt = to_tensor_arg(wt, name, "cov")
        if wt.ndim > 1:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                               f"{wt.ndim} dimensions")
        if wt._dtype.category != ok:
            raise RuntimeError(f"cov(): expected {name} to have {kind} dtype but got {name} with "
                               f"{_TORCH_NAMES[wt._dtype.name]} dtype")
        if wt.numel() != nobs:
            raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the "
                               f"input but got {wt.numel()} != {nobs}")
        if nobs and wt._data.min() < 0:
            raise RuntimeError(f"cov(): {name} cannot be negative")
        w = wt if w is None else w * wt
    w_sum = w.sum() if w is not None else E.tensor(nobs)
    if w is not None and not w_sum._data.any():
        raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    avg = (x * w if w is not None else x).sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        norm_factor = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        norm_factor = w_sum - correction
    if norm_factor._data <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=2)
        norm_factor = E.zeros_like(norm_factor)
    xc = x - avg.unsqueeze(1)
    c = E.mm(xc, (xc * w if w is not None else xc).t().conj())
    return E.true_divide(c, norm_factor).squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of the rows, clipped to [-1, 1] as torch.corrcoef."""
    E = _ember_ns()
    input = to_tensor_arg(input, "input", "corrcoef")
    if input.ndim > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    c = cov(input)
    if c.ndim == 0:
        return c / c              # nan for a variance of 0, nan or inf; 1 otherwise
    d = c.diagonal()
    std = (d.real if d.is_complex() else d).sqrt()
    c = c / std.reshape(-1, 1) / std.reshape(1, -1)
    if c.is_complex():
        return E.complex(c.real.clip(-1, 1), c.imag.clip(-1, 1))
    return c.clip(-1, 1)


# ---------------------------------------------------------------- trapezoid, cumulative_trapezoid
def _integration_args(y, x, dx, dim, op):
    y = to_tensor_arg(y, "y", op)
    if x is not None and dx is not None:
        raise TypeError(f"{op}() received both x and dx: pass the sample points or their spacing, not both")
    d = _wrap(dim, y.ndim, op)
    if y._dtype is dtypes.bool or (isinstance(x, Tensor) and x._dtype is dtypes.bool):
        raise RuntimeError(f"{op}: received a bool input for `x` or `y`, but bool is not supported")
    if x is None:
        dx = 1 if dx is None else dx
        if isinstance(dx, (bool, complex)) or (isinstance(dx, Tensor) and not dx._dtype.is_floating_point
                                                and dx._dtype.category != dtypes._INT):
            raise RuntimeError(f"{op}: Currently, we only support dx as a real number.")
        return y, d, dx
    x = to_tensor_arg(x, "x", op)
    if x.ndim == 1:       # x runs along dim; the other axes broadcast after differencing, as NumPy's
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{op}: There must be one `x` value for each sample point "
                               f"(x has {x.shape[0]}, y has {y.shape[d]} along dim {d})")
        shape = [1] * y.ndim
        shape[d] = x.shape[0]
        x = x.reshape(shape)
    elif x.ndim < y.ndim:
        x = x.reshape((1,) * (y.ndim - x.ndim) + tuple(x.shape))
    return y, d, _along(x, d, 1) - _along(x, d, None, -1)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral of y along dim by the trapezoidal rule, sample points x or spacing dx (default 1)."""
    E = _ember_ns()
    y, d, step = _integration_args(y, x, dx, dim, "trapezoid")
    if y.shape[d] == 0:          # NumPy's convention: an integral over no samples is 0
        return E.zeros([s for i, s in enumerate(y.shape) if i != d], dtype=y.dtype)
    if isinstance(step, Tensor):
        return ((_along(y, d, 1) + _along(y, d, None, -1)) * step).sum(d) / 2.0
    return (y.sum(d) - (y.select(d, 0) + y.select(d, -1)) * 0.5) * step


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoidal integral of y along dim (one value fewer than samples)."""
    y, d, step = _integration_args(y, x, dx, dim, "cumulative_trapezoid")
    pairs = _along(y, d, None, -1) + _along(y, d, 1)
    return (pairs * step / 2.0 if isinstance(step, Tensor) else pairs * (step / 2.0)).cumsum(d)


# ---------------------------------------------------------------- cdist
_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")


def _np_euclid_mm(a, b):
    """PyTorch's _euclidean_dist: |a|^2 + |b|^2 - 2ab in one matmul, clamped at 1e-30 before the root."""
    an = (a * a).sum(-1, keepdims=True)
    bn = (b * b).sum(-1, keepdims=True)
    a_ = np.concatenate([a * -2, an, np.ones_like(an)], -1)
    b_ = np.concatenate([b, np.ones_like(bn), bn], -1)
    return np.sqrt(np.maximum(a_ @ np.swapaxes(b_, -1, -2), 1e-30))


def _np_cdist(a, b, p):
    diff = np.abs(a[..., :, None, :] - b[..., None, :, :])
    if p == 0:
        return (diff != 0).sum(-1).astype(a.dtype)
    if p == 1:
        return diff.sum(-1)
    if p == 2:
        return np.sqrt((diff * diff).sum(-1))
    if p == float("inf"):
        return diff.max(-1, initial=0)
    return (diff ** p).sum(-1) ** (1.0 / p)


def _cdist_formula(F, g, x1, x2, out, p):
    if p == 0:
        return F.zeros_like(x1), F.zeros_like(x2)
    zero = out == 0
    if p == 2:        # matrix products, no (P, R, M) difference tensor
        w = F.where(zero, 0, g / F.where(zero, 1, out))
        return (x1 * F.sum(w, -1, True) - F.matmul(w, x2),
                x2 * F.sum(w, -2, True).mT - F.matmul(w.mT, x1))
    diff = x1[..., :, None, :] - x2[..., None, :, :]
    d, gg = out[..., None], g[..., None]
    if p == 1:
        gd = gg * F.sign(diff)
    elif p == float("inf"):
        gd = F.where(F.abs(diff) == d, gg * F.sign(diff), 0)
    else:             # |diff|^(p-1) sign(diff) / d^(p-1); 0 where d == 0 (and where diff == 0 when p < 1)
        ad = F.abs(diff)
        safe = F.where(ad == 0, 1, ad)
        dd = F.where(d == 0, 1, d)
        gd = F.where((ad == 0) | (d == 0), 0, gg * F.sign(diff) * (safe / dd) ** (p - 1))
    return F.sum(gd, -2), -F.sum(gd, -3)


CdistBackward0 = node_class("CdistBackward0", _cdist_formula)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between each row of x1 and each row of x2, batched over leading dims."""
    x1 = to_tensor_arg(x1, "x1", "cdist")
    x2 = to_tensor_arg(x2, "x2", "cdist")
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, t in (("X1", x1), ("X2", x2)):
        if t._dtype in (dtypes.float16, dtypes.bfloat16):
            raise NotImplementedError(f"\"cdist\" not implemented for '{_TORCH_NAMES[t._dtype.name]}'")
        if t._dtype not in _REAL_FLOATS:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {_TORCH_NAMES[t._dtype.name]}")
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    if x1._dtype is not x2._dtype:
        raise RuntimeError(f"cdist: expected scalar type {_TORCH_NAMES[x1._dtype.name]} but found "
                           f"{_TORCH_NAMES[x2._dtype.name]} (cast x2 with .to(x1.dtype))")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    a, b = x1._data, x2._data
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"cdist: the batch dimensions of x1 {list(a.shape[:-2])} and x2 {list(b.shape[:-2])} "
                           f"do not broadcast") from None
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    P, R = a.shape[-2], b.shape[-2]
    use_mm = p == 2 and (compute_mode == "use_mm_for_euclid_dist" or
                         (compute_mode == _CDIST_MODES[0] and (P > 25 or R > 25)))
    with np.errstate(all="ignore"):
        res = _np_euclid_mm(a, b) if use_mm and a.size and b.size else _np_cdist(a, b, float(p))
    r = make_tensor(np.ascontiguousarray(res, dtype=a.dtype).reshape(batch + (P, R)), x1._dtype)
    if _gstate.enabled and (x1._rg or x2._rg):
        record(CdistBackward0, r, (x1, x2), saved=(x1, x2, r), args=(float(p),))
    return r


# ---------------------------------------------------------------- diff, dist
def diff(input, n=1, dim=-1, prepend=None, append=None, *, out=None):
    """n-th forward difference along dim, after joining prepend and append (bool: logical xor)."""
    E = _ember_ns()
    input = to_tensor_arg(input, "input", "diff")
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap(dim, input.ndim, "diff")
    parts = []
    for name, t in (("prepend", prepend), (None, input), ("append", append)):
        if t is None:
            continue
        if name is not None:
            t = to_tensor_arg(t, name, "diff")
            if t.ndim != input.ndim:
                raise RuntimeError(f"diff expects prepend or append to be the same dimension as input "
                                   f"(input has {input.ndim}, {name} has {t.ndim})")
        parts.append(t)
    x = E.cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        hi, lo = _along(x, d, 1), _along(x, d, None, -1)
        x = E.logical_xor(hi, lo) if x._dtype is dtypes.bool else hi - lo
    return _result(x, out, parts, "diff")


def dist(input, other, p=2):
    """The p-norm of input - other (broadcast)."""
    input = to_tensor_arg(input, "input", "dist")
    other = to_tensor_arg(other, "other", "dist")
    dt = promote(input, other)        # an integer tensor and a float one make a float difference, as torch
    if dt.category < dtypes._FLOAT:
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. "
                           f"Got {_TORCH_NAMES[dt.name]} instead.")
    return shown_as(_ember_ns().linalg.vector_norm(input - other, p), "DistBackward0")


# ---------------------------------------------------------------- cartesian_prod, combinations, block_diag, vander
def _vector(t, op):
    t = to_tensor_arg(t, "tensors", op)
    if t.ndim != 1:
        raise RuntimeError(f"{op}: Expect a 1D vector, but got shape {list(t.shape)}")
    return t


def cartesian_prod(*tensors):
    E = _ember_ns()
    tensors = [_vector(t, "cartesian_prod") for t in tensors]
    if len(tensors) == 1:
        return tensors[0]
    grids = E.meshgrid(*tensors, indexing="ij")
    return E.stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """All length-r combinations of the elements of a 1-D tensor, one per row (itertools order)."""
    E = _ember_ns()
    input = _vector(input, "combinations")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return E.empty(0, dtype=input.dtype)
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(gen(range(input.shape[0]), r)), np.int64).reshape(-1, r)
    return input[make_tensor(idx, dtypes.int64)]


def block_diag(*tensors):
    """The inputs (0-, 1- or 2-D) as blocks along the diagonal of one 2-D tensor."""
    E = _ember_ns()
    mats = []
    for i, t in enumerate(tensors):
        t = to_tensor_arg(t, "tensors", "block_diag")
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.ndim} dimensions")
        mats.append(t.reshape(1, -1) if t.ndim < 2 else t)
    if not mats:
        return E.empty(1, 0)
    dt = mats[0]._dtype
    for m in mats[1:]:
        dt = dtypes.promote_types(dt, m._dtype)
    total = _b.sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        r, c = m.shape
        rows.append(E.cat([E.zeros(r, left, dtype=dt), m.to(dt), E.zeros(r, total - left - c, dtype=dt)], 1))
        left += c
    return shown_as(E.cat(rows, 0), "BlockDiagBackward0")


def vander(x, N=None, increasing=False):
    """Columns x^(N-1), ..., x^0 (x^0 first when increasing); integers widen to int64."""
    E = _ember_ns()
    x = to_tensor_arg(x, "x", "vander")
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dt = dtypes.promote_types(x._dtype, dtypes.int64)
    ones = E.ones(x.shape[0], _b.min(n, 1), dtype=dt)
    res = E.cat([ones, x.to(dt).unsqueeze(1).expand(x.shape[0], n - 1).cumprod(1)], 1) if n > 1 else ones
    return res if increasing else res.flip(1)


# ---------------------------------------------------------------- methods and exports
attach(quantile=quantile, nanquantile=nanquantile, logcumsumexp=logcumsumexp, renorm=renorm, renorm_=_renorm_,
       cov=lambda self, *, correction=1, fweights=None, aweights=None: cov(self, correction=correction,
                                                                          fweights=fweights, aweights=aweights),
       corrcoef=corrcoef, histogram=histogram, diff=diff, dist=dist)

__all__ = ["quantile", "nanquantile", "logcumsumexp", "renorm", "cov", "corrcoef", "trapezoid", "trapz",
           "cumulative_trapezoid", "histogram", "histogramdd", "cdist", "diff", "dist", "cartesian_prod",
           "combinations", "block_diag", "vander", "stft", "istft"]
