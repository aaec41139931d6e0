"""Loss functions of nn.functional, each op's forward beside its derivative.

cross_entropy and nll_loss are fused kernels: one autograd Node each, with
the derivative written out (softmax minus the target distribution for
cross_entropy), on NumPy arrays for a plain backward and on ember Tensors under
``create_graph``. The other losses are short compositions of differentiable
ember ops, written as PyTorch's ATen kernels compute them, so their values,
gradients (also w.r.t. targets) and higher derivatives follow.

Reductions: ``reduction='none'|'mean'|'sum'``; the legacy ``size_average`` /
``reduce`` pair is translated with PyTorch's deprecation warning.
"""
import math
import warnings

import numpy as np

from ... import dtypes
from ...autograd.formulas import define
from ...tensor import Tensor, make_tensor
from ...ops._common import _gstate, node_class, record
from .activation import _TORCH_NAMES, _c, _const, log_softmax_array, logsigmoid, softmax, softplus

__all__ = ["cross_entropy", "nll_loss"]

_FLOAT = dtypes._FLOAT
_REDUCTIONS = ("none", "mean", "sum")


# ------------------------------------------------------------------ reductions
def legacy_get_string(size_average, reduce, emit_warning=True):
    """The reduction named by PyTorch's deprecated ``size_average``/``reduce`` pair (None means True)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                      UserWarning, stacklevel=4)
    return ret


def _reduction(size_average, reduce, reduction):
    """The reduction to apply, from the legacy pair when given, checked (ValueError as PyTorch's)."""
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    if reduction not in _REDUCTIONS:
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


def _torch_name(dt):
    return _TORCH_NAMES.get(dt.name, dt.name)


def _shape(t):
    return list(t._data.shape)


# ------------------------------------------------------------------ class-index targets
class _ClassTargets:
    """Class-index targets of cross_entropy / nll_loss, checked and laid out for the kernels.

    For input (N, C, d1, ...) (or (C,)) and target (N, d1, ...) (or ()):
      axis: the class axis (1, or 0 for unbatched input); C: the number of classes.
      idx: the target with the class axis inserted, ignored entries set to 0
           (for take/put_along_axis); gshape: idx's shape.
      coef: w[target] (1 without weights), 0 where ignored, shape gshape.
      valid: 1 where the target is not ignore_index, 0 where it is (None: none ignored).
      weight: the class weights as an array shaped to broadcast along axis (None: no weights).
      total: sum of coef (the divisor of reduction='mean').
    """

    __slots__ = ("axis", "C", "idx", "gshape", "coef", "valid", "weight", "wsum", "total")

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
        ignored = t == ignore_index
        any_ignored = bool(ignored.any())
        tsafe = np.where(ignored, 0, t) if any_ignored else t
        if tsafe.size and (tsafe.min() < 0 or tsafe.max() >= C):
            bad = tsafe[(tsafe < 0) | (tsafe >= C)].flat[0]
            raise IndexError(f"{op}: Target {bad} is out of bounds: class indices must lie in [0, {C - 1}] "
                             f"for input with {C} classes (or equal ignore_index={ignore_index}).")
        self.idx = np.expand_dims(tsafe.astype(np.intp, copy=False), axis)
        self.gshape = self.idx.shape
        self.valid = (~ignored).astype(cdt).reshape(self.gshape) if any_ignored else None
        if weight is None:
            self.weight = None
            self.wsum = float(C)
            coef = np.ones(self.gshape, cdt) if self.valid is None else self.valid
        else:
            _tensor_arg(weight, "weight", 3, op)
            if weight.dim() != 1 or weight._data.size != C:
                raise RuntimeError(f"{op}: weight tensor should be defined either for all {C} classes or no "
                                   f"classes but got weight tensor of shape: {_shape(weight)}")
            if weight._dtype is not input._dtype:
                raise RuntimeError(f"{op}: expected scalar type {_torch_name(input._dtype)} but found "
                                   f"{_torch_name(weight._dtype)} (weight must have the input's dtype)")
            if _gstate.enabled and weight._rg:
                raise RuntimeError(f"{op}: the function is not differentiable with respect to argument "
                                   f"'weight'. This input cannot have requires_grad True.")
            w = weight._data.astype(cdt, copy=False)
            self.weight = w.reshape((C,) + (1,) * (nd - 1 - axis))
            self.wsum = float(w.sum())
            coef = w[self.idx]
            if self.valid is not None:
                coef *= self.valid
        self.coef = coef
        self.total = float(coef.sum())

    def dense(self, scale_hit, scale_all):
        """The (N, C, ...) coefficients ``scale_hit * coef`` at the target class plus ``scale_all * valid * w``."""
        shape = list(self.gshape)
        shape[self.axis] = self.C
        out = np.zeros(shape, self.coef.dtype)
        if scale_all:
            v = scale_all if self.valid is None else scale_all * self.valid
            out += v if self.weight is None else v * self.weight
        np.put_along_axis(out, self.idx, np.take_along_axis(out, self.idx, self.axis) + scale_hit * self.coef,
                          self.axis)
        return out


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
        with np.errstate(invalid="ignore", divide="ignore"):
            out = loss.sum() / plan.total
    return make_tensor(np.asarray(out).astype(dt.np, copy=False), dt)


# ------------------------------------------------------------------ nll_loss (one node)
def _a_nll_bw(g, plan, reduction):
    return _per_sample_grad(g, plan, reduction) * plan.dense(-1.0, 0.0)


def _t_nll_bw(g, plan, reduction):
    gs = _per_sample_grad(g, plan, reduction)
    return gs * _const(gs, plan.dense(-1.0, 0.0))


define("loss_nll_bw", _a_nll_bw, _t_nll_bw)
NllLossBackward0 = node_class("NllLossBackward0", lambda F, g, plan, reduction: F.loss_nll_bw(g, plan, reduction))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log likelihood of class indices: input (N, C, d1, ...) log-probabilities, target (N, d1, ...)."""
    _tensor_arg(input, "input", 1, "nll_loss")
    _tensor_arg(target, "target", 2, "nll_loss")
    reduction = _reduction(size_average, reduce, reduction)
    dt = input._dtype
    if dt.category != _FLOAT:
        raise NotImplementedError(f"\"nll_loss_out_frame\" not implemented for '{_torch_name(dt)}'")
    plan = _ClassTargets("nll_loss", input, target, weight, ignore_index)
    picked = np.take_along_axis(_c(input._data), plan.idx, plan.axis)
    if plan.valid is not None:
        picked = np.where(plan.valid > 0, picked, 0)       # ignored entries count 0, even where input is inf
    picked *= plan.coef
    np.negative(picked, out=picked)
    out = _finish(picked, plan, reduction, dt)
    if input._rg and _gstate.enabled:
        record(NllLossBackward0, out, (input,), (), (plan, reduction))
    return out


# ------------------------------------------------------------------ cross_entropy (one node)
# loss_i = -sum_c a_ic log_softmax(x)_ic, with a_i the target distribution: (1 - eps) w[t_i] at the target class
# plus eps / C * w_c everywhere (0 for ignored samples), or w_c ((1 - eps) q_ic + eps / C) for class
# probabilities q. Its gradient is g_i (A_i softmax(x)_i - a_i), A_i = sum_c a_ic.
def _a_ce_bw(g, x, p, plan, reduction, eps):
    gs = _per_sample_grad(g, plan, reduction)
    grad = p * (gs * ((1 - eps) * plan.coef + (eps / plan.C * plan.wsum) * (1 if plan.valid is None else
                                                                            plan.valid)))
    hit = np.take_along_axis(grad, plan.idx, plan.axis)
    hit -= gs * ((1 - eps) * plan.coef)
    np.put_along_axis(grad, plan.idx, hit, plan.axis)
    if eps:
        smooth = gs * (eps / plan.C) if plan.valid is None else gs * (eps / plan.C * plan.valid)
        grad -= smooth if plan.weight is None else smooth * plan.weight
    return grad


def _t_ce_bw(g, x, p, plan, reduction, eps):
    gs = _per_sample_grad(g, plan, reduction)
    a = plan.dense(1 - eps, eps / plan.C)
    total = _const(x, a.sum(axis=plan.axis, keepdims=True))
    return gs * (softmax(x, plan.axis) * total - _const(x, a))


define("loss_ce_bw", _a_ce_bw, _t_ce_bw)
CrossEntropyLossBackward0 = node_class(
    "CrossEntropyLossBackward0", lambda F, g, x, p, plan, reduction, eps: F.loss_ce_bw(g, x, p, plan, reduction, eps))


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
    loss = np.take_along_axis(logp, plan.idx, plan.axis)
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
        record(CrossEntropyLossBackward0, out, (input,), (input, make_tensor(p)), (plan, reduction, eps))
    return out


def _cross_entropy_probs(input, target, weight, reduction, ignore_index, label_smoothing):
    """cross_entropy with class probabilities (target of input's shape), as ember ops."""
    import ember
    if target._dtype.category != _FLOAT:
        raise RuntimeError(f"cross_entropy: Expected floating point type for target with class probabilities, "
                           f"got {_torch_name(target._dtype)} (class indices need a target without the class "
                           f"dimension: input {_shape(input)}, target {_shape(target)})")
    if ignore_index is not None and ignore_index >= 0:
        raise RuntimeError("cross_entropy: ignore_index is not supported for floating point target")
    if input.dim() == 0:
        raise IndexError("cross_entropy: input must have a class dimension, got a 0-dimensional input")
    axis = 0 if input.dim() == 1 else 1
    C = input.shape[axis]
    if weight is not None:
        _tensor_arg(weight, "weight", 3, "cross_entropy")
        if weight.dim() != 1 or weight.numel() != C:
            raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {C} classes or "
                               f"no classes but got weight tensor of shape: {_shape(weight)}")
    _check_smoothing(label_smoothing)
    from .activation import log_softmax
    logp = log_softmax(input, axis)
    q = target * (1 - label_smoothing) + label_smoothing / C if label_smoothing > 0 else target
    if weight is not None:
        q = q * weight.reshape((C,) + (1,) * (input.dim() - 1 - axis))
    terms = logp * q
    if reduction == "none":
        return -terms.sum(axis)
    total = -terms.sum()
    if reduction == "sum":
        return total
    n = input.numel() // C if C else 0
    return total / n if n else total * ember.tensor(math.nan, dtype=total.dtype)
