"""Adafactor, as torch.optim.Adafactor: Adam-like steps whose second moment of a
matrix (or of the last two dims of a stack of matrices) is kept factored, as one
row and one column mean, and whose step size is relative to the parameter's RMS.
The rule ``adafactor`` updates NumPy arrays in place."""
import math

import numpy as np

from ._functional import as_float, check_lr, new_scalar, run_rule, to_scalar
from .optimizer import Optimizer


def lerp_(start, end, weight):
    """start += weight (end - start), in place, in PyTorch's two-sided form (exact at weight 1)."""
    if weight < 0.5:
        start += (end - start) * weight
    else:
        np.subtract(end, (end - start) * (1 - weight), out=start)


def adafactor(params, grads, row_vars, col_vars, variances, steps, *, d, lr, beta2_decay, weight_decay, eps1,
              eps2, maximize):
    """Per parameter at step t: w = t^beta2_decay, rho = min(lr, 1/sqrt(t)), alpha = max(eps2, RMS(p)) rho;
    p *= 1 - lr wd;  matrices: R = lerp(R, mean(g^2, -1), w), C = lerp(C, mean(g^2, -2), w),
    V = R C / max(mean(R, -2), eps1);  others: V = lerp(V, g^2, w);
    u = g / sqrt(max(V, eps1^2));  p -= alpha / max(1, RMS(u) / d) * u."""
    for i, (p, g) in enumerate(zip(params, grads)):
        if eps1 is None:                # PyTorch resolves it once, from the first parameter's dtype
            eps1 = float(np.finfo(p.dtype).eps)
        g = -g if maximize else g
        t = float(steps[i])
        weight = t ** beta2_decay
        rho = min(lr, 1 / t ** 0.5)
        alpha = max(eps2, float(np.linalg.norm(p.reshape(-1))) / math.sqrt(p.size)) * rho
        if weight_decay != 0:
            p *= 1 - lr * weight_decay
        g2 = g * g
        if g.ndim > 1:
            row, col = row_vars[i], col_vars[i]
            lerp_(row, g2.mean(axis=-1, keepdims=True), weight)
            lerp_(col, g2.mean(axis=-2, keepdims=True), weight)
            var = row @ col
            var /= np.maximum(row.mean(axis=-2, keepdims=True), eps1)
        else:
            lerp_(variances[i], g2, weight)
            var = variances[i].copy()
        np.maximum(var, eps1 * eps1, out=var)
        np.sqrt(var, out=var)
        np.divide(g, var, out=var)
        denom = max(1.0, float(np.linalg.norm(var.reshape(-1))) / (math.sqrt(var.size) * d))
        var *= alpha / denom
        p -= var


class Adafactor(Optimizer):
    """Adafactor, as torch.optim.Adafactor."""

    _scalar_state = ("step",)
    _group_defaults = (("foreach", None),)

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        check_lr(lr)
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None and p._dtype.is_complex:
                    raise RuntimeError("Adafactor does not support complex parameters")
        return run_rule(self, closure, _init_state, ("step", "row_var", "col_var", "variance"), _update,
                        packable=False)     # the factored state is not shaped as the parameter


def _init_state(p, state, group):
    state["step"] = new_scalar()
    g = p._grad
    if g.dim() > 1:
        state["row_var"] = g.new_zeros(tuple(g.shape[:-1]) + (1,))
        state["col_var"] = g.new_zeros(tuple(g.shape[:-2]) + (1, g.shape[-1]))
    else:
        state["variance"] = g.new_zeros(tuple(g.shape))


def _update(group, ps, gs, st):
    eps1, eps2 = group["eps"]
    adafactor(ps, gs, st["row_var"], st["col_var"], st["variance"], st["step"], d=group["d"],
              lr=as_float(to_scalar(group["lr"])), beta2_decay=group["beta2_decay"],
              weight_decay=group["weight_decay"], eps1=eps1, eps2=eps2, maximize=group["maximize"])
