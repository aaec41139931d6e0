"""Adamax (Adam with the infinity norm), as torch.optim.Adamax. The rule ``adamax`` updates NumPy arrays in place."""
import numpy as np

from ._functional import (as_float, check_betas, check_lr, check_range, effective_grad, new_scalar, run_rule,
                          zeros_like)
from .optimizer import Optimizer


def adamax(params, grads, exp_avgs, exp_infs, steps, *, eps, beta1, beta2, lr, weight_decay, maximize):
    """m = b1 m + (1 - b1) g;  u = max(b2 u, |g| + eps);  p -= lr / (1 - b1^t) * m / u."""
    for p, g, m, u, step in zip(params, grads, exp_avgs, exp_infs, steps):
        g = effective_grad(p, g, weight_decay, maximize)
        m *= beta1
        m += g * (1 - beta1)
        u *= beta2
        a = np.abs(g)
        a += eps
        np.maximum(u, a, out=u)
        np.divide(m, u, out=a)
        a *= lr / (1 - beta1 ** float(step))
        p -= a


class Adamax(Optimizer):
    """Adamax, as torch.optim.Adamax."""

    _scalar_state = ("step",)
    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False))

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_range("epsilon value", eps)
        check_betas(betas)
        check_range("weight_decay value", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        return run_rule(self, closure, _init_state, ("step", "exp_avg", "exp_inf"), _update)


def _init_state(p, state, group):
    state["step"] = new_scalar()
    state["exp_avg"] = zeros_like(p)
    state["exp_inf"] = zeros_like(p)


def _update(group, ps, gs, st):
    beta1, beta2 = group["betas"]
    adamax(ps, gs, st["exp_avg"], st["exp_inf"], st["step"], eps=group["eps"], beta1=as_float(beta1),
           beta2=as_float(beta2), lr=as_float(group["lr"]), weight_decay=group["weight_decay"],
           maximize=group["maximize"])
