"""Layer kernels of nn.functional: linear, embedding, normalisation, dropout.

The hot ones are fused: each is one autograd Node with its own formula, the
forward computed with in-place NumPy calls on the fresh output array.

- linear: ``x @ W.T + b`` as one GEMM (leading dimensions folded into the rows),
  backward as two GEMMs and a sum.
- embedding: a row gather; backward scatters the rows back with ``np.add.at``.
- layer_norm / rms_norm: one pass of statistics, saved mean/rstd; backward by
  the closed form ``rstd * (gy - mean(gy) - xhat * mean(gy * xhat))``.
- dropout / alpha_dropout / feature dropout: one mask, saved for backward.

A formula's array helper runs the first-order backward; its Tensor helper
rebuilds the same maths from differentiable ember ops, so ``create_graph=True``
gives higher derivatives. Errors name the layer (when a Module calls) or the
function, the shapes, and what was expected.

float16/bfloat16 inputs are computed in float32 and rounded once, as
PyTorch's CPU kernels do.
"""
import math

import numpy as np

from ... import _parallel, dtypes
from ...autograd.formulas import define
from ...tensor import Tensor, make_tensor
from ._rows import add_rows, rowwise
from ._rowstats import by_blocks, rowdot, rowmean
from ...ops._common import _gstate, check_inplace, node_class, record, shown_as

__all__ = ["linear", "bilinear", "embedding", "embedding_bag", "layer_norm", "rms_norm", "dropout", "alpha_dropout",
           "feature_alpha_dropout", "one_hot", "normalize", "cosine_similarity", "pairwise_distance", "pdist", "pad",
           "dropout1d", "dropout2d", "dropout3d"]

_FLOAT = dtypes._FLOAT
_LOWP = (np.dtype(np.float16), np.dtype(dtypes.bfloat16.np))


# ------------------------------------------------------------------ shared plumbing
def _c(x):
    """The array in compute precision (float16/bfloat16 -> float32)."""
    return x.astype(np.float32) if x.dtype in _LOWP else x


class _LayerName:
    """A layer as PyTorch prints it, formatted only when an error message uses it (not on every call)."""

    __slots__ = ("layer",)

    def __init__(self, layer):
        self.layer = layer

    def __str__(self):
        return f"{type(self.layer).__name__}({self.layer.extra_repr()})"

    def __format__(self, spec):
        return format(str(self), spec)


def _who(layer, op):
    """How an error names its caller: the layer (when a Module calls), else the function."""
    return op if layer is None else _LayerName(layer)


def _tensor(x, name, op, pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")
    return x


def _float(t, who, error=RuntimeError):
    if t._dtype.category != _FLOAT:
        raise error(f"{who}: input must be a floating point tensor, got {t._dtype.name} (convert it with .float())")


def _same_dtype(a, b, who, what):
    if a._dtype is not b._dtype:
        raise RuntimeError(f"{who}: input is {a._dtype.name} but {what} is {b._dtype.name}; expected both to have "
                           f"the same dtype (convert one with .to(...))")


def _shape(s):
    return list(s)


# ================================================================== linear
def _linear_formula(F, g, x, w, needs):
    """needs = (input, weight, bias) where bias is 0 (none), 1 (a vector) or 2 (any other shape)."""
    n = g.shape[-1]                  # x or w is None when its partner needs no gradient
    k = (w if w is not None else x).shape[-1]
    g2 = g if g.ndim == 2 else g.reshape((-1, n))
    gx = gw = gb = None
    if needs[0]:
        gx = g2 @ F.conj(w)
        if g.ndim != 2:
            gx = gx.reshape(tuple(g.shape[:-1]) + (k,))
    if needs[1]:
        x2 = x if x.ndim == 2 else x.reshape((-1, k))
        gw = g2.mT @ F.conj(x2)
    if needs[2]:
        gb = F.sum(g2, 0) if needs[2] == 1 else g      # other shapes: the engine un-broadcasts
    return gx, gw, gb


def _addmm_formula(F, g, x, w, needs):
    gx, gw, gb = _linear_formula(F, g, x, w, needs)
    return gb, gx, gw


# PyTorch's edge order: addmm(bias, input, weight.T), mm(input, weight.T); programs walk next_functions
AddmmBackward0 = node_class("AddmmBackward0", _addmm_formula)
MmBackward0 = node_class("MmBackward0", lambda F, g, x, w, needs: _linear_formula(F, g, x, w, needs)[:2])
# one node for any input rank, named as PyTorch's grad_fn: its other ranks end in a reshape of the product
_LINEAR_NODES = {(2, True): AddmmBackward0, (2, False): MmBackward0,
                 (1, True): node_class("ViewBackward0", _addmm_formula),
                 (1, False): node_class("SqueezeBackward4", MmBackward0.formula),
                 (3, True): node_class("ViewBackward0", _addmm_formula),
                 (3, False): node_class("UnsafeViewBackward0", MmBackward0.formula)}


def linear(input, weight, bias=None):
    """y = input @ weight.T + bias. input (*, in), weight (out, in), bias (out,) -> (*, out)."""
    return _linear(input, weight, bias, None)


def _linear(input, weight, bias, layer):
    try:
        x, w = input._data, weight._data
    except AttributeError:
        _linear_error(input, weight, layer)
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1] or input._dtype is not weight._dtype or (
            input._dtype is dtypes.bool):
        if w.ndim == 1 and isinstance(input, Tensor):     # a vector weight: PyTorch's matmul semantics
            out = input.matmul(weight)
            return out if bias is None else out + bias
        _linear_error(input, weight, layer)
    dt = input._dtype
    if x.dtype in _LOWP:
        x, w = x.astype(np.float32), w.astype(np.float32)
    if x.ndim <= 2:
        out = x @ w.T
    else:
        out = (x.reshape(-1, w.shape[1]) @ w.T).reshape(x.shape[:-1] + (w.shape[0],))
    if bias is not None:
        if bias._dtype is not dt:
            _same_dtype(input, bias, _who(layer, "linear"), "bias")
        b = bias._data
        try:
            add_rows(out, b if b.dtype == out.dtype else b.astype(out.dtype))
        except ValueError:
            raise RuntimeError(f"{_who(layer, 'linear')}: bias of shape {_shape(b.shape)} does not broadcast to "
                               f"the output shape {_shape(out.shape)}") from None
    if out.dtype != dt.np:
        out = out.astype(dt.np)
    r = make_tensor(out, dt)
    if _gstate.enabled and (input._rg or weight._rg or (bias is not None and bias._rg)):
        nb = 0 if bias is None or not bias._rg else (1 if bias._data.ndim == 1 else 2)
        saved = (input if weight._rg else None, weight if input._rg else None)
        node = _LINEAR_NODES[min(x.ndim, 3), bias is not None]
        if bias is None:
            record(node, r, (input, weight), saved, ((input._rg, weight._rg, 0),))
        else:
            record(node, r, (bias, input, weight), saved, ((input._rg, weight._rg, nb),))
    return r


def _linear_error(input, weight, layer):
    who = _who(layer, "linear")
    _tensor(input, "input", "linear")
    _tensor(weight, "weight", "linear", 2)
    x, w = input._data, weight._data
    if w.ndim != 2:
        raise RuntimeError(f"{who}: weight must be a matrix (out_features, in_features), got shape "
                           f"{_shape(w.shape)}")
    if x.ndim == 0:
        raise RuntimeError(f"{who}: input must have at least one dimension (*, {w.shape[1]}), got a 0-d tensor")
    if x.shape[-1] != w.shape[1]:
        raise RuntimeError(f"{who}: input has {x.shape[-1]} features in its last dimension, expected "
                           f"{w.shape[1]} (input shape {_shape(x.shape)}, weight shape {_shape(w.shape)}); "
                           f"mat1 and mat2 shapes cannot be multiplied")
    _same_dtype(input, weight, who, "weight")
    raise NotImplementedError(f"{who}: \"addmm_impl_cpu_\" not implemented for 'Bool'")


def bilinear(input1, input2, weight, bias=None):
    """y_o = x1^T A_o x2 + b_o. input1 (*, in1), input2 (*, in2), weight (out, in1, in2) -> (*, out)."""
    return _bilinear(input1, input2, weight, bias, None)


def _bilinear(input1, input2, weight, bias, layer):
    import ember
    who = _who(layer, "bilinear")
    for i, (t, name) in enumerate(((input1, "input1"), (input2, "input2"), (weight, "weight"))):
        _tensor(t, name, "bilinear", i + 1)
    a, b, w = input1._data, input2._data, weight._data
    if w.ndim != 3:
        raise RuntimeError(f"{who}: weight must be 3-D (out_features, in1_features, in2_features), got shape "
                           f"{_shape(w.shape)}")
    if a.ndim != b.ndim:
        raise RuntimeError(f"{who}: input1 and input2 must have the same number of dimensions, got shapes "
                           f"{_shape(a.shape)} and {_shape(b.shape)}")
    for i, (n1, n2) in enumerate(zip(a.shape[:-1], b.shape[:-1])):
        if n1 != n2:
            raise RuntimeError(f"{who}: input batch dimensions do not match at dim {i}: got {n1} and {n2} "
                               f"(input1 {_shape(a.shape)}, input2 {_shape(b.shape)})")
    for t, n, name in ((a, w.shape[1], "input1"), (b, w.shape[2], "input2")):
        if t.shape[-1] != n:
            raise RuntimeError(f"{who}: {name} size does not match weight size: got {t.shape[-1]} but expected "
                               f"{n} ({name} shape {_shape(t.shape)}, weight shape {_shape(w.shape)})")
    out = ember.einsum("...i,oij,...j->...o", input1, weight, input2)
    return shown_as(out, "ViewBackward0") if bias is None else out + bias      # PyTorch's last step: a view


# ================================================================== embedding
def _a_embedding_bw(g, idx, num_weights, padding_idx, scale_grad_by_freq):
    """Sum the gradient rows of equal indices: sort, then one add.reduceat (far faster than add.at,
    and fine with the zero-stride gradients a sum's backward hands on). scale_grad_by_freq: True divides
    each row's sum by its index's frequency; an array holds a factor per weight row (embedding_bag's)."""
    g = _c(g)
    flat = idx.reshape(-1)
    out = np.zeros((num_weights, g.shape[-1]), g.dtype)
    if flat.size == 0:
        return out
    order = np.argsort(flat, kind="stable")
    rows = flat[order]
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    sums = np.add.reduceat(g.reshape(-1, g.shape[-1])[order], starts, axis=0)
    if scale_grad_by_freq is True:
        sums /= np.diff(np.append(starts, rows.size))[:, None].astype(sums.dtype)
    elif scale_grad_by_freq is not False:
        sums *= scale_grad_by_freq[rows[starts]][:, None].astype(sums.dtype)
    out[rows[starts]] = sums
    if padding_idx is not None:
        out[padding_idx] = 0
    return out


def _t_embedding_bw(g, idx, num_weights, padding_idx, scale_grad_by_freq):
    import ember
    flat = idx.reshape(-1)
    g2 = g.reshape((-1, g.shape[-1]))
    if scale_grad_by_freq is not False:
        factor = (1.0 / np.bincount(flat._data, minlength=num_weights) if scale_grad_by_freq is True
                  else scale_grad_by_freq)
        g2 = g2 * make_tensor(factor[flat._data][:, None].astype(g._data.dtype), g._dtype)
    out = ember.zeros((num_weights, g.shape[-1]), dtype=g.dtype).index_add(0, flat, g2)
    if padding_idx is not None:
        keep = np.ones((num_weights, 1), g._data.dtype)
        keep[padding_idx] = 0
        out = out * make_tensor(keep, g._dtype)
    return out


define("embedding_bw", _a_embedding_bw, _t_embedding_bw)
EmbeddingBackward0 = node_class("EmbeddingBackward0", lambda F, g, idx, *args: (None, F.embedding_bw(g, idx, *args)))


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` (num_embeddings, dim) picked by integer ``input`` (*) -> (*, dim)."""
    return _embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, None)


def _embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, layer):
    who = _who(layer, "embedding")
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        _tensor(input, "input", "embedding")
        _tensor(weight, "weight", "embedding", 2)
    if input._dtype is not dtypes.int64 and input._dtype is not dtypes.int32:
        raise RuntimeError(f"{who}: indices must be an integer tensor (int64 or int32), got {input._dtype.name}; "
                           f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int")
    w = weight._data
    if w.ndim != 2:
        raise RuntimeError(f"{who}: 'weight' must be 2-D (num_embeddings, embedding_dim), got shape "
                           f"{_shape(w.shape)}")
    if sparse and weight._rg and _gstate.enabled:     # forward-only use (no_grad, frozen weight) works
        raise NotImplementedError(f"{who}: sparse=True (sparse gradients) is not supported by ember; use "
                                  f"sparse=False (dense gradients give the same values)")
    num = w.shape[0]
    if padding_idx is not None:
        padding_idx = _padding_index(padding_idx, num, who)
    idx = input._data
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if lo < 0 or hi >= num:
            bad = lo if lo < 0 else hi
            raise IndexError(f"{who}: index {bad} is out of range for an embedding of {num} rows (valid indices "
                             f"are 0 to {num - 1}); index out of range in self")
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
        w = weight._data
    r = make_tensor(np.take(w, idx, axis=0), weight._dtype)
    if _gstate.enabled and weight._rg:
        scale = scale_grad_by_freq if isinstance(scale_grad_by_freq, np.ndarray) else bool(scale_grad_by_freq)
        record(EmbeddingBackward0, r, (None, weight), (input,), (num, padding_idx, scale))
    return r


def _padding_index(padding_idx, num, who):
    if padding_idx >= num or padding_idx < -num:
        raise AssertionError(f"{who}: padding_idx must be within num_embeddings ({-num} <= padding_idx < {num}), "
                             f"got {padding_idx}")
    return padding_idx + num if padding_idx < 0 else padding_idx


def _renorm_rows(weight, idx, max_norm, norm_type):
    """Scale the looked-up rows whose ``norm_type``-norm exceeds ``max_norm`` down to it, in place (no grad)."""
    w = weight._data
    rows = np.unique(idx)
    sub = w[rows]
    norms = np.linalg.norm(_c(sub).astype(np.float64), ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        scale = max_norm / (norms[over] + 1e-7)
        w[rows[over]] = (sub[over] * scale[:, None]).astype(w.dtype)
    weight._vbox[0] += 1


# ================================================================== layer_norm / rms_norm
# Arrays are viewed as (N, D) rows, D = prod(normalized_shape), and run in 64k blocks of rows
# (_rowstats.by_blocks: a block's passes stay in L2, its temporaries are small; the threads take slices
# of rows). Row sums and dot products are einsums: no (N, D) temporaries for the reductions, and no
# BLAS call inside the row slices (two threads calling a threaded OpenBLAS at once contend for its
# one thread pool).
def _a_norm_bw(g, x, w, xhat, rstd, ns, needs, eps, center):
    """Gradients of y = xhat * w (+ b), xhat = (x - mean) * rstd (mean = 0 for rms_norm), on (N, D) rows;
    gw and gb summed from the blocks' partial sums."""
    n, d = xhat.shape
    gx = np.empty((n, d), xhat.dtype) if needs[0] else None
    wd = _c(w).reshape(d) if w is not None else None
    parts = by_blocks(_norm_bw_rows, (xhat, _c(g).reshape(n, d), rstd, gx), (wd, needs, center))
    gw = sum(p[0] for p in parts).reshape(ns) if needs[1] else None
    gb = sum(p[1] for p in parts).reshape(ns) if needs[2] else None
    return None if gx is None else gx.reshape(x.shape), gw, gb


def _norm_bw_rows(xhat, g, rstd, gx, w, needs, center):
    """gx = rstd (gy - mean(gy) - xhat mean(gy xhat)), gy = g w, of one block of rows (written in place),
    and the block's partial sums of gw and gb."""
    part = (np.einsum("ij,ij->j", g, xhat) if needs[1] else None, np.einsum("ij->j", g) if needs[2] else None)
    if gx is None:
        return part
    if w is not None:
        np.multiply(g, w, out=gx)
    else:
        np.copyto(gx, g)
    r = rstd[:, 0]
    c = rowdot(gx, xhat)
    c *= r
    c *= 1.0 / max(xhat.shape[1], 1)
    t = np.multiply(xhat, c[:, None])
    if center:
        a = rowmean(gx)
        a *= r
    gx *= rstd
    gx -= t
    if center:
        gx -= a[:, None]
    return part


def _t_norm_bw(g, x, w, xhat, rstd, ns, needs, eps, center):
    """The same gradients from differentiable ember ops (statistics recomputed from x)."""
    import ember
    axes = tuple(range(x.ndim - len(ns), x.ndim))
    lead = tuple(range(x.ndim - len(ns)))
    xc = x - x.mean(axes, keepdim=True) if center else x
    rstd = ember.rsqrt((xc * xc).mean(axes, keepdim=True) + eps)
    xhat = xc * rstd
    gx = gw = gb = None
    if needs[1]:
        gw = ember.sum(g * xhat, lead) if lead else g * xhat
    if needs[2]:
        gb = ember.sum(g, lead) if lead else g
    if needs[0]:
        gy = g * w if w is not None else g
        gx = gy - xhat * (gy * xhat).mean(axes, keepdim=True)
        if center:
            gx = gx - gy.mean(axes, keepdim=True)
        gx = gx * rstd
    return gx, gw, gb


define("norm_bw", _a_norm_bw, _t_norm_bw)
_norm_formula = lambda F, g, x, w, *args: F.norm_bw(g, x, w, *args)  # noqa: E731
NativeLayerNormBackward0 = node_class("NativeLayerNormBackward0", _norm_formula)
RmsNormBackward0 = node_class("MulBackward0", _norm_formula)     # torch's composite rms_norm ends in a multiply
_RmsNormHalfBackward0 = node_class("ToCopyBackward0", _norm_formula)   # ... then casts half/bfloat16 back


def _norm_rows(x, xhat, rstd, out, w, b, eps, center):
    """Normalise one block of rows: xhat = (x - mean) * rstd, rstd = 1 / sqrt(var + eps), out = xhat * w + b;
    the variance two-pass, from x - mean, as torch's."""
    if center:
        np.subtract(x, rowmean(x)[:, None], out=xhat)
        var = rowdot(xhat, xhat)
    else:
        var = rowdot(x, x)
    var *= 1.0 / max(x.shape[1], 1)
    var += eps
    np.sqrt(var, out=var)
    np.reciprocal(var, out=rstd[:, 0])
    np.multiply(xhat if center else x, rstd, out=xhat)
    if w is not None:
        np.multiply(xhat, w, out=out)
        if b is not None:
            out += b
    elif b is not None:
        np.add(xhat, b, out=out)
    else:
        np.copyto(out, xhat)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the trailing ``normalized_shape`` dims: (x - mean) / sqrt(var + eps) * weight + bias."""
    return _norm(input, normalized_shape, weight, bias, eps, True, None)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) * weight over the trailing dims; eps=None means finfo(dtype).eps."""
    return _norm(input, normalized_shape, weight, None, eps, False, None)


def _norm(input, normalized_shape, weight, bias, eps, center, layer):
    op = "layer_norm" if center else "rms_norm"
    who = _who(layer, op)
    _tensor(input, "input", op)
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(ns)
    x = input._data
    if k == 0 or x.ndim < k or x.shape[x.ndim - k:] != ns:
        raise RuntimeError(f"{who}: Given normalized_shape={list(ns)}, expected input with shape [*, "
                           f"{', '.join(map(str, ns))}], but got input of size{_shape(x.shape)}")
    _float(input, who, NotImplementedError)        # PyTorch: "LayerNormKernelImpl" not implemented for 'Long'
    dt = input._dtype
    for t, what in ((weight, "weight"), (bias, "bias")):
        if t is not None:
            if tuple(t._data.shape) != ns:
                raise RuntimeError(f"{who}: Expected {what} to be of same shape as normalized_shape, but got "
                                   f"{what} of shape {_shape(t._data.shape)} and normalized_shape = {list(ns)}")
            _same_dtype(input, t, who, what)
    if eps is None:
        eps = float(np.finfo(np.float32 if x.dtype in _LOWP else x.dtype).eps)
    d = math.prod(ns)
    x2 = _c(x).reshape(math.prod(x.shape[:x.ndim - k]), d)
    xhat, rstd, out = np.empty(x2.shape, x2.dtype), np.empty((len(x2), 1), x2.dtype), np.empty(x2.shape, x2.dtype)
    wd = None if weight is None else _c(weight._data).reshape(d)
    bd = None if bias is None else _c(bias._data).reshape(d)
    by_blocks(_norm_rows, (x2, xhat, rstd, out), (wd, bd, eps, center))
    out = out.reshape(x.shape)
    if out.dtype != dt.np:
        out = out.astype(dt.np)
    r = make_tensor(out, dt)
    wrg = weight is not None and weight._rg
    brg = bias is not None and bias._rg
    if _gstate.enabled and (input._rg or wrg or brg):
        node = NativeLayerNormBackward0 if center else (_RmsNormHalfBackward0 if dt.np in _LOWP else
                                                        RmsNormBackward0)
        # xhat is kept, where torch keeps only mean and rstd: recomputing it a block at a time costs the
        # backward two row-broadcast passes (+0.3 ms at the GPT's 2048 x 128 rows, one thread), for 1 MB less
        # a call (GPT step peak RSS 165 -> 156 MB) and no step time gained (alternating runs, ad hoc).
        record(node, r, (input, weight, bias),
               (input, weight), (xhat, rstd, ns, (input._rg, wrg, brg), eps, center))
    return r


# ================================================================== dropout family
def _a_scale_kept(g, keep, scale):
    """g * keep * scale (bool keep: in g's dtype), on the threads."""
    out = np.empty(np.broadcast_shapes(g.shape, keep.shape), g.dtype)
    rowwise(_scale_kept_rows, (out, np.broadcast_to(g, out.shape), np.broadcast_to(keep, out.shape)), (scale,))
    return out


def _scale_kept_rows(out, g, keep, scale):
    np.multiply(g, keep, out=out)
    out *= scale


def _t_scale_kept(g, keep, scale):
    return g * make_tensor(keep.astype(g._data.dtype), g._dtype) * scale


define("scale_kept", _a_scale_kept, _t_scale_kept)
# One node each; the names are those of PyTorch's CPU graphs (input * noise, input * a + b).
# Dropout saves the bool keep-mask (a quarter of a float mask's memory) and the scale 1/(1-p).
DropoutBackward = node_class("MulBackward0", lambda F, g, keep, scale: F.scale_kept(g, keep, scale))
AlphaDropoutBackward = node_class("AddBackward0", lambda F, g, mask: g * F.const(mask, g))


def _check_p(p, who):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"{who}: dropout probability has to be between 0 and 1, but got {p}")


def _noise_shape(x, feature):
    """Elementwise noise, or one draw per (sample, channel) for feature dropout."""
    if not feature:
        return x.shape
    return x.shape[:2] + (1,) * (x.ndim - 2)


def _keep_mask(shape, p):
    """Bernoulli(1 - p) as a bool array, from raw 32-bit draws of the default generator
    (compared with p * 2**32: three times faster than drawing floats).

    The draws are those of one ``random_raw`` call, whatever the threads: on several, each
    thread draws its slice from a copy of the generator jumped ahead to it (PCG64's
    ``advance``; NumPy draws without the GIL), and the generator is left where one call
    would leave it."""
    from ...random import default_generator
    n = int(np.prod(shape))
    threshold = np.uint32(min(round(p * 4294967296.0), 4294967295))
    keep = np.empty(n, bool)
    bitgen = default_generator._rng.bit_generator
    draws = (n + 1) // 2                                 # two 32-bit numbers a draw
    threads = _parallel.thread_count(n)
    if threads <= 1 or not hasattr(bitgen, "advance"):
        np.greater_equal(bitgen.random_raw(draws).view(np.uint32)[:n], threshold, out=keep)
        return keep.reshape(shape)
    start = bitgen.state
    spans = _parallel.chunks(draws, threads)
    tasks = [(_jumped(bitgen, start, lo), lo, hi, n, keep, threshold) for lo, hi in spans]
    _parallel.run_tasks(_keep_slice, tasks, threads)
    end = _jumped(bitgen, start, draws).state
    end["has_uint32"], end["uinteger"] = start["has_uint32"], start["uinteger"]   # random_raw leaves them
    bitgen.state = end
    return keep.reshape(shape)


def _jumped(bitgen, state, delta):
    """A copy of a bit generator in ``state``, advanced by ``delta`` draws."""
    g = type(bitgen)()
    g.state = state
    return g.advance(delta)


def _keep_slice(gen, lo, hi, n, keep, threshold):
    """keep[2 lo : 2 hi] from draws lo..hi of the stream (``gen`` starts at draw lo)."""
    bits = gen.random_raw(hi - lo).view(np.uint32)
    a, b = 2 * lo, min(2 * hi, n)
    np.greater_equal(bits[:b - a], threshold, out=keep[a:b])


def _apply_dropout(input, keep, scale, inplace, op):
    """input * keep * scale, one node."""
    if inplace:
        from ...ops.inplace import apply_inplace
        check_inplace(input, op + "_")
        return apply_inplace(input, lambda t: _apply_dropout(t, keep, scale, False, op))
    r = make_tensor(_a_scale_kept(input._data, keep, scale), input._dtype)
    if _gstate.enabled and input._rg:
        record(DropoutBackward, r, (input,), (), (keep, scale))
    return r


def _apply_alpha(input, mask, shift, inplace, op):
    """input * mask + shift (alpha dropout), one node whose backward is g * mask."""
    if inplace:
        from ...ops.inplace import apply_inplace
        check_inplace(input, op + "_")
        return apply_inplace(input, lambda t: _apply_alpha(t, mask, shift, False, op))
    dt = input._dtype
    out = np.multiply(input._data, mask)
    out += shift
    if out.dtype != dt.np:
        out = out.astype(dt.np)
    r = make_tensor(out, dt)
    if _gstate.enabled and input._rg:
        record(AlphaDropoutBackward, r, (input,), (), (mask,))
    return r


def _dropout(input, p, training, inplace, alpha, feature, op, layer=None):
    who = _who(layer, op)
    _check_p(p, who)
    _tensor(input, "input", op)
    if not training or p == 0 or input._data.size == 0:
        return input
    _float(input, who)
    x = input._data
    cdt = _c(x).dtype
    if p == 1:
        # PyTorch: input * 0 (NaN stays NaN)
        return _apply_dropout(input, np.zeros(_noise_shape(x, feature), bool), 0.0, inplace, op)
    keep = _keep_mask(_noise_shape(x, feature), p)
    if not alpha:
        return _apply_dropout(input, keep, 1.0 / (1.0 - p), inplace, op)
    # PyTorch's alpha dropout: kept units scaled by a, dropped ones set to the SELU floor, shifted by b
    # so mean and variance stay those of the input.
    ap = 1.7580993408473766
    a = 1.0 / math.sqrt((ap * ap * p + 1) * (1 - p))
    mask = keep.astype(cdt)
    shift = mask - 1
    shift *= ap * a
    shift += ap * a * p
    mask *= a
    return _apply_alpha(input, mask, shift, inplace, op)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p) (identity when not training)."""
    return _dropout(input, p, training, inplace, False, False, "dropout")


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: keeps zero mean and unit variance."""
    return _dropout(input, p, training, inplace, True, False, "alpha_dropout")


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels (one draw per sample and channel)."""
    return _dropout(input, p, training, inplace, True, True, "feature_alpha_dropout")


# ================================================================== embedding_bag
def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embedding rows -> (bags, dim).

    input (B, N): B bags of N indices; or input (M,) with ``offsets`` (B,) where
    bag b is input[offsets[b]:offsets[b+1]] (with ``include_last_offset`` offsets
    has B+1 entries, the last one the end). Entries equal to ``padding_idx`` are
    left out (a mean counts only the others); an empty bag gives zeros.
    Built from differentiable ops (gather, index_add, scatter_reduce).
    """
    return _embedding_bag(input, weight, offsets, max_norm, norm_type, scale_grad_by_freq, mode, sparse,
                          per_sample_weights, include_last_offset, padding_idx, None)


def _embedding_bag(input, weight, offsets, max_norm, norm_type, scale_grad_by_freq, mode, sparse,
                   per_sample_weights, include_last_offset, padding_idx, layer):
    import ember
    who = _who(layer, "embedding_bag")
    _tensor(input, "input", "embedding_bag")
    _tensor(weight, "weight", "embedding_bag", 2)
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"{who}: If per_sample_weights ({_shape(per_sample_weights.shape)}) is not None, then it "
                         f"must have the same shape as the input ({_shape(input.shape)})")
    if weight.dim() != 2:
        raise ValueError(f"{who}: weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    for t, what in ((input, "input"), (offsets, "offsets")):
        if t is not None and t._dtype is not dtypes.int64 and t._dtype is not dtypes.int32:
            raise RuntimeError(f"{who}: {what} must be an integer tensor (int64 or int32), got {t._dtype.name}")
    idx = input._data
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f"{who}: if input is 2D, then offsets has to be None, as input is treated is a "
                             f"mini-batch of fixed length sequences. However, found offsets of type {type(offsets)}")
        bags, n = idx.shape
        starts, ends = np.arange(bags) * n, np.arange(1, bags + 1) * n
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError(f"{who}: offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError(f"{who}: offsets has to be a 1D Tensor, got shape {_shape(offsets.shape)}")
        starts, ends = _bag_bounds(offsets._data.astype(np.int64), idx.size, include_last_offset, who)
    else:
        raise ValueError(f"{who}: input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"{who}: mode has to be one of sum, mean or max, got {mode!r}")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError(f"{who}: max mode does not support scaling the gradient by the frequency")
    if sparse:
        raise NotImplementedError(f"{who}: sparse=True (sparse gradients) is not supported by ember; use "
                                  f"sparse=False (dense gradients give the same values)")
    flat = idx.reshape(-1).astype(np.int64)
    num = weight.shape[0]
    if flat.size and (flat.min() < 0 or flat.max() >= num):
        bad = flat.min() if flat.min() < 0 else flat.max()
        raise RuntimeError(f"{who}: index {bad} is out of range for an embedding of {num} rows (valid indices "
                           f"are 0 to {num - 1})")
    if max_norm is not None:
        _renorm_rows(weight, flat, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"{who}: per_sample_weights was not None. per_sample_weights is only supported "
                                  f"for mode='sum' (got mode='{mode}')")
    counts = ends - starts
    bag = np.repeat(np.arange(len(starts)), counts)
    pos = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends)]) if len(starts) else np.zeros(0, np.int64)
    if padding_idx is not None:
        padding_idx = _padding_index(padding_idx, num, who)
        keep = flat[pos] != padding_idx
        pos, bag = pos[keep], bag[keep]
        counts = np.bincount(bag, minlength=len(starts))
    scale = _bag_freq_scale(flat, num) if scale_grad_by_freq else False
    rows = _embedding(make_tensor(flat[pos]), weight, None, None, 2.0, scale, False, layer)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1)[make_tensor(pos)].unsqueeze(1)
    bag_t = make_tensor(bag)
    out = ember.zeros((len(starts), weight.shape[1]), dtype=weight.dtype)
    if mode == "max":
        out = _bag_max(out, rows, counts)
    else:
        out = out.index_add(0, bag_t, rows)
        if mode == "mean":
            out = out / make_tensor(np.maximum(counts, 1)[:, None].astype(out._data.dtype), out._dtype)
    return shown_as(out, "EmbeddingBagBackward0")       # PyTorch's one kernel for every mode


def _bag_freq_scale(flat, num):
    """embedding_bag's scale_grad_by_freq factor per weight row, as PyTorch's CPU kernel computes it: the i-th
    distinct index (in sorted order) is divided by the frequency of the index at position i of the sorted
    indices, not by its own (its backward reads counts[indices[i]] for group i). The two agree when every
    index occurs once, or the repeats come last."""
    srt = np.sort(flat)
    distinct = np.unique(srt)
    factor = np.zeros(num)
    factor[distinct] = 1.0 / np.bincount(srt, minlength=num)[srt[:distinct.size]]
    return factor


def _bag_max(out, rows, counts):
    """Each bag's elementwise maximum of its rows (empty bags stay 0), as PyTorch's kernel: the first row
    holding the maximum is gathered, so the gradient goes to it alone and leaves +0 elsewhere."""
    full = np.flatnonzero(counts)
    r = rows._data
    if full.size:
        first = (np.cumsum(counts) - counts)[full]             # each non-empty bag's first row
        top = np.maximum.reduceat(r, first, axis=0)
        at = np.where(r == np.repeat(top, counts[full], axis=0), np.arange(len(r))[:, None], len(r))
        chosen = np.minimum.reduceat(at, first, axis=0)
    else:                                                       # still connected to weight, as PyTorch's
        chosen = np.zeros((0, r.shape[1]), np.int64)
    picked = rows.gather(0, make_tensor(chosen))
    return picked if full.size == len(counts) else out.index_copy(0, make_tensor(full), picked)


def _bag_bounds(offs, size, include_last_offset, who):
    """(starts, ends) of the bags given by 1-D ``offsets`` over an input of ``size`` indices."""
    if offs.size and offs[0] != 0:
        raise RuntimeError(f"{who}: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
                           f"from position 0. However, got {offs[0]}")
    if offs.size and offs[-1] > size:
        raise RuntimeError(f"{who}: offsets[-1] can not be greater than input's length {size} but got offsets[-1] "
                           f"of {offs[-1]}")
    if include_last_offset:
        starts, ends = offs[:-1], offs[1:]
    else:
        starts, ends = offs, np.append(offs[1:], size)
    if (ends < starts).any():
        raise RuntimeError(f"{who}: offsets must be non-decreasing, got {offs.tolist()}")
    return starts, ends


# ================================================================== one_hot, normalize, distances
def one_hot(tensor, num_classes=-1):
    """int64 class indices (*) -> int64 one-hot (*, num_classes); num_classes=-1 means max + 1."""
    _tensor(tensor, "input", "one_hot")
    if tensor._dtype is not dtypes.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of type LongTensor (int64), got "
                           f"{tensor._dtype.name}")
    idx = tensor._data
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("one_hot: Can not infer total number of classes from empty tensor; pass num_classes")
        num_classes = int(idx.max()) + 1
    if idx.size:
        if idx.min() < 0:
            raise RuntimeError(f"one_hot: Class values must be non-negative, got {idx.min()}")
        if idx.max() >= num_classes:
            raise RuntimeError(f"one_hot: Class values must be smaller than num_classes ({num_classes}), got "
                               f"{idx.max()}")
    out = np.zeros(idx.shape + (num_classes,), np.int64)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return make_tensor(out, dtypes.int64)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    import ember
    return ember.div(input, denom, out=out)


def _clamped_norm(x, dim, eps):
    """||x||_2 along dim (kept), clamped below at eps without changing its gradient (as PyTorch's no_grad clamp)."""
    n = x.norm(2, dim, keepdim=True)
    return n + (n.detach().clamp_min(eps) - n.detach())


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1/||x1|| * x2/||x2||) along dim, each norm clamped at eps; x1 and x2 broadcast."""
    import ember
    _tensor(x1, "x1", "cosine_similarity")
    _tensor(x2, "x2", "cosine_similarity", 2)
    x1, x2 = ember.broadcast_tensors(x1, x2)
    if x1._dtype.category != _FLOAT:
        raise RuntimeError(f"cosine_similarity: expected common dtype to be floating point, yet common dtype is "
                           f"{x1._dtype.name}")
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension (of the broadcast shape)."""
    _tensor(x1, "x1", "pairwise_distance")
    _tensor(x2, "x2", "pairwise_distance", 2)
    last = max(x1.dim(), x2.dim()) - 1
    return shown_as((x1 - x2 + eps).norm(p, last, keepdim=keepdim), "NormBackward1")    # PyTorch's at::norm


def pdist(input, p=2):
    """p-norm distances between the rows of input (N, M): the N*(N-1)/2 pairs i < j, in row-major order."""
    _tensor(input, "input", "pdist")
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D (shape {_shape(input.shape)})")
    if p < 0:
        raise RuntimeError(f"pdist only supports non-negative p values, got {p}")
    i, j = np.triu_indices(input.shape[0], 1)
    return shown_as((input[make_tensor(i)] - input[make_tensor(j)]).norm(p, 1), "PdistBackward0")


# ================================================================== pad
def _pad_formula(F, g, region):
    return g[region]


ConstantPadNdBackward0 = node_class("ConstantPadNdBackward0", _pad_formula)
_NON_CONSTANT = {2: (2, 3), 4: (3, 4), 6: (4, 5)}      # pad length -> input ranks PyTorch supports


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad)//2 dims: pad = (left_last, right_last, left_prev, right_prev, ...).

    constant (negative pads crop), reflect (mirror without the edge), replicate
    (repeat the edge), circular (wrap around).
    """
    _tensor(input, "input", "pad")
    pad = list(pad)
    if len(pad) % 2:
        raise RuntimeError(f"pad: Padding length must be divisible by 2, got {len(pad)} ({pad})")
    nd = input.dim()
    if len(pad) // 2 > nd:
        raise RuntimeError(f"pad: Padding length should be less than or equal to two times the input dimension but "
                           f"got padding length {len(pad)} and input of dimension {nd}")
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]       # last dim first
    if mode == "constant":
        return _constant_pad(input, pairs, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: Unrecognised padding mode {mode} (use constant, reflect, replicate or "
                                  f"circular)")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if nd not in _NON_CONSTANT.get(len(pad), ()):
        raise NotImplementedError(f"pad: Padding size {len(pad)} is not supported for {nd}D input tensor with mode "
                                  f"{mode!r}; supported: 2D or 3D input with padding size 2, 3D or 4D with 4, "
                                  f"4D or 5D with 6")
    x, pairs = _crop(input, pairs)                  # negative pads crop first, as PyTorch
    out = x
    for k, (left, right) in enumerate(pairs):
        d = nd - 1 - k
        out = out.index_select(d, make_tensor(_pad_index(x.shape[d], left, right, mode, d, input.shape)))
    if mode == "circular":        # PyTorch's circular pad is a composite of slice copies
        return shown_as(out, "CopySlices")
    return shown_as(out, f"{'Reflection' if mode == 'reflect' else 'Replication'}Pad{len(pairs)}DBackward0")


def _pad_index(n, left, right, mode, d, shape):
    """For each output position along one dim, the input position it copies (left, right >= 0)."""
    pos = np.arange(-left, n + right)
    if mode == "reflect":
        if left >= n or right >= n:
            raise RuntimeError(f"pad: Argument #4: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({left}, {right}) at dimension {d} of input "
                               f"{_shape(shape)}")
        pos = np.abs(pos)
        return np.where(pos > n - 1, 2 * (n - 1) - pos, pos)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    if left > n or right > n:
        raise RuntimeError(f"pad: Padding value causes wrapping around more than once: padding ({left}, {right}) at "
                           f"dimension {d} of input {_shape(shape)}")
    return pos % n


def _crop(input, pairs):
    """input with the negative pads cut off (a differentiable view), and the pads that remain (all >= 0)."""
    nd = input.dim()
    crop = [slice(None)] * nd
    for k, (left, right) in enumerate(pairs):
        d = nd - 1 - k
        n = input.shape[d]
        if n + min(left, 0) + min(right, 0) < 0:
            raise RuntimeError(f"pad: padding ({left}, {right}) at dimension {d} would give a negative size for "
                               f"input {_shape(input.shape)}")
        crop[d] = slice(max(-left, 0), n - max(-right, 0))
    x = input[tuple(crop)] if any(s != slice(None) for s in crop) else input
    return x, [(max(left, 0), max(right, 0)) for left, right in pairs]


def _constant_pad(input, pairs, value):
    x, pairs = _crop(input, pairs)
    nd = x.dim()
    widths = [(0, 0)] * (nd - len(pairs)) + pairs[::-1]
    out = np.pad(x._data, widths, constant_values=value)
    r = make_tensor(out, x._dtype)
    if _gstate.enabled and x._rg:
        region = tuple(slice(a, a + n) for (a, _), n in zip(widths, x._data.shape))
        record(ConstantPadNdBackward0, r, (x,), (), (region,))
    return r


# ================================================================== channel dropout (dropout1d/2d/3d)
def _channel_dropout(input, p, training, inplace, spatial, layer=None):
    """Zero whole channels of (N, C, *spatial) or unbatched (C, *spatial) inputs, as PyTorch's dropoutNd."""
    import warnings
    op = f"dropout{spatial}d"
    who = _who(layer, op)
    _check_p(p, who)
    _tensor(input, "input", op)
    nd = input.dim()
    if spatial == 1 and nd not in (2, 3):
        raise RuntimeError(f"{who}: Expected 2D or 3D input, but received a {nd}D input of shape "
                           f"{_shape(input.shape)}. Note that dropout1d exists to provide channel-wise dropout on "
                           f"inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension "
                           f"(i.e. 2D or 3D inputs).")
    if spatial > 1 and nd not in (spatial + 1, spatial + 2):
        warnings.warn(f"{op}: Received a {nd}-D input to {op}, which is deprecated and will result in an error in a "
                      f"future release. To retain the behavior and silence this warning, please use dropout instead. "
                      f"Note that {op} exists to provide channel-wise dropout on inputs with {spatial} spatial "
                      f"dimensions, a channel dimension, and an optional batch dimension (i.e. {spatial + 1}D or "
                      f"{spatial + 2}D inputs).", stacklevel=3)
    if spatial == 2 and nd == 3:       # PyTorch keeps the historical (N, C, L) reading of 3-D inputs
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
                      "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
                      "will change in a future release to interpret the input as one without a batch dimension, i.e. "
                      "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
                      "dropout1d instead.", stacklevel=3)
    batched = spatial == 2 or nd == spatial + 2
    x = input if batched else input.unsqueeze(0)
    if x.dim() < 2:
        raise RuntimeError(f"{who}: Feature dropout requires at least 2 dimensions in the input, got shape "
                           f"{_shape(input.shape)}")
    out = _dropout(x, p, training, inplace, False, True, op, layer)
    if batched:
        return out
    return input if inplace else out.squeeze(0)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability p, scale the rest by 1/(1-p)."""
    return _channel_dropout(input, p, training, inplace, 1)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) inputs (3-D inputs read as (N, C, L), as PyTorch warns)."""
    return _channel_dropout(input, p, training, inplace, 2)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    return _channel_dropout(input, p, training, inplace, 3)
