"""Loss functions of nn.functional, each op's forward beside its derivative.

Fused kernels, one autograd Node each with the derivative written out (on
NumPy arrays for a plain backward, on ember Tensors under ``create_graph``):
cross_entropy (softmax minus the target distribution; class indices or
probabilities), nll_loss, mse/l1/smooth_l1/huber, binary_cross_entropy (and
with logits) and ctc_loss. The others are short compositions of
differentiable ember ops, written as PyTorch's ATen kernels compute them, so
their values, gradients (also w.r.t. targets) and higher derivatives follow.

Reductions: ``reduction='none'|'mean'|'sum'``; the legacy ``size_average`` /
``reduce`` pair is translated with PyTorch's deprecation warning.
"""
import functools
import math
import warnings

import numpy as np

from ... import dtypes
from ...autograd.formulas import define
from ...tensor import Tensor, make_tensor
from ...ops._common import _gstate, node_class, record, shown_as
from .activation import (_LOWP, _TORCH_NAMES, LogSoftmaxBackward0, SoftmaxBackward0, _c, _const, _sigmoid_arr,
                         logsigmoid)
from ._softmax import log_softmax_array
from .layer import pairwise_distance

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss",
           "gaussian_nll_loss", "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss",
           "triplet_margin_loss", "triplet_margin_with_distance_loss", "multi_margin_loss",
           "multilabel_margin_loss", "multilabel_soft_margin_loss", "soft_margin_loss", "ctc_loss"]

_FLOAT = dtypes._FLOAT
_REDUCTIONS = ("none", "mean", "sum")


# ------------------------------------------------------------------ reductions
def legacy_get_string(size_average, reduce, emit_warning=True, stacklevel=4):
    """The reduction named by PyTorch's deprecated ``size_average``/``reduce`` pair (None means True).

    stacklevel: where the warning points (the default: the caller of a loss function that called _reduction).
    """
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                      UserWarning, stacklevel=stacklevel)
    return ret


def _reduction(size_average, reduce, reduction, stacklevel=3):
    """The reduction to apply, from the legacy pair when given, checked (ValueError as PyTorch's).

    stacklevel: where deprecation warnings point (3: the caller of the loss function calling this)."""
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce, stacklevel=stacklevel + 1)
    if reduction not in _REDUCTIONS:
        if reduction == "elementwise_mean":
            warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                          UserWarning, stacklevel=stacklevel)
            return "mean"
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    """Apply a (checked) reduction to an elementwise loss Tensor."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _tensor_arg(x, name, pos, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")
    return x


def _not_differentiable(op, **tensors):
    """PyTorch's fused kernels refuse gradients for some arguments (class weights, labels): so do we."""
    if _gstate.enabled:
        for name, t in tensors.items():
            if t is not None and t._rg:
                raise RuntimeError(f"The function '{op}' is not differentiable with respect to argument '{name}'. "
                                   f"This input cannot have requires_grad True (detach() it).")


def _torch_name(dt):
    return _TORCH_NAMES.get(dt.name, dt.name)


def _compute_dtype(dt):
    """The NumPy dtype a kernel computes in: float32 for float16/bfloat16, else dt's own."""
    return np.dtype(np.float32) if dt.np in _LOWP else dt.np


def _shape(t):
    return list(t._data.shape)


# ------------------------------------------------------------------ class-index targets
@functools.lru_cache(maxsize=64)
def _row_starts(n, C):
    """The flat offsets of the n rows of a C-ordered (n, C) array (read-only: it is shared)."""
    k = np.arange(0, n * C, C, dtype=np.intp)
    k.flags.writeable = False
    return k


@functools.lru_cache(maxsize=64)
def _ones(shape, dtype):
    """A shared read-only array of ones: the coefficients of unweighted targets."""
    one = np.ones(shape, dtype)
    one.flags.writeable = False
    return one


class _ClassTargets:
    """Class-index targets of cross_entropy / nll_loss, checked and laid out for the kernels.

    For input (N, C, d1, ...) (or (C,)) and target (N, d1, ...) (or ()):
      axis: the class axis (1, or 0 for unbatched input); C: the number of classes.
      gshape: the target's shape with the class axis inserted as 1 (per-sample values broadcast along C).
      flat: for each target entry, the flat position of its class in a C-ordered (N, C, ...) array
            (ignored entries point at class 0), shape gshape.
      coef: w[target] (1 without weights), 0 where ignored, shape gshape.
      valid: 1 where the target is not ignore_index, 0 where it is (None: none ignored).
      weight: the class weights as an array shaped to broadcast along axis (None: no weights).
      total: sum of coef (the divisor of reduction='mean').
    """

    __slots__ = ("axis", "C", "flat", "gshape", "coef", "valid", "weight", "wsum", "total")

    def __init__(self, op, input, target, weight, ignore_index):
        nd = input.dim()
        if nd < 1:
            raise ValueError(f"{op}: expected input with 1 or more dimensions (N, C, ...) or (C,), got 0")
        tdt = target._dtype
        if tdt.name not in ("int64", "uint8"):
            raise RuntimeError(f"{op}: expected target dtype to be Long or Byte (class indices), but got "
                               f"{_torch_name(tdt)}")
        ishape, tshape = input._data.shape, target._data.shape
        t = target._data
        if nd == 1:
            if tshape == (1,):          # PyTorch reads (C,) with target (1,) as one sample
                t = t.reshape(())
            elif tshape != ():
                raise ValueError(f"{op}: for 1D input of shape {list(ishape)}, target must be 0D (or 1D of "
                                 f"size 1), but got target of shape {list(tshape)}")
        else:
            if len(tshape) == 0 or tshape[0] != ishape[0]:
                raise ValueError(f"{op}: Expected input batch_size ({ishape[0]}) to match target batch_size "
                                 f"({tshape[0] if tshape else 0}).")
            if tshape != ishape[:1] + ishape[2:]:
                raise RuntimeError(f"{op}: expected target of shape {list(ishape[:1] + ishape[2:])} for input "
                                   f"of shape {list(ishape)} (the class dimension 1 removed), but got target of "
                                   f"shape {list(tshape)}")
        self.axis = axis = 0 if nd == 1 else 1
        self.C = C = ishape[axis]
        cdt = _c(input._data).dtype
        if ignore_index is None:
            ignore_index = -100
        lo, hi = (int(t.min()), int(t.max())) if t.size else (0, -1)
        if 0 <= lo and hi < C and not lo <= ignore_index <= hi:
            any_ignored, tsafe = False, t       # the common case, from two reductions: all classes, none ignored
        else:
            ignored = t == ignore_index
            any_ignored = bool(ignored.any())
            tsafe = np.where(ignored, 0, t) if any_ignored else t
            if tsafe.size and (tsafe.min() < 0 or tsafe.max() >= C):
                bad = tsafe[(tsafe < 0) | (tsafe >= C)].flat[0]
                raise IndexError(f"{op}: Target {bad} is out of bounds: class indices must lie in [0, {C - 1}] "
                                 f"for input with {C} classes (or equal ignore_index={ignore_index}).")
        self.gshape = tsafe.shape[:axis] + (1,) + tsafe.shape[axis:]
        S = math.prod(ishape[2:])                # entries per sample (1 without spatial dimensions)
        if S == 1:
            flat = tsafe.reshape(-1) + _row_starts(tsafe.size, C)
        else:
            k = np.arange(tsafe.size, dtype=np.intp)
            flat = tsafe.reshape(-1).astype(np.intp) * S
            flat += (k // S) * (C * S) + k % S
        self.flat = flat.reshape(self.gshape)
        self.valid = (~ignored).astype(cdt).reshape(self.gshape) if any_ignored else None
        if weight is None:
            self.weight = None
            self.wsum = float(C)
            coef = _ones(self.gshape, cdt) if self.valid is None else self.valid
        else:
            _tensor_arg(weight, "weight", 3, op)
            if weight.dim() != 1 or weight._data.size != C:
                raise RuntimeError(f"{op}: weight tensor should be defined either for all {C} classes or no "
                                   f"classes but got weight tensor of shape: {_shape(weight)}")
            if weight._dtype is not input._dtype:
                raise RuntimeError(f"{op}: expected scalar type {_torch_name(input._dtype)} but found "
                                   f"{_torch_name(weight._dtype)} (weight must have the input's dtype)")
            _not_differentiable(op, weight=weight)
            w = weight._data.astype(cdt, copy=False)
            self.weight = w.reshape((C,) + (1,) * (nd - 1 - axis))
            self.wsum = float(w.sum())
            coef = w[tsafe.reshape(self.gshape)]
            if self.valid is not None:
                coef *= self.valid
        self.coef = coef
        self.total = float(coef.size if weight is None and self.valid is None else coef.sum())

    def dense(self, scale_hit, scale_all):
        """The (N, C, ...) coefficients ``scale_hit * coef`` at the target class plus ``scale_all * valid * w``."""
        shape = list(self.gshape)
        shape[self.axis] = self.C
        out = np.zeros(shape, self.coef.dtype)
        if scale_all:
            v = scale_all if self.valid is None else scale_all * self.valid
            out += v if self.weight is None else v * self.weight
        self.add_at(out, scale_hit * self.coef)
        return out

    def pick(self, arr):
        """The entries of an (N, C, ...) array at the target classes, shape gshape (a new array)."""
        return arr.reshape(-1)[self.flat]

    def add_at(self, arr, values):
        """arr[target class] += values, in place, for a C-contiguous (N, C, ...) array."""
        arr.reshape(-1)[self.flat] += values


def _per_sample_grad(g, plan, reduction):
    """The incoming gradient per sample, shaped to broadcast along the class axis (mean's divisor folded in)."""
    if reduction == "none":
        return g.reshape(plan.gshape)
    if reduction == "mean":
        return g * (1 / plan.total) if plan.total else g * 0.0     # all ignored: loss nan, gradient 0 (as torch)
    return g


def _finish(loss, plan, reduction, dt):
    """Reduce a per-sample loss array (shape gshape) and return it in dtype ``dt``."""
    if reduction == "none":
        out = loss.reshape(plan.gshape[:plan.axis] + plan.gshape[plan.axis + 1:])
    elif reduction == "sum":
        out = loss.sum()
    else:
        out = loss.sum() / plan.total if plan.total else np.nan     # nothing counted (all ignored, or empty)
    return make_tensor(np.asarray(out).astype(dt.np, copy=False), dt)


# ------------------------------------------------------------------ nll_loss (one node)
def _a_nll_bw(g, plan, reduction):
    hit = _per_sample_grad(g, plan, reduction) * plan.coef
    shape = list(plan.gshape)
    shape[plan.axis] = plan.C
    out = np.zeros(shape, hit.dtype)
    out.reshape(-1)[plan.flat] = np.negative(hit, out=hit)        # -g w[t] at each target class, 0 elsewhere
    return out


def _t_nll_bw(g, plan, reduction):
    gs = _per_sample_grad(g, plan, reduction)
    return gs * _const(gs, plan.dense(-1.0, 0.0))


define("loss_nll_bw", _a_nll_bw, _t_nll_bw)
NllLossBackward0 = node_class("NllLossBackward0", lambda F, g, plan, reduction: F.loss_nll_bw(g, plan, reduction))


def _torch_named(node, names):
    """The node under each name PyTorch's composite would show as grad_fn (programs print losses)."""
    return {name: node if node.__name__ == name else node_class(name, node.formula) for name in names}


def _nll_name(ndim, reduction):
    """nll_loss's grad_fn name in PyTorch: NllLoss2D for (N, C, d1, ...) inputs, a View for their
    unreduced 3-d or 5-d+ forms."""
    if ndim <= 2:
        return "NllLossBackward0"
    return "ViewBackward0" if reduction == "none" and ndim != 4 else "NllLoss2DBackward0"


_NLL_NODES = _torch_named(NllLossBackward0, ("NllLossBackward0", "NllLoss2DBackward0", "ViewBackward0"))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log likelihood of class indices: input (N, C, d1, ...) log-probabilities, target (N, d1, ...)."""
    _tensor_arg(input, "input", 1, "nll_loss")
    _tensor_arg(target, "target", 2, "nll_loss")
    reduction = _reduction(size_average, reduce, reduction)
    dt = input._dtype
    if dt.category != _FLOAT:
        raise NotImplementedError(f"\"nll_loss_out_frame\" not implemented for '{_torch_name(dt)}'")
    plan = _ClassTargets("nll_loss", input, target, weight, ignore_index)
    picked = plan.pick(_c(input._data))
    if plan.valid is not None:
        picked = np.where(plan.valid > 0, picked, 0)       # ignored entries count 0, even where input is inf
    picked *= plan.coef
    np.negative(picked, out=picked)
    out = _finish(picked, plan, reduction, dt)
    if input._rg and _gstate.enabled:
        record(_NLL_NODES[_nll_name(input._data.ndim, reduction)], out, (input,), (), (plan, reduction))
    return out


# ------------------------------------------------------------------ cross_entropy (one node)
# loss_i = -sum_c a_ic log_softmax(x)_ic, with a_i the target distribution: (1 - eps) w[t_i] at the target class
# plus eps / C * w_c everywhere (0 for ignored samples), or w_c ((1 - eps) q_ic + eps / C) for class
# probabilities q. Its gradient is g_i (A_i softmax(x)_i - a_i), A_i = sum_c a_ic.
def _a_ce_bw(g, p, plan, reduction, eps):
    gs = _per_sample_grad(g, plan, reduction)
    hit = gs * plan.coef if not eps else gs * ((1 - eps) * plan.coef)
    total = hit if not eps else hit + gs * ((eps / plan.C * plan.wsum) * (1 if plan.valid is None else plan.valid))
    grad = np.multiply(p, total, out=np.empty(p.shape, np.result_type(p, total)))       # C-ordered for add_at
    plan.add_at(grad, -hit)
    if eps:
        smooth = gs * (eps / plan.C) if plan.valid is None else gs * (eps / plan.C * plan.valid)
        grad -= smooth if plan.weight is None else smooth * plan.weight
    return grad


def _t_ce_bw(g, p, plan, reduction, eps):
    gs = _per_sample_grad(g, plan, reduction)
    a = plan.dense(1 - eps, eps / plan.C)
    total = _const(p, a.sum(axis=plan.axis, keepdims=True))
    return gs * (p * total - _const(p, a))       # p: softmax(x), differentiable back to x (_softmax_of)


define("loss_ce_bw", _a_ce_bw, _t_ce_bw)
CrossEntropyLossBackward0 = node_class(
    "CrossEntropyLossBackward0", lambda F, g, p, plan, reduction, eps: F.loss_ce_bw(g, p, plan, reduction, eps))
# one fused node, named as PyTorch's log_softmax + nll_loss composite's last step (smoothing ends in an add)
_CE_NODES = _torch_named(CrossEntropyLossBackward0, ("NllLossBackward0", "NllLoss2DBackward0", "ViewBackward0",
                                                     "AddBackward0"))


def _softmax_of(input, arr, node, axis):
    """The fused losses save (log_)softmax of their input, not the input, as PyTorch's log_softmax does: the
    caller may then change the input in place before backward. The saved tensor is arr (computed by the
    forward) with ``node`` (Softmax/LogSoftmaxBackward0) to input, which nothing runs in a first-order backward;
    a create_graph backward differentiates through it back to the input."""
    t = make_tensor(arr)
    return record(node, t, (input,), (t,), (axis,))


def _check_smoothing(label_smoothing):
    if label_smoothing > 1.0:
        raise RuntimeError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """log_softmax over the class dimension and the negative log likelihood, in one node.

    input: (N, C, d1, ...) or (C,) logits. target: class indices (N, d1, ...) or (), int64/uint8, entries
    equal to ``ignore_index`` skipped; or class probabilities of input's shape. weight: (C,) class weights.
    """
    _tensor_arg(input, "input", 1, "cross_entropy")
    _tensor_arg(target, "target", 2, "cross_entropy")
    reduction = _reduction(size_average, reduce, reduction)
    if input._data.shape == target._data.shape:
        return _cross_entropy_probs(input, target, weight, reduction, ignore_index, label_smoothing)
    _check_smoothing(label_smoothing)
    dt = input._dtype
    if dt.category != _FLOAT:
        raise NotImplementedError(f"\"log_softmax_lastdim_kernel_impl\" not implemented for '{_torch_name(dt)}'")
    plan = _ClassTargets("cross_entropy", input, target, weight, ignore_index)
    eps = float(label_smoothing) if label_smoothing > 0 else 0.0       # PyTorch ignores a negative smoothing
    logp, p = log_softmax_array(_c(input._data), plan.axis, probs=True)
    loss = plan.pick(logp)
    if plan.valid is not None:
        loss = np.where(plan.valid > 0, loss, 0)          # ignored entries count 0, even where logp is -inf
    loss *= plan.coef * -(1 - eps) if eps else -plan.coef
    if eps:
        wl = logp if plan.weight is None else logp * plan.weight
        smooth = wl.sum(axis=plan.axis, keepdims=True)
        if plan.valid is not None:
            smooth = np.where(plan.valid > 0, smooth, 0)
        smooth *= eps / plan.C
        loss -= smooth
    out = _finish(loss, plan, reduction, dt)
    if input._rg and _gstate.enabled:
        name = "AddBackward0" if eps else _nll_name(input._data.ndim, reduction)
        record(_CE_NODES[name], out, (input,), (_softmax_of(input, p, SoftmaxBackward0, plan.axis),),
               (plan, reduction, eps))
    return out


class _Probs:
    """Layout of cross_entropy with class probabilities: axis (class axis), C, the weight view shape, the
    per-sample gradient shape (class axis kept as 1), the mean's divisor n, and the smoothing eps."""

    __slots__ = ("axis", "C", "wshape", "gshape", "n", "eps")

    def __init__(self, shape, eps):
        self.axis = axis = 0 if len(shape) == 1 else 1
        self.C = shape[axis]
        self.wshape = (self.C,) + (1,) * (len(shape) - 1 - axis)
        self.gshape = shape[:axis] + (1,) + shape[axis + 1:]
        self.n = math.prod(shape) // self.C if self.C else 0
        self.eps = eps

    def per_sample(self, g, reduction):
        if reduction == "none":
            return g.reshape(self.gshape)
        return g * (1.0 / self.n) if reduction == "mean" and self.n else g

    def sum_to_classes(self, t):
        """t (input's shape) summed over every axis but the class axis: shape (C,)."""
        if self.axis:
            t = t.sum(0)
        return t.reshape(self.C, -1).sum(1) if t.ndim > 1 else t

    def distribution(self, q, w):
        """a = w ((1 - eps) q + eps / C): the target distribution the loss weighs log_softmax with."""
        if self.eps:
            q = q * (1 - self.eps) + self.eps / self.C
        return q if w is None else q * w.reshape(self.wshape)


def _a_ce_probs_bw(g, q, w, logp, lay, reduction, needs):
    cdt = logp.dtype
    gs = lay.per_sample(g, reduction)
    q = q.astype(cdt, copy=False)
    w = None if w is None else w.astype(cdt, copy=False)
    gx = gq = gw = None
    if needs[0]:
        a = lay.distribution(q, w)
        gx = np.exp(logp) * a.sum(axis=lay.axis, keepdims=True)
        gx -= a
        gx *= gs
    if needs[1] or needs[2]:
        if needs[1]:
            gq = logp * (-(1 - lay.eps) * gs)
            if w is not None:
                gq *= w.reshape(lay.wshape)
        if needs[2]:
            t = lay.distribution(q, None) * logp
            t *= gs
            gw = -lay.sum_to_classes(t)
    return gx, gq, gw


def _t_ce_probs_bw(g, q, w, logp, lay, reduction, needs):
    # logp: log_softmax(x), differentiable back to x (_softmax_of)
    gs = lay.per_sample(g, reduction)
    gx = gq = gw = None
    if needs[0]:
        a = lay.distribution(q, w)
        gx = gs * (logp.exp() * a.sum(lay.axis, True) - a)
    if needs[1] or needs[2]:
        if needs[1]:
            gq = logp * (gs * -(1 - lay.eps))
            if w is not None:
                gq = gq * w.reshape(lay.wshape)
        if needs[2]:
            gw = -lay.sum_to_classes(lay.distribution(q, None) * logp * gs)
    return gx, gq, gw


define("loss_ce_probs_bw", _a_ce_probs_bw, _t_ce_probs_bw)
CrossEntropyLossProbsBackward0 = node_class(
    "CrossEntropyLossBackward0",
    lambda F, g, q, w, logp, lay, reduction, needs: F.loss_ce_probs_bw(g, q, w, logp, lay, reduction, needs))
_CE_PROBS_NODES = _torch_named(CrossEntropyLossProbsBackward0, ("DivBackward1", "NegBackward0"))  # mean: a division


def _cross_entropy_probs(input, target, weight, reduction, ignore_index, label_smoothing):
    """cross_entropy with class probabilities (target of input's shape), one node: gradients for input, target
    and weight (all differentiable here, as in PyTorch's composite)."""
    if target._dtype.category != _FLOAT:
        raise RuntimeError(f"cross_entropy: Expected floating point type for target with class probabilities, "
                           f"got {_torch_name(target._dtype)} (class indices need a target without the class "
                           f"dimension: input {_shape(input)}, target {_shape(target)})")
    if ignore_index is not None and ignore_index >= 0:
        raise RuntimeError("cross_entropy: ignore_index is not supported for floating point target")
    if input.dim() == 0:
        raise IndexError("cross_entropy: input must have a class dimension, got a 0-dimensional input")
    lay = _Probs(input._data.shape, float(label_smoothing) if label_smoothing > 0 else 0.0)
    dt = dtypes.promote_types(input._dtype, target._dtype)
    if weight is not None:
        _tensor_arg(weight, "weight", 3, "cross_entropy")
        if weight.dim() != 1 or weight.numel() != lay.C:
            raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {lay.C} classes or "
                               f"no classes but got weight tensor of shape: {_shape(weight)}")
        dt = dtypes.promote_types(dt, weight._dtype)
    _check_smoothing(label_smoothing)
    if input._dtype.category != _FLOAT:
        raise NotImplementedError(f"\"log_softmax_lastdim_kernel_impl\" not implemented for "
                                  f"'{_torch_name(input._dtype)}'")
    cdt = _compute_dtype(dt)
    logp = log_softmax_array(_c(input._data), lay.axis)
    w = None if weight is None else weight._data.astype(cdt, copy=False)
    terms = lay.distribution(target._data.astype(cdt, copy=False), w) * logp
    if reduction == "none":
        out = -terms.sum(axis=lay.axis)
    else:
        out = -terms.sum()
        if reduction == "mean":
            out = out / lay.n if lay.n else np.nan
    r = make_tensor(np.asarray(out).astype(dt.np, copy=False), dt)
    needs = (input._rg, target._rg, weight is not None and weight._rg)
    if _gstate.enabled and any(needs):
        record(_CE_PROBS_NODES["DivBackward1" if reduction == "mean" else "NegBackward0"], r, (input, target, weight),
               (target, weight, _softmax_of(input, logp.astype(cdt, copy=False), LogSoftmaxBackward0, lay.axis)),
               (lay, reduction, needs))
    return r


# ------------------------------------------------------------------ pointwise losses (one node each)
# loss = f(input, target) elementwise, then reduced, in one node. A formula gets the incoming gradient per
# element (mean's 1/n folded in), the saved input and target, ``needs`` (which of the two require grad),
# the compute dtype and the loss's own arguments; it returns (grad_input, grad_target).
def _pointwise_node(name, array_bw, tensor_bw):
    define("loss_" + name, array_bw, tensor_bw)

    def formula(F, g, x, y, reduction, n, needs, cdt, *args):
        if reduction == "mean":
            g = g * (1.0 / n)
        return getattr(F, "loss_" + name)(g, x, y, needs, cdt, *args)
    return formula


def _pointwise_loss(node, fwd, input, target, reduction, args=(), op="loss"):
    """Run ``fwd(x, y, *args)`` on input and target (broadcast, in their promoted dtype), reduce, record ``node``."""
    import ember
    ember.broadcast_shapes(input.shape, target.shape)          # RuntimeError naming both shapes
    dt = dtypes.promote_types(input._dtype, target._dtype)
    if dt.category != _FLOAT:
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_torch_name(dt)}'")
    cdt = _compute_dtype(dt)
    loss = fwd(input._data.astype(cdt, copy=False), target._data.astype(cdt, copy=False), *args)
    n = loss.size
    if reduction == "none":
        out = loss
    else:
        out = loss.sum()
        if reduction == "mean":
            out = out / n if n else np.nan
    r = make_tensor(np.asarray(out).astype(dt.np, copy=False), dt)
    if _gstate.enabled and (input._rg or target._rg):
        record(node, r, (input, target), (input, target), (reduction, n, (input._rg, target._rg), cdt) + args)
    return r


def _arrays(x, y, cdt):
    return x.astype(cdt, copy=False), y.astype(cdt, copy=False)


def _both(gx, needs):
    """(grad_input, grad_target) from grad_input when the loss depends on input - target only."""
    return (gx if needs[0] else None), (-gx if needs[1] else None)


# mse: (x - y)^2, gradient 2 (x - y)
def _mse_fwd(x, y):
    d = x - y
    d *= d
    return d


def _a_mse_bw(g, x, y, needs, cdt):
    x, y = _arrays(x, y, cdt)
    d = x - y
    d *= 2 * g
    return _both(d, needs)


MseLossBackward0 = node_class("MseLossBackward0", _pointwise_node(
    "mse", _a_mse_bw, lambda g, x, y, needs, cdt: _both((x - y) * (2 * g), needs)))


# l1: |x - y|, gradient sign(x - y)
def _l1_fwd(x, y):
    d = x - y
    return np.abs(d, out=d)


def _a_l1_bw(g, x, y, needs, cdt):
    x, y = _arrays(x, y, cdt)
    d = np.sign(x - y)
    d *= g
    return _both(d, needs)


def _t_l1_bw(g, x, y, needs, cdt):
    import ember
    return _both(ember.sign(x - y) * g, needs)


L1LossBackward0 = node_class("L1LossBackward0", _pointwise_node("l1", _a_l1_bw, _t_l1_bw))
# one fused node, named as the last step of PyTorch's composite: abs(x - y), then mean() or sum()
_L1_NODES = _torch_named(L1LossBackward0, ("AbsBackward0", "MeanBackward0", "SumBackward0"))
_L1_NAMES = {"none": "AbsBackward0", "mean": "MeanBackward0", "sum": "SumBackward0"}


# smooth_l1 (beta) times scale: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta; gradient clip(d / beta, -1, 1).
# huber_loss(delta) is delta * smooth_l1(beta=delta).
def _smooth_l1_fwd(x, y, beta, scale):
    z = x - y
    np.abs(z, out=z)
    c = np.minimum(z, beta)             # c (z - c / 2) / beta is both branches: 0.5 z^2 / beta and z - 0.5 beta
    out = c * -0.5
    out += z
    out *= c
    factor = scale / beta
    if factor != 1:
        out *= factor
    return out


def _a_smooth_l1_bw(g, x, y, needs, cdt, beta, scale):
    x, y = _arrays(x, y, cdt)
    d = x - y
    d /= beta
    np.clip(d, -1, 1, out=d)
    d *= g * scale if scale != 1 else g
    return _both(d, needs)


def _t_smooth_l1_bw(g, x, y, needs, cdt, beta, scale):
    import ember
    return _both(ember.clamp((x - y) / beta, -1, 1) * (g * scale), needs)


SmoothL1LossBackward0 = node_class("SmoothL1LossBackward0",
                                   _pointwise_node("smooth_l1", _a_smooth_l1_bw, _t_smooth_l1_bw))
HuberLossBackward0 = node_class("HuberLossBackward0", SmoothL1LossBackward0.formula)


def _warn_size(input, target):
    if input._data.shape != target._data.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
                      f"Please ensure they have the same size.", UserWarning, stacklevel=4)


def _regression(node, fwd, input, target, reduction, weight, args, op, mean_by_weight=True):
    """A pointwise regression loss; with ``weight`` (input's shape) the weighted mean divides by sum(weight)."""
    if weight is None:
        return _pointwise_loss(node, fwd, input, target, reduction, args, op)
    if weight._data.shape != input._data.shape:
        raise ValueError(f"Weights and input must have the same size. (weight {_shape(weight)}, input "
                         f"{_shape(input)})")
    loss = _pointwise_loss(node, fwd, input, target, "none", args, op) * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def _regression_args(input, target, size_average, reduce, reduction, op):
    _tensor_arg(input, "input", 1, op)
    _tensor_arg(target, "target", 2, op)
    _warn_size(input, target)
    return _reduction(size_average, reduce, reduction, stacklevel=4)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error (input - target)^2, optionally weighted elementwise."""
    reduction = _regression_args(input, target, size_average, reduce, reduction, "mse_loss")
    return _regression(MseLossBackward0, _mse_fwd, input, target, reduction, weight, (), "mse")


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error |input - target|, optionally weighted elementwise."""
    reduction = _regression_args(input, target, size_average, reduce, reduction, "l1_loss")
    node = _L1_NODES[_L1_NAMES["none" if weight is not None else reduction]]
    return _regression(node, _l1_fwd, input, target, reduction, weight, (), "l1")


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 (x - y)^2 / beta where |x - y| < beta, else |x - y| - 0.5 beta (beta=0: l1_loss)."""
    reduction = _regression_args(input, target, size_average, reduce, reduction, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta (got beta={beta}).")
    if beta == 0:
        return _pointwise_loss(_L1_NODES[_L1_NAMES[reduction]], _l1_fwd, input, target, reduction, (), "l1")
    return _pointwise_loss(SmoothL1LossBackward0, _smooth_l1_fwd, input, target, reduction, (beta, 1), "smooth_l1")


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 (x - y)^2 where |x - y| < delta, else delta (|x - y| - 0.5 delta); weighted 'mean' divides by numel."""
    reduction = _regression_args(input, target, None, None, reduction, "huber_loss")
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta (got delta={delta}).")
    if target._dtype is not input._dtype:          # PyTorch's huber_loss computes in the input's dtype
        dt = dtypes.promote_types(input._dtype, target._dtype)
        if not dtypes.can_cast(dt, input._dtype):
            raise RuntimeError(f"huber_loss: result type {_torch_name(dt)} can't be cast to the desired output "
                               f"type {_torch_name(input._dtype)} (the input's dtype)")
        target = target.to(input._dtype)
    return _regression(HuberLossBackward0, _smooth_l1_fwd, input, target, reduction, weight, (delta, delta),
                       "huber", mean_by_weight=False)


# ------------------------------------------------------------------ binary classification (one node each)
def _same_size_target(input, target, op, message):
    _tensor_arg(input, "input", 1, op)
    _tensor_arg(target, "target", 2, op)
    if target._data.shape != input._data.shape:
        raise ValueError(message.format(t=target.size(), i=input.size()))


def _weight_array(w, cdt):
    return None if w is None else w._data.astype(cdt, copy=False)


# binary_cross_entropy: -w (y log x + (1 - y) log(1 - x)), each log clamped at -100; gradients
# w (x - y) / max(x (1 - x), 1e-12) and w (log(1 - x) - log x) (clamped), as PyTorch's.
_BCE_EPS = 1e-12


def _clamped_logs(x):
    """(max(log x, -100), max(log(1 - x), -100))."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(x), -100), np.maximum(np.log1p(-x), -100)


def _bce_fwd(x, y, w):
    lx, l1x = _clamped_logs(x)
    out = (y - 1) * l1x
    out -= y * lx
    return out if w is None else out * w.astype(out.dtype, copy=False)


def _a_bce_bw(g, x, y, needs, cdt, w):
    x, y = _arrays(x, y, cdt)
    gw = g if w is None else g * w.astype(cdt, copy=False)
    gx = gy = None
    if needs[0]:
        gx = x - y
        gx /= np.maximum(x * (1 - x), _BCE_EPS)
        gx *= gw
    if needs[1]:
        lx, l1x = _clamped_logs(x)
        gy = l1x - lx
        gy *= gw
    return gx, gy


def _t_bce_bw(g, x, y, needs, cdt, w):
    import ember
    gw = g if w is None else g * _const(g, w)
    gx = gw * (x - y) / ember.clamp_min(x * (1 - x), _BCE_EPS) if needs[0] else None
    gy = gw * (ember.clamp_min(ember.log1p(-x), -100) - ember.clamp_min(ember.log(x), -100)) if needs[1] else None
    return gx, gy


BinaryCrossEntropyBackward0 = node_class("BinaryCrossEntropyBackward0",
                                         _pointwise_node("bce", _a_bce_bw, _t_bce_bw))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-w (y log x + (1 - y) log(1 - x)) for probabilities x in [0, 1]; each log is clamped at -100 as PyTorch's."""
    import ember
    reduction = _reduction(size_average, reduce, reduction)
    _same_size_target(input, target, "binary_cross_entropy",
                      "Using a target size ({t}) that is different to the input size ({i}) is deprecated. "
                      "Please ensure they have the same size.")
    if target._dtype is not input._dtype:
        raise RuntimeError(f"binary_cross_entropy: Found dtype {_torch_name(target._dtype)} but expected "
                           f"{_torch_name(input._dtype)} (target must have the input's dtype)")
    _not_differentiable("binary_cross_entropy", weight=weight)
    for t, what in ((input, "input"), (target, "target")):
        a = t._data
        if a.size and not ((a >= 0) & (a <= 1)).all():
            raise RuntimeError(f"binary_cross_entropy: all elements of {what} should be between 0 and 1")
    cdt = _c(input._data).dtype
    if weight is not None:
        ember.broadcast_shapes(target.shape, weight.shape)
        weight = _weight_array(weight, cdt)
    return _pointwise_loss(BinaryCrossEntropyBackward0, _bce_fwd, input, target, reduction, (weight,),
                           "binary_cross_entropy")


# binary_cross_entropy_with_logits: (1 - y) x - lw logsigmoid(x), lw = 1 + (pos_weight - 1) y, times weight;
# gradients w (lw sigmoid(x) - pos_weight y) and w (-x - (pos_weight - 1) logsigmoid(x)).
def _logsigmoid_arr(x):
    """log sigmoid(x) = -(max(-x, 0) + log1p(exp(-|x|))), stable."""
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)
    np.log1p(e, out=e)
    e += np.maximum(-x, 0)
    return np.negative(e, out=e)


def _bcel_fwd(x, y, w, pw):
    ls = _logsigmoid_arr(x)
    if pw is not None:
        ls *= (pw - 1) * y + 1
    out = (1 - y) * x
    out -= ls
    return out if w is None else out * w


def _a_bcel_bw(g, x, y, needs, cdt, w, pw):
    x, y = _arrays(x, y, cdt)
    gw = g if w is None else g * w
    gx = gy = None
    if needs[0]:
        s = _sigmoid_arr(x)
        if pw is None:
            gx = s - y
        else:
            py = pw * y
            gx = (py + 1 - y) * s - py
        gx *= gw
    if needs[1]:
        gy = -x if pw is None else -x - (pw - 1) * _logsigmoid_arr(x)
        gy *= gw
    return gx, gy


def _t_bcel_bw(g, x, y, needs, cdt, w, pw):
    import ember
    gw = g if w is None else g * _const(g, w)
    pwt = None if pw is None else _const(g, pw)
    gx = gy = None
    if needs[0]:
        s = ember.sigmoid(x)
        gx = gw * (s - y if pw is None else (pwt * y + 1 - y) * s - pwt * y)
    if needs[1]:
        gy = gw * (-x if pw is None else -x - (pwt - 1) * logsigmoid(x))
    return gx, gy


BinaryCrossEntropyWithLogitsBackward0 = node_class("BinaryCrossEntropyWithLogitsBackward0",
                                                   _pointwise_node("bce_logits", _a_bcel_bw, _t_bcel_bw))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """BCE on logits, stable: (1 - y) x - (1 + (pos_weight - 1) y) logsigmoid(x), times weight."""
    import ember
    reduction = _reduction(size_average, reduce, reduction)
    _same_size_target(input, target, "binary_cross_entropy_with_logits",
                      "Target size ({t}) must be the same as input size ({i})")
    _not_differentiable("binary_cross_entropy_with_logits", weight=weight, pos_weight=pos_weight)
    dt = dtypes.promote_types(input._dtype, target._dtype)
    for extra in (weight, pos_weight):
        if extra is not None:
            ember.broadcast_shapes(input.shape, extra.shape)
            dt = dtypes.promote_types(dt, extra._dtype)
    cdt = _compute_dtype(dt)
    return _pointwise_loss(BinaryCrossEntropyWithLogitsBackward0, _bcel_fwd, input, target, reduction,
                           (_weight_array(weight, cdt), _weight_array(pos_weight, cdt)),
                           "binary_cross_entropy_with_logits")


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-y x)) for labels y in {1, -1}."""
    import ember
    reduction = _reduction(size_average, reduce, reduction)
    _not_differentiable("soft_margin_loss", target=target)
    return shown_as(_reduce(ember.log1p(ember.exp(-input * target)), reduction), "SoftMarginLossBackward0")


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Per sample: -mean over classes of y logsigmoid(x) + (1 - y) logsigmoid(-x), times weight."""
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    return _reduce(loss.sum(dim=class_dim) / input.size(class_dim), reduction)


# ------------------------------------------------------------------ distributions
_KL_MEAN_WARNING = ("reduction: 'mean' divides the total loss by both the batch size and the support size."
                    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                    "'mean' will be changed to behave the same as 'batchmean' in the next major release.")


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL(target || exp(input)) pointwise: target (log target - input); reduction may also be 'batchmean'."""
    import ember
    _tensor_arg(input, "input", 1, "kl_div")
    _tensor_arg(target, "target", 2, "kl_div")
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce, stacklevel=3)
    elif reduction == "mean":
        warnings.warn(_KL_MEAN_WARNING, UserWarning, stacklevel=2)
    elif reduction not in ("batchmean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = ember.exp(target) * (target - input)
    else:
        loss = ember.xlogy(target, target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.size(0) if input.dim() else total
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Poisson negative log likelihood: exp(x) - y x (log_input) or x - y log(x + eps); full adds Stirling's term."""
    import ember
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = ember.exp(input) - target * input
    else:
        loss = input - target * ember.log(input + eps)
    if full:
        stirling = target * ember.log(target) - target + 0.5 * ember.log(2 * math.pi * target)
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 (log var + (input - target)^2 / var) (+ 0.5 log 2 pi with full); var is clamped at eps."""
    import ember
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ember.ones_like(input)
    elif bool(ember.any(var < 0)):
        raise ValueError("var has negative entry/entries")
    if var.size() != input.size():
        if input.size()[:-1] == var.size():              # homoscedastic: one variance per sample
            var = ember.unsqueeze(var, -1)
        elif not (input.dim() == var.dim() and
                  sum(y for x, y in zip(input.size(), var.size()) if x != y) == 1):
            raise ValueError(f"var is of incorrect size (var {_shape(var)}, input {_shape(input)})")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with ember.no_grad():
        var.clamp_(min=eps)          # clamped in value only: the gradient still reaches var, as in PyTorch
    loss = 0.5 * (ember.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ------------------------------------------------------------------ margins and embeddings
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """x where y == 1, max(0, margin - x) where y == -1 (both terms where y is neither)."""
    import ember
    reduction = _reduction(size_average, reduce, reduction)
    zeros = ember.zeros_like(input)
    out = ember.where(target != 1, ember.clamp_min(margin - input, 0), zeros) + ember.where(target != -1, input,
                                                                                             zeros)
    return _reduce(out, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -y (x1 - x2) + margin)."""
    import ember
    reduction = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _reduce(ember.clamp_min(-target * (input1 - input2) + margin, 0), reduction)


_COS_EPS = 1e-12


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) where y == 1, max(0, cos(x1, x2) - margin) where y == -1."""
    import ember
    reduction = _reduction(size_average, reduce, reduction)
    td = target.dim()
    if td > 1:
        raise RuntimeError(f"cosine_embedding_loss: 0D or 1D target tensor expected, multi-target not supported "
                           f"(got target of shape {_shape(target)})")
    want = 2 if td == 1 else 1
    if input1.dim() != want or input2.dim() != want:
        raise RuntimeError(f"cosine_embedding_loss: {td}D target tensor expects {want}D input tensors, but found "
                           f"inputs with sizes {_shape(input1)} and {_shape(input2)}.")
    prod = (input1 * input2).sum(td)
    mag1 = (input1 * input1).sum(td) + _COS_EPS
    mag2 = (input2 * input2).sum(td) + _COS_EPS
    cos = prod / ember.sqrt(mag1 * mag2)
    zeros = ember.zeros_like(cos)
    out = ember.where(target == 1, 1 - cos, zeros) + ember.where(target == -1, ember.clamp_min(cos - margin, 0),
                                                                 zeros)
    return _reduce(out, reduction)


def _triplet_dims(anchor, positive, negative):
    a, p, n = anchor.dim(), positive.dim(), negative.dim()
    if not a == p == n:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a}D, positive {p}D, and negative {n}D inputs")


def _triplet(dist, anchor, positive, negative, margin, swap, reduction):
    import ember
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _triplet_dims(anchor, positive, negative)
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = ember.minimum(d_neg, dist(positive, negative))
    return _reduce(ember.clamp_min(margin + d_pos - d_neg, 0), reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, margin + d(a, p) - d(a, n)) with the p-norm distance (swap: d(a, n) -> min(d(a, n), d(p, n)))."""
    reduction = _reduction(size_average, reduce, reduction)
    return _triplet(lambda u, v: pairwise_distance(u, v, p, eps), anchor, positive, negative, margin, swap,
                    reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    """triplet_margin_loss with any distance (default: pairwise distance, p=2)."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _triplet(distance_function or pairwise_distance, anchor, positive, negative, margin, swap, reduction)


def _margin_input(input, op):
    if input.dim() > 2 or input.numel() == 0 and input.dim() < 2:
        raise RuntimeError(f"{op}: Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{_shape(input)}")
    return input if input.dim() == 2 else input.reshape(1, -1)


def _long_target(target, op):
    if target._dtype.name != "int64":
        raise RuntimeError(f"{op}: expected scalar type Long but found {_torch_name(target._dtype)} (target)")


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Per sample: sum over classes j != y of w[y] max(0, margin - x[y] + x[j])^p, divided by C."""
    import ember
    reduction = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    x = _margin_input(input, "multi_margin_loss")
    N, C = x.shape
    _long_target(target, "multi_margin_loss")
    if target.dim() > 1 or target.numel() != N:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{N}], but got {_shape(target)}. Input has "
                           f"shape {_shape(input)}.")
    t = target._data.reshape(N)
    if t.size and (t.min() < 0 or t.max() >= C):
        bad = t[(t < 0) | (t >= C)][0]
        raise RuntimeError(f"multi_margin_loss: target out of range: got {bad}, class indices must lie in "
                           f"[0, {C - 1}]")
    if weight is not None and weight.numel() != C:
        raise RuntimeError(f"multi_margin_loss: inconsistent weight size, expected {C} but got {_shape(weight)}")
    _not_differentiable("multi_margin_loss", weight=weight)
    idx = make_tensor(t.reshape(N, 1).astype(np.int64))
    z = ember.clamp_min(margin - x.gather(1, idx) + x, 0)
    if p == 2:
        z = z * z
    others = np.ones((N, C), bool)
    others[np.arange(N), t] = False
    z = z * _const(z, others)
    if weight is not None:
        z = z * weight[make_tensor(t.astype(np.int64))].reshape(N, 1)
    loss = z.sum(1) / C
    if input.dim() < 2:
        loss = loss.reshape(target.shape)
    return shown_as(_reduce(loss, reduction), "MultiMarginLossBackward0", private_base=True)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Per sample: sum over target classes j and non-target classes k of max(0, 1 - (x[j] - x[k])), divided by C.

    target (N, C) holds the target classes of each sample, ended by the first -1.
    """
    import ember
    reduction = _reduction(size_average, reduce, reduction)
    x = _margin_input(input, "multilabel_margin_loss")
    N, C = x.shape
    _long_target(target, "multilabel_margin_loss")
    if target._data.size != N * C or (input.dim() == 2 and target.dim() != 2) or target.dim() > 2:
        raise RuntimeError(f"multilabel_margin_loss: inconsistent target size: {_shape(target)} for input of size: "
                           f"{_shape(input)}")
    t = target._data.reshape(N, C)
    live = np.cumprod(t != -1, axis=1).astype(bool)          # slots before each row's first -1
    bad = live & ((t < 0) | (t >= C))
    if bad.any():
        raise RuntimeError(f"multilabel_margin_loss: argument #2 'target' is out of range: got {t[bad][0]}, class "
                           f"indices must lie in [0, {C - 1}] (or -1 to end a row)")
    tsafe = np.where(live, t, 0)
    is_target = np.zeros((N, C), bool)
    rows = np.nonzero(live)
    is_target[rows[0], tsafe[rows]] = True
    xj = x.gather(1, make_tensor(tsafe.astype(np.int64)))             # (N, slots): the target-class scores
    z = ember.clamp_min(1 - xj.unsqueeze(2) + x.unsqueeze(1), 0)       # (N, slots, C)
    z = z * _const(z, live[:, :, None] & ~is_target[:, None, :])
    loss = z.sum((1, 2)) / C
    if input.dim() < 2:
        loss = loss.reshape(())
    return shown_as(_reduce(loss, reduction), "MultilabelMarginLossBackward0", private_base=True)


# ------------------------------------------------------------------ ctc_loss (one node)
# Connectionist temporal classification, in log space, batched: the targets are extended with blanks
# (blank, l1, blank, l2, ..., blank: L = 2 S + 1 states) and the forward (alpha) and backward (beta) variables
# run over time, vectorised over samples and states. The gradient w.r.t. log_probs is PyTorch's:
# exp(lp) - exp(logsumexp_{s: l'_s = c} (alpha + beta) + nll - lp), which assumes log_probs come from log_softmax.
def _logsumexp3(a, b, c):
    m = np.maximum(np.maximum(a, b), c)
    mf = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        return np.log(np.exp(a - mf) + np.exp(b - mf) + np.exp(c - mf)) + mf


def _shift(a, k):
    """a shifted right by k along the last axis (-inf filled)."""
    out = np.full_like(a, -np.inf)
    out[..., k:] = a[..., :a.shape[-1] - k]
    return out


def _ctc_alpha_beta(lp, ext, skip, il, tl):
    """log alpha and log beta (T, N, L) and the negative log likelihood (N,) of each sample."""
    T, N, _ = lp.shape
    L = ext.shape[1]
    n = np.arange(N)
    y = np.take_along_axis(lp, np.broadcast_to(ext[None], (T, N, L)), 2)    # lp at each state's label
    alpha = np.full((T, N, L), -np.inf, lp.dtype)
    alpha[0, :, 0] = y[0, :, 0]
    alpha[0, :, 1] = np.where(tl > 0, y[0, :, 1], -np.inf) if L > 1 else 0
    for t in range(1, T):
        prev = alpha[t - 1]
        alpha[t] = _logsumexp3(prev, _shift(prev, 1), np.where(skip, _shift(prev, 2), -np.inf)) + y[t]
    end = np.maximum(il - 1, 0)
    last = alpha[end, n]                                                     # (N, L) at each sample's last step
    a_end = last[n, 2 * tl]
    a_pre = np.where(tl > 0, last[n, np.maximum(2 * tl - 1, 0)], -np.inf)
    ll = np.logaddexp(a_end, a_pre)
    ll = np.where(il > 0, ll, np.where(tl == 0, 0.0, -np.inf))              # an empty input only fits ""
    beta = np.full((T, N, L), -np.inf, lp.dtype)
    skip_next = np.zeros_like(skip)
    skip_next[:, :L - 2] = skip[:, 2:]                                       # may state s jump to s + 2?
    for t in range(T - 1, -1, -1):
        if t < T - 1:
            nxt = beta[t + 1]
            rec = _logsumexp3(nxt, _shift(nxt[..., ::-1], 1)[..., ::-1],
                              np.where(skip_next, _shift(nxt[..., ::-1], 2)[..., ::-1], -np.inf)) + y[t]
            beta[t] = np.where((t < end)[:, None], rec, -np.inf)
        start = (t == end) & (il > 0)
        if start.any():
            b = np.full((N, L), -np.inf, lp.dtype)
            b[n, 2 * tl] = y[t, n, 2 * tl]
            b[n, np.maximum(2 * tl - 1, 0)] = np.where(tl > 0, y[t, n, np.maximum(2 * tl - 1, 0)], b[n, 0])
            beta[t] = np.where(start[:, None], b, beta[t])
    return alpha, beta, -ll


def _a_ctc_bw(g, lp, plan):
    ext, il, nll, alpha, beta, scale, zero = plan
    lp = _c(lp)
    T, N, C = lp.shape
    gs = g * scale if scale is not None else g
    gs = np.broadcast_to(np.asarray(gs, lp.dtype), (N,))
    ab = alpha + beta                                                        # (T, N, L)
    m = ab.max(axis=2, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    e = np.exp(ab - m)
    onehot = np.zeros((N, ext.shape[1], C), lp.dtype)
    np.put_along_axis(onehot, ext[:, :, None], 1, 2)
    acc = np.einsum("tnl,nlc->tnc", e, onehot)                              # sum over states of each label
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        hit = np.where(acc > 0, np.exp(np.log(acc) + m + nll[None, :, None] - lp), 0)
    grad = np.exp(lp) - hit
    grad[:, np.isinf(nll)] = np.nan             # an impossible alignment: -inf + inf, NaN as in PyTorch
    grad *= gs[None, :, None]
    live = (np.arange(T)[:, None] < il[None, :]) & ~zero[None, :]          # steps past a sample's input: 0
    return np.where(live[:, :, None], grad, 0)


def _ctc_double_backward(F, g, *saved):
    raise RuntimeError("ctc_loss: derivative for ctc_loss's backward is not implemented (no second derivative "
                       "through ctc_loss, as in PyTorch)")


_CtcLossBackwardBackward0 = node_class("CtcLossBackwardBackward0", _ctc_double_backward)


def _t_ctc_bw(g, lp, plan):
    """Under create_graph: the same gradient, as a Tensor whose own backward raises (as PyTorch's)."""
    out = make_tensor(_a_ctc_bw(g._data, lp._data, plan).astype(lp._data.dtype, copy=False), lp._dtype)
    if _gstate.enabled and (lp._rg or g._rg):
        record(_CtcLossBackwardBackward0, out, (lp, g))
    return out


define("loss_ctc_bw", _a_ctc_bw, _t_ctc_bw)
CtcLossBackward0 = node_class("CtcLossBackward0", lambda F, g, lp, plan: F.loss_ctc_bw(g, lp, plan))
# one node, named as the last step of PyTorch's composite (zero_infinity: a where; unbatched: a squeeze)
_CTC_NODES = _torch_named(CtcLossBackward0, ("CtcLossBackward0", "WhereBackward0", "SqueezeBackward1",
                                             "MeanBackward0", "SumBackward0"))


def _lengths(x, name, N):
    a = np.asarray(x._data if isinstance(x, Tensor) else x)
    if a.dtype.kind not in "iu":
        raise RuntimeError(f"ctc_loss: {name} must be integral")
    a = a.reshape(-1).astype(np.int64)
    if a.size != N:
        raise RuntimeError(f"ctc_loss: {name} must be of size batch_size ({N}), got {a.size} values")
    return a


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """CTC loss. log_probs (T, N, C) or (T, C) (log_softmax outputs); targets (N, S) padded or the concatenated
    1-D targets; input_lengths, target_lengths (N,). 'mean' divides each loss by its target length first."""
    _tensor_arg(log_probs, "log_probs", 1, "ctc_loss")
    _tensor_arg(targets, "targets", 2, "ctc_loss")
    reduction = _reduction(None, None, reduction)
    unbatched = log_probs.dim() == 2
    if log_probs.dim() not in (2, 3):
        raise RuntimeError(f"ctc_loss: Expected 3-dimensional tensor (T, N, C), but got {log_probs.dim()}-"
                           f"dimensional tensor for argument #1 'log_probs' of shape {_shape(log_probs)}")
    dt = log_probs._dtype
    if dt.category != _FLOAT:
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for '{_torch_name(dt)}'")
    lp = _c(log_probs._data)
    if unbatched:
        lp = lp[:, None]
    T, N, C = lp.shape
    if not 0 <= blank < C:
        raise RuntimeError(f"ctc_loss: blank must be in label range [0, {C - 1}], got {blank}")
    il = _lengths(input_lengths, "input_lengths", N)
    tl = _lengths(target_lengths, "target_lengths", N)
    for a, name, hi in ((il, "input_lengths", T), (tl, "target_lengths", None)):
        if a.size and a.min() < 0:
            raise RuntimeError(f"ctc_loss: Expected {name} to have value at least 0, but got value {a.min()}")
        if hi is not None and a.size and a.max() > hi:
            raise RuntimeError(f"ctc_loss: Expected {name} to have value at most {hi}, but got value {a.max()}")
    t = targets._data.astype(np.int64)
    if unbatched:
        t = t.reshape(1, -1)
    elif t.ndim == 1:                                    # concatenated targets -> padded rows
        if t.size < tl.sum():
            raise RuntimeError(f"ctc_loss: concatenated targets hold {t.size} labels but target_lengths sum to "
                               f"{int(tl.sum())}")
        width = int(tl.max()) if N else 0
        offsets = np.cumsum(tl) - tl
        cols = np.arange(width)[None, :]
        inside = cols < tl[:, None]
        rows = np.zeros((N, width), np.int64)
        rows[inside] = t[(offsets[:, None] + cols)[inside]]
        t = rows
    if t.ndim != 2 or (tl.size and t.shape[1] < tl.max()):
        raise RuntimeError(f"ctc_loss: Expected targets of shape (N, S) with S at least max(target_lengths) = "
                           f"{int(tl.max()) if tl.size else 0}, or 1-D concatenated targets, but got targets of "
                           f"shape {_shape(targets)}")
    S = t.shape[1]
    used = np.arange(S)[None, :] < tl[:, None]
    if used.any() and (t[used].min() < 0 or t[used].max() >= C):
        bad = t[used][(t[used] < 0) | (t[used] >= C)][0]
        raise IndexError(f"ctc_loss: target {bad} is out of range: labels must lie in [0, {C - 1}]")
    L = 2 * S + 1
    ext = np.full((N, L), blank, np.int64)
    ext[:, 1::2] = np.where(used, t, blank)
    skip = np.zeros((N, L), bool)
    skip[:, 3::2] = ext[:, 3::2] != ext[:, 1:-2:2]                           # l'_s != l'_{s-2} for labels
    alpha, beta, nll = _ctc_alpha_beta(lp, ext, skip, il, tl)
    zero = np.isinf(nll) & zero_infinity
    losses = np.where(zero, 0.0, nll).astype(lp.dtype)
    if reduction == "mean":
        scale = 1.0 / (np.maximum(tl, 1) * N) if N else np.zeros(0)
        out = (losses * scale).sum() if N else np.nan
    elif reduction == "sum":
        scale, out = None, losses.sum()
    else:
        scale, out = None, losses[0] if unbatched else losses
    r = make_tensor(np.asarray(out).astype(dt.np, copy=False), dt)
    if log_probs._rg and _gstate.enabled:
        grad_lp = log_probs if not unbatched else log_probs.unsqueeze(1)
        name = ("MeanBackward0" if reduction == "mean" else "SumBackward0" if reduction == "sum" else
                "SqueezeBackward1" if unbatched else "WhereBackward0" if zero_infinity else "CtcLossBackward0")
        record(_CTC_NODES[name], r, (grad_lp,), (grad_lp,), ((ext, il, nll, alpha, beta, scale, zero),))
    return r
